"""The library API that the CLI, the chat and the tests call: load once, ask many times."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from core.models import Answer, Decision, Figure, GoalNode, Unit
from core.numbers import format_number
from core.settings import Settings, get_settings
from index.records import load_record_index
from index.search import Hit, Searcher

from .compose import ProseAnswerer
from .condense import condense
from .evidence import FigureLookup, build_evidence
from .generate import is_english
from .figures import FigureAnswerer, FigureQuery
from .agreement import agreement
from .limits import refuse_long
from .lists import ListAnswerer
from .question import Question, QuestionReader
from .reader import SPECIFIC, Reader, Reading, known_features
from .scoring import ReaderModel, load_model
from .select import Candidate, abstention, cannot_write, select

log = logging.getLogger(__name__)
RETIRE_AFTER_S = 60.0  # a replaced generation is closed this long after the switch


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
    abstain_p: float = 0.0  # the selector's probability that abstaining is right


@dataclass
class Engine:
    """One index generation opened for answering: what `Assistant` swaps when ingest publishes a new one."""
    index_path: Path
    searcher: Searcher
    reader: QuestionReader
    prose: ProseAnswerer
    figure_answerer: FigureAnswerer
    list_answerer: ListAnswerer
    figure_lookup: FigureLookup | None = None  # built when a generated answer first needs figure records

    def figures_on(self) -> FigureLookup:
        if self.figure_lookup is None:
            self.figure_lookup = FigureLookup(self.searcher.figures)
        return self.figure_lookup

    def close(self) -> None:
        self.searcher.close()


def newest_year(documents: list[dict]) -> int | None:
    """The year of the newest document, by its date where the catalog gives one (a plan for 2024 is dated
    2023): what `förra året` in a question counts from."""
    years = [int(str(d["date"])[:4]) if d.get("date") and str(d["date"])[:4].isdigit() else d.get("year")
             for d in documents]
    return max((y for y in years if y), default=None)


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._engine = self._load(self.settings.pinned())
        self._reloading = threading.Lock()
        self._warmed = False
        # ASSISTANT_LLM: a language model writes answers from the reader's evidence (assistant/generate.py)
        self.generator = None
        if self.settings.llm != "none":
            from .generate import Generator

            self.generator = Generator(self.settings)
        # the thesaurus and the bilingual dictionary are read while the rest starts (the chat imports Gradio
        # meanwhile), not when the first question waits for them
        threading.Thread(target=self._warm_lexical, name="lexical-resources", daemon=True).start()

    def _load(self, pinned: Settings) -> "Engine":
        searcher = Searcher(pinned)
        reader = QuestionReader(searcher.analyzer, searcher.doc_freq, searcher.bm25.surface_vocab,
                                newest_year=newest_year(searcher.documents), embed=searcher.embedder.passages)
        prose = ProseAnswerer(Reader(searcher.analyzer, searcher.doc_freq, searcher.n_chunks, searcher), self.model)
        figure_answerer = FigureAnswerer(searcher.figures_by_id, load_record_index(pinned.index_path, "figures"),
                                         searcher.analyzer, json.loads(searcher.meta("figure_stats") or "{}"),
                                         searcher.areas)
        list_answerer = ListAnswerer(lambda: searcher.goals, lambda: searcher.decisions, searcher.areas,
                                     searcher.analyzer, load_record_index(pinned.index_path, "goals"))
        return Engine(pinned.index_path, searcher, reader, prose, figure_answerer, list_answerer)

    def refresh(self) -> bool:
        """Follow the index: when ingest has published a new generation, load it and answer from it; requests
        under way finish on the one they started with. Costs one small file read when nothing changed."""
        if self.settings.index_dir is not None or self.settings.index_path == self._engine.index_path:
            return False
        if not self._reloading.acquire(blocking=False):
            return False  # another request is loading it; this one answers from the current generation
        try:
            pinned = self.settings.pinned()
            if pinned.index_path == self._engine.index_path or not pinned.store_path.exists():
                return False
            try:
                new = self._load(pinned)
                self._warm_lexical(new)
            except Exception:  # noqa: BLE001 - a generation that cannot be opened must not cost the answer
                log.exception("could not open index generation %s; answering from %s", pinned.index_path,
                              self._engine.index_path)
                return False
            old, self._engine = self._engine, new
            self._warmed = False
            # closed once the requests that started on it have surely ended, not under them
            timer = threading.Timer(RETIRE_AFTER_S, old.close)
            timer.daemon = True
            timer.start()
            return True
        finally:
            self._reloading.release()

    @property
    def searcher(self) -> Searcher:
        return self._engine.searcher

    @property
    def reader(self) -> QuestionReader:
        return self._engine.reader

    @property
    def prose(self) -> ProseAnswerer:
        return self._engine.prose

    @property
    def figure_answerer(self) -> FigureAnswerer:
        return self._engine.figure_answerer

    @property
    def list_answerer(self) -> ListAnswerer:
        return self._engine.list_answerer

    def _warm_lexical(self, engine: Engine | None = None) -> None:
        engine = engine or self._engine
        engine.prose.reader.synonyms.of("")
        engine.reader.bilingual.translate("")

    def model(self) -> ReaderModel | None:
        return load_model(self.settings.reader_model) if self.settings.reader_model else load_model()

    @property
    def threshold(self) -> float:
        if self.settings.answer_threshold is not None:
            return self.settings.answer_threshold
        model = self.model()
        return model.threshold if model else 0.5

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        self.refresh()
        e = self._engine
        return self._search(e, e.reader.read(question), k)

    def _search(self, e: Engine, q: Question, k: int | None = None, vector=None) -> list[Hit]:
        return e.searcher.search(q.search_text, k=k or self.settings.top_k, filters=q.filters or None,
                                 terms=q.terms, hints=q.hints, vector=vector)

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """One question; with a `Conversation`, a short follow-up (`och prognosen 2023?`) reads against the last."""
        if self.generator is not None:
            final = None
            for event in self.ask_stream(question, conversation):
                if isinstance(event, Answer):
                    final = event
            return final
        if (refused := refuse_long(question, self.settings.max_question_chars)) is not None:
            return refused
        self.refresh()
        try:
            return self._ask(question, conversation)
        finally:
            if not self._warmed:  # after the first answer, not before it: start-up stays short
                self._warmed = True
                self.list_answerer.warm()

    def ask_stream(self, question: str, conversation: Conversation | None = None) -> Iterator[str | Answer]:
        """The answer as it is written: with a language model (`ASSISTANT_LLM`), its text as it streams and then
        the checked `Answer` (or the extractive one with a notice); without one, the `Answer` alone. A follow-up
        in a conversation is first rewritten as a whole question against the conversation."""
        if self.generator is None:
            yield self.ask(question, conversation)
            return
        if (refused := refuse_long(question, self.settings.max_question_chars)) is not None:
            yield refused
            return
        self.refresh()
        final: Answer | None = None
        try:
            question = (question or "").strip()
            turns = conversation.turns if conversation is not None else []
            standalone = condense(self.generator, turns, question, self.settings.max_question_chars) \
                if question else question
            e = self._engine
            extractive, proposals = self._extractive(standalone, conversation, e, for_model=True)
            extractive = extractive.model_copy(update={"question": question})
            if proposals is None or (extractive.abstained and proposals.question.wants != "summary"):
                # nothing the reader would answer with: the model is not asked to do better from less (but a
                # summary is the model's to write, from the passages the reader found)
                final = extractive
                yield final
                return
            evidence = build_evidence(proposals, e.figures_on())
            for event in self.generator.stream(standalone, evidence, extractive, is_english(question)):
                if isinstance(event, Answer):
                    final = event
                yield event
        finally:
            if conversation is not None and final is not None:
                conversation.turns.append((question, final.answer))
                del conversation.turns[:-MAX_TURNS]
            if not self._warmed:
                self._warmed = True
                self.list_answerer.warm()

    def candidates(self, question: str, conversation: Conversation | None = None,
                   engine: Engine | None = None, read: Question | None = None) -> Proposals:
        """What every answerer proposes for this question, each with its features and probability; all from
        one generation of the index, even if ingest publishes the next meanwhile. `read`: the question as
        already read."""
        e = engine or self._engine
        q = read or e.reader.read(question)
        vector = e.searcher.query_vector(q.search_text)
        hits = self._search(e, q, max(self.settings.top_k, self.settings.read_passages), vector)
        out = Proposals(question=q, hits=hits)
        figure = listed = None
        if self.settings.figure_answers:
            previous = conversation.last_figure_query if conversation else None
            figure, note, out.figure_query = e.figure_answerer.candidate(q, previous)
            out.unknown_area = bool(out.figure_query.unknown_area and e.searcher.areas.areas
                                    and not e.searcher.areas.mentioned(question))
            if figure is not None:
                out.candidates.append(figure)
            if note is not None:
                out.notes.append(note)
        if self.settings.structure_answers and (listed := e.list_answerer.candidate(q)) is not None:
            # a list answers `vem …` only if it names people (`justering` lists no one who signed)
            offers = e.prose.reader.offers(Unit(kind="lead", text=listed.answer.answer, quote=listed.answer.answer,
                                                   line_start=0, line_end=0, key=""))
            listed.features["l_type_match"] = float(q.wants not in SPECIFIC or q.wants in offers)
            out.candidates.append(listed)
        prose, out.readings = e.prose.candidate(q, hits, vector)
        if prose is not None:
            out.candidates.append(prose)
        agreement(prose, figure, listed)
        # the prose candidate carries the share from its readings; without one, it is computed here
        known = known_features(prose.features["known"] if prose is not None else e.prose.reader.known_share(q))
        for c in out.candidates:
            if c.route != "prose":  # the prose candidate has them from its readings
                c.features.update(known)
        if (model := self.model()) is not None:
            ps, out.abstain_p = model.probabilities([(c.route, c.features) for c in out.candidates])
            for c, p in zip(out.candidates, ps):
                c.p = p
        else:  # before the first fit: prose by its coverage, the records' answers trusted
            for c in out.candidates:
                if c.route != "prose":
                    c.p = 0.9
        return out

    def _ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        return self._extractive(question, conversation)[0]

    def _extractive(self, question: str, conversation: Conversation | None = None,
                    engine: Engine | None = None, for_model: bool = False) -> tuple[Answer, Proposals | None]:
        """The reader's answer, and the proposals it was chosen from (None when nothing was proposed).
        `for_model`: a language model writes the answer, so a request to write (a summary) gets the passages
        found for it; without one, it is refused before any answerer runs."""
        question = (question or "").strip()
        if not question:
            return Answer(question="", answer="Ställ en fråga om dokumenten.", abstained=True), None
        # no lock: questions run side by side; the caches they share guard themselves (Searcher, Reader,
        # FigureAnswerer, the embedder), and a conversation belongs to one chat session
        e = engine or self._engine
        q = e.reader.read(question)
        if q.wants == "summary" and not for_model:
            return cannot_write(question), None
        proposals = self.candidates(question, conversation, e, read=q)
        if q.wants == "summary":
            return cannot_write(question), proposals
        if self.unanswerable(proposals, e):
            return abstention(question, proposals.notes[0] if proposals.notes else None), proposals
        answer = select(question, proposals.candidates, self.threshold, proposals.notes, proposals.abstain_p)
        if answer.route == "figure" and conversation is not None:
            conversation.last_figure_query = proposals.figure_query
        if answer.route == "prose":
            answer = self._with_store_check(answer, e)
        return answer, proposals

    def unanswerable(self, proposals: Proposals, engine: Engine | None = None) -> bool:
        """A year no document mentions, an area the organisation does not have, a body no document names
        (`tandvårdsnämnden`), a paragraph no protocol holds, a numbered assignment or goal the plans do not
        number so: nothing can answer the question, whatever scores well otherwise."""
        e = engine or self._engine
        q = proposals.question
        return any(str(y) not in e.searcher.doc_freq for y in q.years) or proposals.unknown_area \
            or bool(q.unknown_bodies) or bool(q.paragraph and q.paragraph not in e.searcher.paragraphs) \
            or e.list_answerer.names_missing_number(q)

    def _with_store_check(self, answer: Answer, engine: Engine | None = None) -> Answer:
        """A prose answer quoting a table row the sums repaired says what the figure store holds instead."""
        notes = []
        for c in answer.citations:
            lines = c.lines or ""
            first, _, last = lines.partition("–")
            if not first.isdigit():
                continue
            span = range(int(first), int(last or first) + 1)
            for f in (engine or self._engine).searcher.repaired_figures(c.source):
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

    def document_lines(self, source: str) -> list[str] | None:
        """The document's text as the index holds it (OCR repaired), split into the lines that citations count
        from 1: what the chat's source panel shows around a quote. None for a source the index does not hold."""
        doc = next((d for d in self.documents() if d["source"] == source), None)
        text = self.searcher.document_text(doc["doc_id"]) if doc else None
        if text is None:
            return None
        return (text[1] or text[0] or "").splitlines()


MAX_TURNS = 10  # turns a conversation keeps for rewriting follow-ups (the rewrite reads the last few)


class Conversation:
    """A chat's memory: the last figure question, so that a follow-up can change only what it names; with a
    language model, the turns too, against which a follow-up is rewritten as a whole question."""

    def __init__(self, bot: Assistant):
        self.bot = bot
        self.last_figure_query: FigureQuery | None = None
        self.turns: list[tuple[str, str]] = []  # (question, answer text), kept only with a language model

    def ask(self, question: str) -> Answer:
        return self.bot.ask(question, self)

    def ask_stream(self, question: str) -> Iterator[str | Answer]:
        return self.bot.ask_stream(question, self)
