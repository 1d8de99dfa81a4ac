"""Vectors for generated corpora, put in the embedding cache that ingest reads (keyed by content hash).

The bundled embedder manages a few passages a second per core here, so 100k chunks (and their ~600k units)
cannot be embedded for each run. Chunks that carry a planted fact are embedded for real, with their units;
every other generated chunk gets the real vector of the sample-corpus chunk it was generated from (same
document kind, same position), and each of its units the real vector of one of that chunk's units, plus
Gaussian noise (cosine ≈ 0.95 to its template), normalised. Retrieval of planted facts thus competes against many
near-copies of real passages. `embedding_throughput` measures the real embedder on a sample.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import time
from pathlib import Path

import numpy as np

from core.settings import Settings
from index.embedders import EmbeddingCache, get_embedder
from index.store import Store
from ingest.areas import load_areas
from ingest.catalog import load_catalog
from ingest.document import parse_file
from ingest.lexicon import load_lexicon
from ingest.ocr_repair import Repairer
from ingest.units import embedding_text, units_of

NOISE = 0.0168  # per dimension: cosine ≈ 0.95 to the template in 384 dimensions


def base_vectors(base_settings: Settings) -> dict[str, list[tuple[np.ndarray, list[np.ndarray]]]]:
    """Real vectors of the sample corpus's chunks in document order, per document kind, each with the real
    vectors of its units (sentences, items, rows: what the reader compares with a question)."""
    store = Store(base_settings.store_path)
    cache = EmbeddingCache(base_settings.embed_cache_path)
    name = get_embedder(base_settings.embedder).name
    chunks = store.all_chunks()
    found = cache.get_many(name, [c.hash for c in chunks] + [u.key for c in chunks for u in units_of(c)])
    out: dict[str, list[tuple[np.ndarray, list[np.ndarray]]]] = {}
    for c in chunks:
        units = [found[u.key] for u in units_of(c) if u.key in found]
        out.setdefault(c.doc_type, []).append((found[c.hash], units or [found[c.hash]]))
    store.close()
    cache.close()
    return out


def _noisy(template: np.ndarray, seed: str) -> np.ndarray:
    rng = np.random.default_rng(int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16))
    v = template + rng.normal(0, NOISE, size=template.shape)
    return (v / np.linalg.norm(v)).astype(np.float32)


def prefill(settings: Settings, corpus_dir: Path, templates: dict[str, list[tuple[np.ndarray, list[np.ndarray]]]],
            marker: str = "(projekt ") -> dict:
    """Put a vector for every chunk of the generated corpus, and for every unit of it, into the cache; real
    ones for the chunks with a planted fact and their units."""
    embedder = get_embedder(settings.embedder)
    cache = EmbeddingCache(settings.embed_cache_path)
    catalog = load_catalog(corpus_dir)
    areas = load_areas(corpus_dir)
    repairer = Repairer(load_lexicon(settings.lexicon_cache_dir, settings.hunspell_dir))
    real: dict[str, str] = {}
    synthetic: dict[str, np.ndarray] = {}
    files = sorted(p for p in corpus_dir.glob("*.txt"))
    for file in files:
        doc = parse_file(file, corpus_dir, catalog.get(file.name), repairer, settings.chunk_chars,
                         10**9, areas)
        pool = templates[doc.meta.doc_type]
        for i, chunk in enumerate(doc.chunks):
            leaf = chunk.section_path[-1] if chunk.section_path else ""
            units = units_of(chunk)
            if marker in chunk.text:
                real[chunk.hash] = chunk.embedding_text()
                real.update({u.key: embedding_text(leaf, u.quote) for u in units})
            else:
                vector, unit_vectors = pool[min(i, len(pool) - 1)]
                synthetic[chunk.hash] = _noisy(vector, chunk.hash)
                for j, u in enumerate(units):
                    synthetic[u.key] = _noisy(unit_vectors[j % len(unit_vectors)], u.key)
    have = cache.get_many(embedder.name, list(real) + list(synthetic))
    todo = [(h, t) for h, t in real.items() if h not in have]
    started = time.perf_counter()
    for i in range(0, len(todo), 16):
        part = todo[i: i + 16]
        cache.put_many(embedder.name, dict(zip([h for h, _ in part], embedder.passages([t for _, t in part]))))
    embed_seconds = time.perf_counter() - started
    new = [(h, v) for h, v in synthetic.items() if h not in have]
    for i in range(0, len(new), 20_000):
        cache.put_many(embedder.name, dict(new[i: i + 20_000]))
    cache.close()
    return {"vectors": len(real) + len(synthetic), "real": len(real), "embedded_now": len(todo),
            "embed_seconds": round(embed_seconds, 1), "documents": len(files)}


def _worker_rate(args) -> float:
    spec, texts, batch = args
    embedder = get_embedder(spec)
    embedder.passages(texts[:2])  # warm
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        embedder.passages(texts[i: i + batch])
    return len(texts) / (time.perf_counter() - start)


def embedding_throughput(spec: str, texts: list[str], batches=(1, 8, 16, 32), workers=(1, 2)) -> dict:
    """Passages per second on `texts`, by batch size in one process, and with one process per core."""
    out = {"passages": len(texts), "by_batch": {}, "by_workers": {}}
    for batch in batches:
        out["by_batch"][batch] = round(_worker_rate((spec, texts, batch)), 2)
    best = max(out["by_batch"], key=out["by_batch"].get)
    for n in workers:
        if n == 1:
            out["by_workers"][1] = out["by_batch"][best]
            continue
        share = [texts[i::n] for i in range(n)]
        with multiprocessing.get_context("spawn").Pool(n) as pool:  # each worker loads its own model
            rates = pool.map(_worker_rate, [(spec, part, best) for part in share])
        out["by_workers"][n] = round(sum(rates), 2)  # rates measured inside the workers, loading excluded
    out["best_batch"] = best
    return out
