"""Which row or area has the most or the least: `Vilket område sparar mest 2025?`, `Vilken nämnd får minst
regionbidrag 2026?`. A superlative with a question word asks for a ranking; the figure store compares like with
like (one table's rows in one column, or the same row of each area's table), names the first and the next, and
cites every row compared. A sentence that gives one figure for the whole does not say which has the most, so
`Vilket område har högst sjukfrånvaro?` is refused where the documents hold no sick leave per area.

The expected rankings are computed here from the store's own figures, not written in.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from assistant import extremes
from assistant.figures import FigureMatch
from assistant.grounding import ungrounded_figures
from core.models import Figure
from ingest.tables import TOTAL

REGIONPLAN = "regionplan-2026-2028.txt"


@pytest.mark.parametrize("question, extreme, ranked_by", [
    ("Vilket område sparar mest 2025?", "most", "omrade"),
    ("vilket omrade har lagst besparing 2025", "least", "omrade"),
    ("Inom vilka områden blir besparingarna störst?", "most", "omraden"),
    ("Vilken nämnd får minst regionbidrag?", "least", "namnd"),
    ("Vilken är den största IT-investeringen?", "most", "it"),
    ("Vilken nämnd hade störst underskott?", "least", "namnd"),  # the largest deficit is the lowest value
    ("Vilken nämnd hade störst överskott?", "most", "namnd"),
    ("Which area has the lowest turnover?", "least", "area"),
    ("Var är sjukfrånvaron högst?", "most", "sjukfranvaron"),  # where: its areas are ranked
    ("vilket ar sparar fastigheter mest", "most", "ar"),  # typed without å: a year
    ("Vilket är det största området?", "most", "omradet"),  # `är`, not `år`
    ("Vem är högsta chef på Regionservice?", None, None),  # who, not which
    ("När var sjukfrånvaron som högst?", "most", None),  # its periods are ranked
    ("Vilket år sparar Område Fastigheter mest?", "most", "ar"),
    ("Vilka tre områden sparar mest 2025?", "most", "omraden"),
    ("Varför är sjukfrånvaron högst i Område IT?", None, None),  # why, not which
    ("Hur stor är besparingen för Område IT 2025?", None, None),  # no superlative
])
def test_a_superlative_with_a_question_word_asks_for_a_ranking(bot, question, extreme, ranked_by):
    q = bot.reader.read(question)
    assert (q.extreme, q.ranked_by) == (extreme, ranked_by)


@pytest.mark.parametrize("question, top", [
    ("Vilka tre områden sparar mest 2025?", 3), ("Vilka är de två nämnder som får minst regionbidrag?", 2),
    ("tre omraden som sparar mest 2025", 3), ("Which four areas save the most?", 4),
    ("Vilket område sparar mest 2025?", 1), ("Vilken nämnd har högst regionbidrag 2026?", 1),
])
def test_a_ranking_names_as_many_as_asked_for(bot, question, top):
    assert bot.reader.read(question).top == top


def test_ranking_words_name_no_subject(bot):
    ranked = bot.reader.read("Vilken nämnd hade störst underskott 2025?")
    assert not {"storst", "underskot", "underskott"} & {g[0] for g in ranked.content_groups}
    # without a superlative, a deficit is what the question is about
    assert "underskot" in {g[0][:9] for g in bot.reader.read("Hur stort underskott hade nämnden 2025?").content_groups}


def test_the_area_that_saves_most_is_its_tables_total_compared_with_the_other_areas(bot):
    totals = [f for f in bot.figures() if f.kind == "besparing" and f.area and f.year == 2025 and f.in_table
              and TOTAL.search(f.row) and f.column == "2025"]
    assert len({f.area for f in totals}) >= 3
    most = max(totals, key=lambda f: f.value)
    least = min(totals, key=lambda f: f.value)
    for question, expected in (("Vilket område sparar mest 2025?", most), ("Vilket område sparar minst 2025?", least)):
        answer = bot.ask(question)
        assert not answer.abstained and answer.route == "figure", answer.answer
        first = answer.answer.split(" Därnäst")[0]
        assert expected.area in first and expected.printed in first, answer.answer
        quoted = "\n".join(c.quote for c in answer.citations)
        assert all(f.line_text.strip() in quoted for f in totals), "every area compared is cited"
        assert not ungrounded_figures(answer.answer, answer.citations)


def test_a_tables_rows_are_ranked_without_its_sum_row(formats_bot):
    rows = [f for f in formats_bot.figures() if f.source == REGIONPLAN and f.table.endswith("Regionbidrag per nämnd")
            and f.year == 2026 and f.in_table]
    parts = [f for f in rows if not TOTAL.search(f.row)]
    assert len(parts) >= 3 and len(parts) < len(rows)  # the sum row is there, and left out
    for question, expected in (("Vilken nämnd får störst regionbidrag 2026?", max(parts, key=lambda f: f.value)),
                               ("Vilken nämnd får minst regionbidrag 2026?", min(parts, key=lambda f: f.value))):
        answer = formats_bot.ask(question)
        assert not answer.abstained, answer.answer
        assert answer.answer.split(" Därnäst")[0].count(expected.row) == 1, answer.answer
        assert len(answer.citations) == 1 and all(f.line_text.strip() in answer.citations[0].quote for f in parts)
        assert not ungrounded_figures(answer.answer, answer.citations)


def test_a_rows_periods_are_ranked_and_as_many_as_asked_for_are_named(bot):
    fastigheter = [f for f in bot.figures() if f.kind == "besparing" and f.area == "Område Fastigheter" and f.in_table
                   and TOTAL.search(f.row) and f.year]
    assert len({f.year for f in fastigheter}) >= 3
    best = max(fastigheter, key=lambda f: f.value)
    answer = bot.ask("Vilket år sparar Område Fastigheter mest?")
    assert not answer.abstained and answer.route == "figure", answer.answer
    assert str(best.year) in answer.answer.split(" Därnäst")[0] and best.printed in answer.answer, answer.answer

    totals = {f.area: f for f in bot.figures() if f.kind == "besparing" and f.area and f.year == 2025 and f.in_table
              and TOTAL.search(f.row) and f.column == "2025"}
    three = sorted(totals.values(), key=lambda f: -f.value)[:3]
    answer = bot.ask("Vilka tre områden sparar mest 2025?")
    listed = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert [next(a for a in totals if a in line) for line in listed] == [f.area for f in three], answer.answer
    assert not ungrounded_figures(answer.answer, answer.citations)


def test_no_ranking_where_the_documents_hold_one_figure_for_the_whole(bot):
    """Sick leave is reported for the administration, not per area: neither its figure nor the sentence that
    gives it says which area has the most."""
    for question in ("Vilket område har högst sjukfrånvaro?", "Var är sjukfrånvaron störst?"):
        assert bot.ask(question).abstained


def figure(row: str, value: str, table: str = "T", area: str | None = None, column: str = "2025",
           line: int = 1) -> Figure:
    return Figure(id=f"{table}{row}{column}", doc_id="d", source="d.txt", title="Plan", doc_type="verksamhetsplan",
                  table=table, section=table, row=row, column=column, area=area, year=2025, kind="besparing",
                  value=Decimal(value), printed=value, unit="tkr", line_text=f"{row} {value}", line_start=line,
                  line_end=line)


def test_rank_compares_like_with_like():
    own_tables = [figure("Intäkter", "500", f"Område {a}", f"Område {a}", line=i) for i, a in enumerate("ABC")] + \
        [figure("Totalsumma", v, f"Område {a}", f"Område {a}", line=10 + i) for i, (a, v) in enumerate(
            zip("ABC", ["300", "900", "600"]))]
    ranking = extremes.rank([FigureMatch(f, 1.0) for f in own_tables], most=True, mode="area")
    assert [f.area for f in ranking.figures] == ["Område B", "Område C", "Område A"]
    assert all(f.row == "Totalsumma" for f in ranking.figures)  # each area's total, not its first row

    rows = [figure("Alfa", "5"), figure("Beta", "7"), figure("Summa", "12"), figure("Gamma", "9", table="Other")]
    ranking = extremes.rank([FigureMatch(f, 1.0) for f in rows], most=True, mode="row")
    assert [f.row for f in ranking.figures] == ["Beta", "Alfa"]  # one table's rows; its sum is no row
    assert extremes.rank([FigureMatch(rows[0], 1.0)], most=True, mode="row") is None  # one row: nothing to rank

    years = [figure("Totalsumma", v, column=f"{y}", line=1) for y, v in (("2024", "5"), ("2025", "9"), ("2026", "7"))]
    for f, y in zip(years, (2024, 2025, 2026)):
        f.year = y
    ranking = extremes.rank([FigureMatch(f, 1.0) for f in years], most=False, mode="period")
    assert [f.year for f in ranking.figures] == [2024, 2026, 2025]  # one row's periods, least first
    # a budget year and the plan years after it are one series, however the table's columns are labelled
    years[0].kind, years[0].basis, years[1].kind, years[1].basis = "budget", "budget", "plan", "plan"
    years[2].kind, years[2].basis = "plan", "plan"
    ranking = extremes.rank([FigureMatch(f, 1.0) for f in years], most=False, mode="period")
    assert [f.year for f in ranking.figures] == [2024, 2026, 2025]


def test_a_committees_surplus_or_deficit_is_its_deviation_from_budget(formats_bot):
    """`störst överskott`, `gick bäst mot budget`: the deviation column is ranked, not the budget itself; the
    largest deficit is the lowest deviation."""
    rows = [f for f in formats_bot.figures() if f.table.endswith("Driftredovisning per nämnd") and f.in_table
            and f.column == "Avvikelse 2025" and not TOTAL.search(f.row)]
    assert len(rows) >= 3
    best, worst = max(rows, key=lambda f: f.value), min(rows, key=lambda f: f.value)
    for question, expected in (("Vilken nämnd hade störst överskott 2025?", best),
                               ("Vilken nämnd gick bäst mot budget 2025?", best),
                               ("Vilken nämnd hade störst underskott 2025?", worst)):
        answer = formats_bot.ask(question)
        assert not answer.abstained, answer.answer
        first = answer.answer.split(" Därnäst")[0]
        assert expected.row in first and "Avvikelse 2025" in first, answer.answer


def test_the_main_ones_of_a_list_are_not_a_ranking_a_passage_must_state(bot):
    """`Vilka är de största utmaningarna?` asks for the main challenges: a passage lists them without `störst`."""
    assert "ranking" not in bot.reader.read("Vilka är de största utmaningarna?").asks
    assert "ranking" in bot.reader.read("Which area has the highest sick leave?").asks


def test_the_ranked_table_must_name_the_measure_asked_about(formats_bot):
    """`nämnd` fits every committee table, and `sjuk` in `Hälso- och sjukvårdsnämnden` is part of a word, not
    `sjukfrånvaro`: no table of committees ranks sick leave, so no figure is proposed."""
    proposals = formats_bot.candidates("Which committee has the highest sick leave?")
    assert not any(c.route == "figure" for c in proposals.candidates)
    assert formats_bot.ask("Vilken nämnd har högst sjukfrånvaro?").abstained


def test_the_largest_deviation_or_cost_is_the_largest_amount_whatever_its_sign(formats_bot):
    """`störst avvikelse` is the deviation farthest from zero; costs printed negative are ranked by amount. With a
    sign named (`störst överskott`) the highest value is meant."""
    rows = [f for f in formats_bot.figures() if f.table.endswith("Driftredovisning per nämnd") and f.in_table
            and not TOTAL.search(f.row)]
    deviations = [f for f in rows if f.column == "Avvikelse 2025"]
    costs = [f for f in rows if f.column == "Utfall 2025"]
    assert any(f.value < 0 for f in deviations) and any(f.value > 0 for f in deviations)
    assert sum(f.value < 0 for f in costs) > len(costs) / 2
    for question, expected in (
            ("Vilken nämnd hade störst avvikelse mot budget 2025?", max(deviations, key=lambda f: abs(f.value))),
            ("Vilken nämnd avvek mest från sin budget 2025?", max(deviations, key=lambda f: abs(f.value))),
            ("Vilken nämnd hade störst överskott 2025?", max(deviations, key=lambda f: f.value)),
            ("Vilken nämnd kostade mest 2025 enligt driftredovisningen?", max(costs, key=lambda f: abs(f.value)))):
        answer = formats_bot.ask(question)
        assert not answer.abstained, answer.answer
        first = answer.answer.split(" Därnäst")[0]
        assert expected.row in first and expected.column in first, (question, answer.answer)


def test_rank_by_size_unless_a_sign_is_named():
    costs = [figure(name, v, line=i) for i, (name, v) in enumerate((("A", "-900"), ("B", "-40"), ("C", "14")))]
    for f in costs:
        f.kind = "utfall"
    by_size = extremes.rank([FigureMatch(f, 1.0) for f in costs], most=True, mode="row")
    assert by_size.by_size and [f.row for f in by_size.figures] == ["A", "B", "C"]
    signed = extremes.rank([FigureMatch(f, 1.0) for f in costs], most=True, mode="row", signed=True)
    assert not signed.by_size and [f.row for f in signed.figures] == ["C", "B", "A"]
