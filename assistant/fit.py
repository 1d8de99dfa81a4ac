"""`assistant fit`: fit the reader's models and the abstention threshold on the dev split, never on test.

For every dev question and each of its paraphrases, every answerer proposes its candidate (the prose reader
every unit of the top passages), each judged against the gold exactly as the eval judges an answer. One
logistic model per answerer learns P(right) from the features; the threshold is the one that maximises dev
accuracy when a wrong answer costs more than an abstention. Grouped cross-validation (a question and its
paraphrases stay in one fold) estimates how the fit holds on questions it has not seen. The model is written
to `assistant/data/reader_model.json` and described, with its calibration curve, in docs/reader.md.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .compose import PROSE_FEATURES, candidate_features, choose, compose, rank
from .evaluate import judge, load_questions, split_files
from .reader import UNIT_FEATURES
from .scoring import MODEL_PATH, Logistic, ReaderModel, Ranker, fit_logistic, fit_ranker

FIGURE_FEATURES = ["f_score", "f_values", "f_series", "f_label", "f_context", "f_focus", "f_names", "f_running", "f_unverified",
                   "f_area", "f_basis", "f_kind", "f_year", "f_follow_up", "f_unknown", "f_dropped", "f_unit_clash", "measure", "wants_amount",
                   "wants_other", "english"]
LIST_FEATURES = ["l_items", "l_cue", "l_goal", "l_scoped", "l_terms", "l_anchored", "l_dropped", "l_type_match",
                 "wants_list", "wants_count",
                 "wants_other", "measure", "english"]
FEATURES = {"prose": PROSE_FEATURES, "figure": FIGURE_FEATURES, "list": LIST_FEATURES}
WRONG_COST = 0.75  # a wrong answer costs 1.75 abstentions: a wrong number is worse than none
L2 = 2.0


@dataclass
class Asked:
    """One dev question (or paraphrase) with everything proposed for it, judged."""
    group: str  # the question's id: paraphrases share it
    abstain: bool
    readings: list = field(default_factory=list)  # (Reading, right)
    candidates: list = field(default_factory=list)  # (route, features, right) of figure and list answers
    blocked: bool = False  # names a year no document mentions: abstains whatever the scores


def collect(bot, paths: list[Path]) -> list[Asked]:
    out: list[Asked] = []
    k = bot.settings.top_k
    for q in [q for p in paths for q in load_questions(p)]:
        for text in [q["question"], *q.get("paraphrases", [])]:
            proposals = bot.candidates(text)
            asked = Asked(group=q["id"], abstain=bool(q.get("abstain")),
                          blocked=any(str(y) not in bot.searcher.doc_freq for y in proposals.question.years)
                          or proposals.unknown_area)
            for r in proposals.readings:
                answer = compose(text, [r])
                right = bool(answer is not None and judge(q, answer, [], k)["right"])
                asked.readings.append((r, right))
            for c in proposals.candidates:
                if c.route != "prose":
                    asked.candidates.append((c.route, c.features, bool(judge(q, c.answer, [], k)["right"])))
            asked.question = q  # type: ignore[attr-defined]
            asked.question_read = proposals.question  # type: ignore[attr-defined]
            asked.text = text  # type: ignore[attr-defined]
            out.append(asked)
    return out


def fit_models(asked: list[Asked]) -> tuple[Ranker, dict[str, Logistic]]:
    """The unit ranker (on questions some unit answers), then P(right) per answerer's candidate."""
    groups = [([r.features for r, _ in a.readings], [int(y) for _, y in a.readings]) for a in asked
              if any(y for _, y in a.readings) and not all(y for _, y in a.readings)]
    ranker = fit_ranker(groups, UNIT_FEATURES, L2)
    models = {}
    prose = [prose_outcome(a, ranker) for a in asked]
    prose = [(f, ok) for f, ok in prose if f is not None]
    models["prose"] = fit_logistic([f for f, _ in prose], [int(ok) for _, ok in prose], PROSE_FEATURES, L2)
    for route in ("figure", "list"):
        rows = [(f, right) for a in asked for rt, f, right in a.candidates if rt == route]
        if rows and len({y for _, y in rows}) == 2:
            models[route] = fit_logistic([f for f, _ in rows], [int(y) for _, y in rows], FEATURES[route], L2)
    return ranker, models


def prose_outcome(a: Asked, ranker: Ranker) -> tuple[dict | None, bool]:
    """(the prose candidate's features, whether it is right) as the answering path would compose it."""
    if not a.readings:
        return None, False
    ranked = rank([r for r, _ in a.readings], ranker)
    answer = compose(a.text, choose(ranked))  # type: ignore[attr-defined]
    if answer is None:
        return None, False
    return candidate_features(a.question_read, ranked), bool(judge(a.question, answer, [], 5)["right"])  # type: ignore[attr-defined]


def outcome(a: Asked, fitted: tuple[Ranker, dict[str, Logistic]], k: int) -> tuple[float, bool]:
    """(the best candidate's probability, whether it is right) under these models."""
    ranker, models = fitted
    best_p, best_right = 0.0, False
    features, ok = prose_outcome(a, ranker)
    if features is not None:
        best_p, best_right = models["prose"].predict(features), ok
    for route, features, right in a.candidates:
        if route in models:
            p = models[route].predict(features)
            if p > best_p:
                best_p, best_right = p, right
    return best_p, best_right


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


def cross_validate(asked: list[Asked], k: int, folds: int = 5) -> dict:
    groups = sorted({a.group for a in asked})
    random.Random(7).shuffle(groups)
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    right = n = 0
    thresholds = []
    for f in range(folds):
        train = [a for a in asked if fold_of[a.group] != f]
        models = fit_models(train)
        t = choose_threshold([(a, *outcome(a, models, k)) for a in train])
        thresholds.append(t)
        for a in (a for a in asked if fold_of[a.group] == f):
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


def fit(bot, root: Path = Path("evals"), out: Path = MODEL_PATH, docs: Path | None = Path("docs")) -> ReaderModel:
    k = bot.settings.top_k
    asked = collect(bot, split_files(root, "dev"))
    ranker, models = fitted = fit_models(asked)
    results = [(a, *outcome(a, fitted, k)) for a in asked]
    threshold = choose_threshold(results)
    accuracy, _ = utility(results, threshold)
    cv = cross_validate(asked, k)
    fitted_info = {
        "date": dt.date.today().isoformat(), "split": "dev", "questions": len({a.group for a in asked}),
        "asked": len(asked), "units": sum(len(a.readings) for a in asked),
        "positive_units": sum(right for a in asked for _, right in a.readings),
        "candidates": {route: sum(1 for a in asked for rt, _, _ in a.candidates if rt == route)
                       for route in ("figure", "list")},
        "dev_accuracy": round(accuracy, 3), "cross_validation": cv, "wrong_cost": WRONG_COST, "l2": L2,
        "calibration": calibration(results),
    }
    model = ReaderModel(ranker=ranker, routes=models, threshold=threshold, fitted=fitted_info)
    out.write_text(json.dumps(model.model_dump(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if docs is not None:
        from .fit_report import write_report

        write_report(model, docs, [utility(results, t)[0] for t in np.round(np.arange(0.05, 0.96, 0.01), 2)])
    return model
