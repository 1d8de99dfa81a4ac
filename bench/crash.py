"""`make stress`, the crash half: a real `assistant serve` answers questions without pause while ingest runs
in a loop over a copy of the sample corpus, each run changed a little (a line appended, a file added or
removed, every third run `--rebuild`) and most of them killed with SIGKILL at a random point. After every kill
the live index must be whole (SQLite, BM25 and Chroma hold the same chunks) and the server must have answered
every question; then the bad inputs (empty, binary, wrong encoding, oversize, corrupt PDF and DOCX, a link out
of the corpus, a broken catalog entry) are each dropped into the corpus and must be named and skipped with
nothing stored lost. Figures go into docs/reliability.md between the crash markers.

    python -m bench.crash [--cycles 30] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work" / "crash"
REPORT = REPO / "docs" / "reliability.md"
QUESTIONS = ["Hur mycket investeras i WiFi-nät 2024?", "Vem yrkade på tillägg i § 58?",
             "Vilka uppdrag har Område IT?", "Vad kostar en ny bro i Stockholm?"]


def env(data: Path, corpus: Path) -> dict:
    return {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
            "PYTHONPATH": str(REPO), "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}


def cli(e: dict, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=e, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def counts(data: Path, corpus: Path) -> tuple[int, int, int]:
    """Chunks in SQLite, BM25 and Chroma of the live generation, read in a child (as a fresh reader would)."""
    code = ("import json; from core.settings import get_settings; from index.store import Store; "
            "from index.vectors import VectorStore; s = get_settings().pinned(); st = Store(s.store_path); "
            "v = VectorStore.open(s); print(json.dumps([st.count_chunks(), "
            "len(json.loads((s.bm25_dir / 'ids.json').read_text())), v.count()]))")
    out = subprocess.run([sys.executable, "-c", code], env=env(data, corpus), cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    return tuple(json.loads(out.stdout.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Asker(threading.Thread):
    """One user who asks without pause and keeps every answer, error and latency."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        from gradio_client import Client

        self.client = Client(url, verbose=False)
        self.stop = threading.Event()
        self.answers: list[dict] = []
        self.errors: list[str] = []
        self.latencies: list[float] = []

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            q = QUESTIONS[i % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                self.answers.append(self.client.predict(q, api_name="/ask"))
                self.latencies.append(time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - counted: any error is a failure of the run
                self.errors.append(f"{q}: {exc}")
            i += 1


def bad_inputs(corpus: Path, outside: Path) -> dict[str, bytes | None]:
    """Each bad input the ingest must name and skip; None marks one made another way (a link)."""
    import io

    from pypdf import PdfWriter

    encrypted = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("hemligt")
    writer.write(encrypted)
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return {"empty.txt": b"", "binary.txt": bytes(range(256)) * 64, "latin1.txt": "Budget för år 2024: 5 mnkr, "
            "ökning".encode("latin-1") * 3, "garbled.txt": b"\x81\x8d\x8f\x90\x9d" * 3000,
            "broken.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "encrypted.pdf": encrypted.getvalue(),
            "broken.docx": b"PK\x03\x04 not really a zip", "huge.txt": None, "link.txt": None}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cycles", type=int, default=30)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    shutil.rmtree(WORK, ignore_errors=True)
    corpus, data, outside = WORK / "corpus", WORK / "data", WORK / "outside"
    shutil.copytree(REPO / "corpus", corpus)
    outside.mkdir(parents=True)
    data.mkdir(parents=True)
    cache = REPO / ".data" / "embed-cache.sqlite"
    if cache.exists():  # the project's own embeddings: the loop measures the index, not the embedder
        shutil.copy(cache, data / "embed-cache.sqlite")
    e = env(data, corpus)
    first = cli(e, "ingest")
    assert first.returncode == 0, first.stderr
    started = time.monotonic()
    cli(e, "ingest", "--rebuild")
    full = time.monotonic() - started

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=e, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while True:
        try:
            asker = Asker(f"http://127.0.0.1:{port}/")
            break
        except Exception:  # noqa: BLE001 - not up yet
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(1)
    asker.start()
    kills = survived = completed = 0
    inconsistent: list[str] = []
    extra = corpus / "tillagg.txt"
    try:
        for cycle in range(args.cycles):
            plan = next(corpus.glob("*verksamhetsplan*.txt"))
            with plan.open("a", encoding="utf-8") as f:
                f.write(f"\nUppföljning {cycle} sker i delårsrapporten.\n")
            if cycle % 4 == 1:
                extra.write_text(f"1 Tillägg\n\nTillägg nummer {cycle} om samverkan med kommunerna.\n", encoding="utf-8")
            elif cycle % 4 == 3:
                extra.unlink(missing_ok=True)
            args_ = ["ingest", "--rebuild"] if cycle % 3 == 0 else ["ingest"]
            proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", *args_], env=e, cwd=REPO,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kill = rng.random() < 0.8
            if kill:
                time.sleep(rng.uniform(0.05, 1.0) * full)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
            proc.wait()
            live = counts(data, corpus)
            if len(set(live)) != 1:
                inconsistent.append(f"cycle {cycle} after {'kill' if kill else 'run'}: {live}")
            survived += kill
            done = cli(e, "ingest")
            completed += done.returncode == 0
            after = counts(data, corpus)
            if done.returncode != 0 or len(set(after)) != 1:
                inconsistent.append(f"cycle {cycle} after the next ingest: {after} {done.stderr[-300:]}")
    finally:
        asker.stop.set()
        asker.join(timeout=120)
        server.terminate()
        server.wait(timeout=60)

    # bad inputs, each alone: named, skipped, and nothing stored lost
    before = counts(data, corpus)[0]
    named: dict[str, bool] = {}
    for name, content in bad_inputs(corpus, outside).items():
        path = corpus / name
        if name == "huge.txt":
            with path.open("wb") as f:
                f.truncate(3 * 10**9)  # sparse: 3 GB that must not be read
        elif name == "link.txt":
            path.symlink_to(outside / "secret.txt")
        else:
            path.write_bytes(content)
        out = cli(e, "ingest")
        named[name] = out.returncode == 0 and name in out.stdout and counts(data, corpus)[0] >= before
        path.unlink()
    catalog = corpus / "catalog.toml"
    original = catalog.read_text(encoding="utf-8")
    catalog.write_text(original + '\n[[document]]\npath = "x.txt"\nyear = "tjugo"\n', encoding="utf-8")
    out = cli(e, "ingest")
    named["catalog.toml (year = \"tjugo\")"] = out.returncode != 0 and "catalog.toml" in out.stderr \
        and "Traceback" not in out.stderr
    catalog.write_text(original, encoding="utf-8")

    lat = sorted(asker.latencies)
    wrong = [a for a in asker.answers if a["question"] != "Vad kostar en ny bro i Stockholm?" and a["abstained"]]
    result = {
        "cycles": args.cycles, "kills": kills, "completed": completed, "inconsistent": inconsistent,
        "requests": len(asker.answers) + len(asker.errors), "errors": asker.errors[:5], "error_count": len(asker.errors),
        "refused_answerable": len(wrong),
        "p50_ms": round(1000 * lat[len(lat) // 2]) if lat else None,
        "p95_ms": round(1000 * lat[int(len(lat) * 0.95)]) if lat else None, "bad_inputs": named,
        "full_rebuild_s": round(full, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    write_report(result)
    return 0 if not inconsistent and not asker.errors and all(named.values()) else 1


def write_report(r: dict) -> None:
    lines = [
        "<!-- crash:start -->",
        "## Crash and rebuild",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `python -m bench.crash --cycles {r['cycles']}` on this machine "
        "(2 cores): a real `assistant serve` answered without pause while ingest ran in a loop over a copy of the "
        "sample corpus, each run with a change (a line appended, a file added or removed; every third a "
        "`--rebuild`), and 80 % of the runs were killed with SIGKILL at a random point.",
        "",
        "| | |",
        "| --- | ---: |",
        f"| ingest runs | {r['cycles']} |",
        f"| killed with SIGKILL mid-run | {r['kills']} |",
        f"| live index inconsistent after a kill (SQLite ≠ BM25 ≠ Chroma) | {len(r['inconsistent'])} |",
        f"| next ingest completed and consistent | {r['completed']} of {r['cycles']} |",
        f"| questions answered by the server meanwhile | {r['requests']} |",
        f"| errors | {r['error_count']} |",
        f"| answerable questions refused meanwhile | {r['refused_answerable']} |",
        f"| answer latency p50 / p95 during the loop | {r['p50_ms']} / {r['p95_ms']} ms |",
        f"| one full rebuild of the sample corpus (embeddings cached) | {r['full_rebuild_s']} s |",
        "",
        "Bad inputs, each dropped into the corpus alone: named in the ingest report and skipped, the index kept "
        "(✓), or not (✗).",
        "",
        "| input | |",
        "| --- | :-: |",
    ] + [f"| {name} | {'✓' if ok else '✗'} |" for name, ok in r["bad_inputs"].items()] + [
        "<!-- crash:end -->",
    ]
    section = "\n".join(lines)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else (
        "# Reliability\n\nWritten by `make stress` (not part of `make test`); each section by its script.\n")
    if "<!-- crash:start -->" in text:
        head, rest = text.split("<!-- crash:start -->", 1)
        text = head + section + rest.split("<!-- crash:end -->", 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
