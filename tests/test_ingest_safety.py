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


# --- 2: symlinks do not lead out of the corpus ----------------------------------------------------------------

def test_symlinks_out_of_the_corpus_are_skipped_and_named(tmp_path, small_corpus, lexicon_cache):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:hemligt-lösenord-4711\n", encoding="utf-8")
    (small_corpus / "passwd.txt").symlink_to(secret)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text("Utanför korpusen: hemligt-lösenord-4711.\n", encoding="utf-8")
    (small_corpus / "linked").symlink_to(outside, target_is_directory=True)
    (small_corpus / "alias.txt").symlink_to(small_corpus / "plan.txt")  # inside the corpus: fine
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    report = ingest(s, progress=False)
    assert ("passwd.txt", "links outside the corpus directory") in report.skipped
    assert "skipped passwd.txt: links outside the corpus directory" in report.summary()
    assert all(source != "linked/notes.txt" for source in report.ingested)
    assert sorted(report.ingested) == ["alias.txt", "plan.txt", "protokoll.md"]
    assert not any("hemligt" in t for t in _texts(s))
    # named on the command line through the linked folder: still a way out of the corpus
    named = ingest(s, small_corpus / "linked" / "notes.txt", progress=False)
    assert named.skipped == [(str((outside / "notes.txt").resolve()), "links outside the corpus directory")]
    assert not any("hemligt" in t for t in _texts(s))
