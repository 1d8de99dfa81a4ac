"""Hybrid search: BM25 and vectors fused by reciprocal rank, with metadata filters."""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from core.models import Chunk
from core.settings import Settings
from ingest.areas import Area, Areas
from ingest.lexicon import load_lexicon

from .analyzer import SwedishAnalyzer
from .bm25 import BM25Index
from .build import check_embedder
from .embedders import EmbeddingCache, get_embedder
from .store import Store
from .vectors import VectorStore

if TYPE_CHECKING:
    import numpy as np

RRF_K = 60
RERANK = 80  # fused candidates whose sentences are checked against the question (all, at 40 per ranking)
SENTENCE_WEIGHT = 0.05  # one ranking's top place is worth 1/61 ≈ 0.016
HINT_WEIGHT = 0.008  # a passage of a document type the question names: half a ranking's top place, no more
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Filters:
    doc_types: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.doc_types or self.years or self.bodies)

    def accepts(self, chunk: Chunk) -> bool:
        return self.accepts_meta((chunk.doc_type, chunk.year, chunk.body))

    def accepts_meta(self, meta: tuple) -> bool:
        doc_type, year, body = meta
        return ((not self.doc_types or doc_type in self.doc_types)
                and (not self.years or year in self.years)
                and (not self.bodies or body in self.bodies))

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
    """Everything a query needs, loaded once per process: BM25, Chroma, embedder, analyzer, and each chunk's
    filter fields. Chunks themselves are read from SQLite when a query hits them (a bounded cache keeps the
    recent ones), and figures, goals and decisions when first asked for: start-up does not grow with them."""

    CHUNK_CACHE = 20_000

    def __init__(self, settings: Settings):
        if not settings.store_path.exists():
            raise IndexNotBuiltError(f"no index in {settings.data_dir}: run `assistant ingest` first")
        self.settings = settings
        store = Store(settings.store_path)
        self._store = store
        self._lock = threading.Lock()
        self.chunk_meta: dict[str, tuple] = store.chunk_filters()
        self.n_chunks = len(self.chunk_meta)
        self._chunks: OrderedDict[str, Chunk] = OrderedDict()
        self.documents = store.documents()
        self.areas = Areas([Area(name, tuple(aliases)) for name, aliases in json.loads(store.get_meta("areas") or "[]")])
        self.embedder = get_embedder(settings.embedder, settings)
        check_embedder(store, self.embedder.name)
        self.analyzer = SwedishAnalyzer(load_lexicon(settings.lexicon_cache_dir, settings.hunspell_dir))
        self.bm25 = BM25Index.load(settings.bm25_dir)
        self.vectors = VectorStore.open(settings)
        # which question words the corpus knows, and how rare they are: read off the BM25 index, not recomputed
        self.doc_freq = self.bm25.doc_freq()
        self._records: dict[str, list] = {}
        self._unit_cache = EmbeddingCache(settings.embed_cache_path)

    def unit_vectors(self, keys: list[str]) -> dict[str, "np.ndarray"]:
        """The vectors ingest stored for these units (by content hash); a unit ingest did not embed is absent."""
        with self._lock:
            return self._unit_cache.get_many(self.embedder.name, keys)

    def embed_units(self, texts: dict[str, str]) -> dict[str, "np.ndarray"]:
        """Embed units ingest did not (an index from before units were embedded), and keep them."""
        if not texts:
            return {}
        vectors = dict(zip(texts, self.embedder.passages(list(texts.values()))))
        with self._lock:
            self._unit_cache.put_many(self.embedder.name, vectors)
        return vectors

    def close(self) -> None:
        """Let go of this generation's files (the assistant moved to a newer one)."""
        with self._lock:
            self._store.close()
            self._unit_cache.close()
            self.vectors.close()

    def query_vector(self, text: str) -> "np.ndarray":
        return self.embedder.query(text)

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids, from the cache or SQLite."""
        with self._lock:
            missing = [cid for cid in ids if cid not in self._chunks]
            for i in range(0, len(missing), 500):
                part = missing[i: i + 500]
                rows = self._store.db.execute(
                    f"SELECT data FROM chunks WHERE id IN ({','.join('?' * len(part))})", part)
                for (data,) in rows:
                    chunk = Chunk.model_validate_json(data)
                    self._chunks[chunk.id] = chunk
            out = {}
            for cid in ids:
                if cid in self._chunks:
                    self._chunks.move_to_end(cid)
                    out[cid] = self._chunks[cid]
            while len(self._chunks) > self.CHUNK_CACHE:
                self._chunks.popitem(last=False)
            return out

    def all_chunks(self) -> list[Chunk]:
        return self._store.all_chunks()

    def _loaded(self, name: str, load) -> list:
        with self._lock:
            if name not in self._records:
                self._records[name] = load()
            return self._records[name]

    @property
    def figures(self):
        return self._loaded("figures", self._store.all_figures)

    @property
    def table_checks(self):
        return self._loaded("table_checks", self._store.table_checks)

    @property
    def goals(self):
        return self._loaded("goals", self._store.all_goals)

    @property
    def decisions(self):
        return self._loaded("decisions", self._store.all_decisions)

    @property
    def paragraphs(self) -> set[str]:
        decisions = self.decisions  # loaded first: `_loaded` holds a plain lock while it loads
        return self._loaded("paragraphs", lambda: self._store.paragraphs() | {
            d.paragraph for d in decisions if d.paragraph and d.paragraph.startswith("§")})

    def _sentence_coverage(self, ids: list[str], terms: list[str]) -> dict[str, float]:
        """For each chunk, the share of the question's terms (weighted by rarity) that one of its sentences holds.

        Bag-of-words scores cannot see that `Område Tvätt … kassasystem … Fjugesta … 2027` are asked for
        together; at 100k chunks many passages hold most of those words, scattered. A sentence that holds them
        all is what the question is about.
        """
        wanted = {t for t in terms if t in self.doc_freq}
        if not wanted:
            return {}
        n = max(1, self.n_chunks)
        weight = {t: math.log(1 + n / (1 + self.doc_freq[t])) for t in wanted}
        total = sum(weight.values())
        out = {}
        for cid, chunk in self.chunks(ids).items():
            best = 0.0
            for sentence in SENTENCE.split(chunk.text):
                have = set(self.analyzer.terms(sentence))
                best = max(best, sum(w for t, w in weight.items() if t in have) / total)
            out[cid] = best
        return out

    def figures_by_id(self, ids: list[str]):
        with self._lock:  # one SQLite connection, shared with the chat's threads
            return self._store.figures_by_id(ids)

    def meta(self, key: str) -> str | None:
        with self._lock:
            return self._store.get_meta(key)

    def repaired_figures(self, source: str):
        with self._lock:
            return self._store.repaired_figures(source)

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        return self._store.document_text(doc_id)

    def bm25_search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        allowed = {cid for cid, meta in self.chunk_meta.items() if filters.accepts_meta(meta)} if filters else None
        return self.bm25.search(terms, k, allowed)

    def vector_search(self, text: str, k: int, filters: Filters | None = None,
                      vector: "np.ndarray | None" = None) -> list[tuple[str, float]]:
        vector = self.embedder.query(text) if vector is None else vector
        return self.vectors.search(vector, k, filters.where() if filters else None)

    def search(self, text: str, k: int | None = None, filters: Filters | None = None,
               terms: list[str] | None = None, hints: Filters | None = None,
               vector: "np.ndarray | None" = None) -> list[Hit]:
        """The k best passages. `filters` leave out what they do not accept; `hints` (the document types a
        question names) only lift what they accept, so a meeting page about a plan is still found."""
        k = k or self.settings.top_k
        n = self.settings.candidates
        terms = terms if terms is not None else self.analyzer.terms(text)
        ranked: dict[str, dict] = {}
        for rank, (cid, _) in enumerate(self.bm25_search(terms, n, filters), start=1):
            ranked.setdefault(cid, {})["bm25_rank"] = rank
        for rank, (cid, _) in enumerate(self.vector_search(text, n, filters, vector), start=1):
            ranked.setdefault(cid, {})["vector_rank"] = rank
        weights = {"bm25_rank": 1.0, "vector_rank": self.settings.vector_weight}
        scores = {cid: sum(weights[kind] / (RRF_K + r) for kind, r in ranks.items()) for cid, ranks in ranked.items()}
        if hints:
            for cid in scores:
                if cid in self.chunk_meta and hints.accepts_meta(self.chunk_meta[cid]):
                    scores[cid] += HINT_WEIGHT
        # every candidate of either ranking is checked: the passage that holds the whole question may sit at
        # BM25 rank 20 and nowhere among the vectors' hits
        pool = sorted(scores, key=lambda cid: -scores[cid])[:RERANK]
        for cid, coverage in self._sentence_coverage(pool, terms).items():
            scores[cid] += SENTENCE_WEIGHT * coverage
        top = sorted(pool, key=lambda cid: -scores[cid])[:k]
        # each ranking's own best hit keeps a place: an exact lexical match (a project code, a rare name) that
        # the vectors do not see must not drown among passages that both rankings find middling
        keep = [min(ranked, key=lambda c: ranked[c].get(kind, 10**9)) for kind in ("bm25_rank", "vector_rank")
                if any(kind in r for r in ranked.values())]
        for best in dict.fromkeys(keep):
            if best in top:
                continue
            if len(top) < k:
                top.append(best)
            else:  # displace the lowest-ranked place that is not itself kept
                slot = max(i for i, cid in enumerate(top) if cid not in keep)
                top[slot] = best
        chunks = self.chunks(top)
        return [Hit(chunks[cid], scores[cid], **ranked[cid]) for cid in top if cid in chunks]
