"""Input safety: what a corpus holds, where ingest runs from and how the output is read never costs stored
documents, never leads out of the corpus, and every refusal names the file and the problem."""
from __future__ import annotations

import codecs
import os
import resource
import subprocess
import sys
import time

import pytest

from index.build import ingest
from index.store import Store
from ingest.catalog import doc_id_for

from .conftest import REPO, make_settings


def _texts(settings) -> list[str]:
    return [c.text for c in Store(settings.store_path).all_chunks()]


def _cli(args: list[str], data, corpus, cwd) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# --- 1: sources are paths inside the corpus, whatever the working directory ----------------------------------

def test_ingest_from_another_working_directory_keeps_every_document(tmp_path, small_corpus, lexicon_cache, monkeypatch):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    first = ingest(s, progress=False)
    assert sorted(first.ingested) == ["plan.txt", "protokoll.md"]
    monkeypatch.chdir(tmp_path / "b" / "deeper")
    second = ingest(s, progress=False)
    assert (second.removed, second.ingested, second.unchanged) == ([], [], 2)
    assert second.chunks_total == first.chunks_total > 0
    assert {c.source for c in Store(s.store_path).all_chunks()} == {"plan.txt", "protokoll.md"}
