"""Chunks → units: the sentences, list items, lead-ins, table rows and short paragraphs that the reader weighs
as answers.

The same split runs at ingest, where every unit is embedded once (cached by content hash), and at question time,
where the reader scores the units of the top passages: the two always agree on what a unit is and on its key.

Written by hand rather than with llama-index's SentenceSplitter: a unit must keep its exact line span (for the
citation), a table row its column header, and a lead-in line (`Besparingsförslagen innehåller bland annat:`)
the items under it, none of which a generic splitter keeps.
"""
from __future__ import annotations

import hashlib
import re

from core.models import Chunk, Unit

from .chunking import FOOTNOTE, marks_in  # the chunker finds a section's notes; a unit's marks are read alike
from .fields import DOT_LEADER, label_and_value, side_by_side
from .structure import LIST_LINE_CHARS  # the structure step and the units agree on what a list's line is

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")
BULLET = re.compile(r"^\s*(?:[-*•¢«»]|[eo](?=\s+[A-ZÅÄÖ])|\d+[.)]|[a-h]\))\s+")  # `e)`: a lettered point
CASE_NUMBER = re.compile(r"^\s*([A-ZÅÄÖ]{1,5}\s?\d{1,6}[-/]\d{2,4})\s")  # a diarienummer opening a line
CASE_START = re.compile(CASE_NUMBER.pattern + r"\s*\S")  # … with the text it opens after it
TAG = re.compile(r"<[^>]+>")
UPPER_START = re.compile(r"^\s*[\"“(]?[A-ZÅÄÖÉ0-9]")
NUMBERED_LABEL = re.compile(r"^\S+(?: \S+)? \d+\.$")  # `Effektmål 10.`: the label of what follows, not a sentence
OPEN_ENDINGS = frozenset("till för av från med på i om hos vid åt enligt".split())  # a label they end is open
# a line ending in one of these goes on in the next: a sentence wrapped, not a list item
CONTINUING = OPEN_ENDINGS | {"och", "samt", "eller", "att", "som", "men", "the", "of", "and", "to", "for"}
# A sentence opening with a demonstrative or a back-referring adverb or clause (`Detta …`, `Därför …`, `Det kan
# innebära att …`, `This means …`) says nothing alone: what it refers to is the sentence before it. A dummy
# subject (`Det finns …`, `Det är viktigt att …`) refers to nothing and is not matched. Written out rather than
# parsed: the words that refer back are few and closed, in Swedish as in English.
REFERS_BACK = re.compile(
    r"^(?:Detta|Dessa|Denna|Denne|Det här|Den här|De här|Därför|Därmed|Därav|Således|Det (?:kan |kommer att |skulle )?"
    r"(?:innebära|innebär|betyder|betyda|medför|medföra|leder till|leda till|gör att|göra att|beror på|bero på)"
    r"|This|These|Therefore|Thus|That is why|It means)\b")
MIN_SENTENCE = 12
MIN_ITEM = 4
MAX_LEAD_ITEMS = 15
# A short paragraph is a unit too, for a list question whose items stand one per sentence (`Ett förslag är …
# Ytterligare en åtgärd är … Den största besparingen avser …`); a longer one is a passage, not an answer.
MAX_PARAGRAPH_SENTENCES = 5
TOTAL_ROW = re.compile(r"(summa|totalsumma|totalt?)\b", re.I)  # a table's sum row closes the group above it
_NAME_WORD = r"[A-ZÅÄÖÉ][a-zåäöéüø]+(?:-[A-ZÅÄÖÉ][a-zåäöéüø]+)?"  # `Angelica`, `Lund-Ek`
NAME_LINE = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}$")
TITLE_LINE = re.compile(r"^[A-ZÅÄÖÉ][\w.-]*(?: [\w.-]+){0,2}$")


def clean(text: str) -> str:
    """Markup out (HTML tags, Markdown emphasis), tabs as column bars, spaces single."""
    text = text.replace("</li>", "; ").replace("<li>", "• ")
    text = TAG.sub(" ", text).replace("**", "").replace("\t", " | ")
    text = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", text)
    return re.sub(r"[ \u00a0]+", " ", text).strip(" |")


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one string; a word hyphenated over a line break (`delårs-` / `rapporten`)
    is joined again."""
    out = ""
    for line in lines:
        line = line.strip()
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def unit_key(leaf: str, quote: str) -> str:
    return hashlib.sha256(f"unit\x1f{leaf}\x1f{quote}".encode("utf-8")).hexdigest()[:32]


def embedding_text(leaf: str, quote: str) -> str:
    """What is embedded for a unit: its section's own heading gives a row or a short sentence its subject."""
    return f"{leaf}: {quote.replace(chr(10), ' ')}" if leaf else quote.replace("\n", " ")


def units_of(chunk: Chunk) -> list[Unit]:
    leaf = chunk.section_path[-1] if chunk.section_path else ""
    raw = _table_units(chunk) if chunk.kind == "table" else _prose_units(chunk, leaf)
    if chunk.notes:
        raw = _quoted_with_notes(raw, chunk.notes)
    return [Unit(kind=kind, text=text, quote=quote, line_start=a, line_end=z, key=unit_key(leaf, quote))
            for kind, text, quote, a, z in raw]


def _quoted_with_notes(raw: list[tuple], notes: str) -> list[tuple]:
    """A unit that carries a footnote mark (`+1,7 mnkr (+2,4)*`) is quoted with its note (`* Exklusive …`):
    what the figure leaves out is part of what it says."""
    by_mark = {m.group(1): line for line in notes.split("\n") if (m := FOOTNOTE.match(line))}
    out = []
    for kind, text, quote, a, z in raw:
        found = [by_mark[m] for m in sorted(marks_in(quote)) if m in by_mark and not FOOTNOTE.match(quote.strip())]
        if found:
            text, quote = f"{text} {' '.join(found)}", "\n".join([quote, *found])
        out.append((kind, text, quote, a, z))
    return out


def _table_units(chunk: Chunk) -> list[tuple]:
    """Each row under the column header; and a label that groups the rows under it (`Vårdsystem:` over servers,
    storage and licences) with those rows, as a lead-in with its items: what `Vad ingår i …` asks for."""
    header_lines = [clean(h) for h in (chunk.header or "").split("\n") if h.strip()]
    header = "\n".join(header_lines)
    out: list[tuple] = []
    group: tuple[str, int] | None = None  # (label, line) of the group the rows now stand in
    rows: list[tuple] = []

    def close() -> None:
        if group is not None:  # quoted as a lead-in is, its rows as items (the section names the table)
            _add_lead(out, group[0], group[1], [("item", *row[1:]) for row in rows], min_items=2)

    for i, line in enumerate(chunk.text.split("\n")):
        row = clean(line) if line.strip() else ""
        ln = chunk.line_start + i
        if row.endswith(":") and not any(ch.isdigit() for ch in row) and len(row) <= 60:
            close()
            group, rows = (row, ln), []
        elif row and (any(ch.isdigit() for ch in line) or "\t" in line or "✓" in line) and row not in header_lines:
            unit = ("row", row, f"{header}\n{row}" if header else row, ln, ln)
            out.append(unit)
            if TOTAL_ROW.match(row):
                close()
                group, rows = None, []
            elif group is not None:
                rows.append(unit)
    close()
    return out


def _blocks(chunk: Chunk) -> list[tuple[str, list[tuple[int, str]]]]:
    """("para" | "item", [(line, text)…]): paragraphs split at blank lines, each bullet an item of its own
    (continued by the lines that follow it), and a paragraph of short capitalised lines with no sentence end
    read as one item per line."""
    blocks: list[tuple[str, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] = []
    kind = "para"

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((kind, current))
        current = []

    texts = chunk.text.split("\n")
    cases = {i for i, line in enumerate(texts) if CASE_START.match(line)}
    cases = {i for i in cases if i - 1 in cases or i + 1 in cases}  # a list of cases, not one case's text
    for i, line in enumerate(texts):
        ln = chunk.line_start + i
        if not line.strip():
            flush()
            kind = "para"
        elif BULLET.match(line):
            flush()
            kind = "item"
            current = [(ln, BULLET.sub("", line))]
        elif i in cases:  # `RS 912-2025 Motion nr 27-2025 från …`: one case of a list of them
            flush()
            kind = "item"
            current = [(ln, line)]
        else:
            current.append((ln, line))
    flush()
    blocks = _rejoin_broken(blocks)
    out: list[tuple[str, list[tuple[int, str]]]] = []
    for i, (kind, lines) in enumerate(blocks):
        after_lead = bool(out) and clean(out[-1][1][-1][1]).endswith(":")
        if kind == "para" and len(lines) >= 2 and _list_lines(lines, after_lead):
            out += [("item", [entry]) for entry in lines]
        elif kind == "para" and len(lines) >= 3 and sum(map(_form_line, lines)) >= 0.6 * len(lines):
            out += _form(lines)
        else:
            out.append((kind, lines))
    return out


def _rejoin_broken(blocks: list[tuple[str, list[tuple[int, str]]]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """A paragraph that stops mid-sentence (no end mark) and one that goes on in lower case are one paragraph: a
    page break in a PDF or a scan leaves a blank line inside the sentence."""
    out: list[tuple[str, list[tuple[int, str]]]] = []
    for kind, lines in blocks:
        if out and kind == "para" and out[-1][0] == "para" and lines[0][1].strip()[:1].islower() \
                and not clean(out[-1][1][-1][1]).endswith((".", "!", "?", ":", ";")):
            out[-1] = ("para", out[-1][1] + lines)
        else:
            out.append((kind, lines))
    return out


def _form_line(entry: tuple[int, str]) -> bool:
    """A line of a form (`Utses att justera Maria Sjöberg (M)`, `Plats och tid Regionhuset …`, `Ordförande
    ........`): capitalised, short, no sentence end; wrapped prose runs on into lines that start in lower case."""
    t = clean(entry[1])
    return bool(t) and bool(UPPER_START.match(t)) and len(t) <= 90 \
        and (not t.endswith((".", "!", "?", ",", ";")) or "...." in t)


def _form(lines: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """A protocol's front block: each form line a unit of its own (a run of them otherwise reads as one
    'sentence' that matches any question); the sentences among them stay paragraphs."""
    out: list[tuple[str, list[tuple[int, str]]]] = []
    for entry in lines:
        if _form_line(entry):
            out.append(("form", [entry]))
        elif out and out[-1][0] == "para":
            out[-1][1].append(entry)
        else:
            out.append(("para", [entry]))
    return out


def _list_lines(lines: list[tuple[int, str]], after_lead: bool) -> bool:
    texts = [clean(t) for _, t in lines]
    if not all(UPPER_START.match(t) for t in texts if t):
        return False
    if any(t.endswith((".", "!", "?", ",", ";")) or t.split()[-1].lower() in CONTINUING for t in texts[:-1] if t):
        return False  # `… beslutas av` / `Servicenämnden i november.`: one sentence wrapped, not two items
    return after_lead or sum(len(t) for t in texts) / len(texts) <= LIST_LINE_CHARS * 0.75


def _prose_units(chunk: Chunk, heading: str) -> list[tuple]:
    units: list[tuple] = []
    paragraphs: list[tuple] = []
    blocks = _blocks(chunk)
    for kind, lines in blocks:
        if kind in ("item", "form"):
            text = clean(join_lines([t for _, t in lines]))
            if len(text) >= MIN_ITEM:
                units.append(("item", text, text, lines[0][0], lines[-1][0]))
            continue
        joined = ""
        starts: list[tuple[int, int]] = []  # (offset in joined, line)
        for ln, text in lines:
            starts.append((len(joined) + (1 if joined else 0), ln))
            joined = join_lines([joined, text]) if joined else text.strip()
        pos = 0
        sentences = SENTENCE_END.split(joined)
        for i in range(len(sentences) - 2, -1, -1):
            if NUMBERED_LABEL.match(sentences[i]):
                sentences[i: i + 2] = [f"{sentences[i]} {sentences[i + 1]}"]
        before: tuple[str, int] | None = None  # the paragraph's previous sentence and its first line
        said: list[str] = []
        for sentence in sentences:
            idx = joined.find(sentence, pos)
            pos = idx + len(sentence)
            first = max((ln for off, ln in starts if off <= idx), default=lines[0][0])
            last = max((ln for off, ln in starts if off < pos), default=first)
            text = clean(sentence)
            if len(text) >= MIN_SENTENCE:
                if before is not None and REFERS_BACK.match(text):
                    pair = f"{before[0]} {text}"
                    units.append(("sentence", pair, pair, before[1], last))
                else:
                    units.append(("sentence", text, text, first, last))
                said.append(text)
            before = (text, first)
        if 2 <= len(said) <= MAX_PARAGRAPH_SENTENCES:
            whole = " ".join(said)
            paragraphs.append(("paragraph", whole, whole, lines[0][0], lines[-1][0]))
    # a form's lines are fields, not a list its heading announces; a header whose labels stand over their values
    # (`Datum` / `2026-02-10` / `Tid` / …) is still listed whole under its heading: the fields split from it are
    # units beside it (measured on dev: without the whole, `var är mötet` was answered by a fragment of it)
    fields, side_by_side_lines = _fields(chunk)
    units = _with_leads(units, "" if side_by_side_lines or any(kind == "form" for kind, _ in blocks) else heading)
    label_lines = {first for _, _, _, first, last in fields if first < last}  # a label alone answers nothing
    units = [u for u in units if not (u[3] == u[4] and u[3] in label_lines)]
    return units + _signatures(chunk) + fields + paragraphs


def _signatures(chunk: Chunk) -> list[tuple]:
    """A name line with the title lines right beside it in one block (`Angelica Eriksson` / `Verksamhets-
    controller`, `Ordförande` / `Helene Andersson`): how decision proposals and protocols are signed. Each line
    is a unit of its own already; the pair says who holds the title. Kept apart from the items so that no
    lead-in lists them twice. Told by shape alone (units are split without a dictionary, at ingest and at
    question time alike); whether a name is a person's is the reader's to weigh."""
    out = []
    lines = [clean(t) for t in chunk.text.split("\n")]
    for i, name in enumerate(lines):
        if not NAME_LINE.match(name):
            continue
        first = i - 1 if i > 0 and _title(lines[i - 1]) else i
        last = i + 1 if i + 1 < len(lines) and _title(lines[i + 1]) else i
        if first < last:
            parts = lines[first: last + 1]
            out.append(("item", ", ".join(parts), "\n".join(parts), chunk.line_start + first, chunk.line_start + last))
    return out


def _fields(chunk: Chunk) -> tuple[list[tuple], bool]:
    """A form's fields (fields.py): a label and the short line it opens onto, across blank lines, and the fields a
    line prints side by side; and whether any line does (the chunk is then a form). A label that ends in a
    preposition (`Expedieras till`, `Beslut om`) is incomplete alone too, whatever its words: how a protocol's
    fields come out of a PDF."""
    out = []
    lines = [(chunk.line_start + i, clean(t)) for i, t in enumerate(chunk.text.split("\n")) if t.strip()]
    for (ln, label), (vn, value) in zip(lines, lines[1:]):
        words = label.split()
        opens = 1 <= len(words) <= 4 and words[-1].lower() in OPEN_ENDINGS and _short_line(label) \
            and _short_line(value) and value.split()[-1].lower() not in OPEN_ENDINGS
        if opens or label_and_value(label, value):
            shown = DOT_LEADER.sub("", label)  # `Ordförande ......` over `Anders Wik`
            out.append(("item", f"{shown} {value}", f"{label}\n{value}", ln, vn))
    sides = [("item", field, field, ln, ln) for ln, line in lines for field in side_by_side(line)]
    out += sides
    # a meeting portal opens an item's text with its case number (`RS 88-2026 Regionens resultat …`): the number
    # alone is the item's diarienummer, its section heading names the item; in a list of cases, each line is one
    cases = {ln for ln, line in lines if CASE_START.match(line)}
    for ln, line in lines:
        if ln in cases and ln - 1 not in cases and ln + 1 not in cases and (m := CASE_NUMBER.match(line)):
            out.append(("item", m.group(1), m.group(1), ln, ln))
    return out, bool(sides)


def _short_line(text: str) -> bool:
    return len(text) <= 60 and not any(ch.isdigit() for ch in text) and not text.endswith((".", ":", ";", ",", "?"))


def _title(text: str) -> bool:
    """A title or role line beside a name: one to three words, no digits, no sentence, not itself a name."""
    return bool(text) and len(text) <= 40 and not any(ch.isdigit() for ch in text) \
        and bool(TITLE_LINE.match(text)) and not NAME_LINE.match(text) and not text.endswith((":", ",", ";"))


def _with_leads(units: list[tuple], heading: str) -> list[tuple]:
    """A list with what announces it, as one unit too, so that the answer to `vilka …` carries the whole list
    and not one item or only the line that announces it: a line ending in a colon and the items after it, or
    two or more items that open a section, under the section's heading."""
    out = list(units)
    for i, (kind, text, quote, a, z) in enumerate(units):
        if text.endswith(":"):
            _add_lead(out, text, a, units[i + 1:])
    if heading and len(units) >= 2 and units[0][0] == "item" and units[1][0] == "item":
        _add_lead(out, f"{heading}:", units[0][3], units, min_items=2)
    return out


def _add_lead(out: list[tuple], lead: str, first: int, following: list[tuple], min_items: int = 1) -> None:
    items = []
    for other in following:
        if other[0] != "item" or len(items) >= MAX_LEAD_ITEMS:
            break
        items.append(other)
    if len(items) >= min_items:
        body = "; ".join(t for _, t, _, _, _ in items)
        out.append(("lead", f"{lead} {body}", lead + "\n" + "\n".join(f"• {t}" for _, t, _, _, _ in items),
                    first, items[-1][4]))
