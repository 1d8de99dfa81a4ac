"""A short, grounded Swedish answer from retrieved chunks, without an LLM.

Evidence is a sentence, a list item or a table row (with its table's title and column header), never a chunk
dump. A unit counts by how much of the question's subject it covers (terms weighted by rarity); when the best
unit covers too little, or the question names a year or a term the corpus never mentions, the answer abstains.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.models import Answer, Chunk, Citation
from index.analyzer import SwedishAnalyzer
from index.search import Hit

from .grounding import ungrounded_figures
from .question import Question

MIN_COVERAGE = 0.55
MAX_UNITS = 2
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")
BULLET = re.compile(r"^\s*(?:[-*•¢«»]|[eo](?=\s+[A-ZÅÄÖ])|\d+\.)\s+")
TAG = re.compile(r"<[^>]+>")

ABSTAIN_TEXT = "Det kan jag inte besvara utifrån dokumenten i kunskapsbanken: inget avsnitt säger det som frågan gäller."


@dataclass
class Unit:
    chunk: Chunk
    text: str  # display text (tags stripped)
    line: int  # 1-based line in the document
    quote: str  # what the citation shows: the unit, with a table's header above a row
    rank: int
    coverage: float = 0.0


def clean(text: str) -> str:
    text = text.replace("</li>", "; ").replace("<li>", "• ")
    text = TAG.sub(" ", text).replace("**", "").replace("\t", " | ")
    text = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", text)
    return re.sub(r"[ \u00a0]+", " ", text).strip(" |")


def units_of(hit: Hit, rank: int) -> list[Unit]:
    chunk = hit.chunk
    lines = chunk.text.split("\n")
    out: list[Unit] = []
    if chunk.kind == "table":
        header = "\n".join(clean(h) for h in (chunk.header or "").split("\n") if h.strip())
        for i, line in enumerate(lines):
            if line.strip() and (any(ch.isdigit() for ch in line) or "\t" in line or "✓" in line):
                row = clean(line)
                if row and row != header:
                    out.append(Unit(chunk, row, chunk.line_start + i, f"{header}\n{row}" if header else row, rank))
        return out
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if not para:
            return
        joined = ""
        starts: list[tuple[int, int]] = []  # (offset in joined, line)
        for ln, text in para:
            starts.append((len(joined), ln))
            joined += text.strip() + " "
        pos = 0
        for sentence in SENTENCE_END.split(joined.strip()):
            idx = joined.find(sentence, pos)
            pos = idx + len(sentence)
            line = max((ln for off, ln in starts if off <= idx), default=para[0][0])
            text = clean(sentence)
            if len(text) >= 12:
                out.append(Unit(chunk, text, line, text, rank))
        para.clear()

    for i, line in enumerate(lines):
        ln = chunk.line_start + i
        if not line.strip():
            flush()
        elif BULLET.match(line):
            flush()
            para.append((ln, BULLET.sub("", line)))
        else:
            para.append((ln, line))
    flush()
    return out


def _covered(term: str, terms: set[str]) -> bool:
    """Snowball leaves some Swedish endings (sjukfrånvaron/sjukfrånvaro, finansnettot/finansnetto): a shared
    stem of five letters or more, differing by a short ending, counts as the same word."""
    if term in terms:
        return True
    if len(term) < 5 or term.isdigit():
        return False
    for other in terms:
        if abs(len(other) - len(term)) <= 3 and min(len(other), len(term)) >= 5:
            short, long_ = sorted((term, other), key=len)
            if long_.startswith(short):
                return True
    return False


class Composer:
    def __init__(self, analyzer: SwedishAnalyzer, doc_freq: dict[str, int], n_chunks: int):
        self.analyzer = analyzer
        self.doc_freq = doc_freq
        self.n = max(1, n_chunks)

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.doc_freq.get(term, 0)))

    def score(self, unit: Unit, question: Question) -> float:
        context = f"{' '.join(unit.chunk.section_path)} {unit.quote}"
        terms = set(self.analyzer.terms(context))
        wanted = question.content_terms or question.terms
        if not wanted:
            return 0.0
        total = sum(self.idf(t) for t in wanted)
        got = sum(self.idf(t) for t in wanted if _covered(t, terms))
        coverage = got / total if total else 0.0
        if question.quantity and any(ch.isdigit() for ch in unit.text):
            coverage += 0.08
        if question.years:
            where = f"{unit.quote} {' '.join(unit.chunk.section_path)}"
            if not any(str(y) in where for y in question.years):
                coverage *= 0.5
        return coverage + 0.02 / unit.rank

    def abstain(self, question: Question) -> Answer:
        return Answer(question=question.text, answer=ABSTAIN_TEXT, abstained=True)

    def compose(self, question: Question, hits: list[Hit]) -> Answer:
        if not hits or self.outside_corpus(question):
            return Answer(question=question.text, answer=ABSTAIN_TEXT, abstained=True)
        units = [u for rank, hit in enumerate(hits, start=1) for u in units_of(hit, rank)]
        for u in units:
            u.coverage = self.score(u, question)
        units.sort(key=lambda u: -u.coverage)
        if not units or units[0].coverage < MIN_COVERAGE:
            return Answer(question=question.text, answer=ABSTAIN_TEXT, abstained=True)
        chosen = [units[0]]
        for u in units[1:]:
            if len(chosen) >= MAX_UNITS:
                break
            if u.coverage >= max(MIN_COVERAGE, 0.9 * units[0].coverage) and u.quote not in {c.quote for c in chosen}:
                chosen.append(u)
        return self._answer(question, chosen)

    def outside_corpus(self, question: Question) -> bool:
        """Abstain when a named year, or most of the subject, never occurs in the corpus."""
        content = [t for t in question.content_terms if not t.isdigit()]
        if question.unknown and content and len(question.unknown) * 2 >= len(content):
            return True
        return any(str(y) not in self.doc_freq for y in question.years)

    def _answer(self, question: Question, units: list[Unit]) -> Answer:
        citations: list[Citation] = []
        parts: list[str] = []
        for n, u in enumerate(units, start=1):
            c = u.chunk
            section = c.section
            citations.append(Citation(n=n, source=c.source, title=c.title, section=section, page=c.page_start,
                                      lines=str(u.line), quote=u.quote))
            where = c.section_path[-1] if len(c.section_path) > 1 else c.part
            parts.append(f"{u.quote.replace(chr(10), ': ')} [{n}]" if c.kind == "table" else f"{u.text} [{n}]")
            if n == 1:
                parts[-1] = f"Enligt {c.part} ({where}): {parts[-1]}"
        answer = " ".join(parts)
        if ungrounded_figures(answer, citations):  # enforced in code: no figure without a quote that holds it
            return Answer(question=question.text, answer=ABSTAIN_TEXT, abstained=True)
        return Answer(question=question.text, answer=answer, abstained=False, citations=citations)
