"""The README's screenshots: the chat, a source panel, Siffror with a chart and Beslut, at 1366 and 390 px wide.

Starts a real `assistant serve` on a free loopback port over the configured data dir (run `assistant ingest`
first), drives apt's chromium with Playwright as the browser suite does, and writes PNGs to
docs/screenshots/. `python -m bench.screenshots`, or `make screenshots`.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_ui_browser import open_tab  # the same way to a tab as the browser tests take

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
QUESTIONS = ["Hur stor är besparingen för Område fastigheter 2026?", "Vilka uppdrag har Område IT?"]


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise SystemExit("the server did not start (is the corpus ingested? `assistant ingest`)")
        try:
            if httpx.get(f"{base}/", timeout=5).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise SystemExit("the server did not answer within 120 s")
        time.sleep(0.5)


def shoot(browser, base: str, size: str) -> list[Path]:
    context = browser.new_context(viewport=SIZES[size], locale="sv-SE")
    page = context.new_page()
    page.goto(f"{base}/")
    page.wait_for_selector("#fraga textarea")
    written = []

    def save(name: str) -> None:
        path = OUT / f"{name}-{size}.png"
        page.screenshot(path=str(path))
        written.append(path)

    for i, question in enumerate(QUESTIONS, start=1):
        page.fill("#fraga textarea", question)
        page.press("#fraga textarea", "Enter")
        page.wait_for_function(f"document.querySelectorAll('#samtal .msg.bot').length >= {i}", timeout=30_000)
    first = page.locator("#samtal .msg.bot").first
    first.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)") if size == "1366" else first.evaluate("e => e.scrollIntoView()")
    save("chat")
    first.locator(".text .kref").first.click()
    page.locator("#kallpanel .source-panel").wait_for()
    page.wait_for_timeout(400)
    save("source-panel")
    open_tab(page, "Siffror")
    page.wait_for_selector("#fig-chart svg .marker")
    page.click("#fig-search textarea, #fig-search input")
    page.fill("#fig-search textarea, #fig-search input", "totalsumma")
    page.wait_for_function("document.querySelector('#fig-chart figcaption')?.innerText.startsWith('Totalsumma')")
    page.locator("#fig-chart" if size == "390" else "#fig-pick").evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    save("siffror")
    open_tab(page, "Beslut")
    page.locator("#dec-table tbody tr").first.wait_for()
    page.locator("#dec-table").evaluate("e => e.scrollIntoView()") if size == "390" else None
    page.wait_for_timeout(300)
    save("beslut")
    context.close()
    return written


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no browser at {CHROMIUM}: apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            for size in SIZES:
                for path in shoot(browser, base, size):
                    print(path.relative_to(REPO))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
