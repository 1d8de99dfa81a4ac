"""BM25 over Swedish terms with bm25s, persisted beside Chroma.

llama-index-retrievers-bm25 0.8 filters every query with English stopwords (the query "IT" vanishes), forgets
its stemmer when persisted, and returns zero-score hits; so the analyzer is ours, its identity is saved with
the index and checked on load, and hits without a matching term are dropped.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np

from .analyzer import ANALYZER_ID


class StaleIndexError(RuntimeError):
    pass


class BM25Index:
    def __init__(self, retriever: bm25s.BM25 | None, ids: list[str], surface_vocab: dict[str, int] | None = None):
        self._retriever = retriever
        self.ids = ids
        self.surface_vocab = surface_vocab or {}  # folded word → count, for mending typos in questions
        self._position: dict[str, int] | None = None

    @classmethod
    def build(cls, ids: list[str], term_lists: list[list[str]], surface_vocab: dict[str, int] | None = None) -> "BM25Index":
        if not ids:
            return cls(None, [], surface_vocab)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index([terms or ["\x00empty"] for terms in term_lists], show_progress=False)
        return cls(retriever, ids, surface_vocab)

    def doc_freq(self) -> dict[str, int]:
        """Term → number of chunks holding it, read off the term-major score matrix (nothing re-analysed)."""
        if self._retriever is None:
            return {}
        indptr = np.asarray(self._retriever.scores["indptr"])
        return {term: int(indptr[i + 1] - indptr[i]) for term, i in self._retriever.vocab_dict.items() if term}

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (tmp / "surface_vocab.json").write_text(json.dumps(self.surface_vocab, ensure_ascii=False), encoding="utf-8")
        (tmp / "analyzer.json").write_text(json.dumps(ANALYZER_ID), encoding="utf-8")
        shutil.rmtree(directory, ignore_errors=True)
        tmp.replace(directory)

    @classmethod
    def load(cls, directory: Path) -> "BM25Index":
        if not (directory / "ids.json").exists():
            return cls(None, [])
        saved = json.loads((directory / "analyzer.json").read_text(encoding="utf-8"))
        if saved != ANALYZER_ID:
            raise StaleIndexError(f"BM25 index in {directory} was built with analyzer {saved}, not {ANALYZER_ID}: run `assistant ingest --rebuild`")
        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        vocab_file = directory / "surface_vocab.json"
        vocab = json.loads(vocab_file.read_text(encoding="utf-8")) if vocab_file.exists() else {}
        retriever = bm25s.BM25.load(str(directory), show_progress=False) if ids else None
        return cls(retriever, ids, vocab)

    def search(self, terms: list[str], k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top k by BM25; zero scores (no term matched) are never returned.

        Scores come from `get_scores` and a partial sort: `retrieve` runs a thread pool per call, which at 100k
        documents cost more than the scoring itself.
        """
        if self._retriever is None or not terms:
            return []
        vocab = self._retriever.vocab_dict
        terms = [t for t in terms if t in vocab]
        if not terms:
            return []
        scores = np.asarray(self._retriever.get_scores(terms), dtype=np.float32)
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=bool)
            positions = self._positions()
            mask[[positions[i] for i in allowed if i in positions]] = True
            scores = np.where(mask, scores, 0)
        n = min(k, int(np.count_nonzero(scores > 0)))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[int(i)], float(scores[i])) for i in top]

    def _positions(self) -> dict[str, int]:
        if self._position is None:
            self._position = {doc_id: i for i, doc_id in enumerate(self.ids)}
        return self._position
