"""The library API that the CLI, the chat and the tests call: load once, ask many times."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from core.models import Answer, Decision, Figure, GoalNode, Unit
from core.numbers import format_number
from core.settings import Settings, get_settings
from index.records import load_record_index
from index.search import Hit, Searcher

from .compose import ProseAnswerer
from .figures import FigureAnswerer, FigureQuery
from .limits import refuse_long
from .lists import ListAnswerer
from .question import Question, QuestionReader
from .reader import SPECIFIC, Reader, Reading
from .scoring import ReaderModel, load_model
from .select import Candidate, abstention, select

READ_PASSAGES = 8  # passages whose units the reader weighs


@dataclass
class Proposals:
    """Everything the answerers proposed for one question: what the selection step chooses from, and what the
    fit learns from (every reading, not only the chosen one)."""
    question: Question
    hits: list[Hit]
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[Answer] = field(default_factory=list)  # abstentions that say what the documents hold instead
    readings: list[Reading] = field(default_factory=list)
    figure_query: FigureQuery | None = None
    unknown_area: bool = False  # names `Område X`, and the catalog lists the organisation's areas without it


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.searcher = Searcher(self.settings)
        self.reader = QuestionReader(self.searcher.analyzer, self.searcher.doc_freq, self.searcher.bm25.surface_vocab)
        self.prose = ProseAnswerer(Reader(self.searcher.analyzer, self.searcher.doc_freq, self.searcher.n_chunks,
                                          self.searcher), self.model)
        self.figure_answerer = FigureAnswerer(self.searcher.figures_by_id,
                                              load_record_index(self.settings.data_dir, "figures"),
                                              self.searcher.analyzer, json.loads(self.searcher.meta("figure_stats") or "{}"),
                                              self.searcher.areas)
        self.list_answerer = ListAnswerer(lambda: self.searcher.goals, lambda: self.searcher.decisions,
                                          self.searcher.areas, self.searcher.analyzer,
                                          load_record_index(self.settings.data_dir, "goals"))
        self._warmed = False
        # the thesaurus and the bilingual dictionary are read while the rest starts (the chat imports Gradio
        # meanwhile), not when the first question waits for them
        threading.Thread(target=self._warm_lexical, name="lexical-resources", daemon=True).start()

    def _warm_lexical(self) -> None:
        self.prose.reader.synonyms.of("")
        self.reader.bilingual.translate("")

    def model(self) -> ReaderModel | None:
        return load_model(self.settings.reader_model) if self.settings.reader_model else load_model()

    @property
    def threshold(self) -> float:
        if self.settings.answer_threshold is not None:
            return self.settings.answer_threshold
        model = self.model()
        return model.threshold if model else 0.5

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        q = self.reader.read(question)
        return self._search(q, k)

    def _search(self, q: Question, k: int | None = None, vector=None) -> list[Hit]:
        return self.searcher.search(q.search_text, k=k or self.settings.top_k, filters=q.filters or None,
                                    terms=q.terms, hints=q.hints, vector=vector)

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """One question; with a `Conversation`, a short follow-up (`och prognosen 2023?`) reads against the last."""
        if (refused := refuse_long(question, self.settings.max_question_chars)) is not None:
            return refused
        try:
            return self._ask(question, conversation)
        finally:
            if not self._warmed:  # after the first answer, not before it: start-up stays short
                self._warmed = True
                self.list_answerer.warm()

    def candidates(self, question: str, conversation: Conversation | None = None) -> Proposals:
        """What every answerer proposes for this question, each with its features and probability."""
        q = self.reader.read(question)
        vector = self.searcher.query_vector(q.search_text)
        hits = self._search(q, max(self.settings.top_k, READ_PASSAGES), vector)
        out = Proposals(question=q, hits=hits)
        if self.settings.figure_answers:
            previous = conversation.last_figure_query if conversation else None
            figure, note, out.figure_query = self.figure_answerer.candidate(q, previous)
            out.unknown_area = bool(out.figure_query.unknown_area and self.searcher.areas.areas
                                    and not self.searcher.areas.mentioned(question))
            if figure is not None:
                out.candidates.append(figure)
            if note is not None:
                out.notes.append(note)
        if self.settings.structure_answers and (listed := self.list_answerer.candidate(q)) is not None:
            # a list answers `vem …` only if it names people (`justering` lists no one who signed)
            offers = self.prose.reader.offers(Unit(kind="lead", text=listed.answer.answer, quote=listed.answer.answer,
                                                   line_start=0, line_end=0, key=""))
            listed.features["l_type_match"] = float(q.wants not in SPECIFIC or q.wants in offers)
            out.candidates.append(listed)
        prose, out.readings = self.prose.candidate(q, hits, vector)
        if prose is not None:
            out.candidates.append(prose)
        model = self.model()
        for c in out.candidates:
            if c.route != "prose":
                c.p = model.p(c.route, c.features) if model else 0.9
        return out

    def _ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            return Answer(question="", answer="Ställ en fråga om dokumenten.", abstained=True)
        # no lock: questions run side by side; the caches they share guard themselves (Searcher, Reader,
        # FigureAnswerer, the embedder), and a conversation belongs to one chat session
        proposals = self.candidates(question, conversation)
        q = proposals.question
        if any(str(y) not in self.searcher.doc_freq for y in q.years) or proposals.unknown_area:
            # a year no document mentions, or an area the organisation does not have: nothing can answer it,
            # whatever scores well otherwise
            return abstention(question, proposals.notes[0] if proposals.notes else None)
        answer = select(question, proposals.candidates, self.threshold, proposals.notes)
        if answer.route == "figure" and conversation is not None:
            conversation.last_figure_query = proposals.figure_query
        if answer.route == "prose":
            answer = self._with_store_check(answer)
        return answer

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
