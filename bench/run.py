"""`make bench`: corpora at about 1k, 10k and 100k chunks; ingest, size, memory, latency, recall, start-up;
written to docs/benchmarks.md. `BENCH_SCALES=1000,10000` runs fewer scales; work goes to bench/.work/.

Each measurement runs in a child process so that its peak RSS is its own (read from `os.wait4`).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from core.settings import GENERATIONS, POINTER, live_generation  # noqa: E402
WORK = REPO / "bench" / ".work"
REPORT = REPO / "docs" / "benchmarks.md"
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
       "PYTHONPATH": str(REPO)}


def child(code: str, env: dict) -> tuple[dict, float]:
    """Run Python code in a child; it prints one JSON object last. Returns it and the child's peak RSS (MiB)."""
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{out[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def settings_env(data: Path, corpus: Path) -> dict:
    lexicon = WORK / "lexicon"
    (data).mkdir(parents=True, exist_ok=True)
    if not (data / "lexicon").exists():
        lexicon.mkdir(parents=True, exist_ok=True)
        (data / "lexicon").symlink_to(lexicon, target_is_directory=True)
    shared_cache = WORK / "embed-cache.sqlite"  # one cache for every scale: the same chunks are embedded once
    if not (data / "embed-cache.sqlite").exists():
        (data / "embed-cache.sqlite").symlink_to(shared_cache)
    return {**ENV, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}


def base_index() -> Path:
    """The sample corpus with real embeddings: the templates for generated chunks' vectors."""
    data = WORK / "base"
    env = settings_env(data, REPO / "corpus")
    child("from core.settings import get_settings; from index.build import ingest; from pathlib import Path; "
          "r = ingest(get_settings(), progress=False); import json; "
          "print(json.dumps({'chunks': r.chunks_total}))", env)
    return data


def throughput(base: Path) -> dict:
    env = settings_env(base, REPO / "corpus")
    code = (
        "import json; from core.settings import get_settings; from index.store import Store; "
        "from bench.vectors import embedding_throughput; s = get_settings(); "
        "texts = [c.embedding_text() for c in Store(s.store_path).all_chunks()][:48]; "
        "print(json.dumps(embedding_throughput(s.embedder, texts)))")
    result, _ = child(code, env)
    return result


def scale_run(chunks: int, base: Path) -> dict:
    name = f"{chunks // 1000}k"
    corpus = WORK / name / "corpus"
    data = WORK / name / "data"
    env = settings_env(data, corpus)
    started = time.perf_counter()
    sys.path.insert(0, str(REPO))
    from bench.corpus import write_corpus

    planted = write_corpus(corpus, chunks)
    result: dict = {"scale": name, "target_chunks": chunks, "planted": len(planted),
                    "generate_seconds": round(time.perf_counter() - started, 1)}
    prefill, _ = child(
        "import json; from pathlib import Path; from core.settings import get_settings, Settings; "
        "from bench.vectors import base_vectors, prefill; "
        f"t = base_vectors(Settings(data_dir=Path({str(base)!r}))); "
        f"print(json.dumps(prefill(get_settings(), Path({str(corpus)!r}), t)))", env)
    result["prefill"] = prefill
    # measure a full ingest from an empty index: no live generation (nor an index from before generations)
    for stale in ("chroma", "bm25", "store.sqlite", GENERATIONS, POINTER):
        target = data / stale
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
    ingest, rss = child(
        "import json; from pathlib import Path; from core.settings import get_settings; from index.build import ingest; "
        "r = ingest(get_settings(), progress=False); "
        "print(json.dumps({'chunks': r.chunks_total, 'embedded': r.embedded, 'from_cache': r.from_cache, "
        "'seconds': r.seconds, 'parse': r.parse_seconds, 'embed': r.embed_seconds, 'write': r.write_seconds, "
        "'figures': r.figures, 'goals': r.goals, 'decisions': r.decisions, 'skipped': len(r.skipped)}))", env)
    ingest["peak_rss_mib"] = round(rss)
    result["ingest"] = ingest
    index = live_generation(data) or data
    result["size_mib"] = {"chroma": round(du(index / "chroma"), 1),
                          "bm25": round(sum(du(p) for p in index.glob("*bm25")), 1)}
    result["size_mib"]["sqlite"] = round((index / "store.sqlite").stat().st_size / 2**20, 1)
    result["size_mib"]["total"] = round(sum(result["size_mib"].values()), 1)
    result["serve"] = serve_median(env)
    latency, rss = child(
        "import json; from pathlib import Path; from bench.queries import measure; "
        f"print(json.dumps(measure(Path({str(corpus / 'planted.jsonl')!r}))))", env)
    latency["peak_rss_mib"] = round(rss)
    result["answers"] = latency
    return result


def serve_to_first_answer(env: dict) -> dict:
    """Wall time from starting `assistant serve` to the first answer over HTTP, and the server's peak RSS."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "assistant"
    started = time.perf_counter()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    from gradio_client import Client

    answer = None
    while answer is None:
        if proc.poll() is not None:
            raise RuntimeError("assistant serve exited")
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            answer = client.predict("Hur mycket investeras i WiFi-nät 2024?", api_name="/ask")
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.2)
    first = time.perf_counter() - started
    hwm = _vm_hwm(proc.pid)
    proc.terminate()
    proc.wait(timeout=30)
    return {"first_answer_seconds": round(first, 2), "peak_rss_mib": hwm}


def serve_median(env: dict, runs: int = 3) -> dict:
    """Start-up is noisy on 2 cores (imports, page cache): the median of several starts, and each start."""
    samples = [serve_to_first_answer(env) for _ in range(runs)]
    times = sorted(s["first_answer_seconds"] for s in samples)
    return {"first_answer_seconds": times[len(times) // 2], "runs": times,
            "peak_rss_mib": max(s["peak_rss_mib"] or 0 for s in samples)}


def remeasure_serve() -> None:
    """Re-take only the start-up numbers of an earlier run and rewrite the report."""
    from bench.report import write_report

    results = json.loads((WORK / "results.json").read_text())
    for scale in results["scales"]:
        name = scale["scale"]
        scale["serve"] = serve_median(settings_env(WORK / name / "data", WORK / name / "corpus"))
    (WORK / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    write_report(results, REPORT)


def remeasure_answers() -> None:
    """Re-take only the answer latency and recall of an earlier run (its indexes kept), and rewrite the report:
    for a change to the answering code that leaves ingest as it was."""
    from bench.report import write_report

    results = json.loads((WORK / "results.json").read_text())
    for scale in results["scales"]:
        name = scale["scale"]
        env = settings_env(WORK / name / "data", WORK / name / "corpus")
        latency, rss = child(
            "import json; from pathlib import Path; from bench.queries import measure; "
            f"print(json.dumps(measure(Path({str(WORK / name / 'corpus' / 'planted.jsonl')!r}))))", env)
        latency["peak_rss_mib"] = round(rss)
        scale["answers"] = latency
    (WORK / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    write_report(results, REPORT)


def _vm_hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**20, 1), "python": platform.python_version()}


def main() -> int:
    scales = [int(s) for s in os.environ.get("BENCH_SCALES", "1000,10000,100000").split(",") if s]
    WORK.mkdir(parents=True, exist_ok=True)
    print("base index …", flush=True)
    base = base_index()
    print("embedding throughput …", flush=True)
    results = {"machine": machine(), "throughput": throughput(base), "scales": []}
    for chunks in scales:
        print(f"scale {chunks} …", flush=True)
        results["scales"].append(scale_run(chunks, base))
        (WORK / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    from bench.report import write_report

    write_report(results, REPORT)
    print(f"wrote {REPORT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-only"]:
        remeasure_serve()
        sys.exit(0)
    if sys.argv[1:] == ["--answers-only"]:
        remeasure_answers()
        sys.exit(0)
    sys.exit(main())
