"""Filter the figure store the way people ask: `forsorjning`, `IT-området`, a year, a kind, a unit, a document."""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from core.models import Figure
from ingest.lexicon import fold

AREA_SUFFIX = re.compile(r"-?\s*omr[aå]det\b|\bomr[aå]de\s+", re.I)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(AREA_SUFFIX.sub(" ", text)).lower()))


def matches_text(f: Figure, search: str) -> bool:
    """Diacritic-insensitive, typo-tolerant: every word of the search is in the figure's labels or close to one."""
    haystack = _key(" ".join(filter(None, [f.row, f.column, f.area, f.table, f.kind, f.title])))
    words = haystack.split()
    for word in _key(search).split():
        if word in words or (len(word) >= 4 and any(w.startswith(word) for w in words)):
            continue
        if len(word) >= 4 and any(fuzz.ratio(word, w) >= 85 for w in words):
            continue
        return False
    return True


def filter_figures(figures: list[Figure], search: str | None = None, year: int | None = None,
                   kind: str | None = None, unit: str | None = None, doc: str | None = None,
                   status: str | None = None) -> list[Figure]:
    out = []
    for f in figures:
        if year is not None and f.year != year:
            continue
        if kind and fold(f.kind).lower() != fold(kind).lower():
            continue
        if unit and (f.unit or "").lower() != unit.lower():
            continue
        if doc and doc not in (f.doc_id, f.source, f.title):
            continue
        if status and f.status != status:
            continue
        if search and not matches_text(f, search):
            continue
        out.append(f)
    return out
