"""`assistant fit`: fit the reader's models and the abstention threshold on the dev split, never on test.

For every dev question and each of its paraphrases, every answerer proposes its candidate (the prose reader
every unit of the top passages), each judged against the gold exactly as the eval judges an answer. A ranker
learns which unit answers; a selector (one conditional logit over the question's candidates and abstaining)
learns which candidate to give, so that the choice between a figure record, a list and a sentence is learned as
the choice it is rather than from per-answerer scores on scales of their own. The threshold is the one that
maximises dev accuracy when a wrong answer costs more than an abstention. Grouped cross-validation (a question
and its paraphrases stay in one fold) estimates how the fit holds on questions it has not seen. The model is
written to `assistant/data/reader_model.json` and described, with its calibration curve, in docs/reader.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .compose import PROSE_FEATURES, SECOND_RATIO, candidate_features, choose, compose, ordered
from .agreement import agreement
from .evaluate import judge, load_questions, split_files
from .reader import UNIT_FEATURES
from .select import Candidate, support
from .scoring import MODEL_PATH, ReaderModel, Ranker, fit_ranker, option_row, softmax

FIGURE_FEATURES = ["f_agree", "f_score", "f_values", "f_series", "f_previous", "f_label", "f_context", "f_focus", "f_names", "f_running", "f_unverified",
                   "f_area", "f_basis", "f_kind", "f_year", "f_follow_up", "f_unknown", "f_dropped", "f_unit_clash", "measure", "wants_amount",
                   "wants_other", "english", "known", "known_low"]
LIST_FEATURES = ["l_agree", "l_items", "l_cue", "l_goal", "l_scoped", "l_terms", "l_anchored", "l_dropped", "l_type_match",
                 "wants_list", "wants_count",
                 "wants_other", "measure", "english", "known", "known_low"]
FEATURES = {"prose": PROSE_FEATURES, "figure": FIGURE_FEATURES, "list": LIST_FEATURES}
SELECTOR_FEATURES = [f"{route}:{name}" for route, names in FEATURES.items() for name in names] + \
    [f"is_{route}" for route in FEATURES]
RATIOS = (0.5, 0.3, 0.2, 0.1)
WRONG_COST = 0.75  # a wrong answer costs 1.75 abstentions: a wrong number is worse than none
# How much an unanswerable question's choice counts in the selector's fit against an answerable one's: the product
# refuses what the corpus does not hold before it answers more, and a fit that weighs them alike trades refusals
# of near-miss questions (a date the plan does not give for a project it names) for answers elsewhere
UNANSWERABLE_WEIGHT = 2.0
L2 = 2.0
SELECTOR_L2 = 2.0


@dataclass
class Asked:
    """One dev question (or paraphrase) with everything proposed for it, judged."""
    group: str  # the question's id: paraphrases share it
    abstain: bool
    readings: list = field(default_factory=list)  # (Reading, right)
    candidates: list = field(default_factory=list)  # (route, features, right, answer) of figure and list answers
    blocked: bool = False  # `Assistant.unanswerable`: abstains whatever the scores


def collect(bot, paths: list[Path], prefix: str = "") -> list[Asked]:
    """`prefix` keeps the groups of different suites apart (their ids may repeat)."""
    out: list[Asked] = []
    k = bot.settings.top_k
    for q in [q for p in paths for q in load_questions(p)]:
        for text in [q["question"], *q.get("paraphrases", [])]:
            proposals = bot.candidates(text)
            asked = Asked(group=prefix + q["id"], abstain=bool(q.get("abstain")), blocked=bot.unanswerable(proposals))
            for r in proposals.readings:
                answer = compose(text, [r])
                right = bool(answer is not None and judge(q, answer, [], k)["right"])
                asked.readings.append((r, right))
            for c in proposals.candidates:
                if c.route != "prose":
                    asked.candidates.append((c.route, c.features, bool(judge(q, c.answer, [], k)["right"]), c.answer))
            asked.question = q  # type: ignore[attr-defined]
            asked.question_read = proposals.question  # type: ignore[attr-defined]
            asked.text = text  # type: ignore[attr-defined]
            out.append(asked)
    return out


def collect_split(bot, root: Path, split: str, suites: dict[str, object]) -> list[Asked]:
    """Every question of one split: the main suite's, and each suite's with documents of its own (`suites`: the
    suite's folder name under `root` → an assistant over its corpus), its groups prefixed with its name."""
    asked = collect(bot, split_files(root, split))
    for name, suite_bot in suites.items():
        asked += collect(suite_bot, split_files(root / name, split), prefix=f"{name}/")
    return asked


class Fitted(NamedTuple):
    ranker: Ranker
    selector: Ranker
    ratio: float  # how near the first unit's probability a second must come to join a prose answer


def fit_models(asked: list[Asked], ratio: float = SECOND_RATIO) -> Fitted:
    """The unit ranker (on questions some unit answers), then the selector: per question, the candidates that
    are right should win over abstaining, and abstaining should win when none is (an unanswerable question, or
    an answerable one every answerer gets wrong: a wrong answer is worse than none)."""
    groups = [([r.features for r, _ in a.readings], [int(y) for _, y in a.readings]) for a in asked
              if any(y for _, y in a.readings) and not all(y for _, y in a.readings)]
    ranker = fit_ranker(groups, UNIT_FEATURES, L2)
    choices, counts = [], []
    for a in asked:
        if a.blocked:
            continue
        opts = options(a, ranker, ratio)
        labels = [int(right) for _, _, right in opts]
        choices.append(([option_row(route, f) for route, f, _ in opts] + [{}], labels + [int(not any(labels))]))
        counts.append(UNANSWERABLE_WEIGHT if a.abstain else 1.0)
    selector = fit_ranker(choices, SELECTOR_FEATURES, SELECTOR_L2, group_weights=counts)
    return Fitted(ranker, selector, ratio)


def options(a: Asked, ranker: Ranker, ratio: float = SECOND_RATIO) -> list[tuple[str, dict, bool]]:
    """(route, features, right) of every candidate for this question as the answering path would propose them
    under this ranker: the prose answer composed from its top units, the figure and list candidates with their
    agreement with that prose answer."""
    prose = None
    if a.readings:
        ranked = ordered([r for r, _ in a.readings], ranker)
        answer = compose(a.text, choose(ranked, ratio)) if ranked else None  # type: ignore[attr-defined]
        if answer is not None:
            prose = Candidate(route="prose", answer=answer, features=candidate_features(a.question_read, ranked))  # type: ignore[attr-defined]
            right = bool(judge(a.question, answer, [], 5)["right"])  # type: ignore[attr-defined]
    others = [(Candidate(route=route, answer=answer, features=dict(features)), right)
              for route, features, right, answer in a.candidates]
    agreement(prose, next((c for c, _ in others if c.route == "figure"), None),
              next((c for c, _ in others if c.route == "list"), None))
    out = [("prose", prose.features, right)] if prose is not None else []
    return out + [(c.route, c.features, ok) for c, ok in others]


def outcome(a: Asked, fitted: Fitted, k: int) -> tuple[float, bool]:
    """(the chosen candidate's probability, whether it is right) under these models; probability 0 when
    abstaining is more probable than any candidate."""
    opts = options(a, fitted.ranker, fitted.ratio)
    if not opts:
        return 0.0, False
    rows = [option_row(route, f) for route, f, _ in opts] + [{}]
    p = softmax(fitted.selector.scores(rows))
    best = int(np.argmax(p[:-1]))
    backed = support(best, [(route, f) for route, f, _ in opts], [float(x) for x in p[:-1]])
    return (backed if backed > p[-1] else 0.0), opts[best][2]


def utility(results: list[tuple[Asked, float, bool]], threshold: float) -> tuple[float, float]:
    """(dev accuracy, utility) when abstaining below `threshold`."""
    right = cost = 0.0
    for a, p, ok in results:
        answers = p >= threshold and not a.blocked
        if a.abstain:
            right += not answers
            cost += 1.0 + WRONG_COST if answers else 0.0
        elif answers:
            right += ok
            cost += 0.0 if ok else 1.0 + WRONG_COST
        else:
            cost += 1.0
    n = max(1, len(results))
    return right / n, -cost / n


def choose_threshold(results: list[tuple[Asked, float, bool]], window: int = 3) -> float:
    """The threshold of highest utility, smoothed over its neighbours (±0.03): the curve is flat and jagged
    near its top, and a point that wins by one question does not generalise."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    values = np.array([utility(results, t)[1] for t in grid])
    smooth = np.array([values[max(0, i - window): i + window + 1].mean() for i in range(len(values))])
    return float(grid[int(np.argmax(smooth))])


def fold_of(group: str, folds: int) -> int:
    """A question's fold, from its id alone: a question added to the suite joins a fold and moves no other, so
    the cross-validated accuracy of two fits compares across suites that differ by a few questions (a shuffle of
    the sorted ids reassigned every fold when one was added)."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest(), 16) % folds


def cross_validate(asked: list[Asked], k: int, folds: int = 5, ratio: float = SECOND_RATIO) -> dict:
    fold = {g: fold_of(g, folds) for g in {a.group for a in asked}}
    right = n = 0
    thresholds = []
    for f in range(folds):
        train = [a for a in asked if fold[a.group] != f]
        models = fit_models(train, ratio)
        t = choose_threshold([(a, *outcome(a, models, k)) for a in train])
        thresholds.append(t)
        for a in (a for a in asked if fold[a.group] == f):
            right += _right(a, *outcome(a, models, k), t)
            n += 1
    return {"folds": folds, "accuracy": round(right / max(1, n), 3), "thresholds": [round(t, 2) for t in thresholds]}


def _right(a: Asked, p: float, ok: bool, threshold: float) -> bool:
    answers = p >= threshold and not a.blocked
    return (not answers) if a.abstain else (answers and ok)


def calibration(results: list[tuple[Asked, float, bool]], bins: int = 10) -> list[dict]:
    """Per probability bin of the chosen candidate: how many, and how many of those were right."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(a, ok) for a, p, ok in results if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        answerable = [ok for a, ok in inside if not a.abstain]
        out.append({"from": lo, "to": hi, "n": len(inside), "right": sum(answerable),
                    "unanswerable": sum(a.abstain for a, _ in inside)})
    return out


def fit(bot, root: Path = Path("evals"), out: Path = MODEL_PATH, docs: Path | None = Path("docs"),
        suites: dict[str, object] | None = None) -> ReaderModel:
    """Fit on the dev split of the main suite and of every suite with documents of its own (`suites`: the
    suite's folder name under `root` → an assistant over its corpus). The suites' documents are in other
    formats (meeting pages, annual reports, the regional plan): fitting on them too keeps the weights from
    learning the wording and layout of the two sample documents alone."""
    k = bot.settings.top_k
    asked = collect_split(bot, root, "dev", suites or {})
    best = None
    for ratio in RATIOS:  # how readily a second unit joins a prose answer: chosen on dev like the threshold
        fitted = fit_models(asked, ratio)
        results = [(a, *outcome(a, fitted, k)) for a in asked]
        threshold = choose_threshold(results)
        accuracy, value = utility(results, threshold)
        if best is None or value > best[0] + 1e-9:
            best = (value, fitted, results, threshold, accuracy)
    _, fitted, results, threshold, accuracy = best
    ranker, selector, ratio = fitted
    cv = cross_validate(asked, k, ratio=ratio)
    fitted_info = {
        "date": dt.date.today().isoformat(), "split": "dev", "suites": ["main", *(suites or {})], "questions": len({a.group for a in asked}),
        "asked": len(asked), "units": sum(len(a.readings) for a in asked),
        "positive_units": sum(right for a in asked for _, right in a.readings),
        "candidates": {route: sum(1 for a in asked for rt, *_ in a.candidates if rt == route)
                       for route in ("figure", "list")},
        "dev_accuracy": round(accuracy, 3), "cross_validation": cv, "wrong_cost": WRONG_COST, "l2": L2,
        "unanswerable_weight": UNANSWERABLE_WEIGHT,
        "ratios": list(RATIOS),
        "calibration": calibration(results),
    }
    model = ReaderModel(ranker=ranker, selector=selector, threshold=threshold, second_ratio=ratio, fitted=fitted_info)
    out.write_text(json.dumps(model.model_dump(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if docs is not None:
        from .fit_report import write_report

        write_report(model, docs, [utility(results, t)[0] for t in np.round(np.arange(0.05, 0.96, 0.01), 2)])
    return model
