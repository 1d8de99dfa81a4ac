"""Routing in one place: candidates from every answerer on one scale, the most probable chosen or none."""
from __future__ import annotations

import json

import numpy as np

from assistant.compose import PROSE_FEATURES
from assistant.fit import FIGURE_FEATURES, LIST_FEATURES
from assistant.reader import UNIT_FEATURES
from assistant.scoring import MODEL_PATH, ReaderModel, fit_logistic, fit_ranker, softmax
from assistant.select import ABSTAIN_TEXT, Candidate, select
from core.models import Answer


def candidate(route: str, p: float, text: str = "") -> Candidate:
    return Candidate(route=route, p=p, answer=Answer(question="q", answer=text or f"{route} svar", abstained=False))


def test_the_most_probable_candidate_is_the_answer_and_says_where_it_came_from():
    answer = select("q", [candidate("prose", 0.61), candidate("figure", 0.83), candidate("list", 0.2)], 0.4)
    assert answer.answer == "figure svar" and answer.route == "figure" and answer.score == 0.83


def test_below_the_threshold_the_assistant_abstains():
    answer = select("q", [candidate("prose", 0.39), candidate("figure", 0.1)], 0.4)
    assert answer.abstained and answer.answer == ABSTAIN_TEXT and answer.route is None and not answer.citations


def test_an_abstention_keeps_a_note_that_says_what_the_documents_hold_instead():
    note = Answer(question="q", answer="Inget tal för 2019; närmast finns Budget 2024.", abstained=True)
    answer = select("q", [candidate("prose", 0.2)], 0.4, [note])
    assert answer.abstained and answer.answer == note.answer
    assert select("q", [], 0.4).abstained


def test_a_logistic_fit_finds_which_feature_predicts_right_answers():
    rng = np.random.default_rng(1)
    rows = [{"good": float(g), "noise": float(n)} for g, n in zip(rng.random(400), rng.random(400))]
    labels = [int(r["good"] > 0.6) for r in rows]
    model = fit_logistic(rows, labels, ["good", "noise"], l2=0.1)
    assert model.weights[0] > 3 * abs(model.weights[1])
    assert model.predict({"good": 0.95, "noise": 0.5}) > 0.9 > 0.1 > model.predict({"good": 0.2, "noise": 0.5})


def test_the_ranker_learns_to_put_the_answering_unit_first_in_each_question():
    rng = np.random.default_rng(2)
    groups = []
    for _ in range(60):  # the answering unit covers the question, distractors only look close
        units = [{"cov": rng.uniform(0.7, 1.0), "sim": rng.uniform(0.80, 0.85)}]
        units += [{"cov": rng.uniform(0.0, 0.6), "sim": rng.uniform(0.80, 0.90)} for _ in range(9)]
        groups.append((units, [1] + [0] * 9))
    ranker = fit_ranker(groups, ["cov", "sim"], l2=0.5)
    firsts = sum(int(np.argmax(ranker.scores(units)) == 0) for units, _ in groups)
    assert firsts == len(groups) and ranker.weights[0] > 0
    assert abs(softmax(np.array([1.0, 2.0, 3.0])).sum() - 1) < 1e-9


def test_the_shipped_model_was_fitted_with_the_features_the_code_computes():
    """A feature added or renamed without a new `assistant fit` would be read as zero: fail instead."""
    model = ReaderModel.model_validate(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    assert model.ranker.features == UNIT_FEATURES
    assert model.routes["prose"].features == PROSE_FEATURES
    assert model.routes["figure"].features == FIGURE_FEATURES
    assert model.routes["list"].features == LIST_FEATURES
    assert 0.05 <= model.threshold <= 0.95 and model.fitted["split"] == "dev"
