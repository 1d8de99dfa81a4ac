"""Routing in one place: candidates from every answerer on one scale, the most probable chosen or none."""
from __future__ import annotations

import json

import numpy as np

from assistant.agreement import figures_agree, quotes_within
from assistant.compose import PROSE_FEATURES
from assistant.fit import FIGURE_FEATURES, LIST_FEATURES, SELECTOR_FEATURES
from assistant.reader import UNIT_FEATURES
from assistant.scoring import MODEL_PATH, ReaderModel, fit_ranker, softmax
from assistant.select import ABSTAIN_TEXT, Candidate, select
from core.models import Answer, Citation


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


def test_two_answerers_giving_the_same_figure_are_one_answer_with_both_their_probability():
    """The selector's softmax splits one answer between the figure record and the sentence that holds it: each
    below the threshold, together well above it."""
    figure, prose = candidate("figure", 0.45, "**228 mnkr**"), candidate("prose", 0.44, "… är 228 miljoner kronor.")
    figure.features["f_agree"] = prose.features["agree"] = 1.0
    answer = select("q", [figure, prose], 0.46)
    assert answer.route == "figure" and answer.score == 0.89
    figure.features["f_agree"] = prose.features["agree"] = 0.5  # half the figures: two answers, not one
    assert select("q", [figure, prose], 0.46).abstained
    figure.features.update(f_agree=1.0, f_unit_clash=1.0)  # a share given where a sum of money was asked
    prose.features["agree"] = 1.0
    assert select("q", [figure, prose], 0.46).abstained


def test_a_share_or_a_sum_of_money_is_not_how_many(bot):
    q = bot.reader.read("Hur många äter i regionens lunchrestauranger varje dag?")
    figure, _, _ = bot.figure_answerer.candidate(q, None)
    assert figure is None or figure.features["f_unit_clash"] == 1.0
    assert bot.reader.read("Hur många procent höjs lunchpriset?").asks >= {"percent"}  # a share asked: no clash


def test_the_selector_weighs_candidates_against_each_other_and_against_abstaining():
    model = ReaderModel.model_validate(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    strong = {"f_score": 1.0, "f_values": 1.0, "f_label": 1.0, "f_focus": 1.0, "f_names": 1.0, "f_agree": 1.0}
    weak = {"f_score": 0.0, "f_values": 0.0, "f_label": 0.0, "f_focus": 0.0, "f_names": 0.0, "f_unverified": 1.0}
    (p_strong,), abstain_strong = model.probabilities([("figure", strong)])
    (p_weak,), abstain_weak = model.probabilities([("figure", weak)])
    assert abs(p_strong + abstain_strong - 1) < 1e-9  # one question's options share one distribution
    assert p_strong > p_weak and abstain_weak > abstain_strong
    assert select("q", [candidate("figure", 0.6)], 0.4, abstain_p=0.7).abstained  # abstaining won


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


def test_a_question_that_counts_more_pulls_the_fit_its_way():
    # two kinds of question disagree on one feature: in the first the unit with it answers, in the second the unit
    # without it does; alike they cancel out, and the kind that counts three times wins the weight's sign
    first = ([{"x": 1.0}, {"x": 0.0}], [1, 0])
    second = ([{"x": 1.0}, {"x": 0.0}], [0, 1])
    alike = fit_ranker([first, second], ["x"], l2=0.1)
    weighted = fit_ranker([first, second], ["x"], l2=0.1, group_weights=[3.0, 1.0])
    against = fit_ranker([first, second], ["x"], l2=0.1, group_weights=[1.0, 3.0])
    assert abs(alike.weights[0]) < 1e-6
    assert weighted.weights[0] > 0.1 and against.weights[0] < -0.1

def test_the_shipped_model_was_fitted_with_the_features_the_code_computes():
    """A feature added or renamed without a new `assistant fit` would be read as zero: fail instead."""
    model = ReaderModel.model_validate(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    assert model.ranker.features == UNIT_FEATURES
    assert model.selector.features == SELECTOR_FEATURES
    assert {f"prose:{n}" for n in PROSE_FEATURES} | {f"figure:{n}" for n in FIGURE_FEATURES} \
        | {f"list:{n}" for n in LIST_FEATURES} <= set(SELECTOR_FEATURES)
    assert 0.05 <= model.threshold <= 0.95 and model.fitted["split"] == "dev"


def _said(text: str, quote: str = "") -> Answer:
    citations = [Citation(n=1, source="s.txt", title="t", section="s", quote=quote)] if quote else []
    return Answer(question="q", answer=text, abstained=False, citations=citations)


def test_two_answerers_that_reach_one_number_agree_and_a_year_is_no_agreement():
    figure = _said("HME (RSAU § 58 2026): **76** [1]")
    assert figures_agree(figure, _said("Enligt bilagan: HME = 76 (74) [1]", "HME = 76 (74)")) == 1.0
    assert figures_agree(figure, _said("Enligt planen: HME ska ligga högt 2026 [1]", "HME ska ligga högt 2026")) == 0.0
    assert figures_agree(_said("Budget 2024 [1]"), _said("2024 [1]")) == 0.0  # no figure but a year


def test_a_quote_among_a_lists_items_agrees_with_the_list():
    prose = _said("Enligt planen: … [1]", "Servicenämnden får i uppdrag att samordna regionens lokalförsörjning.")
    listed = _said("Två uppdrag:\n- Uppdrag 5. Servicenämnden får i uppdrag att samordna regionens "
                   "lokalförsörjning och minska lokalytan\n- Uppdrag 6. …")
    assert quotes_within(prose, listed) == 1.0
    assert quotes_within(prose, _said("- Uppdrag 7. Regionstyrelsen får i uppdrag att …")) == 0.0


def test_the_selector_is_told_what_kind_of_answer_the_question_asks_for(bot):
    """A reason is often stated without `eftersom` and a name is there or not: how much a unit's missing cue
    counts against it is learned per answer type, so the prose candidate says which type was asked for."""
    for question, wanted in (("Varför ska elförsörjningen på sjukhusen förstärkas?", "why"),
                             ("Vem är ordförande i arbetsutskottet?", "who")):
        prose = next(c for c in bot.candidates(question).candidates if c.route == "prose")
        assert prose.features[f"wants_{wanted}"] == 1.0
        assert sum(prose.features[f"wants_{t}"] for t in ("why", "who", "when", "yesno", "fact")) == 1.0


def test_a_questions_fold_depends_on_its_id_alone_so_new_questions_move_no_other():
    """Cross-validation compares two fits only if both see the same folds: adding questions to the suite must
    leave every earlier question in its fold, and the folds must each get a fair share."""
    from collections import Counter

    from assistant.fit import fold_of
    ids = [f"q-{i:03d}" for i in range(500)]
    before = {g: fold_of(g, 5) for g in ids}
    after = {g: fold_of(g, 5) for g in ids + [f"new-{i}" for i in range(9)]}
    assert all(after[g] == before[g] for g in ids)
    assert all(70 <= n <= 130 for n in Counter(before.values()).values()) and set(before.values()) == set(range(5))
