"""What one question may cost: a question longer than the cap is refused before any work is done.

The answer path grows with the question (the query embedding runs one 512-token window after another, about a
second each on two cores), so a pasted document would hold the embedder for minutes while every other user
waits. A person's question fits in a few hundred characters; the cap (`max_question_chars`) leaves ample room.
"""
from __future__ import annotations

from core.models import Answer


def refuse_long(question: str, max_chars: int) -> Answer | None:
    """A short Swedish refusal when the question is over the cap, else None (go ahead and answer)."""
    n = len(question.strip()) if question else 0
    if n <= max_chars:
        return None
    return Answer(question=question[:200], abstained=True,
                  answer=f"Frågan är för lång ({n} tecken); högst {max_chars} tecken.")
