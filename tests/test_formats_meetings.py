"""The region's meeting formats read end to end: a meeting-portal page (as HTML, and as a copy of the page in
text), a protocol as PDF text with its page furniture and contents list, a föredragningslista and a
tjänsteutlåtande (fixtures in tests/fixtures/formats, shaped as docs in ../shared/formats.md describe them)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.document import parse_file
from ingest.layout import read_layout, unglue
from ingest.ocr_repair import Repairer

from .conftest import FORMATS

HTML_PAGE = "servicenamnden-mote-2026-03-18.html"
TEXT_PAGE = "regionstyrelsen-mote-2026-02-10.txt"
PROTOCOL = "servicenamnden-protokoll-2025-11-12.pdf"
AGENDA = "regionfullmaktige-foredragningslista-2026-04-21.txt"
REPORT = "tjansteutlatande-ekonomisk-uppfoljning-tertial1-2026.txt"
MEETING_FILES = [HTML_PAGE, TEXT_PAGE, PROTOCOL, AGENDA, REPORT]


@pytest.fixture(scope="module")
def parsed(lexicon):
    repairer = Repairer(lexicon)
    return {name: parse_file(FORMATS / name, FORMATS, None, repairer, 1200, 10**7) for name in MEETING_FILES}


@pytest.fixture(scope="module")
def chunks(formats_bot):
    return formats_bot.searcher.all_chunks()


def _of(items, source):
    return [x for x in items if x.source == source]


# --- what the page says about itself -------------------------------------------------------------------------

@pytest.mark.parametrize("name, doc_type, body, date", [
    (HTML_PAGE, "kallelse", "Servicenämnden", "2026-03-18"),
    (TEXT_PAGE, "kallelse", "Regionstyrelsen", "2026-02-10"),
    (PROTOCOL, "protokoll", "Servicenämnden", "2025-11-12"),
    (AGENDA, "kallelse", "Regionfullmäktige", "2026-04-21"),
    (REPORT, "tjänsteskrivelse", "Servicenämnden", "2026-05-12"),
])
def test_kind_body_and_date_come_from_the_opening_lines(parsed, name, doc_type, body, date):
    meta = parsed[name].meta
    assert (meta.doc_type, meta.body, meta.date) == (doc_type, body, date)
    assert body in meta.title and date in meta.title  # `Servicenämnden, protokoll 2025-11-12`, not `PROTOKOLL`


def test_an_officers_report_is_titled_by_its_matter(parsed):
    assert parsed[REPORT].meta.title.startswith("Ekonomisk uppföljning efter tertial 1 2026")


def test_clean_text_gets_no_ocr_repair(parsed):
    for name, doc in parsed.items():
        assert doc.repairs == [], name


# --- what is not text ------------------------------------------------------------------------------------------

def test_page_furniture_and_contents_never_reach_the_index(chunks):
    for c in _of(chunks, PROTOCOL):
        # page numbers, signature boxes, and contents lines (dot leaders to a page number)
        assert not re.search(r"Sida \d+\(\d+\)|Justerarsignaturer|Utdragsbestyrkande|\.{6,} *\d+$", c.text, re.M), c.text
    # the running header is kept once, on the first page, where it is the protocol's own heading
    texts = "\n".join(c.text for c in _of(chunks, PROTOCOL))
    assert texts.count("PROTOKOLL\n") == 1


def test_a_contents_list_is_not_read_as_paragraph_headings(parsed):
    paths = [c.section_path for c in parsed[PROTOCOL].chunks]
    heads = [p[1] for p in paths if len(p) > 1]
    assert len({h for h in heads if h.startswith("§")}) == 7  # §§ 63–69, each once: not again from the contents
    assert all(c.line_start > 40 for c in parsed[PROTOCOL].chunks if c.section_path[1:2] and c.section_path[1].startswith("§"))


def test_download_labels_are_blanked_and_attachment_names_are_not_headings(parsed):
    for name in (HTML_PAGE, TEXT_PAGE):
        doc = parsed[name]
        for c in doc.chunks:
            assert not any(re.fullmatch(r"\d+(?:,\d+)?(?:kb|mb) Ladda ner dokument", line.strip())
                           for line in c.text.split("\n")), c.text
            # `Tjänsteskrivelse …` names a file: it neither starts a part nor heads a section
            assert not any(p.startswith(("Tjänsteskrivelse", "Motion nr", "Budgetuppföljning december 2025\n"))
                           for p in c.section_path[1:]), c.section_path
        assert {c.section_path[0] for c in doc.chunks} == {doc.meta.short_title}


def test_agenda_items_are_the_pages_sections(parsed):
    for name, first in ((TEXT_PAGE, "3 Budgetuppföljning december 2025"), (HTML_PAGE, "3 Månadsrapport februari 2026")):
        tops = [c.section_path[1] for c in parsed[name].chunks if len(c.section_path) > 1]
        assert first in tops
        numbers = [int(t.split()[0]) for t in dict.fromkeys(tops) if t.split()[0].isdigit()]
        assert numbers == sorted(numbers) and len(numbers) >= 7


def test_a_diarienummer_run_into_the_text_is_split_from_it():
    assert unglue("RS 912-2025Motion nr 27-2025 från") == "RS 912-2025 Motion nr 27-2025 från"
    assert unglue("Covid-19 och 2025-års budget") == "Covid-19 och 2025-års budget"


def test_a_number_alone_is_an_agenda_item_only_in_a_running_sequence():
    lines = "Tabell\n2024\nUtfall\n7\nProcent".split("\n")
    assert read_layout("\n".join(lines)).items == {}
    page = "1\nÖppnande\n2\nVal av justerare\n3\nBudget 2026\n"
    assert [n for n, _ in read_layout(page).items.values()] == [1, 2, 3]


# --- decisions ---------------------------------------------------------------------------------------------------

def test_protocol_decisions_by_paragraph(formats_bot):
    decisions = _of(formats_bot.decisions(), PROTOCOL)
    points = [d for d in decisions if d.kind == "beslutspunkt"]
    assert sorted({d.paragraph for d in points}, key=lambda p: int(p[2:])) == [f"§ {n}" for n in range(63, 70)]
    reservation = next(d for d in decisions if d.kind == "reservation")
    assert reservation.paragraph == "§ 65" and "Britt Nord" in reservation.by
    moves = {d.by for d in decisions if d.kind == "yrkande"}
    assert moves == {"Maria Sjöberg (M)", "Anders Wik (S)"}
    assert all(d.date == "2025-11-12" and d.body == "Servicenämnden" for d in decisions)


def test_meeting_page_decisions_are_the_proposals_per_item(formats_bot):
    for name in (HTML_PAGE, TEXT_PAGE):
        decisions = _of(formats_bot.decisions(), name)
        assert decisions, name
        assert all(d.paragraph and d.paragraph.startswith("ärende ") for d in decisions)
    page = _of(formats_bot.decisions(), TEXT_PAGE)
    # `… föreslås besluta att föreslå regionfullmäktige besluta` then one `att …` line per motion
    motions = [d for d in page if d.paragraph == "ärende 4"]
    assert len(motions) == 3 and all(d.text.startswith("att ") for d in motions)
    decided = [d for d in page if d.kind == "beslutspunkt"]
    assert [d.paragraph for d in decided] == ["ärende 5"]  # `Regionstyrelsen beslutar att …`: decided, not proposed


def test_agenda_proposals_are_numbered_under_their_item(formats_bot):
    agenda = _of(formats_bot.decisions(), AGENDA)
    by_item = Counter(d.paragraph for d in agenda)
    assert by_item["ärende 3"] == 3 and by_item["ärende 6 a"] == 1 and by_item["ärende 6 b"] == 1
    assert all(d.kind == "förslag" for d in agenda)
    assert not any(d.text.startswith(("Motioner", "Årsredovisning 2025 för")) for d in agenda)  # item titles


def test_decisions_list_in_the_cli(formats_settings):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(formats_settings.data_dir),
           "ASSISTANT_CORPUS_DIR": str(FORMATS)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "decisions", "--kind", "reservation", "--json"],
                         capture_output=True, text=True, env=env, check=True, cwd=Path(__file__).parent.parent)
    rows = json.loads(out.stdout)
    assert len(rows) == 1 and "§ 65" in rows[0]["where"] and "Britt Nord" in rows[0]["by"]


# --- answers -----------------------------------------------------------------------------------------------------

def test_answers_cite_the_agenda_item_not_the_attachment_block(formats_bot):
    answer = formats_bot.ask("Vad föreslås regionstyrelsen besluta om budgetuppföljningen för december 2025?")
    assert not answer.abstained
    cited = answer.citations[0]
    assert cited.source == TEXT_PAGE and "3 Budgetuppföljning december 2025" in cited.section
    assert "Bilagor" not in cited.section


def test_a_form_line_of_the_protocols_front_page_answers_alone(formats_bot):
    answer = formats_bot.ask("Vem utsågs att justera servicenämndens protokoll från den 12 november 2025?")
    assert not answer.abstained and "Maria Sjöberg" in answer.answer
    assert answer.citations[0].source == PROTOCOL
    assert len(answer.citations[0].quote) < 120  # the line, not the whole front page


def test_a_field_of_a_meetings_header_answers_alone(formats_bot):
    """A meeting page's HTML puts its fields side by side (`Datum … Tid … Plats …`): the place is answered with the
    line of fields, not with the header and the documents' links around it."""
    answer = formats_bot.ask("Var hålls servicenämndens möte den 18 mars 2026?")
    assert not answer.abstained and "Ädelstenen" in answer.answer
    assert answer.citations[0].source == HTML_PAGE and len(answer.citations[0].quote) < 100


def test_the_beslut_tab_lists_every_meeting_formats_decisions(formats_bot):
    from assistant.structure import decision_rows
    from assistant.ui import decision_table

    rows = decision_rows(formats_bot.decisions(), formats_bot.goals())
    sources = {r["source"] for r in rows}
    assert set(MEETING_FILES) <= sources  # each format gives the tab something
    table = decision_table(rows)
    assert table.count("<tr><td") == len(rows) and "data-label='Typ'>reservation<" in table


def test_a_page_frame_with_a_menu_class_keeps_its_text(tmp_path):
    from ingest.readers import read_file

    page = tmp_path / "mote.html"
    page.write_text("<html><body class='has-menu'><nav>Start</nav><div class='menu'>Nämnder</div><main>"
                    "<h1>Möte 2026-03-18</h1><p>Servicenämnden föreslås besluta att godkänna rapporten.</p></main>"
                    "<div class='cookie-notice'>Vi använder kakor</div></body></html>", encoding="utf-8")
    text = read_file(page, 10**6).text
    assert "föreslås besluta" in text and "# Möte 2026-03-18" in text
    assert "Nämnder" not in text and "kakor" not in text and "Start" not in text
