"""Scale-out: the same ingest and answers against a real Chroma server on loopback."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import make_settings
from .serving import free_port, stop, wait_until_up


@pytest.fixture()
def chroma_server(tmp_path):
    """`chroma run` from this environment, on a free loopback port; stopped after the test."""
    exe = Path(sys.executable).parent / "chroma"
    port = free_port()
    log = open(tmp_path / "chroma.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        wait_until_up(lambda: chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(
            anonymized_telemetry=False)).heartbeat() is not None, proc, tmp_path / "chroma.log", "chroma server", 60)
        yield url
    finally:
        stop(proc)
        log.close()


def test_ingest_and_answers_through_a_chroma_server(chroma_server, tmp_path, lexicon_cache, corpus_settings):
    from assistant.api import Assistant
    from index.build import ingest
    from index.vectors import VectorStore

    settings = make_settings(tmp_path / "data", lexicon_cache=lexicon_cache, chroma_url=chroma_server)
    # the session's embeddings, by content hash: the server test measures the store, not the embedder again
    shutil.copy(corpus_settings.embed_cache_path, settings.embed_cache_path)
    report = ingest(settings, progress=False)
    assert report.embedded == 0 and report.chunks_total > 100
    assert not settings.chroma_dir.exists()  # nothing embedded in the data dir
    assert VectorStore.open(settings).count() == report.chunks_total

    bot = Assistant(settings)
    local = Assistant(corpus_settings)
    for question in ("Hur mycket investeras i WiFi-nät 2024?", "Vad beslutade arbetsutskottet i § 58?",
                     "Hur ska leveransen av måltider till Lindesbergs lasarett förändras?"):
        assert bot.ask(question).answer == local.ask(question).answer
    hits = bot.searcher.vector_search("molntjänster lagring", 5)
    assert [cid for cid, _ in hits] == [cid for cid, _ in local.searcher.vector_search("molntjänster lagring", 5)]

    # a rebuild empties the server's collection and fills it again
    again = ingest(settings, rebuild=True, progress=False)
    assert VectorStore.open(settings).count() == again.chunks_total == report.chunks_total
