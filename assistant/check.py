"""What code checks in a model's answer before a user sees it. A model may write anything; the answer it gives
must still keep the promise the extractive reader keeps: every figure stands in a cited quote.

- every `[n]` names an evidence item that exists (a citation of nothing is a made-up source: rejected);
- every number in a sentence stands in a quote or figure record that the sentence cites (the same grounding
  rule as the extractive answers, `grounding.ungrounded_figures`, held per sentence); a quote that reads like
  an instruction to an assistant grounds nothing, and a figure's OCR-damaged printed form is never stated;
- a sentence (or list line) that cites nothing is removed: it is the model's, not the documents'; so is one
  that repeats the prompt's own instructions (a small model echoes them, markers and all);
- a sentence must share at least one word or number with what it cites: `[n]` on a sentence about something
  else is a made-up source;
- what is left must say something, with at least one citation.

Failing any of these rejects the whole answer (the caller then gives the extractive one with a notice): a
partly wrong answer with its wrong sentence cut out could still mislead by what remains.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Citation
from index.analyzer import STOPWORDS
from ingest.lexicon import fold

from .evidence import Evidence
from .grounding import MARKER, figures, quoted_figures, ungrounded_figures

GROUP = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")  # [1], [1, 2], [1;2]
MARK = re.compile(r"\[(\d{1,3})\]")
# a sentence ends at . ! ? followed by space and something that starts a sentence; `2 394,5` and `kl. 10` stay
SENTENCE_END = re.compile(r"[.!?](?:\s*\[\d{1,3}\])*(\s+)(?=[\"'„”(]?[A-ZÅÄÖÉ])")
LEADING_MARKS = re.compile(r"^((?:\s*\[\d{1,3}\])+)\s*")
BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[*•·–-])\s+")  # `1. `, `* `, `• `: a list line, its number no figure


ENGLISH_STOP = frozenset("""the and that this with from what which when where there their they them have has had
were was been being into over under about only must will would should could than then also every each like
answer question evidence sentence""".split())
ECHO_SHARE = 0.6  # a sentence this much made of the prompt's words (and more than of the evidence's) echoes it


def content_words(text: str) -> set[str]:
    """Folded words of four letters or more that carry meaning, and every number: what a sentence and its
    evidence must share."""
    words = {fold(w) for w in re.findall(r"[^\W\d_]{4,}", MARKER.sub(" ", text))}
    words = {w for w in words if w not in STOPWORDS and w not in ENGLISH_STOP}
    return words | quoted_figures(text)


@dataclass
class Checked:
    ok: bool
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it was rejected
    removed: list[str] = field(default_factory=list)  # uncited sentences taken out


def _normalise_marks(text: str) -> str:
    """`[1, 2]` → `[1][2]`; bold and stray whitespace as the model wrote them."""
    return GROUP.sub(lambda m: "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", m[1].strip())), text)


def segments(text: str) -> list[tuple[int, str]]:
    """(line number, sentence) for each sentence or list line; a marker written after the full stop
    (`… 475 mnkr. [1]`) belongs to the sentence before it."""
    out: list[tuple[int, str]] = []
    for ln, line in enumerate(text.splitlines()):
        if not line.strip() or not re.search(r"\w", line):
            continue
        line = BULLET.sub("- ", line.strip().lstrip("#").strip())
        cuts = [m.start(1) for m in SENTENCE_END.finditer(line)]
        for part in (line[a:z] for a, z in zip([0, *cuts], [*cuts, len(line)])):
            lead = LEADING_MARKS.match(part)
            if lead and out and out[-1][0] == ln:
                out[-1] = (ln, out[-1][1] + lead.group(1).replace(" ", ""))
                part = part[lead.end():]
            if part.strip():
                out.append((ln, part.strip()))
    return out


def check(answer: str, evidence: Evidence, prompt: str = "") -> Checked:
    """The model's answer held against the evidence; `text` and `citations` renumbered 1..k in order of first
    citation when it passes. `prompt`: the instructions the model was given, whose echo is removed."""
    text = _normalise_marks((answer or "").strip())
    told = content_words(prompt) - {w for i in evidence.items for w in content_words(i.citation.quote)}
    kept: list[tuple[int, str]] = []
    removed: list[str] = []
    reasons: list[str] = []
    for ln, sentence in segments(text):
        marks = [int(m) for m in MARK.findall(sentence)]
        if not marks:
            removed.append(sentence)
            continue
        missing = [m for m in marks if evidence.item(m) is None]
        if missing:
            reasons.append(f"cites {', '.join(f'[{m}]' for m in missing)}, which the evidence does not have")
            continue
        items = [evidence.item(m) for m in dict.fromkeys(marks)]
        said = content_words(sentence)
        if told and said and len(said & told) >= ECHO_SHARE * len(said):
            removed.append(sentence)  # the instructions repeated back
            continue
        cited = set().union(*(content_words("\n".join([i.citation.quote, i.citation.section, i.citation.title,
                                                        *i.records])) for i in items))
        if said and not said & cited:
            reasons.append(f"{sentence[:80]!r} shares no word with what it cites")
            continue
        grounding = [i.citation.model_copy(update={"quote": "\n".join([i.citation.quote, *i.records, *i.grounds])})
                     for i in items if not i.instructions]
        loose = ungrounded_figures(sentence, grounding)
        if loose:
            reasons.append(f"{', '.join(dict.fromkeys(loose))} in {sentence[:80]!r} stands in no quote it cites")
            continue
        damaged = {d for i in items for d in figures(" ".join(i.damaged))} - {g for i in items for g in figures(" ".join(i.grounds))}
        if damaged & set(figures(sentence)):
            reasons.append(f"states the OCR-damaged printed figure {sorted(damaged & set(figures(sentence)))} "
                           f"instead of the repaired value")
            continue
        kept.append((ln, sentence))
    if not reasons and not kept:
        reasons.append("no sentence cites the evidence")
    if reasons:
        return Checked(ok=False, reasons=reasons, removed=removed)
    order: dict[int, int] = {}
    for _, sentence in kept:
        for m in MARK.findall(sentence):
            order.setdefault(int(m), len(order) + 1)
    lines: dict[int, list[str]] = {}
    for ln, sentence in kept:
        lines.setdefault(ln, []).append(MARK.sub(lambda m: f"[{order[int(m[1])]}]", sentence))
    out = "\n".join(" ".join(parts) for parts in lines.values())
    citations = [evidence.item(old).citation.model_copy(update={"n": new}) for old, new in order.items()]
    return Checked(ok=True, text=out, citations=citations, removed=removed)
