"""The region's financial and plan formats read end to end (formats.md §§ 5–7): an årsredovisning, a delårsrapport
in prose and a regionplan, ingested once from tests/fixtures/formats with the real embedder, SQLite and Chroma.

What is checked is behaviour: the statement tables add up with the note column kept out of the values, the kind
and period of an amount are read from the words around it, the goal structure comes out with its levels and
parents, a contents list answers nothing, and questions through the library API cite the right document with the
figure the store holds.
"""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FORMATS
ANNUAL = "arsredovisning-2025-region.txt"
INTERIM = "delarsrapport-aug-2025-region.txt"
PLAN = "regionplan-2026-2028.txt"
DOT_LEADER = re.compile(r"\.{4,}\s*\d+\s*$")
PAGE_FURNITURE = re.compile(r"\bSida\s+\d+\(\d+\)")


@pytest.fixture(scope="module")
def fin_bot(formats_bot):
    """The format fixtures, ingested once for every format's tests (tests/conftest.py)."""
    return formats_bot


def _figures(bot, source: str, table: str | None = None, in_table: bool | None = None):
    return [f for f in bot.figures() if f.source == source and (table is None or f.table == table)
            and (in_table is None or f.in_table == in_table)]


def _cell(figures, row: str, column: str):
    found = [f for f in figures if f.row == row and f.column == column]
    assert len(found) == 1, (row, column, [(f.row, f.column) for f in figures][:20])
    return found[0]


def _chunks(bot, source: str):
    from index.store import Store

    store = Store(bot.settings.pinned().store_path)
    return [c for c in store.all_chunks() if c.source == source]


# --- documents and chunks ---------------------------------------------------------------------------------------

def test_kinds_are_detected_without_a_catalog(fin_bot):
    types = {d["source"]: d["doc_type"] for d in fin_bot.documents()}
    assert types[ANNUAL] == "årsredovisning"
    assert types[INTERIM] == "delårsrapport"
    assert types[PLAN] == "verksamhetsplan"  # it mentions a handlingsplan, but calls itself a regionplan


def test_contents_lists_and_page_furniture_are_not_text(fin_bot):
    for source in (ANNUAL, INTERIM, PLAN):
        chunks = _chunks(fin_bot, source)
        assert chunks
        for chunk in chunks:
            for line in chunk.text.split("\n"):
                assert not DOT_LEADER.search(line), (source, chunk.section, line)
                assert not PAGE_FURNITURE.search(line), (source, chunk.section, line)
    # a question naming a contents entry is answered from the section itself, never from the contents list
    answer = fin_bot.ask("Vad står i balanskravsutredningen för 2025?")
    assert all(not DOT_LEADER.search(line) for c in answer.citations for line in c.quote.split("\n"))


# --- statement tables -------------------------------------------------------------------------------------------

def test_income_statement_adds_up_with_the_note_column_kept_out(fin_bot):
    rt = _figures(fin_bot, ANNUAL, "Resultaträkning")
    columns = {f.column for f in rt}
    assert {"Utfall 2025", "Utfall 2024", "Budget 2025", "Avvikelse 2025"} <= columns
    assert all(f.status in ("verified", "repaired") for f in rt), [(f.row, f.column, f.status) for f in rt
                                                                   if f.status == "unverified"]
    for column in columns:
        v = {f.row: f.value for f in rt if f.column == column}
        assert v["Verksamhetens nettokostnader"] == (v["Verksamhetens intäkter"] + v["Verksamhetens kostnader"]
                                                      + v["Avskrivningar"])
        assert v["Verksamhetens resultat"] == (v["Verksamhetens nettokostnader"] + v["Skatteintäkter"]
                                                + v["Generella statsbidrag och utjämning"])
        assert v["Resultat efter finansiella poster"] == (v["Verksamhetens resultat"] + v["Finansiella intäkter"]
                                                           + v["Finansiella kostnader"])
    # the deviation column is outcome minus budget, and is marked as a deviation
    for row in ("Verksamhetens intäkter", "Finansiella intäkter", "Årets resultat"):
        outcome, budget = _cell(rt, row, "Utfall 2025"), _cell(rt, row, "Budget 2025")
        deviation = _cell(rt, row, "Avvikelse 2025")
        assert deviation.value == outcome.value - budget.value
        assert deviation.kind == "avvikelse" and outcome.basis == "utfall" and budget.basis == "budget"
    # `Finansiella intäkter 6 312 …`: note 6 is no thousands digit
    lines = (FORMATS / ANNUAL).read_text(encoding="utf-8").split("\n")
    fin = _cell(rt, "Finansiella intäkter", "Utfall 2025")
    note = lines[fin.line_start - 1].split()[2]
    assert note.isdigit() and not fin.printed.startswith(note + " ")


def test_balance_sheet_and_balance_requirement_hold(fin_bot):
    br = _figures(fin_bot, ANNUAL, "Balansräkning")
    years = {f.year for f in br}
    assert years == {2024, 2025}
    for year in years:
        v = {f.row: f.value for f in br if f.year == year}
        assert v["Summa tillgångar"] == v["Summa eget kapital, avsättningar och skulder"]
        assert v["Summa tillgångar"] == v["Summa anläggningstillgångar"] + v["Summa omsättningstillgångar"]
    # `Årets resultat` under Eget kapital is an item there (it equals the income statement's), not a sum
    result = {f.year: f.value for f in br if f.row == "Årets resultat"}
    rt = _figures(fin_bot, ANNUAL, "Resultaträkning")
    assert result == {y: _cell(rt, "Årets resultat", f"Utfall {y}").value for y in years}
    bk = _figures(fin_bot, ANNUAL, "Balanskravsutredning")
    assert bk and all(f.status in ("verified", "repaired") for f in bk)
    assert all(f.basis == "utfall" for f in bk)  # a report's year columns hold outcomes


def test_operating_statement_per_committee_sums_to_its_total(fin_bot):
    drift = _figures(fin_bot, ANNUAL, "Driftredovisning per nämnd", in_table=True)
    by_column = defaultdict(dict)
    for f in drift:
        by_column[f.column][f.row] = f.value
    assert set(by_column) == {"Budget 2025", "Utfall 2025", "Avvikelse 2025", "Avvikelse 2024"}
    for column, rows in by_column.items():
        total = rows.pop("Summa nämnder")
        assert sum(rows.values(), Decimal(0)) == total
    for row in by_column["Budget 2025"]:
        if row != "Summa nämnder":
            assert by_column["Avvikelse 2025"][row] == by_column["Utfall 2025"][row] - by_column["Budget 2025"][row]


def test_plan_budget_tables_name_budget_and_plan_years(fin_bot):
    grants = _figures(fin_bot, PLAN, "4.2 Regionbidrag per nämnd", in_table=True)
    assert {(f.column, f.basis, f.year) for f in grants} == {("Budget 2026", "budget", 2026), ("Plan 2027", "plan", 2027),
                                                            ("Plan 2028", "plan", 2028)}
    assert all(f.status == "verified" for f in grants)
    # a plan's tables are no action plan's savings (a saving in its prose is: `minska kostnaderna med …`)
    assert all(f.kind != "besparing" for f in _figures(fin_bot, PLAN, in_table=True))


# --- amounts in prose ---------------------------------------------------------------------------------------------

def test_prose_amounts_carry_kind_and_period_from_their_words(fin_bot):
    prose = _figures(fin_bot, INTERIM, in_table=False)
    assert prose and all(f.year for f in prose if f.unit == "mnkr")
    deviations = [f for f in prose if f.kind == "avvikelse"]
    # `en negativ avvikelse med 175 miljoner kronor` in a forecast sentence: negative, a forecast
    negative = [f for f in deviations if "negativ" in (f.context or "") and f.value < 0]
    assert any(f.basis == "prognos" for f in negative) and any(f.basis != "prognos" for f in negative)
    # `… 70 miljoner kronor bättre än det budgeterade resultatet`: a deviation, not the result itself
    better = [f for f in deviations if re.search(r"bättre än (?:det )?budget", f.context or "")]
    assert better and all(f.value > 0 for f in better)
    forecasts = [f for f in prose if f.basis == "prognos" and f.kind != "avvikelse"]
    assert forecasts and all("prognos" in (f.context or "").lower() for f in forecasts)
    # `Motsvarande period föregående år var resultatet …`: the year before the report's
    last_year = [f for f in prose if (f.when or "").lower().startswith("föregående år") and "var resultatet" in f.row]
    assert last_year and all(f.year == 2024 for f in last_year)
    annual = _figures(fin_bot, ANNUAL, in_table=False)
    # `ökade med 4,3 procent jämfört med föregående år` is this year's change, not last year's figure
    growth = [f for f in annual if f.unit == "%" and "jämfört med föregående år" in (f.context or "")]
    assert growth and all(f.year == 2025 for f in growth)


# --- goal structure -----------------------------------------------------------------------------------------------

def test_plan_goal_structure_has_levels_and_parents(fin_bot):
    nodes = [g for g in fin_bot.goals() if g.source == PLAN]
    by_id = {g.id: g for g in nodes}
    levels = defaultdict(list)
    for g in nodes:
        levels[g.level].append(g)
    assert len(levels["vision"]) == 1
    assert len(levels["perspektiv"]) == 4
    assert {p.text.lower() for p in levels["perspektiv"]} == {"invånarperspektivet", "processperspektivet",
                                                              "medarbetarperspektivet", "ekonomiperspektivet"}
    goals = levels["fullmäktiges mål"]
    assert goals and not levels["nämndens mål"]  # a regionplan's goals are fullmäktige's
    assert all(by_id[g.parent_id].level == "perspektiv" for g in goals)
    assert all(by_id[i.parent_id].level == "fullmäktiges mål" for i in levels["indikator"])
    assert all(not i.text.startswith("-") for i in levels["indikator"])
    assignments = levels["uppdrag"]
    numbers = sorted(int(a.number) for a in assignments)
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 9
    assert all(by_id[a.parent_id].level == "perspektiv" for a in assignments)
    for a in assignments:  # who it is given to, as the text prints it
        assert a.assignee and a.text.startswith(a.assignee) and "får i uppdrag" in a.text


# --- answers through the library API -------------------------------------------------------------------------------

def test_answers_cite_the_document_with_the_stored_figure(fin_bot):
    from core.numbers import format_number

    rt = _figures(fin_bot, ANNUAL, "Resultaträkning")
    result = _cell(rt, "Årets resultat", "Utfall 2025")
    answer = fin_bot.ask("Vad blev årets resultat 2025?")
    assert not answer.abstained
    assert format_number(result.value) in answer.answer
    assert any(c.source == ANNUAL for c in answer.citations)

    grant = _cell(_figures(fin_bot, PLAN, "4.2 Regionbidrag per nämnd"), "Kulturnämnden", "Plan 2028")
    answer = fin_bot.ask("Hur stort regionbidrag har kulturnämnden i plan för 2028?")
    assert not answer.abstained and format_number(grant.value) in answer.answer.replace("\u00a0", " ")
    assert any(c.source == PLAN for c in answer.citations)


def test_assignment_questions_are_answered_from_the_numbered_list(fin_bot):
    assignments = [g for g in fin_bot.goals() if g.source == PLAN and g.level == "uppdrag"]
    given = [a for a in assignments if a.assignee == "Servicenämnden"]
    answer = fin_bot.ask("Vilka uppdrag har Servicenämnden fått i regionplanen?")
    assert answer.route == "list"
    listed = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(listed) == len(given)
    assert all("Servicenämnden" in line for line in listed)
    six = next(a for a in assignments if a.number == "6")
    answer = fin_bot.ask("Vad innebär uppdrag 6 i regionplanen?")
    assert not answer.abstained and six.text[:40] in answer.answer.replace("\n", " ")
    missing = max(int(a.number) for a in assignments) + 3
    assert fin_bot.ask(f"Vad innebär uppdrag {missing} i regionplanen?").abstained


def test_deviation_questions_get_the_deviation(fin_bot):
    drift = _figures(fin_bot, ANNUAL, "Driftredovisning per nämnd", in_table=True)
    deviation = _cell(drift, "Hälso- och sjukvårdsnämnden", "Avvikelse 2025")
    budget = _cell(drift, "Hälso- och sjukvårdsnämnden", "Budget 2025")
    answer = fin_bot.ask("Hur stor var hälso- och sjukvårdsnämndens avvikelse mot budget 2025?")
    assert not answer.abstained
    text = answer.answer.replace("\u00a0", " ")
    from core.numbers import format_number

    assert format_number(abs(deviation.value)) in text and format_number(budget.value) not in text
    assert any(c.source == ANNUAL for c in answer.citations)


def test_a_compound_of_a_kind_and_a_basis_asks_for_both(fin_bot):
    # `investeringsbudget`: investments, as budgeted; `driftbudgeten`: a budget, and `drift` a word the label holds
    read = fin_bot.figure_answerer.read
    invest = read(fin_bot.reader.read("Hur stor är investeringsbudgeten 2026?"))
    assert (invest.kind, invest.basis) == ("investering", "budget")
    assert not any("investering" in t for t in invest.terms)
    running = read(fin_bot.reader.read("Vad är driftbudgeten för 2026?"))
    assert (running.kind, running.basis) == (None, "budget") and "driftbudgeten" in running.terms
    # the running text `av en budget på 142 mnkr för året` answers, not the period's result beside it
    answer = fin_bot.ask("Vilken investeringsbudget för 2026 nämns i månadsrapporten för februari?")
    assert not answer.abstained and "142" in answer.answer and "4,1" not in answer.answer
