"""Routing in one place: every answerer proposes a candidate answer; the fitted selector (assistant/scoring.py)
gives each the probability that it is the one to give, against the others and against abstaining, and `select`
picks the best one, or abstains when none is likely enough.

Nothing upstream excludes an answerer: a question with `budget` in it may still be best answered by a sentence
without a number, and `Vad har Område IT fått för uppdrag?` by the list of assignments although it does not
open with `vilka`. What a question names only moves probabilities.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.models import Answer

Route = Literal["figure", "list", "prose"]
ABSTAIN_TEXT = "Det kan jag inte besvara utifrån dokumenten i kunskapsbanken: inget avsnitt säger det som frågan gäller."
WRITE_TEXT = ("Jag svarar med citat ur dokumenten och kan inte sammanfatta eller skriva nya texter utan en språkmodell "
              "(inställningen ASSISTANT_LLM). Fråga om något bestämt, till exempel budgeten, målen eller ett beslut.")


class Candidate(BaseModel):
    """One answerer's proposal: its answer, the features it was judged by and the probability it is right."""

    route: Route
    answer: Answer
    features: dict[str, float] = Field(default_factory=dict)
    p: float = 0.0
    why: str = ""


def abstention(question: str, note: Answer | None = None) -> Answer:
    """`Det kan jag inte besvara …`, or a note that says what the documents do hold instead (the periods a
    figure exists for, the areas with figures)."""
    if note is not None:
        return note.model_copy(update={"abstained": True, "route": None, "score": None})
    return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True)


def cannot_write(question: str) -> Answer:
    """A request to summarise or write: quoting sentences that merely share its words would pass for a summary
    it is not, so the extractive reader says what it can do instead."""
    return Answer(question=question, answer=WRITE_TEXT, abstained=True)


def support(i: int, options: list[tuple[str, dict[str, float]]], ps: list[float]) -> float:
    """The probability that option `i`'s answer is right: its own, and that of the other answerer that gives the
    same figures by another road (the figure store's record, the sentence the prose reader chose). The
    selector's softmax splits one answer's probability between two candidates that give it: a figure at 0.45
    and the sentence holding it at 0.45 are one answer at 0.90, not two below the threshold."""
    route, features = options[i]
    own = {"figure": "f_agree", "prose": "agree"}.get(route)
    if own is None or features.get(own, 0.0) < 1.0:
        return ps[i]
    if any(r == "figure" and f.get("f_unit_clash") for r, f in options):
        return ps[i]  # a share given for a sum of money, or for how many: agreeing on it does not make it an answer
    other = "prose" if route == "figure" else "figure"
    return ps[i] + sum(p for (r, _), p in zip(options, ps) if r == other)


def select(question: str, candidates: list[Candidate], threshold: float, notes: list[Answer] = (),
           abstain_p: float = 0.0) -> Answer:
    """The most probable candidate when its answer's support (`support`) reaches the threshold and is more
    probable than abstaining (`abstain_p`); otherwise an abstention (with the first informative note, if an
    answerer left one)."""
    if not candidates:
        return abstention(question, notes[0] if notes else None)
    ps = [c.p for c in candidates]
    i = max(range(len(candidates)), key=ps.__getitem__)
    p = support(i, [(c.route, c.features) for c in candidates], ps)
    if p < threshold or p <= abstain_p:
        return abstention(question, notes[0] if notes else None)
    best = candidates[i]
    return best.answer.model_copy(update={"route": best.route, "score": round(p, 3)})
