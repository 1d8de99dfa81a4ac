"""The chat's parts without a browser: the chart, the tables, the conversation's HTML, the source panel, the
feedback store and its export, and the document routes on a real server. The browser suite
(test_ui_browser.py) drives the same parts as a user does."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.models import Answer, Citation

REPO = Path(__file__).resolve().parent.parent
PLAN = "servicenamnden-verksamhetsplan-2024.txt"


# --- chart ---------------------------------------------------------------------------------------------------

def test_chart_orders_periods_in_time_with_kind_as_series_and_axis_around_every_point(bot):
    from assistant.ui import series_of
    from assistant.ui_chart import chart_html, nice_axis, points_of

    series = series_of(bot.figures())
    name = next(n for n in series if n.startswith("Avskrivningar, fastigheter"))
    points = points_of(series[name])
    assert [p.x for p in points] == sorted(p.x for p in points)  # 2023 before 2024, whatever the kind
    assert {p.series for p in points} >= {"budget", "prognos"}
    values = [float(p.value) for p in points]
    start, end, step = nice_axis(min(values), max(values))
    assert start <= min(values) and end >= max(values)  # −239,6 lay above an axis maximum of −240,0
    chart = chart_html(series[name], name)
    assert chart.count("class='marker'") == len(points)
    ticks = re.findall(r"class='tick y-tick'>([^<]+)<", chart)
    assert ticks[0] == "−" + ticks[0][1:] and all("." not in t for t in ticks)
    labels = re.findall(r"class='point-label'>([^<]+)<", chart)
    assert "−239,6" in labels  # Swedish decimal comma and a real minus sign


def test_chart_prints_thousands_the_swedish_way_and_says_when_nothing_fits(bot):
    from assistant.ui import series_of
    from assistant.ui_chart import EMPTY, chart_html, swedish

    assert swedish(Decimal("27000")) == "27 000" and swedish(Decimal("-1283.7")) == "−1 283,7"
    big = next(figs for figs in series_of(bot.figures()).values() if max(abs(f.value) for f in figs) >= 1000)
    assert re.search(r"\d \d{3}<", chart_html(big)) and "27,000" not in chart_html(big)
    assert EMPTY in chart_html([])
    one_period = [f for f in bot.figures() if f.year and f.previous is None][:1]
    assert EMPTY in chart_html(one_period)


# --- tables --------------------------------------------------------------------------------------------------

def test_tables_have_set_widths_and_label_every_cell_for_the_phone_layout(bot):
    from assistant.structure import decision_rows
    from assistant.ui_tables import DECISION_COLUMNS, FIGURE_COLUMNS, clean_label, decision_table, figure_table

    html = figure_table(bot.figures())
    assert html.count("<col style='width:") == len(FIGURE_COLUMNS)
    cells = re.findall(r"<td class='[^']*' data-label='([^']+)'>", html)
    assert len(cells) == len(bot.figures()) * len(FIGURE_COLUMNS)
    assert set(cells) == {c.header for c in FIGURE_COLUMNS}
    rows = decision_rows(bot.decisions(), bot.goals())
    assert decision_table(rows).count("data-label='Beslut eller åtgärd'") == len(rows)
    assert clean_label("FÖrsörjning Digitalt  stadsystem |") == "Försörjning Digitalt stadsystem"
    long = clean_label("ord " * 60)
    assert len(long) <= 92 and long.endswith("…")


# --- the conversation ----------------------------------------------------------------------------------------

def test_what_the_user_typed_is_text_and_only_the_answers_marks_become_markup():
    from assistant.ui_chat import transcript_html

    question = "<img src=x onerror=alert(1)> **fet** [länk](https://example.org) https://example.org"
    answer = Answer(question=question, answer="Svaret är **15,3 mnkr** [1].\n- en punkt [1]\n- <b>två</b>",
                    abstained=False, citations=[Citation(n=1, source=PLAN, title="Verksamhetsplan 2024",
                                                         section="Verksamhetsplan 2024 › 6 Budget", lines="945",
                                                         quote="WiFi nät 15,3")])
    html = transcript_html([{"question": question, "answer": answer.model_dump(mode="json"), "rating": None}])
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; **fet** [länk](https://example.org)" in html
    assert "<a " not in html.split("class='msg bot'")[0]
    assert "<strong>15,3 mnkr</strong>" in html and "&lt;b&gt;två&lt;/b&gt;" in html
    assert html.count("data-action='source'") == 3  # two marks in the text, one in the list of sources
    assert "— <span title='6 Budget'>6 Budget</span>" in html and "Verksamhetsplan 2024 › 6 Budget" not in html  # the title once


def test_the_source_panel_shows_a_table_quote_under_its_column_header_and_the_lines_around_it(bot):
    from assistant.ui_chat import source_panel_html

    answer = bot.ask("Hur stor är besparingen för Område fastigheter 2026?")
    c = answer.citations[0]
    panel = source_panel_html(c, bot.document_lines(c.source), bot.figures())
    header = re.search(r"<table class='quote-table'>.*?</table>", panel).group(0)
    assert re.findall(r"<th>(\d{4})</th>", header) == ["2024", "2025", "2026"]
    assert "<th scope='row'>Totalsumma</th><td>29 309</td><td>32 327</td><td>45 397</td>" in header
    hit = re.findall(r"<tr class='hit'><td class='ln'>(\d+)</td><td>([^<]*)</td>", panel)
    assert hit == [(c.lines, "Totalsumma 29 309 32 327 45 397")]
    assert panel.count("<td class='ln'>") == 7  # three lines either side
    assert f"/dokument/visa/{c.source}?rader={c.lines}#L{c.lines}" in panel


# --- feedback ------------------------------------------------------------------------------------------------

def test_feedback_is_stored_with_the_answer_and_exported_by_the_cli(bot, tmp_path):
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite")
    answer = bot.ask("Hur mycket investeras i WiFi-nät 2024?")
    first = store.add(answer, -1, user="anna")
    store.rate(first, 1)
    assert store.comment(first, "  Rätt, men visa tabellen  ")
    second = store.add(bot.ask("Vad kostar en glass på månen?"), -1)
    with pytest.raises(ValueError):
        store.add(answer, 5)
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "feedback", "--json"], capture_output=True,
                          cwd=REPO, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO),
                                                      "ASSISTANT_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr.decode()
    rows = json.loads(done.stdout)
    assert [r["id"] for r in rows] == [first, second]
    assert rows[0]["rating"] == 1 and rows[0]["comment"] == "Rätt, men visa tabellen" and rows[0]["user"] == "anna"
    assert rows[0]["mode"] == "figure" and rows[0]["citations"][0]["source"] == PLAN
    assert "15,3 mnkr" in rows[0]["answer"] and rows[0]["created"].endswith("+00:00")
    assert rows[1]["mode"] == "abstained" and rows[1]["comment"] is None


# --- documents -----------------------------------------------------------------------------------------------

def test_document_routes_serve_corpus_documents_only_and_ask_for_the_login(bot, tmp_path):
    from assistant.passwords import set_password
    from tests.test_serving_safety import server

    with server(bot) as (app, base), httpx.Client(timeout=30) as http:
        raw = http.get(f"{base}/dokument/fil/{PLAN}")
        assert raw.status_code == 200 and raw.headers["content-type"] == "text/plain; charset=utf-8"
        assert raw.text == (bot.settings.corpus_dir / PLAN).read_text(encoding="utf-8")
        view = http.get(f"{base}/dokument/visa/{PLAN}", params={"rader": "945"})
        assert view.status_code == 200 and "<tr id='L945' class='hit'>" in view.text
        for path in ("catalog.toml", "../pyproject.toml", "%2e%2e/pyproject.toml", "..%2fpyproject.toml",
                     "/etc/passwd", "%2Fetc%2Fpasswd", "saknas.txt", ""):
            for route in ("fil", "visa"):
                assert http.get(f"{base}/dokument/{route}/{path}").status_code == 404, (route, path)
    users = tmp_path / "users"
    set_password(users, "anna", "rätt lösenord")
    with server(bot, auth=f"file:{users}") as (app, base), httpx.Client(timeout=30) as http:
        assert http.get(f"{base}/dokument/fil/{PLAN}").status_code == 401
        assert http.post(f"{base}/login", data={"username": "anna", "password": "rätt lösenord"}).status_code == 200
        assert http.get(f"{base}/dokument/fil/{PLAN}").status_code == 200


def test_a_damaged_or_old_history_is_dropped_not_fatal_and_the_kept_one_is_bounded():
    from assistant.ui import MAX_TURNS, valid_turns

    good = {"question": "Fråga?", "answer": Answer(question="Fråga?", answer="Svar.", abstained=True).model_dump(),
            "rating": None}
    assert valid_turns(None) == [] and valid_turns("x") == []
    assert valid_turns([{"role": "user", "content": "gammalt format"}, {"question": 1, "answer": {}}, good]) == [good]
    assert len(valid_turns([good] * (MAX_TURNS + 10))) == MAX_TURNS
