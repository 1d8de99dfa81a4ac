"""Figures as data: parsing, every table type of the sample corpus, sum checks and repairs, the store, answers."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from assistant.grounding import ungrounded_figures
from core.numbers import alternatives, format_number, parse_number, readings
from ingest.catalog import document_meta
from ingest.figures import extract_figures
from ingest.readers import RawText
from ingest.structure import split_structure

from .conftest import PLAN, REPO

D = Decimal


# --- number parsing --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("printed, value", [
    ("2 380", D("2380")), ("2\u00a0380", D("2380")), ("-1 283,7", D("-1283.7")), ("−7,8", D("-7.8")),
    ("–66,4", D("-66.4")), ("+1,7", D("1.7")), ("(7,53 %)", D("7.53")), ("3,0%", D("3.0")), ("0", D("0")),
])
def test_numbers_are_read_as_swedish_documents_print_them(printed, value):
    assert parse_number(printed) == value


def test_numbers_are_written_back_in_swedish_style():
    assert format_number(D("2394.5")) == "2 394,5"
    assert format_number(D("-38.4")) == "-38,4"
    assert format_number(D("103.0")) == "103,0"  # as printed: the decimal stays
    assert format_number(D("110387")) == "110 387"


def test_a_row_of_digits_is_grouped_by_the_column_count_and_by_magnitude():
    assert readings("2 380 23945 2381,4".split(), 3)[0] == ["2 380", "23945", "2381,4"]
    assert readings("4 380 3840 3840".split(), 4)[0] == ["4 380", "3840", "3840"]
    assert readings("964 964 964".split(), 4)[0] == ["964", "964", "964"]  # not 964 million
    assert readings("23 429 26 987 40 057".split(), 4)[0] == ["23 429", "26 987", "40 057"]
    assert readings("84754 97317 | 110 387 49".split(), 4)[0] == ["84754", "97317", "110 387", "49"]
    assert ["0 386,6"] not in [r[1:2] for r in readings("370 0 386,6 0".split(), 4)]  # no value starts with 0


def test_ocr_damage_offers_a_lost_decimal_comma_and_a_lost_minus():
    options = {value for value, _ in alternatives("23945", {1})}
    assert D("2394.5") in options and D("-23945") in options
    assert D("-23.2") in {value for value, _ in alternatives("-232", {1})}


# --- every table type of the sample corpus ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def figures(bot):
    return bot.figures()


def _in(figures, table_part, row, column=None):
    found = [f for f in figures if table_part in f.table and f.row == row and (column is None or f.column == column)]
    assert found, (table_part, row, column)
    return found


def test_resultatbudget_has_eleven_rows_of_three_columns_and_its_ocr_damage_repaired(figures):
    rb = [f for f in figures if "Resultatbudget" in f.table]
    assert len(rb) == 33 and len({f.row for f in rb}) == 11
    assert {f.column for f in rb} == {"Budget 2024", "Prognos 2023", "Budget 2023"}
    res = _in(figures, "Resultatbudget", "Resultat", "Budget 2024")[0]
    assert (res.value, res.unit, res.status, res.year, res.basis) == (D("23.2"), "mnkr", "verified", 2024, "budget")
    assert _in(figures, "Resultatbudget", "Personalkostnader", "Prognos 2023")[0].value == D("-688.2")  # sign kept
    summa = _in(figures, "Resultatbudget", "Summa intäkter", "Prognos 2023")[0]
    assert (summa.printed, summa.value, summa.status) == ("23945", D("2394.5"), "repaired")
    assert "decimalkomma" in summa.note
    assert _in(figures, "Resultatbudget", "Summa intäkter", "Budget 2023")[0].value == D("2381.4")


def test_driftbudget_reads_its_damaged_subcolumns_and_repairs_its_sums(figures):
    db = [f for f in figures if "Driftbudget" in f.table]
    assert len(db) == 31  # 8 rows × 4 columns, one cell empty in print
    it = {f.column: f.value for f in _in(figures, "Driftbudget", "Område IT")}
    assert it == {"Budget 2024 Omsättning": D("475"), "Budget 2024 Budgetram": D("0"),
                  "Prognos 2023 Omsättning": D("487.0"), "Prognos 2023 Budgetram": D("0")}
    assert {f.area for f in _in(figures, "Driftbudget", "Område IT")} == {"Område IT"}
    summa = {f.column: (f.value, f.status) for f in _in(figures, "Driftbudget", "Summa")}
    assert summa["Budget 2024 Budgetram"] == (D("-23.2"), "repaired")
    assert summa["Prognos 2023 Omsättning"] == (D("2394.5"), "repaired")
    assert summa["Budget 2024 Omsättning"] == (D("2380"), "verified")


def test_investment_budget_and_annex_items(figures):
    assert len([f for f in figures if "6.5 Investeringsbudget" in f.table]) == 15
    wifi = _in(figures, "IT investeringar", "WiFi nät")[0]
    assert (wifi.value, wifi.unit, wifi.year, wifi.kind, wifi.status) == (D("15.3"), "mnkr", 2024, "investering", "verified")
    assert len([f for f in figures if f.table == "IT investeringar 2024" and f.in_table]) == 10
    # the total printed on the line below its label, and a subtotal over two groups
    assert _in(figures, "Fastighetsinvesteringar", "Summa fastighetsinvesteringar 2024")[0].value == D("203.8")
    assert _in(figures, "Fastighetsinvesteringar", "Servicenämnden totalt")[0].status == "verified"
    wrapped = [f for f in figures if f.table == "Övriga investeringar 2024" and "Kortläs" in f.row][0]
    assert wrapped.value == D("7.7") and wrapped.row.endswith("inomhusnat mm")  # a label wrapped over lines


def test_action_plan_tables_per_area_with_borrowed_columns(figures):
    fast = {(f.row, f.column): f.value for f in figures if f.table.startswith("Område Fastigheter")}
    assert fast[("Totalsumma", "2026")] == D("45397") and fast[("Personalreduceringar", "2024")] == D("4380")
    stab = [f for f in figures if f.table.startswith("Område stab och kansli")]
    assert {f.column for f in stab} == {"2024", "2025", "2026", "Antal årsarbetare 2024"}  # header lent
    assert {f.unit for f in stab} == {"tkr", "årsarbetare"}
    assert all(f.status == "verified" and f.kind in ("besparing", "årsarbetare") for f in stab)
    summary = [f for f in figures if f.row == "Totalsumma" and f.column == "2024" and f.area is None
               and f.kind == "besparing"]
    assert [f.value for f in summary] == [D("84754")]


def test_key_ratios_and_running_text_figures(figures):
    sick = [f for f in figures if f.row == "Sjukfrånvaro (R12)"][0]
    assert (sick.value, sick.previous, sick.unit, sick.in_table) == (D("6.94"), D("7.53"), "%", False)
    hme = [f for f in figures if f.row == "HME"][0]
    assert (hme.value, hme.previous) == (D("76"), D("74"))
    oms = [f for f in figures if f.row == "Omsättning" and not f.in_table][0]
    assert (oms.value, oms.previous, oms.year) == (D("867.5"), D("833.9"), 2025)
    telefoni = [f for f in figures if "telefoni" in f.row][0]
    assert (telefoni.value, telefoni.unit, telefoni.area) == (D("1.5"), "mnkr", "Område Shared Service Center")
    assert any(f.value == D("203.8") and not f.in_table and f.year == 2024 for f in figures)  # "uppgår till"


def test_nyckeltal_without_sums_stay_unverified(figures):
    assert {f.status for f in figures if "nyckeltal" in f.table.lower()} == {"unverified"}


# --- sum checks on tables written for the purpose ---------------------------------------------------------------

def _figures_of(text: str):
    meta = document_meta(PLAN, PLAN.parent, {"title": "T", "doc_type": "verksamhetsplan", "year": 2024}, text)
    blocks = split_structure(text, "T", "verksamhetsplan")
    return extract_figures(meta, blocks, text, RawText(text).page_of)


@pytest.mark.parametrize("sentence, value", [
    ("Hälso- och sjukvården redovisar ett underskott mot budget på 148 miljoner kronor.", D("-148")),
    ("Nämnden redovisar ett överskott jämfört med budget på 12 miljoner kronor.", D("12")),
    ("Kulturnämnden visar ett underskott i förhållande till budgeten med 3,5 miljoner kronor.", D("-3.5")),
])
def test_a_surplus_or_deficit_against_budget_is_a_deviation_not_a_budget(sentence, value):
    # the budget named is what the amount is measured against; a deficit is below it
    figures, _ = _figures_of(f"1 Ekonomi\n\n{sentence}\n")
    [figure] = [f for f in figures if not f.in_table]
    assert (figure.kind, figure.value) == ("avvikelse", value)


def test_a_deficit_without_a_budget_named_is_the_result_itself():
    figures, _ = _figures_of("1 Ekonomi\n\nNämnden redovisar ett underskott på 148 miljoner kronor.\n")
    [figure] = [f for f in figures if not f.in_table]
    assert figure.kind != "avvikelse" and figure.value == D("148")


def test_a_lost_minus_sign_is_repaired_when_the_sum_proves_it():
    figures, checks = _figures_of("1 Budget\n\nBelopp i mnkr Budget 2024 | Budget 2023\n"
                                  "Kostnader A -5,0 -4,0\nKostnader B -3,0 -2,0\nSumma 8,0 -6,0\n")
    total = [f for f in figures if f.row == "Summa" and f.column == "Budget 2024"][0]
    assert (total.value, total.status) == (D("-8.0"), "repaired") and "minustecken" in total.note
    assert checks[0].repaired == 1 and checks[0].unverified == 0


def test_when_two_readings_fit_nothing_is_repaired():
    # 12 + 12 = 13,2 if either 12 lost its comma: the sums cannot say which, so both stay as printed
    figures, checks = _figures_of("1 Budget\n\nBelopp i mnkr Budget 2024\nPost A 12\nPost B 12\nSumma 13,2\n")
    assert {f.status for f in figures if f.in_table} == {"unverified"}
    assert [f.value for f in figures if f.row == "Post A"] == [D("12")]
    assert checks[0].unverified == 3 and any("flera rättningar" in n for n in checks[0].notes)


def test_when_no_reading_fits_nothing_is_repaired():
    figures, checks = _figures_of("1 Budget\n\nBelopp i mnkr Budget 2024\nPost A 10\nPost B 20\nSumma 99\n")
    assert [(f.row, f.value, f.status) for f in figures if f.in_table] == [
        ("Post A", D("10"), "unverified"), ("Post B", D("20"), "unverified"), ("Summa", D("99"), "unverified")]
    assert any("ingen entydig rättning" in n for n in checks[0].notes)


def test_a_table_whose_sums_hold_is_verified_throughout():
    figures, checks = _figures_of("1 Budget\n\nBelopp i mnkr Budget 2024 | Prognos 2023\n"
                                  "Område IT 475 487,0\nOmråde försörjning 370 386,6\nSumma 845 873,6\n")
    assert checks[0].verified == 6 and {f.status for f in figures if f.in_table} == {"verified"}


# --- the store and its queries ---------------------------------------------------------------------------------

def test_store_is_queryable_without_diacritics_and_by_area_phrase(figures):
    from index.figure_query import filter_figures
    from ingest.lexicon import fold

    fors = filter_figures(figures, "forsorjning", year=2024)
    assert fors and all("forsorjning" in fold(f.area or f.row).lower() for f in fors)
    it = filter_figures(figures, "IT-området", kind="besparing")
    assert it and {f.area for f in it} == {"Område IT"}
    assert filter_figures(figures, "personalkostnadsreduceringr", year=2026)  # a typo is forgiven


def test_cli_figures_json(corpus_settings):
    env = {"ASSISTANT_DATA_DIR": str(corpus_settings.data_dir), "PATH": "", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "figures", "--search", "wifi", "--json"],
                         capture_output=True, text=True, cwd=REPO, env=env, check=True).stdout
    rows = json.loads(out)
    assert [(r["row"], r["value"], r["unit"], r["status"]) for r in rows] == [("WiFi nät", "15.3", "mnkr", "verified")]
    assert {"table", "column", "year", "basis", "kind", "printed", "line_text", "line_start"} <= set(rows[0])


# --- answers ----------------------------------------------------------------------------------------------------

def _grounded(answer):
    assert not answer.abstained, answer.answer
    assert ungrounded_figures(answer.answer, answer.citations) == [], answer.answer
    return answer


def test_a_figure_question_gets_the_exact_value_its_table_and_the_row_as_quote(bot):
    a = _grounded(bot.ask("Hur mycket investeras i WiFi-nät 2024?"))
    assert "**15,3 mnkr**" in a.answer and "IT investeringar 2024" in a.answer
    assert "WiFi nät 15,3" in a.citations[0].quote and a.citations[0].lines == "945"


def test_a_repaired_figure_says_what_was_printed(bot):
    a = _grounded(bot.ask("Vad var prognosen för summa intäkter 2023?"))
    assert "2 394,5 mnkr" in a.answer and "23945" in a.answer and "23945" in a.citations[0].quote


def test_several_fitting_figures_are_listed_with_what_each_is(bot):
    a = _grounded(bot.ask("Vad var prognosen för Område IT 2023?"))
    assert "Omsättning" in a.answer and "Budgetram" in a.answer and "487,0 mnkr" in a.answer


def _figure_candidate(bot, question: str):
    """What the figure store proposes, whichever candidate the selection then gives (a prose unit quoting the
    same two values may win it)."""
    return next(c.answer for c in bot.candidates(question).candidates if c.route == "figure")


def test_comparisons_give_both_values_and_the_difference(bot):
    a = _grounded(_figure_candidate(bot, "Hur har besparingarna för Område fastigheter utvecklats 2024 till 2026?"))
    assert "29 309 tkr" in a.answer and "45 397 tkr" in a.answer and "+16 088 tkr" in a.answer
    sick = _grounded(_figure_candidate(bot, "Hur har sjukfrånvaron utvecklats?"))
    assert "6,94 %" in sick.answer and "7,53 %" in sick.answer and "-0,59 procentenheter" in sick.answer


def test_an_area_named_in_a_compound_is_the_area_and_not_a_word_the_row_must_hold(bot):
    a = _grounded(_figure_candidate(bot, "Vad budgeteras för försörjningsområdet 2024?"))
    assert "370 mnkr" in a.answer and "Område försörjning" in a.answer
    english = _grounded(_figure_candidate(bot, "What was the 2023 forecast for Shared Service Center?"))
    assert "150,0 mnkr" in english.answer


def test_a_verb_in_the_question_is_named_by_the_noun_of_a_row(bot):
    a = _grounded(_figure_candidate(bot, "Hur mycket ökar lönekostnaderna 2024?"))
    assert "Lönekostnadsökningstakt" in a.answer and "-3,0 %" in a.answer


def test_a_figure_in_another_unit_than_the_question_names_is_not_proposed(bot):
    """`hur många öre` is not answered by the tax increase in mnkr; `hur många kronor` is by tkr."""
    assert not [c for c in bot.candidates("Hur många öre höjs skatten 2024?").candidates if c.route == "figure"]
    a = _grounded(_figure_candidate(bot, "Hur många kronor sparar Område IT 2024?"))
    assert "26 720 tkr" in a.answer


def test_particle_verbs_and_english_compound_heads_reach_the_row(bot):
    """`skrivs av` is the row `Avskrivningar`; `buildings` the row `Byggnadsinvesteringar`."""
    assert "-242 mnkr" in _grounded(_figure_candidate(bot, "Hur mycket skrivs fastigheterna av enligt budget 2024?")).answer
    assert "203,8 mnkr" in _grounded(_figure_candidate(bot, "What is the 2024 budget for investments in buildings?")).answer


def test_how_a_figure_differs_from_a_year_is_a_comparison(bot):
    a = _grounded(_figure_candidate(bot, "Hur skiljer sig budgeten för IT-området från 2023?"))
    assert "475 mnkr" in a.answer and "487,0 mnkr" in a.answer and "skillnad" in a.answer


def test_no_figure_for_the_year_or_area_asked_means_no_answer(bot):
    a = bot.ask("Vad är budgeten för Område fastigheter 2030?")
    assert a.abstained and "2030" in a.answer
    b = bot.ask("Hur stor är besparingen för Område kommunikation 2025?")
    assert b.abstained and "Område IT" in b.answer  # says which areas it does have


def test_chat_follow_ups_resolve_against_the_previous_question(bot):
    chat = bot.conversation()
    first = _grounded(chat.ask("Vad är budgeten för Område IT 2024?"))
    assert "475 mnkr" in first.answer
    second = _grounded(chat.ask("och prognosen 2023?"))
    assert "487,0 mnkr" in second.answer and "Område IT" in second.answer
    third = _grounded(chat.ask("för fastigheter då?"))
    assert "1 136,5 mnkr" in third.answer
    fresh = bot.ask("och prognosen 2023?")  # without the conversation there is nothing to follow up
    assert "Område IT" not in fresh.answer or fresh.abstained


def test_a_prose_answer_quoting_a_repaired_row_says_what_the_store_holds(bot):
    from core.models import Answer, Citation

    quote = "Belopp i mnkr Budget 2024 | Prognos 2023 | Budget 2023\nSumma intäkter 2 380 23945 23814"
    prose = Answer(question="q", answer=f"Enligt resultatbudgeten: {quote.splitlines()[1]} [1]", abstained=False, citations=[
        Citation(n=1, source="servicenamnden-verksamhetsplan-2024.txt", title="Verksamhetsplan 2024",
                 section="6.3 Resultatbudget servicenämnd", lines="607", quote=quote)])
    checked = bot._with_store_check(prose)
    assert "2 394,5" in checked.answer and "2 381,4" in checked.answer
    assert ungrounded_figures(checked.answer, checked.citations) == []


def test_the_siffror_tab_lists_every_figure_and_charts_series(bot):
    from assistant.ui import series_of
    from assistant.ui_chart import points_of
    from assistant.ui_tables import figure_table

    table = figure_table(bot.figures())
    assert table.count("<tr><td") == len(bot.figures()) and "✎ rättad (tryckt 23945)" in table
    series = series_of(bot.figures())
    fast = [name for name in series if name.startswith("Totalsumma (Område Fastigheter")][0]
    points = points_of(series[fast])
    assert [(p.x, float(p.value)) for p in points] == [("2024", 29309.0), ("2025", 32327.0), ("2026", 45397.0)]


@pytest.mark.parametrize("reported", ["Vilket HME-värde redovisades?", "Vilket HME-värde rapporterades?",
                                      "What HME value was reported?"])
def test_a_verb_saying_a_figure_was_reported_does_not_count_against_its_label(bot, reported):
    """A figure's label is a noun phrase: `redovisades` says that the value was given, never which, so the
    label `HME` matches the question as fully as it matches `Vilket HME-värde?`."""
    def label_match(question):
        return next(c.features for c in bot.candidates(question).candidates if c.route == "figure")["f_label"]
    assert label_match(reported) == label_match("Vilket HME-värde?") == 1.0


def test_a_figure_in_running_text_is_said_in_the_unit_its_sentence_prints(bot):
    """`(2,1 mkr)` is answered `2,1 mkr`: the figure as it stands in the quote, not respelled `mnkr`. A table's
    figures take the unit of its header (`Belopp i mnkr`)."""
    a = _grounded(_figure_candidate(bot, "Hur mycket sparar Område medicinsk teknik på serviceavtalen?"))
    assert "**2,1 mkr**" in a.answer
    assert "**15,3 mnkr**" in _grounded(_figure_candidate(bot, "Hur mycket investeras i WiFi-nät 2024?")).answer


@pytest.mark.parametrize("question", ["Vad blev servicenämndens resultat för 2024?",
                                      "Vad landade resultatet för servicenämnden på 2024?"])
def test_what_a_year_came_to_is_not_answered_by_its_budget(bot, question):
    """A plan written before 2024 cannot say what 2024's result became: its budget is no answer to it."""
    figures = [c.answer.answer for c in bot.candidates(question).candidates if c.route == "figure"]
    assert not any("23,2" in text for text in figures), figures
    budget = _grounded(_figure_candidate(bot, "Vad är servicenämndens budgeterade resultat för 2024?"))
    assert "23,2 mnkr" in budget.answer


def test_what_something_costs_is_not_answered_by_what_is_saved_on_it(bot):
    """`(4 mkr från 2025)` is saved by cheaper licences: it is no licence's price."""
    figures = [c.answer.answer for c in bot.candidates("Vad kostar en E3-licens per användare och år?").candidates
               if c.route == "figure"]
    assert not any("4 mkr" in text for text in figures), figures
    saved = _grounded(_figure_candidate(bot, "Hur mycket sparar IT på billigare Microsoft-licenser, och från vilket år?"))
    assert "4 mkr" in saved.answer


def test_a_question_naming_a_paragraph_is_answered_by_figures_of_that_paragraph_only(bot):
    """`§ 58` locates the question as an area or a year does: a saving in the plan is no consequence of § 58's
    decision, while the turnover in § 58's annex answers about § 58."""
    figures = [c.answer.answer for c in bot.candidates("Hur stora ekonomiska konsekvenser får beslutet i § 58?").candidates
               if c.route == "figure"]
    assert figures == []
    assert "867,5" in _grounded(_figure_candidate(bot, "Vad var omsättningen enligt underlaget till § 58?")).answer


def test_an_areas_spelling_is_chosen_alike_in_every_process():
    """Two spellings of one area used equally often: the first seen is stored, whatever the process's string
    hashing (a choice by set order would differ between two ingests of the same corpus)."""
    script = (
        "from types import SimpleNamespace as F; from index.records import figure_stats; "
        "fs = [F(area=a, row='Summa', in_table=True, unit='tkr') for a in "
        "('Område fastigheter', 'Område Fastigheter', 'Område Fastigheter', 'Område fastigheter', 'Område IT')]; "
        "print(figure_stats(fs)['areas'])")
    seen = {subprocess.run([sys.executable, "-c", script], cwd=REPO, env={"PYTHONHASHSEED": str(seed)},
                           capture_output=True, text=True, check=True).stdout.strip() for seed in range(6)}
    assert seen == {"['Område fastigheter', 'Område IT']"}
