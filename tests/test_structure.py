"""Documents are split by their own structure, and every chunk carries what a citation needs."""
from __future__ import annotations

import pytest

from ingest.catalog import load_catalog
from ingest.document import parse_file
from ingest.ocr_repair import Repairer

from .conftest import CORPUS, PLAN, PROTOCOL


@pytest.fixture(scope="module")
def parsed(lexicon):
    catalog = load_catalog(CORPUS)
    repairer = Repairer(lexicon)
    return {p.name: parse_file(p, CORPUS, catalog.get(p.name), repairer, 1100, 20_000_000)
            for p in (PLAN, PROTOCOL)}


def sections(doc):
    return [c.section for c in doc.chunks]


def test_plan_has_its_three_parts_with_their_own_types(parsed):
    doc = parsed[PLAN.name]
    parts = {c.part: c.doc_type for c in doc.chunks}
    assert parts["Verksamhetsplan 2024"] == "verksamhetsplan"
    assert any(p.startswith("Bilaga: Investeringar") and t == "bilaga" for p, t in parts.items())
    assert parts["Handlingsplan – Åtgärder för en ekonomi i balans"] == "handlingsplan"


def test_numbered_and_labelled_headings_form_the_section_path(parsed):
    paths = sections(parsed[PLAN.name])
    assert "Verksamhetsplan 2024 › 6 Budget › 6.4 Driftbudget servicenämnd" in paths
    assert any(p.endswith("5.2 Perspektiv: Process › Strategi: Digitalisering › Strategier för digitalisering") for p in paths)
    assert any("5.3 Perspektiv: Resurs › Effektmål 9" in p for p in paths)
    for area in ("Område stab och kansli", "Område Fastigheter", "Område Försörjning", "Område inköp och upphandling",
                 "Område IT", "Område Medicinsk Teknik", "Område Shared Service Center"):
        assert any(area in p for p in paths), area


def test_table_chunks_repeat_title_and_column_header(parsed):
    doc = parsed[PLAN.name]
    result = next(c for c in doc.chunks if c.kind == "table" and "6.3 Resultatbudget" in c.section)
    assert result.header.startswith("6.3 Resultatbudget servicenämnd")
    assert "Belopp i mnkr Budget 2024 | Prognos 2023 | Budget 2023" in result.header
    assert "Resultat *) 23,2 -38,4 -51,7" in result.text
    it_area = next(c for c in doc.chunks if c.kind == "table" and "Område IT" in c.section)
    assert "Totalsumma 26 720" in it_area.text and "Antal" in it_area.header


def test_protocol_paragraph_and_its_parts(parsed):
    doc = parsed[PROTOCOL.name]
    paths = sections(doc)
    assert "RSAU § 58 2026 › § 58 Nämndsdialog med DN Regionservice, våren 2026 › Beslut" in paths
    assert any(p.endswith("› Yrkanden") for p in paths)
    assert any(c.doc_type == "beslutsförslag" for c in doc.chunks)
    assert any(c.part.startswith("Bilaga: Dialogunderlag") and "Ekonomistyrning" in c.section for c in doc.chunks)
    goals = next(c for c in doc.chunks if c.kind == "table" and "Fokusområde\tFullmäktiges mål" in c.text)
    assert "Målstyrning" in goals.section


def test_every_chunk_carries_citation_metadata(parsed):
    for doc in parsed.values():
        lines = doc.text.split("\n")
        for c in doc.chunks:
            assert c.source in (PLAN.name, PROTOCOL.name) and c.title and c.doc_type and c.year
            assert 1 <= c.line_start <= c.line_end <= len(lines)
            assert len(c.hash) == 64
            # the chunk's text is the document's text at its line span
            assert lines[c.line_start - 1].strip() in c.text
    assert {c.date for c in parsed[PROTOCOL.name].chunks} == {"2026-02-23"}


def test_a_lettered_agenda_item_is_a_heading_but_a_lettered_requirement_wrapped_onto_the_next_line_is_text():
    from ingest.structure import split_structure

    agenda = ("4 Motioner\n\na) Motion nr 27-2025 från Per Nyström (M) om valfrihet i tandvården (RS 2025/912)\n\n"
              "Motionären föreslår att tandvården blir avgiftsfri.\n")
    assert any("a) Motion nr 27-2025" in b.path[-1] for b in split_structure(agenda, "T", "protokoll"))
    plan = ("9 Intern styrning och kontroll\n\nProcessen ska säkerställa att verksamheten bedrivs enligt de krav "
            "som ställs:\n\ne) Att informationssäkerheten är tillgodosedd utifrån kraven på konfidentialitet, riktighet,\n"
            "tillgänglighet och spårbarhet.\n")
    blocks = split_structure(plan, "T", "verksamhetsplan")
    assert all(b.path[-1] == "9 Intern styrning och kontroll" for b in blocks)
    assert any("e) Att informationssäkerheten" in line for b in blocks for line in b.lines)


def test_a_title_whose_first_content_is_another_title_heads_it_and_its_siblings_until_the_page_ends():
    from ingest.layout import Layout
    from ingest.structure import split_structure

    report = ("Pågående arbete\n\nLokalförsörjning\n\n- Ny förhandling av hyresavtal\n\n"
              "Energi\n\n- Solceller på två byggnader\n\n"
              "Personal\n\nRekryteringen av chefer pågår.\n")
    paths = {b.lines[0]: b.path for b in split_structure(report, "T", "bilaga")}
    assert paths["- Ny förhandling av hyresavtal"] == ("T", "Pågående arbete", "Lokalförsörjning")
    assert paths["- Solceller på två byggnader"] == ("T", "Pågående arbete", "Energi")
    assert not any(b.lines == ["Pågående arbete"] for b in split_structure(report, "T", "bilaga"))

    # a new page ends the group: its first title is not known to belong to the last page's heading
    page = report.split("\n").index("Personal")
    blocks = split_structure(report, "T", "bilaga", Layout(page_breaks={page}))
    assert next(b for b in blocks if b.lines[0].startswith("Rekryteringen")).path == ("T", "Personal")
    # two titles on either side of a page break are two sections, not a heading and its subsection
    first = report.split("\n").index("Lokalförsörjning")
    blocks = split_structure(report, "T", "bilaga", Layout(page_breaks={first}))
    assert next(b for b in blocks if b.lines[0].startswith("- Ny")).path == ("T", "Lokalförsörjning")

    # a row of three short lines before content is a list of one-line items, kept as text
    names = "Deltagare\n\nAnna Ek\n\nBo Lind\n\nMötet öppnades klockan nio.\n"
    blocks = split_structure(names, "T", "protokoll")
    assert any(b.lines[0] == "Deltagare" for b in blocks)


def test_a_line_alone_in_a_list_announced_by_a_colon_is_an_item_not_a_title():
    from ingest.structure import split_structure

    # OCR and slides set a list's items apart with blank lines: the line alone is still one of them
    text = ("Förslagen omfattar bland annat:\n\nFärre tryckta rapporter\nSamordnade inköp av papper\n\n"
            "Minskad städning av kontor\n\nLägre lokalkostnader\nGemensam växel\n\n"
            "Ekonomi\n\nFörslagen ger en besparing på två miljoner kronor under året.\n")
    blocks = split_structure(text, "T", "handlingsplan")
    assert next(b for b in blocks if b.lines[0] == "Minskad städning av kontor").path == ("T",)
    assert next(b for b in blocks if b.lines[0] == "Lägre lokalkostnader").path == ("T",)
    # a title followed by prose ends the list: it heads its own text
    assert next(b for b in blocks if b.lines[0].startswith("Förslagen ger")).path == ("T", "Ekonomi")

    # where the items carry bullets, a line without one is a title
    bullets = ("Förslagen omfattar:\n\n- Färre tryckta rapporter\n- Gemensam växel\n\n"
               "Konsekvenser för personalen\n\n- Ökad arbetsbelastning\n")
    blocks = split_structure(bullets, "T", "handlingsplan")
    assert next(b for b in blocks if b.lines[0] == "- Ökad arbetsbelastning").path == ("T", "Konsekvenser för personalen")


def test_a_footnote_goes_with_every_chunk_of_its_section_that_carries_its_mark(tmp_path, lexicon):
    """`+1,7 mnkr (+2,4)*` means nothing without `* Exklusive förrådsvaror …`, even when a table between them
    puts the two in different chunks; a Markdown bullet list of `* ` lines is no footnote."""
    doc = tmp_path / "dialog.txt"
    doc.write_text("Ekonomistyrning\n\n- Omsättning: 867,5 mnkr\nUtfall ordinarie verksamhet: +1,7 mnkr (+2,4)*\n\n"
                   "| Utfall Regionservice | +6,0 mnkr (+9,1) |\n|---|---|\n\n- Omvärderade investeringsbehov\n\n"
                   "* Exklusive förrådsvaror och förstärkt försörjningsberedskap\n\nÖvrigt\n\n"
                   "* Första punkten\n* Andra punkten\n", encoding="utf-8")
    chunks = parse_file(doc, tmp_path, None, Repairer(lexicon), 1100, 20_000_000).chunks
    marked = next(c for c in chunks if "(+2,4)*" in c.text)
    assert "Exklusive förrådsvaror" not in marked.text
    assert marked.notes == "* Exklusive förrådsvaror och förstärkt försörjningsberedskap"
    assert all(c.notes is None for c in chunks if "*" not in c.text.replace("* ", ""))
