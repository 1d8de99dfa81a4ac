"""Chroma, always fed the project's own embeddings: `query_texts=` and Chroma's default embedding function
would try to download an ONNX model."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

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
    """The `chunks` collection, in an embedded Chroma (a folder in the data dir) or on a Chroma server.

    A server (`chroma run --path DIR --host 127.0.0.1 --port N`, then `ASSISTANT_CHROMA_URL=http://127.0.0.1:N`)
    lets several assistant processes share one vector index; BM25 and the SQLite stores stay in each data dir.
    """

    def __init__(self, path: Path | None = None, url: str | None = None, collection: str = COLLECTION):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if url:
            parsed = urlparse(url)
            self._client = chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                               ssl=parsed.scheme == "https", settings=chroma_settings)
            self.where = url
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.where = str(path)
        self.name = collection
        self._collection = self._open()
        self._count: int | None = None

    @classmethod
    def open(cls, settings) -> "VectorStore":
        return cls(settings.chroma_dir, settings.chroma_url, settings.collection)

    @classmethod
    def drop(cls, settings, collection: str) -> None:
        """Delete a generation's collection on the Chroma server (a local generation goes with its folder)."""
        store = cls(None, settings.chroma_url, collection)
        store._client.delete_collection(collection)

    def _open(self):
        return self._client.get_or_create_collection(self.name, embedding_function=None,
                                                     metadata={"hnsw:space": "cosine"})

    def copy_from(self, other: "VectorStore", page: int = 2000) -> None:
        """Every vector of another collection, with its metadata: a new generation on a Chroma server starts
        from the live one, as a local one starts from a copy of its folder."""
        offset = 0
        while True:
            got = other._collection.get(include=["embeddings", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                break
            self._collection.upsert(ids=got["ids"], embeddings=np.asarray(got["embeddings"], dtype=np.float32),
                                    metadatas=got["metadatas"])
            offset += len(got["ids"])
        self._count = None

    def close(self) -> None:
        """Let go of the store (a reader that moved to a newer generation): Chroma keeps one system per path
        per process until its last client closes."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def count(self) -> int:
        if self._count is None:  # cached: one less round trip per query on a server
            self._count = self._collection.count()
        return self._count

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self._count = None
        for i in range(0, len(chunks), 2000):
            part = chunks[i: i + 2000]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[i: i + 2000], dtype=np.float32),
                metadatas=[_filter_meta(c) for c in part],
            )

    def delete(self, ids: list[str]) -> None:
        self._count = None
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
