"""A model server that is down, or that accepts and then says nothing: the answer is the extractive one with a
notice, mode `llm-fallback`, and never an exception. Real HTTP: the llama-index client against a closed port and
against a loopback server that stalls. With ASSISTANT_LLM=none nothing changes but the added `mode`."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.llm_server import free_port

pytest.importorskip("llama_index.llms.openai_like", reason="the [llm] extra is not installed")

QUESTIONS = ["Vad är budgeten för Område IT 2024?", "Vilka uppdrag har Område IT?",
             "Vad beslutade arbetsutskottet i § 58?"]


@pytest.fixture(scope="module")
def stalling_server():
    """Accepts connections, reads the request, and answers nothing: a model that is up but far too slow."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1"
    stop.set()
    t.join(timeout=2)
    for c in held:
        c.close()
    srv.close()


def _llm_bot(corpus_settings, url: str, timeout_s: float):
    from assistant.api import Assistant

    return Assistant(corpus_settings.model_copy(update={"llm": "openai-like", "llm_url": url,
                                                        "llm_model": "any", "llm_timeout_s": timeout_s}))


@pytest.mark.slow
def test_model_down_gives_the_extractive_answer_with_a_notice(bot, corpus_settings):
    down = _llm_bot(corpus_settings, f"http://127.0.0.1:{free_port()}/v1", 10)
    for q in QUESTIONS:
        extractive = bot.ask(q)
        assert extractive.mode == "extractive"
        events = list(down.ask_stream(q))
        answer = events[-1]
        assert answer.mode == "llm-fallback", answer
        assert answer.answer.startswith(extractive.answer) and "kunde inte nås" in answer.answer
        assert answer.citations == extractive.citations and answer._fallback.startswith("error")
        assert down.ask(q).model_dump(exclude={"answer"}) == answer.model_dump(exclude={"answer"})


@pytest.mark.slow
def test_an_ollama_server_that_is_down_falls_back_the_same_way(bot, corpus_settings):
    pytest.importorskip("llama_index.llms.ollama", reason="the [llm] extra is not installed")
    from assistant.api import Assistant

    down = Assistant(corpus_settings.model_copy(update={"llm": "ollama", "llm_url": f"http://127.0.0.1:{free_port()}",
                                                        "llm_model": "llama3.1:8b", "llm_timeout_s": 10}))
    answer = down.ask(QUESTIONS[1])
    assert answer.mode == "llm-fallback" and answer._fallback.startswith("error")
    assert answer.answer.startswith(bot.ask(QUESTIONS[1]).answer)


@pytest.mark.slow
def test_a_stalling_model_times_out_into_the_extractive_answer(bot, corpus_settings, stalling_server):
    slow = _llm_bot(corpus_settings, stalling_server, 1.5)
    q = QUESTIONS[0]
    start = time.monotonic()
    answer = slow.ask(q)
    assert time.monotonic() - start < 15
    assert answer.mode == "llm-fallback" and answer._fallback == "timeout"
    assert answer.answer.startswith(bot.ask(q).answer) and "i tid" in answer.answer


@pytest.mark.slow
def test_a_followup_is_asked_as_written_when_the_rewrite_fails(bot, corpus_settings):
    down = _llm_bot(corpus_settings, f"http://127.0.0.1:{free_port()}/v1", 5)
    conversation = down.conversation()
    first = conversation.ask("Vad är budgeten för Område IT 2024?")
    second = conversation.ask("och prognosen 2023?")
    assert [t[0] for t in conversation.turns] == ["Vad är budgeten för Område IT 2024?", "och prognosen 2023?"]
    assert first.mode == second.mode == "llm-fallback"
    # the extractive follow-up memory still works underneath: the figure question carried over
    reference = bot.conversation()
    reference.ask("Vad är budgeten för Område IT 2024?")
    assert second.answer.startswith(reference.ask("och prognosen 2023?").answer)


@pytest.mark.slow
def test_the_chat_streams_a_fallback_as_a_finished_turn_not_an_error(corpus_settings):
    import logging

    from assistant.guard import Guard
    from assistant.ui import _streaming_chat

    down = _llm_bot(corpus_settings, f"http://127.0.0.1:{free_port()}/v1", 5)
    chat = _streaming_chat(down, down.settings, Guard(30, 1, logging.getLogger("test")))
    *_, (html, box, history, memory, status) = chat("Vilka uppdrag har Område IT?", [], None)
    assert history[-1]["answer"]["mode"] == "llm-fallback" and history[-1]["answer"]["citations"]
    assert "kunde inte nås" in html and "Traceback" not in html and status == ""


def test_json_keeps_todays_fields_and_adds_mode(bot):
    answer = bot.ask(QUESTIONS[0])
    assert list(answer.model_dump()) == ["question", "answer", "abstained", "citations", "route", "score", "mode"]
    assert answer.mode == "extractive" and bot.generator is None


def test_the_llm_settings_keep_the_key_secret(monkeypatch):
    from assistant.llm import build_llm, describe
    from core.settings import Settings

    monkeypatch.setenv("ASSISTANT_LLM", "openai-like")
    monkeypatch.setenv("ASSISTANT_LLM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "m")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-very-secret")
    s = Settings()
    assert "sk-very-secret" not in repr(s) and "sk-very-secret" not in s.model_dump_json()
    assert "sk-very-secret" not in describe(s)
    assert describe(s.model_copy(update={"llm_url": "https://u:pw@host:8000/v1"})) == "openai-like:m@https://host:8000/v1"
    llm = build_llm(s)
    assert llm.api_key == "sk-very-secret" and llm.temperature == 0.0 and llm.max_retries == 0
    assert llm.additional_kwargs["seed"] == 0 and llm.timeout == s.llm_timeout_s


def test_a_configured_but_incomplete_llm_falls_back_saying_why():
    from assistant.generate import Generator
    from core.models import Answer
    from core.settings import Settings

    gen = Generator(Settings(llm="openai-like", llm_model="m"))  # no URL
    assert gen.llm is None and "ASSISTANT_LLM_URL" in gen.error
    extractive = Answer(question="q", answer="Svar [1]", abstained=False)
    from assistant.evidence import Evidence

    out = gen.answer("q", Evidence([]), extractive)
    assert out.mode == "llm-fallback" and out._fallback.startswith("error") and out.answer.startswith("Svar [1]")
