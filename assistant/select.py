"""Routing in one place: every answerer proposes a candidate answer; the fitted selector (assistant/scoring.py)
gives each the probability that it is the one to give, against the others and against abstaining, and `select`
picks the best one, or abstains when none is likely enough.

Nothing upstream excludes an answerer: a question with `budget` in it may still be best answered by a sentence
without a number, and `Vad har Område IT fått för uppdrag?` by the list of assignments although it does not
open with `vilka`. What a question names only moves probabilities.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.models import Answer

Route = Literal["figure", "list", "prose"]
ABSTAIN_TEXT = "Det kan jag inte besvara utifrån dokumenten i kunskapsbanken: inget avsnitt säger det som frågan gäller."
WRITE_TEXT = ("Jag svarar med citat ur dokumenten och kan inte sammanfatta eller skriva nya texter utan en språkmodell "
              "(inställningen ASSISTANT_LLM). Fråga om något bestämt, till exempel budgeten, målen eller ett beslut.")


class Candidate(BaseModel):
    """One answerer's proposal: its answer, the features it was judged by and the probability it is right."""

    route: Route
    answer: Answer
    features: dict[str, float] = Field(default_factory=dict)
    p: float = 0.0
    why: str = ""


def abstention(question: str, note: Answer | None = None) -> Answer:
    """`Det kan jag inte besvara …`, or a note that says what the documents do hold instead (the periods a
    figure exists for, the areas with figures)."""
    if note is not None:
        return note.model_copy(update={"abstained": True, "route": None, "score": None})
    return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True)


def cannot_write(question: str) -> Answer:
    """A request to summarise or write: quoting sentences that merely share its words would pass for a summary
    it is not, so the extractive reader says what it can do instead."""
    return Answer(question=question, answer=WRITE_TEXT, abstained=True)


def select(question: str, candidates: list[Candidate], threshold: float, notes: list[Answer] = (),
           abstain_p: float = 0.0) -> Answer:
    """The most probable candidate when it reaches the threshold and is more probable than abstaining
    (`abstain_p`); otherwise an abstention (with the first informative note, if an answerer left one)."""
    best = max(candidates, key=lambda c: c.p, default=None)
    if best is None or best.p < threshold or best.p <= abstain_p:
        return abstention(question, notes[0] if notes else None)
    return best.answer.model_copy(update={"route": best.route, "score": round(best.p, 3)})
