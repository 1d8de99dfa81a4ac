"""Units: what the reader weighs as an answer, split the same way at ingest and at question time."""
from __future__ import annotations

from core.models import Chunk
from ingest.units import embedding_text, units_of


def chunk(text: str, kind: str = "prose", header: str | None = None, path=("Plan", "4 Omvärld"), start: int = 10) -> Chunk:
    lines = text.split("\n")
    return Chunk(id="d#0001", doc_id="d", source="d.txt", title="D", part="Plan", doc_type="verksamhetsplan",
                 section_path=list(path), kind=kind, text=text, header=header, line_start=start,
                 line_end=start + len(lines) - 1, hash="h")


def without_paragraphs(c: Chunk):
    """The units but the short paragraphs (a unit of their own too, see the last tests)."""
    return [u for u in units_of(c) if u.kind != "paragraph"]


def test_sentences_keep_the_lines_they_stand_on():
    units = without_paragraphs(chunk("Nämnden ansvarar för driften. Regionstyrelsen har\narbetsgivaransvaret.\n\nEn ny mening här."))
    assert [(u.kind, u.text, u.line_start, u.line_end) for u in units] == [
        ("sentence", "Nämnden ansvarar för driften.", 10, 10),
        ("sentence", "Regionstyrelsen har arbetsgivaransvaret.", 10, 11),
        ("sentence", "En ny mening här.", 13, 13)]


def test_a_word_hyphenated_over_a_line_break_is_joined_again():
    units = units_of(chunk("Måluppfyllelsen var god i delårs-\nrapporten för 2023."))
    assert units[0].text == "Måluppfyllelsen var god i delårsrapporten för 2023."


def test_a_numbered_label_stays_with_the_sentence_it_names():
    units = units_of(chunk("Effektmål 10. Regionen har en långsiktigt stark ekonomi."))
    assert [u.text for u in units] == ["Effektmål 10. Regionen har en långsiktigt stark ekonomi."]


def test_a_lead_in_line_carries_the_list_under_it():
    text = ("Besparingsförslagen innehåller bland annat:\n\nFörändrad leverans av måltider\n"
            "Övergång till molnlösningar\nReducerat konferensutbud")
    units = units_of(chunk(text))
    lead = [u for u in units if u.kind == "lead"]
    assert len(lead) == 1 and lead[0].quote.splitlines() == [
        "Besparingsförslagen innehåller bland annat:", "• Förändrad leverans av måltider",
        "• Övergång till molnlösningar", "• Reducerat konferensutbud"]
    assert (lead[0].line_start, lead[0].line_end) == (10, 14)
    assert [u.text for u in units if u.kind == "item"] == [
        "Förändrad leverans av måltider", "Övergång till molnlösningar", "Reducerat konferensutbud"]


def test_items_that_open_a_section_are_listed_under_its_heading():
    units = units_of(chunk("- Information om regelverk\n- Undersöka systemstöd\n- Kontrollmoment 2026",
                           path=("Bilaga", "Välfärdsbrottslighet")))
    lead = [u for u in units if u.kind == "lead"]
    assert lead and lead[0].quote.startswith("Välfärdsbrottslighet:\n• Information om regelverk")


def test_wrapped_prose_is_not_mistaken_for_a_list():
    text = ("Det ekonomiska läget för hela regionsverige är mycket ansträngt och Region Örebro län är inget\n"
            "undantag. Prognosen för 2023 visar på stora underskott.")
    assert {u.kind for u in without_paragraphs(chunk(text))} == {"sentence"}


def test_a_table_row_is_quoted_under_its_column_header():
    units = units_of(chunk("Personalkostnader -665 -688,2\nÖvriga kostnader -1 230 -1284,2", kind="table",
                           header="6.3 Resultatbudget\nBelopp i mnkr Budget 2024 | Prognos 2023"))
    assert [u.kind for u in units] == ["row", "row"]
    assert units[0].text == "Personalkostnader -665 -688,2"
    assert units[0].quote == "6.3 Resultatbudget\nBelopp i mnkr Budget 2024 | Prognos 2023\nPersonalkostnader -665 -688,2"


def test_a_unit_is_keyed_by_what_is_embedded_for_it():
    a, b = units_of(chunk("Nämnden ansvarar för driften.")), units_of(chunk("Nämnden ansvarar för driften.", start=99))
    c = units_of(chunk("Nämnden ansvarar för driften.", path=("Plan", "5 Mål")))
    assert a[0].key == b[0].key != c[0].key  # the line does not change it; the section heading does
    assert embedding_text("5 Mål", a[0].quote) == "5 Mål: Nämnden ansvarar för driften."


def test_a_signature_is_the_name_with_the_title_beside_it():
    """A decision proposal or protocol is signed with a name line and a title line (`Angelica Eriksson` /
    `Verksamhetscontroller`, `Ordförande` / `Helene Andersson`): one unit holds both, so `vem är
    verksamhetscontroller` is answered by the name, not by the bare title. The lines stay units of their own."""
    units = units_of(chunk("Regionkontoret\nEkonomi\nAngelica Eriksson\nVerksamhetscontroller\n\n"
                           "Krister Björkegren\nRegiondirektör\n\nOrdförande\nHelene Andersson"))
    signed = {u.text: (u.kind, u.line_start, u.line_end) for u in units if "," in u.text}
    assert signed == {"Ekonomi, Angelica Eriksson, Verksamhetscontroller": ("item", 11, 13),
                      "Krister Björkegren, Regiondirektör": ("item", 15, 16),
                      "Ordförande, Helene Andersson": ("item", 18, 19)}
    assert {"Angelica Eriksson", "Verksamhetscontroller", "Regiondirektör"} <= {u.text for u in units}
    # a lead-in's list is not doubled by them
    assert all(u.text.count("Regiondirektör") == 1 for u in units if u.kind == "lead")


def test_lines_with_numbers_or_more_words_than_a_name_are_no_signature():
    units = units_of(chunk("Datum Diarienummer\n2026-02-23 RS251695\n\nNämnd och bolagsdialog våren\nBilaga\n\n"
                           "Beslutsunderlag\nDialogunderlag DNRGS 260310"))
    assert not [u for u in units if "," in u.text]


def test_a_label_ending_in_a_preposition_is_read_with_the_line_it_opens_onto():
    """`Expedieras till` / `Driftnämnd Regionservice`: a protocol's field printed as two paragraphs. The label
    alone says nothing and is no unit of its own; the value stays one."""
    units = units_of(chunk("Expedieras till\n\nDriftnämnd Regionservice\n\nParagrafen är justerad\n\n"
                           "Beslutet skickas till regionstyrelsen för kännedom."))
    fields = {u.text: (u.kind, u.line_start, u.line_end) for u in units if u.line_start != u.line_end}
    assert fields == {"Expedieras till Driftnämnd Regionservice": ("item", 10, 12)}
    assert {"Driftnämnd Regionservice", "Paragrafen är justerad"} <= {u.text for u in units}
    assert "Expedieras till" not in {u.text for u in units}


def test_a_sentence_that_refers_back_is_read_with_the_sentence_it_refers_to():
    """`Det kan innebära att …`, `Detta …`, `Därför …` say nothing alone: the unit quotes the sentence before
    it too, so a why question finds the reason and the sentence's own words meet its subject."""
    units = without_paragraphs(chunk("Merparten av verksamheten görs på uppdrag av annan förvaltning. Det kan innebära att "
                           "besparingarna\nlandar i någon partners budget. Därför följs de upp varje månad."))
    assert [(u.text, u.line_start, u.line_end) for u in units] == [
        ("Merparten av verksamheten görs på uppdrag av annan förvaltning.", 10, 10),
        ("Merparten av verksamheten görs på uppdrag av annan förvaltning. Det kan innebära att besparingarna "
         "landar i någon partners budget.", 10, 11),
        ("Det kan innebära att besparingarna landar i någon partners budget. Därför följs de upp varje månad.", 10, 11)]


def test_a_sentence_with_a_dummy_subject_or_a_new_paragraph_stands_alone():
    units = without_paragraphs(chunk("Beslutet fattades i juni. Det finns inga konsekvenser till följd av beslutet.\n\n"
                           "Detta stycke börjar ett nytt ämne."))
    assert [u.text for u in units] == ["Beslutet fattades i juni.",
                                       "Det finns inga konsekvenser till följd av beslutet.",
                                       "Detta stycke börjar ett nytt ämne."]


def test_lettered_points_are_items_under_the_line_that_announces_them():
    units = units_of(chunk("Verksamheten ska uppfylla kraven:\n\na) Att verksamheten fullgör sina uppgifter.\n\n"
                           "b) Att informationssäkerheten är tillgodosedd utifrån kraven på konfidentialitet,\n"
                           "riktighet och spårbarhet."))
    assert ("item", "Att informationssäkerheten är tillgodosedd utifrån kraven på konfidentialitet, riktighet och "
            "spårbarhet.") in [(u.kind, u.text) for u in units]
    assert any(u.kind == "lead" and "fullgör" in u.text and "spårbarhet" in u.text for u in units)


def test_a_sentence_broken_by_a_blank_line_is_one_sentence():
    """A page break in a PDF or a scan leaves a blank line inside a sentence: the next line goes on in lower case."""
    units = units_of(chunk("Åtgärderna har delats in i tre kategorier: vad nämnden kan besluta om, samt åtgärder som behöver\n\n"
                           "beslutas för regionen som helhet.\n\nEtt nytt stycke."))
    assert [(u.text, u.line_start, u.line_end) for u in units] == [
        ("Åtgärderna har delats in i tre kategorier: vad nämnden kan besluta om, samt åtgärder som behöver "
         "beslutas för regionen som helhet.", 10, 12),
        ("Ett nytt stycke.", 14, 14)]


def test_a_line_ending_in_a_preposition_or_conjunction_goes_on_and_is_no_list_item():
    units = units_of(chunk("Handlingsplanen tas i samband med att verksamhetsplanen beslutas av\nServicenämnden i november 2023."))
    assert [(u.kind, u.text) for u in units] == [
        ("sentence", "Handlingsplanen tas i samband med att verksamhetsplanen beslutas av Servicenämnden i november 2023.")]


def test_a_marked_line_is_quoted_with_its_footnote():
    c = chunk("- Utfall ordinarie verksamhet: +1,7 mnkr (+2,4)*\n- Omsättning: 867,5 mnkr")
    c.notes = "* Exklusive förrådsvaror och förstärkt försörjningsberedskap"
    texts = [u.quote for u in units_of(c)]
    assert "Utfall ordinarie verksamhet: +1,7 mnkr (+2,4)*\n* Exklusive förrådsvaror och förstärkt " \
           "försörjningsberedskap" in texts
    assert "Omsättning: 867,5 mnkr" in texts  # no mark, no note


def test_a_short_paragraph_is_also_a_unit_of_its_own_for_a_list_spread_over_its_sentences():
    """`Vilka åtgärder föreslås …` may be answered by three sentences naming one measure each."""
    text = ("Ett förslag är att ersätta avtalet med egen personal (1 mkr). Ytterligare en åtgärd är billigare "
            "licenser (4 mkr).\nDen största besparingen avser molntjänster (19,1 mkr).\n\nEtt nytt stycke följer här.")
    units = units_of(chunk(text))
    [para] = [u for u in units if u.kind == "paragraph"]
    assert para.text.startswith("Ett förslag är") and para.text.endswith("molntjänster (19,1 mkr).")
    assert (para.line_start, para.line_end) == (10, 11)
    assert [u.kind for u in units].count("sentence") == 4  # the sentences stay units of their own


def test_a_table_groups_rows_under_a_label_and_the_group_is_a_lead_with_its_rows():
    """`Vårdsystem:` over three rows of an investment table is what `Vad ingår i vårdsystem?` asks for: the label
    and its rows are one unit, as a lead-in and its items are. A group of one row, and the sum row, are not."""
    table = ("Vårdsystem:\nServrar, hårdvara 4,8\nLagring, utbyggnad och ny lösning 13,1\nCertifikat, licenser 8,6\n"
             "Driftstjänster:\nDatacenter-switchar, licenser 13,5\nSumma IT investeringar 2024 141,5")
    units = units_of(chunk(table, kind="table", header="Objekt, objektbeskrivning Belopp, mnkr"))
    leads = [u for u in units if u.kind == "lead"]
    assert len(leads) == 1 and leads[0].text.startswith("Vårdsystem:")
    assert leads[0].quote.split("\n")[0] == "Vårdsystem:"
    assert all(f"• {part}" in leads[0].quote for part in ("Servrar", "Lagring", "Certifikat"))
    assert "Summa" not in leads[0].quote
    assert [u.kind for u in units].count("row") == 5  # every row is still a unit of its own


def test_a_label_over_its_value_is_one_field():
    """A meeting page read as text puts each label on a line of its own (`Plats` / `Regionhuset, …`): the field
    is the pair, quoted as it stands; the label alone answers nothing."""
    units = units_of(chunk("Regionstyrelsen\nMöte 2026-02-10\nDatum\n2026-02-10\nTid\n08.30–16.00\nPlats\n"
                           "Regionhuset, Eklundavägen 1, Örebro, sal Ekeby", path=("Regionstyrelsen, möte 2026-02-10",)))
    fields = {u.text: (u.quote, u.line_start, u.line_end) for u in units if u.kind == "item" and "\n" in u.quote}
    assert fields == {"Datum 2026-02-10": ("Datum\n2026-02-10", 12, 13), "Tid 08.30–16.00": ("Tid\n08.30–16.00", 14, 15),
                      "Plats Regionhuset, Eklundavägen 1, Örebro, sal Ekeby":
                          ("Plats\nRegionhuset, Eklundavägen 1, Örebro, sal Ekeby", 16, 17)}
    assert not any(u.text in ("Datum", "Tid", "Plats") for u in units)


def test_fields_printed_side_by_side_are_a_unit_each():
    """A page's label and value spans come out as one line (`Datum … Tid … Plats …`), a protocol's notice block
    too: each field is a unit of its own, a verbatim slice of the line, and the line stays a unit as well."""
    line = "Datum 2026-03-18 Tid 09:00–12:30 Plats Eklundavägen 2, Örebro, lokal Ädelstenen"
    texts = [u.text for u in units_of(chunk(f"Servicenämnden\n{line}\nKallelse 122kb Protokoll 310kb"))]
    assert {"Datum 2026-03-18", "Tid 09:00–12:30", "Plats Eklundavägen 2, Örebro, lokal Ädelstenen", line} <= set(texts)
    notice = "Datum då anslaget sätts upp 2025-11-20 Datum då anslaget tas ned 2025-12-12"
    texts = [u.text for u in units_of(chunk(notice))]
    assert {"Datum då anslaget sätts upp 2025-11-20", "Datum då anslaget tas ned 2025-12-12"} <= set(texts)
    # a signature's dot leader holds no value; the field after it does
    texts = [u.text for u in units_of(chunk("Underskrifter Sekreterare ............ Paragrafer §§ 63–69"))]
    assert "Paragrafer §§ 63–69" in texts and not any(t.startswith("Sekreterare") for t in texts)


def test_a_heading_over_its_paragraph_is_no_field_and_prose_is_not_cut_at_a_label_word():
    text = ("Sammanfattning\nTre motioner har beretts av regionkontoret.\n\n"
            "Tid och plats för nästa möte bestäms senare. Plats finns för fler ledamöter i salen.")
    units = units_of(chunk(text))
    assert not any(u.quote.startswith("Sammanfattning\n") for u in units)
    assert not any(u.text.startswith("Plats finns") and u.kind == "item" for u in units)
    assert "Tid och plats för nästa möte bestäms senare." in [u.text for u in units]


def test_the_case_number_opening_an_agenda_items_text_is_a_unit_of_its_own():
    """A meeting portal opens an item's text with its diarienummer (`RS 88-2026 Regionens resultat …`): the number
    alone answers `vilket diarienummer har …`, under the item's heading; in a list of cases each line stays one."""
    units = units_of(chunk("RS 88-2026 Regionens resultat för 2025 blev 212 miljoner kronor.",
                           path=("Möte", "3 Budgetuppföljning december 2025")))
    assert ("item", "RS 88-2026", 10, 10) in [(u.kind, u.quote, u.line_start, u.line_end) for u in units]
    cases = units_of(chunk("RS 912-2025 Motion nr 27-2025 från Per Nyström (M). Inför valfrihet\n"
                           "RS 1010-2025 Motion nr 31-2025 från Amra Hodžić (S). Förbättrad kollektivtrafik"))
    assert not any(u.quote in ("RS 912-2025", "RS 1010-2025") for u in cases)
