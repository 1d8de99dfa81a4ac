"""Follow-ups rewritten against the conversation before retrieval: `och för fastigheter då?` after a question
about Område IT's budget becomes `Vad är budgeten för Område fastigheter?`, so that search, the figure store and
the lists all see a whole question, whatever kind it is (the extractive Conversation only carries a figure
question's parts over).

The rewrite is the model's; what comes back is used only if it looks like one question (one line, not empty, not
much longer than the conversation could explain). Anything else, a failure or a timeout keeps the question as
asked: a bad rewrite must cost at most the follow-up's context, never the answer.
"""
from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)
TURNS = 3  # the last turns the rewrite sees
ANSWER_CHARS = 300  # of each earlier answer: what it was about, not all of it

SYSTEM = ("You rewrite a follow-up message in a conversation about Region Örebro län's governing documents as "
          "one standalone question that can be understood without the conversation. Keep the language of the "
          "follow-up (Swedish stays Swedish). Keep its names, years and numbers exactly. If it is already "
          "standalone, return it unchanged. Reply with the question only, on one line.")

USER = "Conversation:\n{history}\n\nFollow-up: {question}\n\nStandalone question:"

PREFIX = re.compile(r"^(?:standalone question|fristående fråga|question|fråga)\s*:\s*", re.IGNORECASE)


def _history(turns: list[tuple[str, str]]) -> str:
    lines = []
    for question, answer in turns[-TURNS:]:
        answer = re.sub(r"\s+", " ", answer).strip()
        lines.append(f"User: {question.strip()}")
        lines.append(f"Assistant: {answer[:ANSWER_CHARS]}{' …' if len(answer) > ANSWER_CHARS else ''}")
    return "\n".join(lines)


def accept(rewrite: str, question: str, max_chars: int) -> str | None:
    """The rewrite as one question, or None when it does not look like one."""
    lines = [line.strip() for line in (rewrite or "").strip().splitlines() if line.strip()]
    if not lines:
        return None
    text = PREFIX.sub("", lines[0]).strip().strip('"“”\'*` ').strip()
    if not text or len(text) > min(max_chars, 3 * len(question) + 200) or len(re.findall(r"\w+", text)) < 2:
        return None
    return text


def condense(generator, turns: list[tuple[str, str]], question: str, max_chars: int = 2000) -> str:
    """The follow-up as a standalone question, or the question as asked (no history, or no usable rewrite)."""
    if not turns or generator is None or generator.llm is None:
        return question
    from llama_index.core.llms import ChatMessage, MessageRole

    msgs = [ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM),
            ChatMessage(role=MessageRole.USER, content=USER.format(history=_history(turns), question=question))]
    try:
        rewrite = generator.complete(msgs)
    except Exception as exc:  # noqa: BLE001 - the question as asked is still a question
        log.warning("follow-up rewrite failed (%s); asking it as written", type(exc).__name__)
        return question
    return accept(rewrite, question, max_chars) or question
