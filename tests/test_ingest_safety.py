"""Input safety: what a corpus holds, where ingest runs from and how the output is read never costs stored
documents, never leads out of the corpus, and every refusal names the file and the problem."""
from __future__ import annotations

import codecs
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pytest

from core.models import DocumentMeta
from index.build import ingest
from index.search import Searcher
from index.store import Store
from index.vectors import VectorStore
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


# --- 3: document ids from the exact path --------------------------------------------------------------------

def test_paths_that_slug_alike_are_two_documents(tmp_path, small_corpus, lexicon_cache):
    (small_corpus / "Protokoll § 12.txt").write_text("§ 12 Beslut\n\nNämnden beslutar att anta budgeten.\n",
                                                     encoding="utf-8")
    (small_corpus / "protokoll 12.txt").write_text("§ 12 Beslut\n\nNämnden beslutar att avslå motionen.\n",
                                                   encoding="utf-8")
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    first = ingest(s, progress=False)
    assert {"Protokoll § 12.txt", "protokoll 12.txt"} <= set(first.ingested)
    docs = Store(s.store_path).documents()
    assert len(docs) == 4 and len({d["doc_id"] for d in docs}) == 4
    texts = "\n".join(_texts(s))
    assert "anta budgeten" in texts and "avslå motionen" in texts
    second = ingest(s, progress=False)
    assert (second.ingested, second.removed, second.unchanged) == ([], [], 4)


def test_a_document_stored_under_an_older_id_is_replaced_not_doubled(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(s, progress=False)
    store = Store(s.store_path)
    [plan] = [d for d in store.documents() if d["source"] == "plan.txt"]
    old = DocumentMeta(**{**{k: plan[k] for k in DocumentMeta.model_fields}, "doc_id": "plan.txt"})  # a slug id
    chunks = [c.model_copy(update={"id": f"plan.txt#{i:04d}", "doc_id": "plan.txt"})
              for i, c in enumerate(store.all_chunks()) if c.source == "plan.txt"]
    vectors = VectorStore.open(s)
    vectors.delete(store.chunk_ids(plan["doc_id"]))
    store.delete_document(plan["doc_id"])
    vectors.upsert(chunks, np.eye(len(chunks), 384, dtype=np.float32))
    store.replace_document(old, "an older pipeline", chunks, [], "", "")
    store.close()
    report = ingest(s, progress=False)
    assert report.ingested == ["plan.txt"]
    store = Store(s.store_path)
    assert [d["doc_id"] for d in store.documents() if d["source"] == "plan.txt"] == [doc_id_for("plan.txt")]
    assert store.chunk_ids("plan.txt") == [] and store.count_chunks() == report.chunks_total
    assert Searcher(s).vectors.count() == report.chunks_total


def test_doc_ids_are_readable_and_never_collide():
    a, b = doc_id_for("Protokoll § 12.txt"), doc_id_for("protokoll 12.txt")
    assert a != b and a.startswith("protokoll-12-txt-") and b.startswith("protokoll-12-txt-")
    assert doc_id_for("protokoll 12.txt") == b  # stable: a re-ingest finds the stored document
    assert doc_id_for("möten/Protokoll.txt").startswith("moten-protokoll-txt-")


# --- 4: an oversize file is refused by its size, unread ---------------------------------------------------

def test_oversize_file_is_skipped_without_being_read(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache, max_file_mb=1)
    ingest(s, progress=False)
    with (small_corpus / "huge.txt").open("wb") as fh:
        fh.truncate(3_000_000_000)  # sparse: 3 GB to read, nothing on disk
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    started = time.perf_counter()
    report = ingest(s, progress=False)
    elapsed = time.perf_counter() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    [(path, reason)] = report.skipped
    assert path == "huge.txt" and "3000.0 MB" in reason and "1 MB limit" in reason
    assert elapsed < 1.0, f"{elapsed:.1f} s: the file was read"
    assert grown_mib < 500, f"memory grew by {grown_mib:.0f} MiB: the file was read"
    assert report.unchanged == 2


# --- 5: Unicode text with a byte-order mark -----------------------------------------------------------------

def test_text_with_a_byte_order_mark_is_decoded_by_it(tmp_path, small_corpus, lexicon_cache):
    text = "§ 7 Uppföljning\n\nNämnden följer upp sjukfrånvaron i {}.\n"
    for name, bom, encoding in [("le.txt", codecs.BOM_UTF16_LE, "utf-16-le"),
                                ("be.txt", codecs.BOM_UTF16_BE, "utf-16-be"),
                                ("sig.txt", codecs.BOM_UTF8, "utf-8")]:
        (small_corpus / name).write_bytes(bom + text.format(name).encode(encoding))
    (small_corpus / "page.html").write_bytes(codecs.BOM_UTF16_LE + "<p>Åtgärder för ekonomi i balans.</p>".encode("utf-16-le"))
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    report = ingest(s, progress=False)
    assert report.skipped == []
    assert not any("decoded as" in note for note in report.notes)
    texts = "\n".join(_texts(s))
    for name in ("le.txt", "be.txt", "sig.txt"):
        assert f"sjukfrånvaron i {name}." in texts
    assert "Åtgärder för ekonomi i balans." in texts and "\ufeff" not in texts


# --- 6: an encrypted PDF is called that, not corrupt ---------------------------------------------------------

def _pdf_with_text(path, text: str) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


def _encrypted(source, target, user_password: str, owner_password: str | None = None) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password, owner_password)
    with target.open("wb") as fh:
        writer.write(fh)


def test_password_protected_pdf_is_reported_as_encrypted(tmp_path, small_corpus, lexicon_cache):
    plain = tmp_path / "plain.pdf"
    _pdf_with_text(plain, "Nämnden beslutar om investeringar i WiFi-nät.")
    _encrypted(plain, small_corpus / "locked.pdf", "secret")
    _encrypted(plain, small_corpus / "owner-only.pdf", "", "owner")  # opens without a password: readable
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    report = ingest(s, progress=False)
    assert report.skipped == [("locked.pdf", "encrypted (password-protected) PDF")]
    assert "owner-only.pdf" in report.ingested
    assert any("WiFi-nät" in t for t in _texts(s))


# --- 7: a catalog entry of the wrong type is named ----------------------------------------------------------

@pytest.mark.parametrize("bad, names", [
    ('path = "protokoll.md"\nyear = "tjugo"', ['"protokoll.md"', "year"]),
    ('path = "protokoll.md"\ntitle = 5', ['"protokoll.md"', "title"]),
    ("path = 3", ["entry 2", "path"]),
    ('path = "protokoll.md"\n\n[[area]]\nname = 5', ["[[area]] entry 1", "name"]),
])
def test_catalog_entry_of_the_wrong_type_is_named(tmp_path, small_corpus, lexicon_cache, bad, names):
    (small_corpus / "catalog.toml").write_text(
        f'[[document]]\npath = "plan.txt"\ntitle = "Planen"\nyear = 2024\n\n[[document]]\n{bad}\n', encoding="utf-8")
    make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    proc = _cli(["ingest"], tmp_path / "data", small_corpus, tmp_path)
    out, err = (b.decode() for b in proc.communicate(timeout=120))
    assert proc.returncode != 0 and "Traceback" not in err, err
    assert "catalog.toml" in err and all(n in err for n in names), err
    assert not (tmp_path / "data" / "store.sqlite").exists() or not Store(tmp_path / "data" / "store.sqlite").documents()


def test_a_valid_catalog_still_describes_its_documents(tmp_path, small_corpus, lexicon_cache):
    (small_corpus / "catalog.toml").write_text(
        '[[document]]\npath = "plan.txt"\ntitle = "Planen"\nyear = "2024"\ndate = 2023-11-02\nnotes = "fri text"\n',
        encoding="utf-8")
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(s, progress=False)
    plan = next(d for d in Store(s.store_path).documents() if d["source"] == "plan.txt")
    assert (plan["title"], plan["year"], plan["date"]) == ("Planen", 2024, "2023-11-02")


# --- 8: a heading with no body is still text -----------------------------------------------------------------

def test_documents_that_are_only_headings_are_indexed(tmp_path, small_corpus, lexicon_cache):
    (small_corpus / "justerare.txt").write_text("§ 3 Val av justerare\nTill justerare utses Anna Andersson.",
                                                encoding="utf-8")
    (small_corpus / "budget.txt").write_text("§ 3 Budgetuppföljning januari–mars 2026", encoding="utf-8")
    (small_corpus / "en-rad.txt").write_text("§ 4 Val av justerare. Till justerare utses Bo Berg.\n", encoding="utf-8")
    (small_corpus / "sist.md").write_text("# § 1 Öppnande\n\nMötet öppnas.\n\n# § 2 Övriga frågor\n", encoding="utf-8")
    (small_corpus / "strategi.txt").write_text(
        "Strategi: Hållbar regional utveckling\n\nNäringsliv och entreprenörskap\n\nKunskapslyft och utbildning\n\n"
        "Klimat, miljö och energi\n", encoding="utf-8")
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    report = ingest(s, progress=False)
    assert report.skipped == []
    chunks = Store(s.store_path).all_chunks()
    texts = "\n".join(c.text for c in chunks)
    assert "Anna Andersson" in texts and "Budgetuppföljning januari–mars 2026" in texts and "Bo Berg" in texts
    last = [c for c in chunks if c.source == "sist.md"]
    assert [c.text for c in last] == ["Mötet öppnas.", "# § 2 Övriga frågor"]
    assert last[1].section_path[-1] == "§ 2 Övriga frågor" and last[1].line_start == last[1].line_end == 5
    # short lines read as titles, one after another: one list under their heading, not lost between sections
    [row] = [c for c in chunks if c.source == "strategi.txt"]
    assert row.section_path[-1] == "Strategi: Hållbar regional utveckling" and (row.line_start, row.line_end) == (3, 7)
    assert "Näringsliv och entreprenörskap" in row.text and "Klimat, miljö och energi" in row.text


# --- 9: a closed pipe ends the command quietly --------------------------------------------------------------

def test_output_into_a_closed_pipe_is_no_traceback(tmp_path, lexicon_cache):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_settings(tmp_path / "data", corpus, lexicon_cache)
    proc = _cli(["ingest"], tmp_path / "data", corpus, tmp_path)
    proc.stdout.close()  # the reader is gone before anything is written, as with `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
