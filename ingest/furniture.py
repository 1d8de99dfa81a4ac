"""Page furniture and contents lists: lines read from a PDF that are not the document's text.

A report or plan read as text carries a running header or footer on every page (`Årsredovisning 2025   Sida 12(30)`,
`Sida 4(30)`, `4 (30)`) and a contents list with dot leaders (`Resultaträkning ........ 12`). Left in, the running
line joins the table before it to the table after it (its title reads as a label row) and becomes a heading; a
contents line reads like the very title a question asks about. Neither says anything, so both are blanked before
structure is read: the line count stays, so every line number still points into the file.

Each rule is a shape of the page, not a document's wording. (The meeting-format work adds the same kind of reading
for protocols in `ingest/layout.py`; the two are meant to become one.)
"""
from __future__ import annotations

import re

# `Sida 12(30)`, `Sida 3 av 6`, `12 (30)`, alone or after a running title of a few words
PAGE_NUMBER = re.compile(r"^(?:.{0,80}?\s)?(?:sida|page)\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|av\s+\d{1,4})$"
                         r"|^\d{1,4}\s*\(\s*\d{1,4}\s*\)$", re.I)
# a contents line: a title, dot leaders (or spaced dots), a page number
CONTENTS_LINE = re.compile(r"^\S.{1,}?(?:\.{4,}|…{2,}|(?:\s?\.){4,}|_{4,})\s*\d{1,4}$")
CONTENTS_HEADING = re.compile(r"^(?:#+\s*)?(?:innehåll|innehållsförteckning|innehåll och sidor)\s*:?$", re.I)


def furniture_lines(text: str) -> set[int]:
    """0-based indexes of the lines that are page furniture or a contents list (with its `Innehåll` heading)."""
    lines = [line.strip() for line in text.split("\n")]
    out = {i for i, s in enumerate(lines) if s and len(s) <= 120 and PAGE_NUMBER.match(s)}
    contents = {i for i, s in enumerate(lines) if CONTENTS_LINE.match(s)}
    out |= contents
    for i, s in enumerate(lines):
        if CONTENTS_HEADING.match(s):
            nxt = next((k for k in range(i + 1, min(len(lines), i + 4)) if lines[k]), None)
            if nxt is not None and nxt in contents:
                out.add(i)
    return out


def blank_furniture(text: str) -> str:
    """The text with furniture lines emptied; same line count."""
    drop = furniture_lines(text)
    if not drop:
        return text
    lines = text.split("\n")
    for i in drop:
        lines[i] = ""
    return "\n".join(lines)
