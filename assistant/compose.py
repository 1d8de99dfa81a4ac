"""Prose answers: the reader's most probable unit (and a second one nearly as probable), quoted with its source.

A unit is a sentence, a list item, a lead-in line with its items, or a table row under its column header; never
a chunk dump. Every figure in the answer must stand in a cited quote, checked in code; a candidate that fails
the check is not proposed.
"""
from __future__ import annotations

import math

import numpy as np

from core.models import Answer, Citation
from index.search import Hit

from .grounding import ungrounded_figures
from .question import Question
from .reader import Reader, Reading, registry_heading
from .scoring import softmax
from .select import Candidate

MAX_UNITS = 2
SECOND_RATIO = 0.5  # a second unit joins the answer when its share of the ranker's softmax is at least this
# share of the first's; `assistant fit` chooses the ratio on dev (ReaderModel.second_ratio), this is the default
# The answer types whose own weight the selector learns: how far a unit's words and cues must go before it
# answers differs by what is asked (a reason is often stated without `eftersom`; a name is there or not).
SELECTOR_TYPES = ("why", "who", "when", "yesno", "fact")
PROSE_FEATURES = ["top_prob", "margin", "top_cov", "top_cov_text", "top_cov_syn", "top_sim", "top_type_match", "top_focus",
                  "top_names", "top_cov_x_type", "top_focus_x_type", "top_holds", "top_adds",
                  "top_year_miss", "top_is_row", "top_is_lead", "wants_specific", "wants_amount", "wants_list",
                  "measure", "unknown", "english", "units", "agree", "agree_list", "known", "known_low"] + \
    [f"wants_{t}" for t in SELECTOR_TYPES]


class ProseAnswerer:
    def __init__(self, reader: Reader, model):
        """`model()` gives the fitted `ReaderModel` (None before the first fit: units then rank by coverage)."""
        self.reader = reader
        self.model = model

    def candidate(self, q: Question, hits: list[Hit], qvec=None) -> tuple[Candidate | None, list[Reading]]:
        """The prose candidate and every reading it was chosen from (the fit learns from all of them)."""
        readings = self.reader.read(q, hits, qvec)
        if not readings:
            return None, readings
        model = self.model()
        ranked = ordered(readings, model.ranker if model else None)
        if not ranked:
            return None, readings
        chosen = choose(ranked, model.second_ratio if model else SECOND_RATIO)
        answer = compose(q.text, chosen)
        if answer is None:
            return None, readings
        features = candidate_features(q, ranked)
        # the selector weighs it against the other candidates (Assistant.candidates); before the first fit,
        # coverage stands in for its probability
        return Candidate(route="prose", answer=answer, features=features, p=ranked[0].features["cov"]), readings


def ordered(readings: list[Reading], ranker) -> list[Reading]:
    """The readings as the prose answer weighs them: ranked, those that can say what is asked, and the short
    paragraph around the best unit first when there is one (only a list question has them): the ranker torn
    between a sentence and the paragraph it stands in is quoted the paragraph, and both their shares count."""
    ranked = saying_what_is_asked(rank(readings, ranker))
    if ranked and ranked[0].unit.kind != "paragraph":
        around = next((r for r in ranked[1:] if r.unit.kind == "paragraph" and _within(ranked[0], r)), None)
        if around is not None:
            ranked = [around, *(r for r in ranked if r is not around)]
    return ranked


def saying_what_is_asked(ranked: list[Reading]) -> list[Reading]:
    """The ranked units that can say what the question asks for. `vad kostar lunchen` asks for money: a unit in
    per cent, or one without a day for `vilket datum`, does not say it, however well it matches otherwise; the
    best unit that does is the answer, and with none there is no prose answer."""
    if not ranked or ranked[0].features.get("says_asked", 1.0):
        return ranked
    return [r for r in ranked if r.features.get("says_asked", 1.0)]


def rank(readings: list[Reading], ranker) -> list[Reading]:
    """Readings, most probable answer first; `p` is each one's softmax share within the question (before a
    model is fitted, coverage and closeness in meaning order them)."""
    scores = ranker.scores([r.features for r in readings]) if ranker is not None else \
        np.array([4 * r.features["cov"] + 20 * r.features["sim_gap"] for r in readings])
    for r, p, s in zip(readings, softmax(scores), scores):
        r.p = float(p)
        r.features["score"] = float(s)
    return [readings[i] for i in np.argsort(-scores, kind="stable")]


def choose(ranked: list[Reading], ratio: float = SECOND_RATIO) -> list[Reading]:
    """The best unit, and the next one when it is nearly as probable (`ratio` of the first's probability) and
    says something else: when the ranker is torn between a sentence and the one after it, the answer shows
    both, each cited, rather than betting on one. A unit that cannot say what is asked (no time of day for
    `vilken tid`) does not join one that can: it would be quoted as part of an answer it is not."""
    chosen = [ranked[0]]
    for r in ranked[1:]:
        if len(chosen) >= MAX_UNITS or r.p < ratio * chosen[0].p:
            break
        if r.features.get("says_asked", 1.0) < chosen[0].features.get("says_asked", 1.0):
            continue
        if not any(_overlaps(r, c) for c in chosen):
            chosen.append(r)
    return chosen


def candidate_features(q: Question, ranked: list[Reading]) -> dict[str, float]:
    """How sure the ranker is, and what the question and its best unit are: for P(the prose answer is right)."""
    top = ranked[0].features
    second = ranked[1].features["score"] if len(ranked) > 1 else top["score"] - 5.0
    # the probability that the answer stands in what is quoted: a lead-in's items and a paragraph's sentences are
    # inside it, and their shares of the softmax are the quote's too (measured on dev against pooling for the
    # paragraph alone: +3 paraphrases)
    inside = sum(r.p for r in ranked if _within(r, ranked[0]))
    return {"top_prob": inside, "margin": top["score"] - second, "top_cov": top["cov"],
            "top_cov_text": top["cov_text"], "top_cov_syn": top["cov_syn"], "top_sim": top["sim"], "top_type_match": top["type_match"],
            "top_focus": top["focus"], "top_focus_near": top["focus_near"], "top_asks_met": top["asks_met"],
            "top_names": top["names"],
            # everything at once: what is asked about, what is named, the kind of answer, the words, the year
            "top_holds": top["focus"] * top["names"] * (top["type_match"] if top["wants_specific"] else 1.0)
            * min(1.0, 2 * top["cov_text"]) * (1.0 - top["year_miss"]) * top["asks_met"], "top_cov_x_type": top["cov_text"] * top["type_match"],
            "top_focus_x_type": top["focus"] * top["type_match"],
            "top_adds": top["adds"], "top_year_miss": top["year_miss"], "top_is_row": top["is_row"],
            "top_is_lead": top["is_lead"], "wants_specific": top["wants_specific"], "wants_amount": top["wants_amount"],
            "wants_list": top["wants_list"], "measure": top["measure"],
            "unknown": top["unknown"], "english": top["english"], "units": math.log1p(len(ranked)),
            "known": top["known"], "known_low": top["known_low"],
            **{f"wants_{t}": float(q.wants == t) for t in SELECTOR_TYPES}}


def _within(a: Reading, b: Reading) -> bool:
    """`a` stands in `b`'s lines of the same document (`b` itself included)."""
    return a.chunk.doc_id == b.chunk.doc_id and b.unit.line_start <= a.unit.line_start \
        and a.unit.line_end <= b.unit.line_end


def _overlaps(a: Reading, b: Reading) -> bool:
    """The same lines of the same document: an item and the lead-in that lists it, or one unit twice."""
    return a.chunk.doc_id == b.chunk.doc_id and a.unit.line_start <= b.unit.line_end \
        and b.unit.line_start <= a.unit.line_end


def compose(question: str, readings: list[Reading]) -> Answer | None:
    """`Enligt <part> (<section>): <unit> [1] <unit> [2]`, each unit cited with its quote; None when a figure
    in it stands in no quote."""
    citations: list[Citation] = []
    parts: list[str] = []
    for n, r in enumerate(readings, start=1):
        c, u = r.chunk, r.unit
        lines = f"{u.line_start}" if u.line_start == u.line_end else f"{u.line_start}–{u.line_end}"
        citations.append(Citation(n=n, source=c.source, title=c.title, section=c.section, page=c.page_start,
                                  lines=lines, quote=u.quote))
        if u.kind == "row":
            text = f"{u.quote.replace(chr(10), ': ')} [{n}]"
        elif u.kind == "lead":
            lead, *items = u.quote.split("\n")
            text = f"{lead} [{n}]\n" + "\n".join(f"- {item.lstrip('• ')}" for item in items) + "\n"
        else:
            text = f"{u.text} [{n}]"
        if n == 1:
            where = c.section_path[-1] if len(c.section_path) > 1 else c.part
            if (case := registry_heading(c.section_path)) and case != where:
                where = f"{case} › {where}"  # the agenda item's case number stands over its proposal
            text = f"Enligt {c.part} ({where}): {text}"
        parts.append(text)
    answer = " ".join(parts).strip()
    if ungrounded_figures(answer, citations):  # enforced in code: no figure without a quote that holds it
        return None
    return Answer(question=question, answer=answer, abstained=False, citations=citations)
