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
from .furniture import blank_furniture
from .goals import extract_goals
from .ocr_repair import Repair, Repairer, is_stripped
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
    stripped = is_stripped(original)
    text, repairs = repairer.repair_text(original, stripped=stripped)
    # page furniture and contents lists blanked (same line count): what the structure and the extractors read
    body = blank_furniture(text)
    blocks = split_structure(body, meta.short_title, meta.doc_type)
    chunks = make_chunks(meta, raw, body.split("\n"), blocks, chunk_chars)
    figures, checks = extract_figures(meta, blocks, body, raw.page_of)
    goals = extract_goals(meta, blocks, body, areas, raw.page_of)
    decisions = extract_decisions(meta, blocks, body, areas, raw.page_of)
    notes = list(raw.notes)
    if stripped:
        notes.append(f"OCR text without å/ä/ö: {len(repairs)} words repaired")
    return ParsedDocument(meta, original, text, chunks, repairs, notes, figures, checks, goals, decisions)


def parse_file(path: Path, corpus_dir: Path, entry: dict | None, repairer: Repairer,
               chunk_chars: int, max_bytes: int, areas: Areas | None = None) -> ParsedDocument:
    raw = read_file(path, max_bytes)
    meta = document_meta(path, corpus_dir, entry, raw.text)
    return parse_text(raw, meta, repairer, chunk_chars, areas)
