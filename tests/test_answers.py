"""End to end on the real corpus: retrieval, grounded answers, abstention, the CLI's JSON contract, the chat."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from assistant.grounding import figures, ungrounded_figures
from core.models import Citation
from index.search import Filters

from .conftest import PLAN, PROTOCOL, REPO


def test_hybrid_search_finds_the_investment_row(bot):
    hits = bot.retrieve("Hur mycket investeras i WiFi-nät 2024?")
    top = hits[0]
    assert "WiFi nät 15,3" in top.chunk.text and top.bm25_rank and top.vector_rank


def test_filters_restrict_by_document_type(bot):
    hits = bot.searcher.search("besparing", k=5, filters=Filters(doc_types={"handlingsplan"}))
    assert hits and {h.chunk.doc_type for h in hits} == {"handlingsplan"}


def test_figure_answer_quotes_the_row_it_comes_from(bot):
    answer = bot.ask("Hur stora är personalkostnaderna i resultatbudgeten för 2024?")
    assert not answer.abstained and "-665" in answer.answer
    assert answer.citations[0].source == PLAN.name
    assert "Personalkostnader -665" in answer.citations[0].quote
    assert ungrounded_figures(answer.answer, answer.citations) == []


def test_questions_without_diacritics_typos_and_english_work(bot):
    assert "6,94" in bot.ask("Hur stor var sjukfranvaron (R12)?").answer
    assert "29 309" in bot.ask("Vad ar totalsumman for omrade fastighter?").answer
    assert "15,3" in bot.ask("How much is invested in the WiFi network in 2024?").answer


def test_abstains_when_the_corpus_does_not_say(bot):
    answer = bot.ask("Vad kostar en ny bro i Stockholm?")
    assert answer.abstained and answer.citations == []
    # a row the store holds, for a year it does not: no figure, but the periods that do exist, with their source
    answer = bot.ask("Vad var budgeten för Område IT 2019?")
    assert answer.abstained and "2019" in answer.answer and "Budget 2024" in answer.answer
    assert not any(ch.isdigit() for ch in answer.answer.replace("2019", "").replace("2024", "").replace("2023", "")
                   .replace("6.4", ""))  # no amount is stated


@pytest.mark.parametrize("request_", ["Sammanfatta verksamhetsplanen", "Kan du skriva ett mejl om beslutet i § 58?",
                                      "Could you give me an overview of the action plan?"])
def test_a_request_to_summarise_or_write_is_refused_without_a_language_model(bot, request_):
    """The reader quotes; two sentences that share a request's words are not a summary of a plan."""
    answer = bot.ask(request_)
    assert answer.abstained and not answer.citations and "språkmodell" in answer.answer


def test_a_request_to_write_is_refused_before_any_answerer_searches(bot, monkeypatch):
    """Without a language model nothing can write it, so the search and the answerers are not asked at all."""
    def searched(*args, **kwargs):
        raise AssertionError("searched for a request that is refused anyway")
    monkeypatch.setattr(type(bot), "candidates", searched)
    assert bot.ask("Sammanfatta verksamhetsplanen").abstained
    with pytest.raises(AssertionError):
        bot.ask("Vad är budgeten för Område IT 2024?")


def test_asking_whether_something_can_be_done_is_still_a_question(bot):
    assert bot.reader.read("Kan du ge en sammanfattning av planen?").wants == "summary"
    assert bot.reader.read("Kan regionen skriva av fastigheterna?").wants == "yesno"
    assert bot.reader.read("Vad skriver nämnden om budgeten?").wants != "summary"


def test_every_figure_must_stand_in_a_quote():
    quote = Citation(n=1, source="corpus/x.txt", title="T", section="6.3 Resultatbudget", quote="Resultat 23,2 -38,4")
    assert ungrounded_figures("Resultatet är 23,2 mnkr [1].", [quote]) == []
    assert ungrounded_figures("Resultatet är 24,2 mnkr [1].", [quote]) == ["24,2"]
    assert figures("2 380 och −7,8 samt [3]") == ["2380", "7,8"]
    assert figures("Budget 2024 2025 2026 Totalsumma 29 309") == ["2024", "2025", "2026", "29309"]


def test_every_answer_in_a_batch_is_grounded(bot):
    for q in ("Vad är finansnettot i budget 2024?", "Hur stort är åtgärdskravet för servicenämnden?",
              "Vad blev HME?", "Hur mycket sparar Område IT på molntjänster?"):
        a = bot.ask(q)
        assert a.abstained or not ungrounded_figures(a.answer, a.citations)
        assert all(f"[{c.n}]" in a.answer for c in a.citations)


def test_ask_json_stdin_contract(corpus_settings):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(corpus_settings.data_dir)}
    questions = ["Hur mycket investeras i WiFi-nät 2024?", "Vad kostar en ny bro i Stockholm?", "Vem yrkade på tillägg i § 58?"]
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "--json", "-"], input="\n".join(questions),
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    for r in rows:
        assert set(r) >= {"question", "answer", "abstained", "citations"}
        for c in r["citations"]:
            assert set(c) >= {"n", "source", "title", "section", "page", "quote"}
            assert f"[{c['n']}]" in r["answer"] and c["source"] in (PLAN.name, PROTOCOL.name)
    assert rows[0]["abstained"] is False and rows[1]["abstained"] is True


def test_chat_answers_over_a_real_gradio_server(bot):
    from gradio_client import Client

    from assistant.ui import build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(bot)
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        result = client.predict("Vem yrkade på tillägg i § 58?", api_name="/ask")
        assert result["abstained"] is False and "Helene Andersson" in result["answer"]
        assert result["citations"][0]["source"] == PROTOCOL.name
    finally:
        app.close()


def test_each_rankings_best_hit_keeps_a_place_in_the_fusion(bot):
    """A rare exact word (a contract's name) that the vectors do not rank must still reach the top five."""
    q = bot.reader.read("Coromaticavtalet")
    best_bm25 = bot.searcher.bm25_search(q.terms, 1)[0][0]
    hits = bot.searcher.search("Coromaticavtalet", k=5, terms=q.terms)
    assert best_bm25 in [h.chunk.id for h in hits]
    assert "Coromaticavtalet" in " ".join(h.chunk.text for h in hits)

