"""Answer latency, BM25 and vector search timed apart, and planted-fact recall@5, in one process."""
from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAX_PLANTED = 300


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _summary(ms: list[float]) -> dict:
    return {"p50": round(statistics.median(ms), 1), "p95": _pct(ms, 0.95), "p99": _pct(ms, 0.99), "n": len(ms)}


def measure(planted_path: Path) -> dict:
    started = time.perf_counter()
    from assistant.api import Assistant

    bot = Assistant()
    load_seconds = time.perf_counter() - started
    planted = [json.loads(line) for line in planted_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(planted) > MAX_PLANTED:
        planted = random.Random(0).sample(planted, MAX_PLANTED)
    evals = [json.loads(line)["question"] for f in sorted((REPO / "evals").rglob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [p["question"] for p in planted] + evals
    answer_ms, bm25_ms, vector_ms = [], [], []
    for q in questions:
        t0 = time.perf_counter()
        bot.ask(q)
        answer_ms.append((time.perf_counter() - t0) * 1000)
        read = bot.reader.read(q)
        t0 = time.perf_counter()
        bot.searcher.bm25_search(read.terms, bot.settings.candidates)
        bm25_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        bot.searcher.vector_search(q, bot.settings.candidates)
        vector_ms.append((time.perf_counter() - t0) * 1000)
    found = 0
    for p in planted:
        hits = bot.retrieve(p["question"], k=5)
        found += any(p["expect"] in h.chunk.text and h.chunk.source.endswith(Path(p["source"]).name) for h in hits)
    return {"load_seconds": round(load_seconds, 2), "questions": len(questions), "answer_ms": _summary(answer_ms),
            "bm25_ms": _summary(bm25_ms), "vector_ms": _summary(vector_ms),
            "planted": len(planted), "planted_recall_at_5": round(found / len(planted), 3) if planted else None}
