"""`make stress`: a real `assistant serve` on loopback, over a copy of the index, asked by 20 users at once;
written to the "Load" section of docs/reliability.md.

Two runs. Users who read their answer before asking again (1–2 s of think time): what the server holds up
under. And the same 20 users asking back to back: on 2 cores that can only queue, and its latency says how
long the queue grows. Each user has a session of its own and asks the chat's example questions over the
`/ask` API, which shares the chat's concurrency limit, timeout and error handling. An answer counts as right
when it is the one the server gave the same question alone, before the runs; as an error when the request
failed or the server said it failed or gave up waiting.

`python -m bench.stress --seconds 60 --burst-seconds 20 --users 20`; `STRESS_SECONDS` sets the first.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work" / "stress"
REPORT = REPO / "docs" / "reliability.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
INTRO = ("# Reliability\n\nHow the chat server behaves under load and when parts of it fail. Each section is "
         "written by the command it names; rerun that command to refresh its numbers.\n")


def copy_index(source: Path) -> Path:
    """The index as the server reads it, copied so the run cannot touch the real one; the lexicon cache (23 MB of
    dictionary forms, read-only) is linked."""
    target = WORK / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in source.iterdir():
        if part.name == "lexicon":
            (target / "lexicon").symlink_to(part.resolve(), target_is_directory=True)
        elif part.is_dir():
            shutil.copytree(part, target / part.name)
        else:
            shutil.copy2(part, target / part.name)
    return target


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ask(http: httpx.Client, base: str, question: str) -> str:
    posted = http.post(f"{base}/gradio_api/call/ask", json={"data": [question]})
    posted.raise_for_status()
    event = None
    with http.stream("GET", f"{base}/gradio_api/call/ask/{posted.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(line[5:].strip())
                return json.loads(line[5:])[0]["answer"]
    raise RuntimeError("stream ended without an answer")


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_DATA_DIR": str(data), "GRADIO_ANALYTICS_ENABLED":
           "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    log = open(WORK / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"assistant serve exited; see {WORK / 'server.log'}")
        try:
            httpx.get(f"{base}/", timeout=5)
            return proc, base
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("assistant serve did not start within 180 s")
            time.sleep(0.5)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))]


def run(base: str, questions: dict[str, str], users: int, seconds: float, think: tuple[float, float],
        failures: tuple[str, ...]) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    wrong: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(timeout=120) as http:
            time.sleep(rng.uniform(0, think[1]))  # users arrive spread out, as they would
            while time.monotonic() < deadline:
                question = rng.choice(list(questions))
                started = time.perf_counter()
                try:
                    answer = ask(http, base, question)
                except Exception as exc:  # noqa: BLE001 - counted, the user goes on
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if any(answer.startswith(f) for f in failures):
                        errors.append(answer[:200])
                    elif answer != questions[question]:
                        wrong.append(question)
                if think[1]:
                    time.sleep(rng.uniform(*think))

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"users": users, "think": list(think), "seconds": round(wall, 1), "served": len(latencies),
            "per_second": round(len(latencies) / wall, 2), "errors": len(errors), "error_samples": errors[:5],
            "wrong": len(wrong), "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99), "max": max(latencies, default=float("nan"))}


def section(result: dict) -> str:
    m, steady, burst, rss = result["machine"], result["steady"], result["burst"], result["rss_mib"]

    def row(name: str, r: dict) -> str:
        think = f"{r['think'][0]:g}–{r['think'][1]:g} s" if r["think"][1] else "none"
        return (f"| {name} | {r['users']} | {think} | {r['seconds']:g} | {r['served']} | {r['per_second']:g} | "
                f"{r['errors']} | {r['wrong']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['max']:.2f} |")

    return "\n".join([
        START,
        "## Load",
        "",
        f"Measured {result['date']} by `make stress` (`bench/stress.py`) on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB: `assistant serve` on loopback over a copy of the sample index "
        f"({result['chunks']} chunks), default settings (`concurrency` {result['concurrency']}, "
        f"`answer_timeout_s` {result['timeout']:g}). Each simulated user has its own HTTP session and asks the "
        f"chat's {len(result['questions'])} example questions at random over the `/ask` API, which shares the "
        "chat's concurrency limit, timeout and error handling. The load generator runs on the same two cores "
        f"as the server; the machine's load average (1, 5, 15 min) was {' / '.join(result['load_before'])} "
        f"before the run and {' / '.join(result['load_after'])} after it (above 0 before: other processes "
        "shared the cores). An answer is *wrong* when it differs from the one the server gave the same question "
        "alone before the runs; an *error* is a failed request or an answer saying the server failed or gave "
        "up waiting. Latency is from posting the question to reading the answer, in seconds.",
        "",
        "| run | users | think time | seconds | served | per second | errors | wrong | p50 | p95 | p99 | max |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        row("readers", steady),
        row("back to back", burst),
        "",
        f"Server memory (RSS): {rss['after_warmup']:.0f} MiB after start-up and one pass over the questions, "
        f"{rss['after_readers']:.0f} MiB after the readers' run, {rss['after_all']:.0f} MiB at the end "
        f"({rss['after_all'] - rss['after_warmup']:+.0f} MiB), {rss['peak']:.0f} MiB at most (sampled each "
        "second). Every API call opens a Gradio session, which keeps a copy of the page's components: "
        f"{steady['served'] + burst['served'] + 4 * len(result['questions'])} sessions were opened, and the server "
        f"keeps the {result['max_sessions']} used last (`max_sessions`); memory grows until then and levels off.",
        "",
        f"One user alone waits {result['alone_p50']:.2f} s at the median (the same questions, asked one after "
        f"another, three times). With 20 readers the median is {steady['p50']:.2f} s: they ask about {steady['per_second']:g} "
        f"questions a second, and back to back the machine answers {burst['per_second']:g}, so the readers "
        "already use most of it and answers wait in line behind each other. Back to back, 20 users can only "
        "queue on two cores; each waits for the questions ahead of theirs, and the latency of that run is the "
        "length of the queue, not the cost of an answer. docs/benchmarks.md has single-user latency at 1k–100k "
        "chunks."
        + (" That one user alone waited longer than the readers' median is what was measured: other processes "
           "kept the cores busy, and the embedding engine splits each question over two OpenMP threads that wait "
           "for each other when one lacks a core (a likely cause, not a measured one)."
           if result["alone_p50"] > steady["p50"] else ""),
        END,
    ])


def write_section(text: str, path: Path = REPORT) -> None:
    """Only this section: whatever else the file holds (other sections, their markers) stays as it is."""
    current = path.read_text(encoding="utf-8") if path.exists() else INTRO
    if START in current and END in current:
        head, rest = current.split(START, 1)
        updated = head + text + rest.split(END, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.stress", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("STRESS_SECONDS", 60)),
                        help="length of the run with think time (default 60)")
    parser.add_argument("--burst-seconds", type=float, default=20, help="length of the back-to-back run")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--no-report", action="store_true", help="print the numbers, leave docs/ alone")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from assistant.guard import FAILED, timed_out
    from assistant.ui import EXAMPLES
    from bench.run import machine
    from core.settings import Settings
    from index.store import Store

    settings = Settings()
    if not settings.store_path.exists():
        print(f"no index in {settings.data_dir}: run `assistant ingest` first", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    data = copy_index(settings.data_dir)
    chunks = len(Store(Settings(data_dir=data).store_path).chunk_filters())  # the live generation's
    load_before = Path("/proc/loadavg").read_text().split()[:3]  # other work on the machine skews every number
    proc, base = start_server(data)
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mib(proc.pid))
            stop.wait(1.0)

    try:
        with httpx.Client(timeout=120) as http:  # alone: the answers the runs are checked against, and their time
            questions = {q: ask(http, base, q) for q in EXAMPLES}  # the first pass warms the caches
            time.sleep(5)  # and starts loading the list records in the background: let that finish
            alone = []
            for q in EXAMPLES * 3:
                started = time.perf_counter()
                ask(http, base, q)
                alone.append(time.perf_counter() - started)
        rss = {"after_warmup": rss_mib(proc.pid)}
        threading.Thread(target=sample, daemon=True).start()
        failures = (FAILED, timed_out(settings.answer_timeout_s)[:40])
        print(f"readers: {args.users} users, 1–2 s think time, {args.seconds:g} s …", file=sys.stderr)
        steady = run(base, questions, args.users, args.seconds, (1.0, 2.0), failures)
        rss["after_readers"] = rss_mib(proc.pid)
        print(f"back to back: {args.users} users, {args.burst_seconds:g} s …", file=sys.stderr)
        burst = run(base, questions, args.users, args.burst_seconds, (0.0, 0.0), failures)
        rss["after_all"] = rss_mib(proc.pid)
        stop.set()
        rss["peak"] = max(samples + list(rss.values()))
    finally:
        stop.set()
        proc.terminate()
        proc.wait(30)
    result = {"date": date.today().isoformat(), "machine": machine(), "chunks": chunks,
              "concurrency": settings.concurrency, "timeout": settings.answer_timeout_s,
              "max_sessions": settings.max_sessions, "load_before": load_before,
              "load_after": Path("/proc/loadavg").read_text().split()[:3],
              "questions": list(questions), "alone_p50": percentile(alone, 50), "steady": steady, "burst": burst,
              "rss_mib": rss}
    (WORK / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("steady", "burst", "rss_mib")}, ensure_ascii=False, indent=2))
    if not args.no_report:
        write_section(section(result))
        print(f"written to {REPORT.relative_to(REPO)}", file=sys.stderr)
    return 0 if steady["errors"] == 0 and steady["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
