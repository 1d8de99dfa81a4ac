"""Questions about the period before: `föregående år`, `året innan`, `fg år`, `förra mätningen` ask for the period
before the one a document reports on; `förra året`, `i fjol` for the calendar year before the newest document's.

Reports print the period before in brackets (`HME = 76 (74)`, `Omsättning 867,5 mnkr (fg år 833,9)`) or in a
column beside the year reported (`Utfall 2025 Utfall 2024`). Such a question is answered with the earlier value
and the one it is compared with; when the documents hold no earlier value, no figure is proposed, because the value
for the period reported is not the one asked for. Checked on the sample corpus and the format fixtures with the
real index.
"""
from __future__ import annotations

import pytest

from assistant.api import newest_year

ANNUAL = "arsredovisning-2025-region.txt"


@pytest.mark.parametrize("question, period", [
    ("Vad låg sjukfrånvaron på föregående år?", "previous"),
    ("vad var personalomsattningen aret innan", "previous"),
    ("Omsättning fg år?", "previous"),
    ("Hur högt var OSA vid förra mätningen?", "previous"),
    ("What was the staff turnover the year before?", "previous"),
    ("What was the previous value of OSA?", "previous"),
    ("Hur stort blev resultatet i fjol?", "last_year"),
    ("Vad var omsättningen förra året?", "last_year"),
    ("What was the turnover last year?", "last_year"),
    ("Vad var omsättningen 2025?", None),
    ("Hur mycket ska sparas innan 2026?", None),  # a deadline, not the period before
    ("Vad kostade den inhyrda personalen året innan 2025?", "previous"),
    ("Hur stor var omsättningen?", None),
])
def test_a_period_before_is_read_in_swedish_and_english(bot, question, period):
    assert bot.reader.read(question).period == period


def test_the_words_of_the_period_name_no_subject(bot):
    q = bot.reader.read("Vad var personalomsättningen året innan?")
    stems = {t for g in q.content_groups for t in g}
    assert not stems & {"aret", "ar", "innan"}
    assert q.content_groups == bot.reader.read("Vad var personalomsättningen?").content_groups
    # a comparative says how to compare with the period before, not what; without one it stays a word
    assert not {"battr", "samr"} & {g[0] for g in bot.reader.read(
        "Blev omsättningen bättre eller sämre än föregående år?").content_groups}
    assert {"battr", "samr"} <= {g[0] for g in bot.reader.read(
        "Blev omsättningen bättre eller sämre än budget?").content_groups}


def test_last_year_counts_from_the_newest_document_not_from_today(bot):
    assert newest_year([{"date": "2023-11", "year": 2024}, {"date": "2026-02-23", "year": 2026}]) == 2026
    assert newest_year([{"date": None, "year": 2025}]) == 2025
    assert newest_year([]) is None
    newest = newest_year(bot.documents())
    assert bot.reader.read("Vad var omsättningen i fjol?").period_year == newest - 1
    assert bot.reader.read("Vad var omsättningen året innan?").period_year is None


def test_a_value_printed_in_brackets_answers_for_the_period_before(bot):
    figure = next(f for f in bot.figures() if f.previous is not None and f.unit and f.row.startswith("Omsättning"))
    earlier = format(figure.previous).replace(".", ",")
    proposals = bot.candidates("Hur stor var omsättningen föregående år?")
    proposed = next(c for c in proposals.candidates if c.route == "figure").answer
    assert proposed.answer.split("**")[1].startswith(earlier), proposed.answer  # the earlier value leads
    assert any(figure.line_text.strip() in c.quote for c in proposed.citations)
    answer = bot.ask("Hur stor var omsättningen föregående år?")
    assert not answer.abstained and earlier in answer.answer, answer.answer


def test_how_a_key_figure_changed_gives_both_values_from_one_line(bot):
    hme = next(f for f in bot.figures() if f.row == "HME" and f.previous is not None)
    proposals = bot.candidates("Hur har HME förändrats jämfört med förra mätningen?")
    figure = next(c for c in proposals.candidates if c.route == "figure")
    assert f"**{hme.value}**" in figure.answer.answer and f"**{hme.previous}**" in figure.answer.answer
    assert figure.features["f_series"] == 0.0  # one line's value and its bracket: no series of columns


def test_the_year_before_the_one_a_table_reports_is_its_neighbouring_column(formats_bot):
    before = next(f for f in formats_bot.figures() if f.source == ANNUAL and f.table == "Resultaträkning"
                  and f.row == "Verksamhetens intäkter" and f.year == 2024)
    proposals = formats_bot.candidates("Hur stora var verksamhetens intäkter föregående år enligt resultaträkningen?")
    figure = next(c for c in proposals.candidates if c.route == "figure")
    assert f"**{before.printed}" in figure.answer.answer.replace("\u00a0", " "), figure.answer.answer
    assert figure.answer.citations[0].source == ANNUAL


def test_no_earlier_value_means_no_figure_for_the_period_before(bot):
    # the plan's figures for Område IT have no earlier year than 2023 and no value in brackets: the value for
    # 2023 is not last year's, whatever else fits
    proposals = bot.candidates("Vad var prognosen för Område IT året före 2023?")
    assert not [c for c in proposals.candidates if c.route == "figure"]


def test_a_unit_that_reports_a_period_before_holds_the_question_s_period(bot):
    from assistant.reader import PERIOD_TERM

    q = bot.reader.read("Vad var sjukfrånvaron föregående år?")
    hits = bot.retrieve(q.text)
    readings = bot.prose.reader.read(q, hits)
    bracketed = [r for r in readings if "(" in r.unit.quote and "Sjukfrånvaro" in r.unit.quote]
    assert bracketed and all(r.features["cov"] == 1.0 for r in bracketed)
    assert PERIOD_TERM not in {t for g in q.content_groups for t in g}  # the reader adds it, the question does not


def test_last_year_is_one_calendar_year_and_other_years_do_not_answer_for_it(bot):
    # the plan holds Område IT's budget for 2024 and 2023 only; `förra året` counts from the newest document (2026)
    year = newest_year(bot.documents()) - 1
    assert not any(f.year == year and f.area == "Område IT" and f.basis == "budget" for f in bot.figures())
    answer = bot.ask("Vad var budgeten för Område IT förra året?")
    assert answer.abstained, answer.answer
    assert str(year) in answer.answer  # it says which year it read, and the years it holds instead
