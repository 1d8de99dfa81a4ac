"""Where the reader loses its answers: every asked question (and paraphrase) of a split, sorted by what went wrong.

An eval says how many answers were wrong; this says at which step. For each question it asks whether the passages
read hold a unit that answers it, where the fitted ranker put that unit, and what the selector then did:

- `abstained, answer ranked first`: the right unit was the prose answer, but the selector did not trust it;
- `abstained` / `wrong, answer ranked 2–3` or `deeper`: a unit answered, the ranker put another first;
- `abstained` / `wrong, no unit holds it`: no sentence, row or item of the passages read answers (retrieval, the
  split into units, or an answer only a record gives);
- `unanswerable, answered`: the documents do not hold it and something was said anyway.

Counts are aggregates, so the test split can be read without tuning on its questions one by one (evals/README).
"""
from __future__ import annotations

from collections import Counter

from .compose import ordered
from .fit import Asked, Fitted, outcome

RIGHT = "right"
UNANSWERABLE_ANSWERED = "unanswerable, answered"
ORDER = [RIGHT, "abstained, answer ranked first", "abstained, answer ranked 2–3", "abstained, answer ranked deeper",
         "abstained, no unit holds it", "wrong, answer ranked first", "wrong, answer ranked 2–3",
         "wrong, answer ranked deeper", "wrong, no unit holds it", UNANSWERABLE_ANSWERED]


def rank_of_answer(a: Asked, fitted: Fitted) -> int | None:
    """Where the ranker puts the first unit that answers the question alone (0 = first), None if none does."""
    right = {id(r) for r, ok in a.readings if ok}
    if not right:
        return None
    ranked = ordered([r for r, _ in a.readings], fitted.ranker)
    return next((i for i, r in enumerate(ranked) if id(r) in right), None)


def classify(a: Asked, fitted: Fitted, threshold: float, k: int = 5) -> str:
    """One asked question's fate under these models: `right`, or the step where its answer was lost."""
    p, ok = outcome(a, fitted, k)
    answers = p >= threshold and not a.blocked
    if a.abstain:
        return UNANSWERABLE_ANSWERED if answers else RIGHT
    if answers and ok:
        return RIGHT
    rank = rank_of_answer(a, fitted)
    where = "no unit holds it" if rank is None else "answer ranked first" if rank == 0 \
        else "answer ranked 2–3" if rank < 3 else "answer ranked deeper"
    return f"{'wrong' if answers else 'abstained'}, {where}"


def breakdown(asked: list[Asked], fitted: Fitted, threshold: float, k: int = 5) -> dict[str, Counter]:
    """Per suite (`main`, or the prefix `collect` gave a suite's groups), how many questions met each fate."""
    out: dict[str, Counter] = {}
    for a in asked:
        suite = a.group.split("/", 1)[0] if "/" in a.group else "main"
        out.setdefault(suite, Counter())[classify(a, fitted, threshold, k)] += 1
    return out


def format_breakdown(split: str, counts: dict[str, Counter]) -> str:
    suites = sorted(counts, key=lambda s: (s != "main", s))
    width = max(len(c) for c in ORDER) + 2
    lines = [f"{split:<{width}}" + "".join(f"{s:>16}" for s in suites)]
    for fate in ORDER:
        cells = []
        for s in suites:
            n, total = counts[s][fate], sum(counts[s].values()) or 1
            cells.append(f"{n:>7} {n / total:>7.1%}")
        lines.append(f"{fate:<{width}}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)
