"""An index that is always whole: ingest builds a new generation beside the live one and switches when it is
complete, so a server answers through a rebuild, a killed ingest costs nothing, and one writer runs at a time."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.build import PruneRefusedError, ingest
from index.generations import IndexBusyError, writer_lock
from index.store import Store

from .conftest import REPO, make_settings

QUESTION = "Vad beslutar arbetsutskottet om korttidssjukfrånvaron?"


def _env(settings) -> dict:
    return {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "PYTHONPATH": str(REPO), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}


def _cli(settings, *args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=_env(settings), cwd=REPO, timeout=600, **kw)


def _consistent(settings) -> tuple[int, int, int]:
    """(chunks in SQLite, in BM25, in Chroma) of the live generation."""
    from index.vectors import VectorStore

    live = settings.pinned()
    store = Store(live.store_path)
    chunks = store.count_chunks()
    store.close()
    bm25 = len(json.loads((live.bm25_dir / "ids.json").read_text(encoding="utf-8")))
    vectors = VectorStore.open(live)
    count = vectors.count()
    vectors.close()
    return chunks, bm25, count


def _index_files(settings, chroma: bool = True) -> dict[Path, int]:
    """The live generation's files and their times (Chroma's own, optionally: opening it to count writes)."""
    live = settings.pinned().index_path
    return {p: p.stat().st_mtime_ns for p in live.rglob("*") if p.is_file() and (chroma or "chroma" not in p.parts)}


@pytest.fixture()
def built(tmp_path, small_corpus, lexicon_cache):
    settings = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(settings, progress=False)
    return settings


def test_a_rebuild_leaves_the_live_index_untouched_until_it_switches(built):
    before = built.pinned().index_path
    files = _index_files(built)
    report = ingest(built, rebuild=True, progress=False)
    after = built.pinned().index_path
    assert after != before and report.chunks_total == _consistent(built)[0]
    # the replaced generation stays for readers still on it, unchanged; the one before it is removed
    assert {p: p.stat().st_mtime_ns for p in files} == files
    ingest(built, rebuild=True, progress=False)
    assert not before.exists() and after.exists()


def test_an_assistant_follows_a_new_generation_without_restart(built):
    from assistant.api import Assistant

    bot = Assistant(built)
    assert not any("Kalmar" in c.text for c in bot.searcher.all_chunks())
    (built.corpus_dir / "nytt.txt").write_text(
        "1 Samverkan\n\nRegionservice tecknar avtal med Region Kalmar om gemensam upphandling av tolktjänster.\n",
        encoding="utf-8")
    ingest(built, progress=False)
    bot.ask("Vad gäller avtalet med Region Kalmar?")
    assert any("Kalmar" in c.text for c in bot.searcher.all_chunks())


def test_a_second_writer_is_refused_with_a_clear_message(built):
    with writer_lock(built.data_dir):
        with pytest.raises(IndexBusyError, match="another ingest"):
            ingest(built, progress=False)
        out = _cli(built, "ingest")
    assert out.returncode != 0 and "another ingest is writing this index" in out.stderr and "Traceback" not in out.stderr
    assert ingest(built, progress=False).unchanged == 2  # the lock went with its holder


def test_removing_most_of_the_index_needs_prune(built, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    wrong = make_settings(built.data_dir, empty)
    with pytest.raises(PruneRefusedError, match="would remove 2 of the 2 documents"):
        ingest(wrong, progress=False)
    out = _cli(wrong, "ingest")
    assert out.returncode != 0 and "--prune" in out.stderr
    assert _consistent(built)[0] > 0  # nothing changed
    (built.corpus_dir / "protokoll.md").unlink()  # one of two is not more than half
    assert ingest(built, progress=False).removed
    assert ingest(wrong, progress=False, prune=True).chunks_total == 0


@pytest.mark.parametrize("fraction", [0.15, 0.35, 0.55, 0.75, 0.9])
def test_a_killed_ingest_costs_nothing_and_the_next_one_completes(built, fraction):
    """kill -9 at several points of a rebuild (reading, embedding, SQLite, Chroma, BM25): the live index is
    whole and unchanged, and the next plain ingest removes the unfinished generation."""
    (built.corpus_dir / "plan.txt").write_text((built.corpus_dir / "plan.txt").read_text(encoding="utf-8")
                                               + "\n3 Uppföljning\n\nUppföljning sker i delårsrapporten.\n")
    started = time.monotonic()
    assert _cli(built, "ingest", "--rebuild").returncode == 0  # how long a whole run takes here
    duration = time.monotonic() - started
    before = _consistent(built)
    files = _index_files(built, chroma=False)
    (built.corpus_dir / "plan.txt").write_text((built.corpus_dir / "plan.txt").read_text(encoding="utf-8")
                                               + "\nRevision sker årligen.\n")
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", "--rebuild"], env=_env(built),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    live = built.pinned().index_path
    time.sleep(duration * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if built.pinned().index_path == live:  # killed before it switched: the live index as it was
        assert _consistent(built) == before and _index_files(built, chroma=False) == files
    else:  # it had switched (this run was quicker than the measured one): the new index whole
        assert (built.pinned().index_path / "COMPLETE").exists() and len(set(_consistent(built))) == 1
    report = ingest(built, progress=False)
    chunks, bm25, vectors = _consistent(built)
    assert chunks == bm25 == vectors == report.chunks_total
    live = built.pinned().index_path
    assert [p.name for p in live.parent.iterdir() if not (p / "COMPLETE").exists()] == []
    assert any("Revision sker årligen" in c.text for c in Store(live / "store.sqlite").all_chunks())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_running_server_answers_through_a_rebuild_and_picks_up_a_plain_ingest(built):
    from gradio_client import Client

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=_env(built),
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        client = None
        while client is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # noqa: BLE001 - not up yet
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.5)
        first = client.predict(QUESTION, api_name="/ask")
        assert not first["abstained"], first
        answers, stop = [], threading.Event()

        def keep_asking():
            while not stop.is_set():
                answers.append(client.predict(QUESTION, api_name="/ask"))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        rebuilt = _cli(built, "ingest", "--rebuild")
        stop.set()
        asker.join()
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert len(answers) >= 2 and all(a["answer"] == first["answer"] for a in answers)

        (built.corpus_dir / "nytt.txt").write_text(
            "1 Samverkan\n\nRegionservice tecknar avtal med Region Kalmar om gemensam upphandling av tolktjänster.\n",
            encoding="utf-8")
        assert _cli(built, "ingest").returncode == 0
        new = client.predict("Vad tecknar Regionservice avtal med Region Kalmar om?", api_name="/ask")
        assert not new["abstained"] and "tolktjänster" in new["answer"], new
        assert new["citations"][0]["source"].endswith("nytt.txt")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_generation_that_cannot_be_opened_leaves_the_assistant_on_the_one_it_has(built, caplog):
    from assistant.api import Assistant

    bot = Assistant(built)
    before = bot.ask(QUESTION)
    pointer = built.data_dir / "CURRENT"
    live = pointer.read_text(encoding="utf-8")
    broken = built.data_dir / "generations" / "broken"
    broken.mkdir()
    (broken / "store.sqlite").write_bytes(b"not a database" * 100)
    pointer.write_text("broken", encoding="utf-8")
    assert bot.ask(QUESTION).answer == before.answer
    assert "could not open index generation" in caplog.text
    pointer.write_text(live, encoding="utf-8")
