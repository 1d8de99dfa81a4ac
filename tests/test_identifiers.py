"""A case's registry number (diarienummer, ärendenummer): asked for, only a unit that prints one of the case
asked about answers; a number of another case or document is no answer."""
from __future__ import annotations

import pytest

from assistant.reader import REGISTRY_NUMBER, registry_heading


@pytest.mark.parametrize("printed", ["SN 2025/288", "RS 2026/77", "26RS1187", "RS251695", "DNRGS 260310",
                                     # a meeting portal's: the number before the year, glued to the text after it
                                     "RS 912-2025", "SN 45-2026", "RS 88-2026Regionens resultat"])
def test_registry_numbers_as_printed(printed):
    assert REGISTRY_NUMBER.search(f"Diarienummer: {printed}")


@pytest.mark.parametrize("text", ["2025/2026", "Budget 2026", "120 kronor", "019-602 10 00",
                                  # a standard's designation names no case
                                  "certifierad enligt ISO 14001", "SS-EN ISO 14001:2015", "IEC 60601",
                                  # a motion's own number is no case's
                                  "Motion nr 27-2025 från Per Nyström (M)"])
def test_other_numbers_are_no_registry_numbers(text):
    assert not REGISTRY_NUMBER.search(text)


def test_the_agenda_items_heading_holds_its_case_number():
    path = ["Regionfullmäktige, föredragningslista", "5 Ändrad taxa för sjukresor (RS 2025/1402)", "Förslag till beslut"]
    assert registry_heading(path) == path[1]
    assert registry_heading(["Årsredovisning 2025 (26RS1187)"]) is None  # the document's own title is not a heading


def test_a_question_for_a_case_number_asks_for_the_number_not_the_money_it_names(bot):
    assert bot.reader.read("Vilket ärendenummer har ärendet om ändrad taxa för sjukresor?").asks == {"identifier"}
    assert "identifier" in bot.reader.read("What is the reference number of the annual report?").asks
    assert "identifier" not in bot.reader.read("Vilken taxa gäller för sjukresor?").asks


def test_a_documents_number_answers_for_that_document(formats_bot):
    answer = formats_bot.ask("Vad har årsredovisningen 2025 för diarienummer?")
    assert not answer.abstained and "26RS1187" in answer.answer


def test_an_agenda_items_number_is_shown_with_its_proposal(formats_bot):
    answer = formats_bot.ask("Vilket ärendenummer har frågan om egenavgiften för sjukresor?")
    assert not answer.abstained and "RS 2025/1402" in answer.answer


def test_a_meeting_pages_item_is_answered_with_the_case_number_its_text_opens_with(formats_bot):
    """The portal prints `RS 88-2026` before the item's first sentence, no `Diarienummer` beside it."""
    answer = formats_bot.ask("Vilket diarienummer har budgetuppföljningen december 2025?")
    assert not answer.abstained and "RS 88-2026" in answer.answer


def test_a_case_no_document_numbers_is_refused(formats_bot):
    # the numbers the documents print belong to other cases
    assert formats_bot.ask("Vilket diarienummer har lokalförsörjningsplanen?").abstained
