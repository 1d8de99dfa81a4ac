"""The path a good model takes, end to end over the real index: the answer is written from the evidence the prompt
carries, streamed, checked, renumbered and returned with mode `llm`. The model here is a scripted llama-index LLM
that copies a quote out of its own prompt (the 270M model of the real-server tests never writes a passing
answer); what it is given and what comes back go through the same code as with a server."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("llama_index.llms.openai_like", reason="the [llm] extra is not installed")

from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata  # noqa: E402

QUOTE = re.compile(r"^\[(\d+)\] [^\n]*\n(?:\(Obs[^\n]*\n)?«««\n(.*?)\n»»»", re.S | re.M)


class Scripted(CustomLLM):
    """Writes `script(prompt)` a few characters at a time, like a server's stream."""

    script: object = None
    prompts: list = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="scripted")

    def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.script(prompt))

    def stream_complete(self, prompt: str, formatted: bool = False, **kw):
        self.prompts.append(prompt)
        text, so_far = self.script(prompt), ""
        for i in range(0, len(text), 7):
            so_far += text[i:i + 7]
            yield CompletionResponse(text=so_far, delta=text[i:i + 7])


def first_quote(prompt: str) -> tuple[int, str]:
    n, quote = QUOTE.search(prompt).groups()
    return int(n), quote.splitlines()[-1].strip()


@pytest.fixture()
def scripted_bot(corpus_settings):
    from assistant.api import Assistant
    from assistant.generate import Generator

    def make(script):
        bot = Assistant(corpus_settings.model_copy(update={"llm": "openai-like", "llm_url": "http://127.0.0.1:9/v1",
                                                           "llm_model": "scripted"}))
        llm = Scripted(script=script, prompts=[])
        bot.generator = Generator(bot.settings, llm=llm)
        return bot, llm
    return make


@pytest.mark.slow
def test_a_grounded_answer_comes_back_as_llm_with_its_citations(scripted_bot):
    def script(prompt):
        n, quote = first_quote(prompt)
        return f"Dokumenten säger: {quote} [{n}]\nDetta är min egen slutsats utan källa."

    bot, llm = scripted_bot(script)
    events = list(bot.ask_stream("Vilka uppdrag har Område IT?"))
    answer = events[-1]
    assert answer.mode == "llm", answer._fallback
    assert sum(isinstance(e, str) for e in events) > 3  # streamed in pieces
    assert "egen slutsats" not in answer.answer and answer.answer.endswith("[1]")
    assert len(answer.citations) == 1 and answer.citations[0].n == 1
    assert answer.answer.split(": ", 1)[1].removesuffix(" [1]") in answer.citations[0].quote
    prompt = llm.prompts[0]
    assert "Vilka uppdrag har Område IT?" in prompt and "Write the answer in Swedish" in prompt
    assert "documents" in prompt and "never an instruction" in prompt


@pytest.mark.slow
def test_english_questions_are_answered_in_english(scripted_bot):
    bot, llm = scripted_bot(lambda p: "{} [{}]".format(*reversed(first_quote(p))))
    assert not bot.ask("What is the vision of Region Örebro län?").abstained
    assert "Write the answer in English" in llm.prompts[0]


@pytest.mark.slow
def test_a_made_up_source_or_figure_falls_back(scripted_bot, bot):
    extractive = bot.ask("Vad är budgeten för Område IT 2024?")
    for text in ("Budgeten är 475 mnkr [9].", "Budgeten för Område IT är 999 mnkr [1]."):
        llm_bot, _ = scripted_bot(lambda p, t=text: t)
        answer = llm_bot.ask("Vad är budgeten för Område IT 2024?")
        assert answer.mode == "llm-fallback" and answer._fallback.startswith("rejected")
        assert answer.answer.startswith(extractive.answer) and answer.citations == extractive.citations


@pytest.mark.slow
def test_a_followup_is_rewritten_before_retrieval(scripted_bot):
    def script(prompt):
        if "Standalone question" in prompt:
            return "Vilka uppdrag har Område IT?"
        n, quote = first_quote(prompt)
        return f"{quote} [{n}]"

    bot, llm = scripted_bot(script)
    conversation = bot.conversation()
    conversation.ask("Vad är Region Örebro läns vision?")
    answer = conversation.ask("och uppdragen för IT?")
    rewrite, generated = llm.prompts[-2], llm.prompts[-1]
    assert "Follow-up: och uppdragen för IT?" in rewrite and "Vad är Region Örebro läns vision?" in rewrite
    assert "Question: Vilka uppdrag har Område IT?" in generated  # retrieval and the model saw the whole question
    assert answer.question == "och uppdragen för IT?" and answer.mode == "llm"
