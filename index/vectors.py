"""Chroma, always fed the project's own embeddings: `query_texts=` and Chroma's default embedding function
would try to download an ONNX model."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core.models import Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "chunks"


def _filter_meta(chunk: Chunk) -> dict:
    meta = {"doc_id": chunk.doc_id, "doc_type": chunk.doc_type, "kind": chunk.kind}
    if chunk.year is not None:
        meta["year"] = chunk.year
    if chunk.body:
        meta["body"] = chunk.body
    return meta


class VectorStore:
    def __init__(self, path: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        self._collection = self._client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def count(self) -> int:
        return self._collection.count()

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for i in range(0, len(chunks), 2000):
            part = chunks[i: i + 2000]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[i: i + 2000], dtype=np.float32),
                metadatas=[_filter_meta(c) for c in part],
            )

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 2000):
            if ids[i: i + 2000]:
                self._collection.delete(ids=ids[i: i + 2000])

    def search(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        n = self.count()
        if n == 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=min(k, n), where=where or None,
            include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]
