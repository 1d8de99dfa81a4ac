"""Hybrid search: BM25 and vectors fused by reciprocal rank, with metadata filters."""
from __future__ import annotations

import json

from dataclasses import dataclass, field

from core.models import Chunk
from core.settings import Settings
from ingest.areas import Area, Areas
from ingest.lexicon import load_lexicon

from .analyzer import SwedishAnalyzer
from .bm25 import BM25Index
from .build import check_embedder
from .embedders import get_embedder
from .store import Store
from .vectors import VectorStore

RRF_K = 60


@dataclass
class Filters:
    doc_types: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.doc_types or self.years or self.bodies)

    def accepts(self, chunk: Chunk) -> bool:
        return ((not self.doc_types or chunk.doc_type in self.doc_types)
                and (not self.years or chunk.year in self.years)
                and (not self.bodies or chunk.body in self.bodies))

    def where(self) -> dict | None:
        clauses = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": sorted(self.doc_types)}})
        if self.years:
            clauses.append({"year": {"$in": sorted(self.years)}})
        if self.bodies:
            clauses.append({"body": {"$in": sorted(self.bodies)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Hit:
    chunk: Chunk
    score: float
    bm25_rank: int | None = None
    vector_rank: int | None = None


class IndexNotBuiltError(RuntimeError):
    pass


class Searcher:
    """Everything a query needs, loaded once per process: chunks, BM25, Chroma, embedder, analyzer."""

    def __init__(self, settings: Settings):
        if not settings.store_path.exists():
            raise IndexNotBuiltError(f"no index in {settings.data_dir}: run `assistant ingest` first")
        self.settings = settings
        store = Store(settings.store_path)
        self.chunks: dict[str, Chunk] = {c.id: c for c in store.all_chunks()}
        self.documents = store.documents()
        self.figures = store.all_figures()
        self.table_checks = store.table_checks()
        self.goals = store.all_goals()
        self.decisions = store.all_decisions()
        self.areas = Areas([Area(name, tuple(aliases)) for name, aliases in json.loads(store.get_meta("areas") or "[]")])
        self.embedder = get_embedder(settings.embedder)
        check_embedder(store, self.embedder.name)
        self._store = store
        self.analyzer = SwedishAnalyzer(load_lexicon(settings.lexicon_cache_dir, settings.hunspell_dir))
        self.bm25 = BM25Index.load(settings.bm25_dir)
        self.vectors = VectorStore.open(settings)
        # which question words the corpus knows, and how rare they are: read off the BM25 index, not recomputed
        self.doc_freq = self.bm25.doc_freq()

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        return self._store.document_text(doc_id)

    def bm25_search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        allowed = {cid for cid, c in self.chunks.items() if filters.accepts(c)} if filters else None
        return self.bm25.search(terms, k, allowed)

    def vector_search(self, text: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        return self.vectors.search(self.embedder.query(text), k, filters.where() if filters else None)

    def search(self, text: str, k: int | None = None, filters: Filters | None = None,
               terms: list[str] | None = None) -> list[Hit]:
        k = k or self.settings.top_k
        n = self.settings.candidates
        terms = terms if terms is not None else self.analyzer.terms(text)
        fused: dict[str, Hit] = {}
        for rank, (cid, _) in enumerate(self.bm25_search(terms, n, filters), start=1):
            if cid in self.chunks:
                hit = fused.setdefault(cid, Hit(self.chunks[cid], 0.0))
                hit.bm25_rank = rank
                hit.score += 1.0 / (RRF_K + rank)
        for rank, (cid, _) in enumerate(self.vector_search(text, n, filters), start=1):
            if cid in self.chunks:
                hit = fused.setdefault(cid, Hit(self.chunks[cid], 0.0))
                hit.vector_rank = rank
                hit.score += 1.0 / (RRF_K + rank)
        return sorted(fused.values(), key=lambda h: -h.score)[:k]
