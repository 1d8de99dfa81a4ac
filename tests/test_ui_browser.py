"""The chat in a real browser, as staff use it: Debian's chromium driven by Playwright against a real
`assistant serve` on loopback over a real index of the sample corpus. No mocks, no canned answers.

Skips with the reason when Playwright or chromium is missing (`make install-test` installs both; the browser
only ever comes from apt, never from Playwright's own download).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port, stop, wait_until_up

REPO = Path(__file__).resolve().parent.parent
PLAN = "servicenamnden-verksamhetsplan-2024.txt"
CHROMIUM = next((p for p in (os.environ.get("ASSISTANT_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
if CHROMIUM is None:
    pytest.skip("no chromium: the browser suite needs Debian's chromium (`apt-get install chromium`, which "
                "`make install-test` runs where it can)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser suite needs the `playwright` package "
                               "(pip install -e '.[dev]'); the browser itself comes from apt")

# what works here: no sandbox (root in a container), no GPU, and nothing that calls out from the browser
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def live_server(request):
    """`assistant serve` as a user starts it, in its own process, over the session's index (or, to iterate on
    the UI without re-ingesting, over the data dir in ASSISTANT_BROWSER_DATA_DIR)."""
    if os.environ.get("ASSISTANT_BROWSER_DATA_DIR"):
        data_dir, corpus_dir = Path(os.environ["ASSISTANT_BROWSER_DATA_DIR"]).resolve(), REPO / "corpus"
    else:
        settings = request.getfixturevalue("corpus_settings")
        data_dir, corpus_dir = settings.data_dir, settings.corpus_dir
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_DATA_DIR": str(data_dir),
           "ASSISTANT_CORPUS_DIR": str(corpus_dir), "GRADIO_ANALYTICS_ENABLED": "False",
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    log = open(data_dir / "serve-browser.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(lambda: httpx.get(f"{base}/", timeout=5).status_code == 200, proc,
                      data_dir / "serve-browser.log", "assistant serve")
        yield base, env
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def open_app(browser, base: str, viewport=DESKTOP):
    """A fresh browser profile (its own cookies and localStorage) with the app loaded."""
    context = browser.new_context(viewport=viewport, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{base}/")
    page.wait_for_selector("#fraga textarea")
    page.wait_for_selector("#samtal .transcript")
    return context, page


def ask(page, question: str, via_enter: bool = True) -> None:
    before = page.locator("#samtal .msg.bot").count()
    page.fill("#fraga textarea", question)
    if via_enter:
        page.press("#fraga textarea", "Enter")
    else:
        page.click("#skicka")
    wait_answers(page, before + 1)


def wait_answers(page, n: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('#samtal .msg.bot').length >= {n}",
                           timeout=ANSWER_TIMEOUT_MS)


def open_tab(page, name: str) -> None:
    """A tab by name; on a phone the last tabs sit behind Gradio's `More tabs` menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
    else:
        page.get_by_label("More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()


def pick_option(page, dropdown: str, index: int) -> str:
    page.click(f"{dropdown} input")
    option = page.locator("[role=option]").nth(index)
    text = option.inner_text().strip()
    option.click()
    return text


def cli_feedback(env: dict) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "feedback", "--json"], capture_output=True,
                          cwd=REPO, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


# --- asking, sources, documents ------------------------------------------------------------------------------

def test_ask_open_a_source_in_context_and_the_document(browser, live_server):
    base, _ = live_server
    context, page = open_app(browser, base)
    try:
        ask(page, "Hur mycket investeras i WiFi-nät 2024?")
        reply = page.locator("#samtal .msg.bot").last
        assert "15,3 mnkr" in reply.inner_text()
        reply.locator(".text .kref").first.click()  # the [1] in the answer's sentence
        panel = page.locator("#kallpanel .source-panel")
        panel.wait_for()
        assert panel.locator("h3").inner_text() == "Verksamhetsplan 2024"
        assert "rad 945" in panel.inner_text()
        hit = panel.locator("tr.hit")
        assert hit.count() == 1 and "WiFi nät 15,3" in hit.inner_text()
        assert panel.locator(".context-lines tr").count() == 7  # the quote with three lines either side
        header = panel.locator(".quote-table thead").inner_text()
        assert "Belopp 2024" in header  # the table row under its column header
        with context.expect_page() as opened:
            panel.get_by_text("Öppna dokumentet").click()
        document = opened.value
        document.wait_for_load_state()
        assert document.url.startswith(f"{base}/dokument/visa/{PLAN}")
        assert "WiFi nät 15,3" in document.locator("tr.hit").inner_text()
        assert document.locator("#L945").is_visible()  # scrolled to the cited line
        raw = document.request.get(base + document.locator("a", has_text="originalfilen").get_attribute("href"))
        assert raw.status == 200 and raw.headers["content-type"] == "text/plain; charset=utf-8"
        assert "WiFi" in raw.text()
        for path in ("catalog.toml", "..%2Fpyproject.toml", "saknas.txt"):
            assert page.request.get(f"{base}/dokument/fil/{path}").status == 404
    finally:
        context.close()


def test_html_and_markdown_in_a_question_are_shown_as_text(browser, live_server):
    base, _ = live_server
    context, page = open_app(browser, base)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        typed = ("<img src=x onerror=\"window.__pwned=1\"> **fet** [länk](https://example.org) https://example.org "
                 "${7*7} {{value}} $x$")  # nor a template or formula: gr.HTML fills a JS/Handlebars template
        ask(page, typed)
        mine = page.locator("#samtal .msg.user").last
        assert mine.locator(".text").inner_text() == typed
        assert mine.locator("img, strong, b, a").count() == 0
        assert page.evaluate("window.__pwned") is None
        assert not [u for u in requested if u.endswith("/x") or "example.org" in u]
    finally:
        context.close()


# --- feedback, history, examples -----------------------------------------------------------------------------

def test_feedback_with_a_comment_is_read_back_with_the_cli(browser, live_server):
    base, env = live_server
    context, page = open_app(browser, base)
    try:
        page.locator("#exempel button", has_text="Vad är Region Örebro läns vision?").click()  # asks at once
        wait_answers(page, 1)
        assert "Tillsammans skapar vi ett bättre liv" in page.locator("#samtal .msg.bot").last.inner_text()
        page.locator("#samtal .msg.bot").last.get_by_label("Dåligt svar").click()
        page.wait_for_selector("#comment textarea")
        assert page.locator("#samtal .fb[aria-pressed='true']").get_attribute("aria-label") == "Dåligt svar"
        comment = f"Saknar värdegrunden ({uuid.uuid4().hex[:8]})"
        page.fill("#comment textarea", comment)
        page.click("#comment-send")
        page.wait_for_function("document.querySelector('#status').innerText.includes('Tack för kommentaren')")
        mine = [f for f in cli_feedback(env) if f["comment"] == comment]
        assert len(mine) == 1
        f = mine[0]
        assert f["rating"] == -1 and f["question"] == "Vad är Region Örebro läns vision?"
        assert "Tillsammans skapar vi ett bättre liv" in f["answer"] and f["mode"] == "list"
        assert f["citations"] and f["citations"][0]["source"] == PLAN and f["created"]
    finally:
        context.close()


def test_history_survives_a_reload_and_a_new_conversation_starts_empty(browser, live_server):
    base, _ = live_server
    context, page = open_app(browser, base)
    try:
        page.click("#skicka")  # nothing typed
        page.wait_for_function("document.querySelector('#status').innerText.includes('Skriv en fråga')")
        assert page.locator("#samtal .msg").count() == 0
        ask(page, "Vem yrkade på tillägg i § 58?", via_enter=False)
        ask(page, "Hur stort är åtgärdskravet för servicenämnden?")
        page.reload()
        page.wait_for_selector("#fraga textarea")
        wait_answers(page, 2)
        questions = page.locator("#samtal .msg.user .text").all_inner_texts()
        assert questions == ["Vem yrkade på tillägg i § 58?", "Hur stort är åtgärdskravet för servicenämnden?"]
        assert "Helene Andersson" in page.locator("#samtal .msg.bot").first.inner_text()
        page.locator("#samtal .msg.bot").first.locator(".kref").first.click()  # sources work after a reload
        page.locator("#kallpanel .source-panel").wait_for()
        page.click("#ny-konversation")
        page.wait_for_selector("#samtal .welcome")
        assert page.locator("#kallpanel .panel-empty").count() == 1
        page.reload()
        page.wait_for_selector("#fraga textarea")
        time.sleep(1)  # the stored history is applied on load; an empty one keeps the welcome
        assert page.locator("#samtal .msg").count() == 0
    finally:
        context.close()


# --- Siffror: two users at once ------------------------------------------------------------------------------

def test_two_concurrent_sessions_keep_their_own_charts(browser, live_server):
    base, _ = live_server
    context_a, a = open_app(browser, base)
    context_b, b = open_app(browser, base)
    try:
        for page in (a, b):
            open_tab(page, "Siffror")
            page.wait_for_selector("#fig-chart svg .marker")
        first_a = a.locator("#fig-chart figcaption").inner_text()
        b.fill("#fig-search input, #fig-search textarea", "inget sådant tal finns")
        b.wait_for_selector("#fig-chart .fig-chart-empty")
        assert "Inget tal i urvalet" in b.locator("#fig-chart").inner_text()
        # A's session still knows its own series: choosing another draws it (a shared dict was emptied by B)
        chosen = pick_option(a, "#fig-pick", 3)
        a.wait_for_function(f"document.querySelector('#fig-chart figcaption')?.innerText.startsWith({json.dumps(chosen)})")
        assert a.locator("#fig-chart figcaption").inner_text() != first_a
        markers = a.locator("#fig-chart svg .marker")
        assert markers.count() >= 2
        svg_text = "els => els.map(e => e.textContent)"  # SVG elements have no innerText
        years = a.locator("#fig-chart svg .x-tick").evaluate_all(svg_text)
        assert years == sorted(years)  # periods in time order
        ticks = [float(t.replace("−", "-").replace(" ", "").replace(",", ".")) for t in
                 a.locator("#fig-chart svg .y-tick").evaluate_all(svg_text)]
        values = [float(v) for v in a.locator("#fig-chart svg .marker").evaluate_all("ms => ms.map(m => m.dataset.value)")]
        assert min(ticks) <= min(values) and max(ticks) >= max(values)  # the axis covers every point
        # B's filter did not reach A's table either
        assert a.locator("#fig-table tbody tr").count() > 100
        assert b.locator("#fig-table tbody tr").count() == 0
        # the year filter offers only years the figures hold
        b.click("#fig-year input")
        options = [o.split("\n")[-1].strip() for o in b.locator("[role=option]").all_inner_texts()]  # "✓\nalla"
        offered = [o for o in options if o != "alla"]
        assert offered and all(re.fullmatch(r"20\d\d", o) for o in offered)
        assert set(offered) <= {"2023", "2024", "2025", "2026"}
    finally:
        context_a.close()
        context_b.close()


# --- a phone -------------------------------------------------------------------------------------------------

def test_on_a_phone_answers_fit_and_tables_become_labelled_cards(browser, live_server):
    base, _ = live_server
    context, page = open_app(browser, base, PHONE)
    try:
        ask(page, "Hur stor är besparingen för Område fastigheter 2026?")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
        reply = page.locator("#samtal .msg.bot").last
        assert "45 397 tkr" in reply.inner_text()
        for element in (reply.locator(".text p").first, reply.get_by_label("Bra svar")):
            box = element.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        size = reply.locator(".text p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 14
        assert reply.get_by_label("Bra svar").bounding_box()["height"] >= 32  # a finger can hit it
        reply.locator(".text .kref").first.click()
        panel = page.locator("#kallpanel .source-panel")
        panel.wait_for()
        page.wait_for_timeout(500)
        top = panel.bounding_box()["y"]
        assert 0 <= top < PHONE["height"], "the source panel opened out of sight"
        assert panel.locator(".quote-table th", has_text="2026").count() == 1

        open_tab(page, "Siffror")
        card = page.locator("#fig-table tbody tr").first
        card.wait_for()
        labels = card.locator("td").evaluate_all(
            "tds => tds.map(td => getComputedStyle(td, '::before').content.replaceAll('\"', ''))")
        assert labels[:3] == ["Värde", "Period", "Vad"], labels  # each value says what it is
        assert card.locator("td").nth(2).inner_text().strip()  # and the row label is there
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        open_tab(page, "Beslut")
        card = page.locator("#dec-table tbody tr").first
        card.wait_for()
        labels = card.locator("td").evaluate_all(
            "tds => tds.map(td => getComputedStyle(td, '::before').content.replaceAll('\"', ''))")
        assert labels[:2] == ["Typ", "Beslut eller åtgärd"], labels
        assert len(card.locator("td").nth(1).inner_text()) > 20  # the decision's text, not only type and place
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_desktop_tables_fit_their_area(browser, live_server):
    base, _ = live_server
    context, page = open_app(browser, base)
    try:
        for tab, table in (("Siffror", "#fig-table"), ("Beslut", "#dec-table"), ("Dokument", "#doc-list")):
            open_tab(page, tab)
            page.locator(f"{table} tbody tr").first.wait_for()
            area = page.locator(f"{table} .rtable-wrap").bounding_box()["width"]
            widths = page.locator(f"{table} table").evaluate("t => [t.scrollWidth, t.offsetWidth]")
            assert widths[0] <= area + 1, (tab, widths, area)
            heights = page.locator(f"{table} thead th").evaluate_all("ths => ths.map(th => th.offsetHeight)")
            assert max(heights) < 40, (tab, heights)  # no header wrapped one letter per line
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    finally:
        context.close()
