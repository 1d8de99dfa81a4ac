"""One file → repaired text and chunks: the whole ingest side for a single document."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.models import Chunk, Decision, DocumentMeta, Figure, GoalNode, TableCheck

from .areas import Areas
from .catalog import document_meta
from .decisions import extract_decisions
from .chunking import make_chunks
from .figures import extract_figures
from .goals import extract_goals
from .layout import read_layout, unglue
from .ocr_repair import Repair, Repairer, damaged_lines
from .readers import RawText, read_file
from .structure import split_structure


@dataclass
class ParsedDocument:
    meta: DocumentMeta
    original: str
    text: str  # repaired; same length and line structure as `original`
    chunks: list[Chunk]
    repairs: list[Repair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    table_checks: list[TableCheck] = field(default_factory=list)
    goals: list[GoalNode] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


def parse_text(raw: RawText, meta: DocumentMeta, repairer: Repairer, chunk_chars: int,
               areas: Areas | None = None) -> ParsedDocument:
    areas = areas or Areas([])
    original = raw.text
    damaged = damaged_lines(original, raw.page_starts)  # per page: a scanned appendix in a typed PDF
    text, repairs = repairer.repair_text(original, stripped=damaged)
    text = unglue(text)
    # page furniture, contents lists and download links blanked: what the structure and the extractors read
    layout = read_layout(text, raw.page_starts)
    body = layout.apply(text)
    blocks = split_structure(body, meta.short_title, meta.doc_type, layout)
    chunks = make_chunks(meta, raw, body.split("\n"), blocks, chunk_chars)
    figures, checks = extract_figures(meta, blocks, body, raw.page_of)
    goals = extract_goals(meta, blocks, body, areas, raw.page_of)
    decisions = extract_decisions(meta, blocks, body, areas, raw.page_of, layout.items)
    notes = list(raw.notes)
    if all(damaged):
        notes.append(f"OCR text without å/ä/ö: {len(repairs)} words repaired")
    elif any(damaged):
        notes.append(f"OCR text without å/ä/ö on lines {_spans(damaged)}: {len(repairs)} words repaired")
    return ParsedDocument(meta, original, text, chunks, repairs, notes, figures, checks, goals, decisions)


def _spans(flags: list[bool]) -> str:
    """`1–60, 181–240`: the runs of true flags, 1-based."""
    out, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append(f"{start + 1}–{i}")
            start = None
    return ", ".join(out)


def parse_file(path: Path, corpus_dir: Path, entry: dict | None, repairer: Repairer,
               chunk_chars: int, max_bytes: int, areas: Areas | None = None) -> ParsedDocument:
    raw = read_file(path, max_bytes)
    meta = document_meta(path, corpus_dir, entry, raw.text, raw.title)
    return parse_text(raw, meta, repairer, chunk_chars, areas)
