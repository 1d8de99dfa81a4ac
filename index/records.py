"""Term indexes over the structured records (figures, goal nodes, decisions), built at ingest beside BM25.

At 100k chunks the stores hold hundreds of thousands of records; the answerers cannot score them all per
question, nor analyse them all at start-up. These indexes hand them the few hundred records whose labels share
a term with the question; the precise matching then runs on those alone.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.lexicon import fold

from .analyzer import WORD, SwedishAnalyzer
from .bm25 import BM25Index
from .store import Store

KINDS = ("figures", "goals", "decisions")


def record_terms(analyzer: SwedishAnalyzer, text: str) -> list[str]:
    """Stems and compound parts, plus the folded words themselves (`resultatet` meets `Resultat` there)."""
    return analyzer.terms(text) + [fold(w).lower() for w in WORD.findall(text)]


def figure_label(f) -> str:
    return f"{f.row} {f.column or ''} {f.area or ''}"


def figure_context(f) -> str:
    """What a figure's table and section say it is; its sentence (`f.context`) is not indexed: the words of a
    sentence would make every word of a question look like a label word."""
    return f"{f.table} {f.section} {f.kind} {f.basis or ''} {f.title} {f.when or ''}"


def figure_text(f) -> str:
    return f"{figure_label(f)} {figure_context(f)}"


def goal_text(g) -> str:
    return f"{g.text} {g.level} {g.assignee or ''} {' '.join(g.areas)}"


def decision_text(d) -> str:
    return f"{d.text} {d.kind} {d.by or ''} {d.body or ''} {d.paragraph or ''} {' '.join(d.areas)}"


def rebuild_record_indexes(index_dir: Path, store: Store, analyzer: SwedishAnalyzer) -> None:
    sources = {"figures": (store.all_figures, figure_text), "goals": (store.all_goals, goal_text),
               "decisions": (store.all_decisions, decision_text)}
    for kind, (load, text_of) in sources.items():
        records = load()
        # a figure counts a term once however often its label and context repeat it (document frequency)
        BM25Index.build([r.id for r in records], [sorted(set(record_terms(analyzer, text_of(r)))) for r in records]
                        ).save(index_dir / f"{kind}_bm25")
        if kind == "figures":
            store.set_meta("figure_stats", json.dumps(figure_stats(records), ensure_ascii=False))


def area_key(area: str) -> str:
    return re.sub(r"^omr\w*de\s+", "", fold(area).lower()).strip()


def figure_stats(figures) -> dict:
    """What the figure answerer needs about all figures, computed once at ingest: the areas (one spelling each),
    area names that are also row words (`fastigheter`), and the words of row labels and units."""
    by_key: dict[str, list[str]] = {}
    for f in figures:  # `Område Fastigheter` and `Område fastigheter` are one area
        if f.area:
            by_key.setdefault(area_key(f.area), []).append(f.area)
    # the spelling used most, the first seen on a tie: `max` over a set would pick by string hash, which differs
    # from process to process, and two ingests of one corpus must store the same areas
    areas = sorted((max(dict.fromkeys(v), key=v.count) for v in by_key.values()), key=len, reverse=True)
    other_rows = " ".join(sorted({fold(f.row).lower() for f in figures if not f.area}))
    return {
        "count": len(figures),
        "areas": areas,
        "ambiguous_area_keys": sorted(k for k in by_key if re.search(r"\b" + re.escape(k) + r"\b", other_rows)),
        "row_words": sorted({fold(w).lower() for f in figures if f.in_table and not f.area for w in WORD.findall(f.row)}),
        "units_and_rows": sorted({fold(w).lower() for f in figures for w in WORD.findall(f"{f.unit or ''} {f.row}")}),
    }


def load_record_index(index_dir: Path, kind: str) -> BM25Index | None:
    directory = index_dir / f"{kind}_bm25"
    return BM25Index.load(directory) if (directory / "ids.json").exists() else None
