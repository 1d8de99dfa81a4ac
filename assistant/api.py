"""The library API that the CLI, the chat and the tests call: load once, ask many times."""
from __future__ import annotations

import json
import re
import threading

from core.models import Answer, Decision, Figure, GoalNode
from core.numbers import format_number
from core.settings import Settings, get_settings
from ingest.lexicon import fold
from index.records import load_record_index
from index.search import Hit, Searcher

from .compose import Composer
from .figures import FigureAnswerer, FigureQuery
from .grounding import figures as figures_in
from .lists import ListAnswerer
from .question import QuestionReader


LISTING = re.compile(r"^(vilka|vilken|vilket|lista|ange|vem|vart|which|who|list)\b")


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.searcher = Searcher(self.settings)
        self.reader = QuestionReader(self.searcher.analyzer, self.searcher.doc_freq, self.searcher.bm25.surface_vocab)
        self.composer = Composer(self.searcher.analyzer, self.searcher.doc_freq, self.searcher.n_chunks)
        self.figure_answerer = FigureAnswerer(self.searcher.figures_by_id,
                                              load_record_index(self.settings.data_dir, "figures"),
                                              self.searcher.analyzer, json.loads(self.searcher.meta("figure_stats") or "{}"))
        self.list_answerer = ListAnswerer(lambda: self.searcher.goals, lambda: self.searcher.decisions,
                                          self.searcher.areas, self.searcher.analyzer,
                                          load_record_index(self.settings.data_dir, "goals"))
        self._warmed = False
        self._lock = threading.Lock()

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        q = self.reader.read(question)
        return self._search(q, k)

    def _search(self, q, k: int | None = None) -> list[Hit]:
        text = q.normalized if q.english else f"{q.text}\n{q.normalized}" if q.normalized != q.text.lower() else q.text
        hits = self.searcher.search(text, k=k or self.settings.top_k, filters=q.filters or None, terms=q.terms)
        if not hits and q.filters:
            hits = self.searcher.search(text, k=k or self.settings.top_k, terms=q.terms)
        return hits

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """One question; with a `Conversation`, a short follow-up (`och prognosen 2023?`) reads against the last."""
        try:
            return self._ask(question, conversation)
        finally:
            if not self._warmed:  # after the first answer, not before it: start-up stays short
                self._warmed = True
                self.list_answerer.warm()

    def _ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            return Answer(question="", answer="Ställ en fråga om dokumenten.", abstained=True)
        with self._lock:
            q = self.reader.read(question)
            lq = self.list_answerer.read(q) if self.settings.structure_answers else None
            # "Vad är totalsumman för Område X:s åtgärder?" wants a number; "Vilka åtgärder …" the whole list
            figure_first = self.settings.figure_answers and self.figure_answerer.asks_for_amount(q) \
                and not LISTING.match(fold(q.text).lower())
            if lq is not None and not figure_first and (listed := self.list_answerer.answer(lq)) is not None:
                listed.route = "list"
                return listed
            if self.settings.figure_answers and not self.figure_answerer.names_unknown(q):
                fa = self.figure_answerer
                fq = fa.read(q)
                merged = fa.follow_up(q, fq, conversation.last_figure_query if conversation else None)
                if merged is not None or fa.is_figure_question(q):
                    answer = fa.answer(merged or fq)
                    if answer is not None:
                        if conversation is not None:
                            conversation.last_figure_query = merged or fq
                        answer.route = "figure" if not answer.abstained else None
                        return answer
                    if merged is not None:  # a follow-up nothing in the store fits
                        return self.composer.abstain(q)
            if lq is not None and figure_first and (listed := self.list_answerer.answer(lq)) is not None:
                listed.route = "list"
                return listed
            hits = self._search(q, max(self.settings.top_k, 8))
            answer = self.composer.compose(q, hits)
            # years and section numbers (`6.1`) are not amounts; Swedish amounts take a decimal comma
            amounts = [n for n in figures_in(answer.answer) if not re.fullmatch(r"(19|20)\d\d|\d+(\.\d+)+", n)]
            if q.quantity and not answer.abstained and not amounts:
                return self.composer.abstain(q)  # asked how much; a passage without a number does not answer
            answer.route = None if answer.abstained else "prose"
            return self._with_store_check(answer)

    def _with_store_check(self, answer: Answer) -> Answer:
        """A prose answer quoting a table row the sums repaired says what the figure store holds instead."""
        notes = []
        for c in answer.citations:
            lines = c.lines or ""
            first, _, last = lines.partition("–")
            if not first.isdigit():
                continue
            span = range(int(first), int(last or first) + 1)
            for f in self.searcher.repaired_figures(c.source):
                if f.line_end in span \
                        and f.printed in answer.answer:
                    notes.append(f"{f.row}, {f.column}: dokumentet visar {f.printed!r}, men tabellens summor visar "
                                 f"att det är {format_number(f.value)}")
                    c.derived.append(format_number(f.value))
        if notes:
            answer.answer += "\n\nObs (OCR-skada): " + "; ".join(dict.fromkeys(notes)) + "."
        return answer

    def figures(self) -> list[Figure]:
        return self.searcher.figures

    def goals(self) -> list[GoalNode]:
        return self.searcher.goals

    def decisions(self) -> list[Decision]:
        return self.searcher.decisions

    def conversation(self) -> Conversation:
        return Conversation(self)

    def documents(self) -> list[dict]:
        return self.searcher.documents


class Conversation:
    """A chat's memory: the last figure question, so that a follow-up can change only what it names."""

    def __init__(self, bot: Assistant):
        self.bot = bot
        self.last_figure_query: FigureQuery | None = None

    def ask(self, question: str) -> Answer:
        return self.bot.ask(question, self)
