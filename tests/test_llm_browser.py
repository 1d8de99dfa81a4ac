"""The chat with a language model, in a real browser: `assistant serve` with ASSISTANT_LLM pointing at llama.cpp's
server on loopback. The text appears while the model writes (with a notice that it is being written), and the
citations once it is done and checked. Skips without chromium/Playwright or without the server venv."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.llm_server import ALIAS, MISSING, llama_server
from tests.serving import free_port, stop, wait_until_up

pytestmark = [pytest.mark.llm, pytest.mark.slow,
              pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

from tests.test_ui_browser import REPO, browser, open_app  # noqa: E402,F401 - skips the module without chromium


@pytest.fixture(scope="module")
def llm_serve(corpus_settings, tmp_path_factory):
    logs = tmp_path_factory.mktemp("llm-serve")
    with llama_server(logs / "llama.log") as url:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO), "ASSISTANT_DATA_DIR": str(corpus_settings.data_dir),
               "ASSISTANT_CORPUS_DIR": str(corpus_settings.corpus_dir), "ASSISTANT_LLM": "openai-like",
               "ASSISTANT_LLM_URL": url, "ASSISTANT_LLM_MODEL": ALIAS, "ASSISTANT_LLM_MAX_TOKENS": "200"}
        with open(logs / "serve.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=REPO,
                                    env=env, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(lambda: httpx.get(f"{base}/", timeout=5).status_code == 200, proc, logs / "serve.log",
                              "assistant serve")
                yield base, logs
            finally:
                stop(proc)


def test_the_answer_streams_in_the_browser_and_its_sources_follow(browser, llm_serve):  # noqa: F811
    base, logs = llm_serve
    context, page = open_app(browser, base)
    try:
        page.fill("#fraga textarea", "Vilka uppdrag har Område IT?")
        page.press("#fraga textarea", "Enter")
        # while the model writes: its text in a reply without sources, and a notice saying so
        page.wait_for_function("document.querySelector('#status')?.innerText.includes('Språkmodellen skriver')",
                               timeout=120_000)
        reply = page.locator("#samtal .msg.bot").last
        assert reply.inner_text().strip() and reply.locator(".sources").count() == 0
        # done: the checked answer (or the extractive one with a notice) with its sources
        page.wait_for_selector("#samtal .msg.bot .sources", timeout=180_000)
        assert "Språkmodellen skriver" not in page.locator("#status").inner_text()
        text = page.locator("#samtal .msg.bot").last.inner_text()
        assert "Traceback" not in text and "Något gick fel" not in text
        page.screenshot(path=str(logs / "chat-llm.png"))
    finally:
        context.close()
