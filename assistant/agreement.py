"""What two answerers' candidates have in common. Two answerers that reach one answer by different roads (the
figure store's record and a sentence the prose reader chose; a list of records and the item the prose reader
quoted) are more often right than either alone, and the selector reads that as a feature of both."""
from __future__ import annotations

import re

from core.models import Answer
from ingest.lexicon import fold

from .grounding import figures, quoted_figures
from .select import Candidate

YEAR = re.compile(r"(?:19|20)\d\d")
BOLD = re.compile(r"\*\*(.+?)\*\*")  # how the figure answerer writes the values it gives
QUOTE_CHARS = 80  # how much of a quote must recur: a sentence's opening words, not a shared phrase


def figures_agree(answer: Answer, other: Answer) -> float:
    """Share of the figures `answer` gives (its bold values where it marks them; years aside) that `other` says
    or quotes too; 0 when `answer` gives no figure."""
    stated = " ".join(BOLD.findall(answer.answer)) or answer.answer  # the values, not `§ 58` in a source name
    own = {f for f in figures(stated) if not YEAR.fullmatch(f)}
    if not own:
        return 0.0
    theirs = set(figures(other.answer))
    for c in other.citations:
        theirs |= quoted_figures(c.quote)
    return len(own & theirs) / len(own)


def quotes_within(answer: Answer, other: Answer) -> float:
    """Share of `answer`'s quotes that `other` holds too: a prose answer quoting an item that a list answer
    lists (the list then says it and the rest)."""
    if not answer.citations:
        return 0.0
    theirs = _flat(other.answer + " " + " ".join(c.quote for c in other.citations))
    return sum(_flat(c.quote)[:QUOTE_CHARS] in theirs for c in answer.citations) / len(answer.citations)


def _flat(text: str) -> str:
    return " ".join(fold(re.sub(r"[^\w%]+", " ", text)).split())


def agreement(prose: Candidate | None, figure: Candidate | None, listed: Candidate | None) -> None:
    """What the candidates have in common, as features of each (the selector learns what it is worth): the
    figure store's number in the prose answer's quote, the prose answer's quote among a list's items."""
    if figure is not None:
        figure.features["f_agree"] = figures_agree(figure.answer, prose.answer) if prose is not None else 0.0
    if listed is not None:
        listed.features["l_agree"] = quotes_within(prose.answer, listed.answer) if prose is not None else 0.0
    if prose is not None:
        prose.features["agree"] = figure.features["f_agree"] if figure is not None else 0.0
        prose.features["agree_list"] = listed.features["l_agree"] if listed is not None else 0.0
