"""What on a page is not the document's text: page furniture, contents lists, download links, and the agenda
numbers that stand on a line of their own.

Protocols and reports come as PDF text with a running header and footer on every page (`PROTOKOLL`,
`Sammanträdesdatum 2025-11-12`, `Sida 3(6)`, `Justerarsignaturer Utdragsbestyrkande`), a contents list with
dot leaders (`§ 64 Delårsrapport … ........ 2`), and meeting-portal pages add `584kb Ladda ner dokument` under
each attachment's name. Read as text, the running header splits sentences across pages and becomes headings
and citations; a contents line reads like a heading and matches any question about its title; an attachment's
name reads like a section title (`Tjänsteskrivelse …` even like a new part). None of it says anything, so these
lines are blanked before structure is read (the line count stays, so line numbers still point into the file),
and attachment names are kept as plain text, never as headings.

Hand-written: no library reads this furniture from plain text (pdfplumber's layout needs the PDF, and most of
the corpus arrives as text or HTML); each rule is a shape of the page, not a document's wording.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# `Sida 3(6)`, `Sida 3 av 6`, `3(36)`, `3 (36)`, `- 3 -`, `FÖREDRAGNINGSLISTA 2 (3)`: a page number, alone or
# after a running title
PAGE_NUMBER = re.compile(r"^(?:(?:sida|page|s\.)\s*\d+(?:\s*\(\s*\d+\s*\)|\s+av\s+\d+|\s*/\s*\d+)?|\d+\s*\(\s*\d+\s*\)"
                         r"|-\s*\d+\s*-|[A-ZÅÄÖ][A-ZÅÄÖ ]{3,40}\s+\d+\s*\(\d+\))$"
                         # `Årsredovisning 2025   Sida 12(30)`: a running title, then the page
                         r"|^.{0,80}?\s(?:sida|page)\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|av\s+\d{1,4})$", re.I)
SIGNATURES = re.compile(r"^(?:justerarsignatur(?:er)?|justerandes?\s+sign(?:atur)?|ordförandes?\s+sign(?:atur)?"
                        r"|utdragsbestyrkande|sekreterarens?\s+sign)(?:[\s,]+(?:justerarsignatur(?:er)?|justerandes?"
                        r"\s+sign(?:atur)?|ordförandes?\s+sign(?:atur)?|utdragsbestyrkande))*$", re.I)
# a contents line: a title, dot leaders (or spaced dots), a page number
CONTENTS_LINE = re.compile(r"^\S.{2,}?(?:\.{4,}|…{2,}|(?:\s?\.){4,}|_{4,})\s*\d{1,4}$")
CONTENTS_HEADING = re.compile(r"^(?:#+\s*)?(?:innehåll|innehållsförteckning|ärendelista|innehåll och sidor)\s*:?$", re.I)
# `584kb Ladda ner dokument`, `1,2mb`, `Ladda ner`, `(pdf, 212 kB)`
DOWNLOAD = re.compile(r"^(?:\(?\d+(?:[.,]\d+)?\s?(?:kb|mb|kib|mib|byte)\)?(?:\s+ladda\s+ner(?:\s+dokument(?:et)?)?)?"
                      r"|ladda\s+ner(?:\s+dokument(?:et)?)?|\(?(?:pdf|docx?|xlsx?)(?:,\s*\d+(?:[.,]\d+)?\s?(?:kb|mb))?\)?)$",
                      re.I)
DOWNLOAD_TAIL = re.compile(r"\s\(?\d+(?:[.,]\d+)?\s?(?:kb|mb)\)?(?:\s+ladda\s+ner(?:\s+dokument(?:et)?)?)?$", re.I)
# a diarienummer run into the text after it, as a page copied from a meeting portal gives it
GLUED_DNR = re.compile(r"(\b[A-ZÅÄÖ]{1,5}\s?\d{1,6}[-/](?:19|20)\d\d)(?=[A-ZÅÄÖ][a-zåäö])")
FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt)$", re.I)
ALONE_NUMBER = re.compile(r"^(\d{1,2})$")
MD_PREFIX = re.compile(r"^#{1,6}\s+")


@dataclass
class Layout:
    blank: set[int] = field(default_factory=set)  # furniture, contents lines, download lines: not text
    plain: set[int] = field(default_factory=set)  # attachment names: text, never a heading
    # agenda item: the line of its number → (number, the line of its title)
    items: dict[int, tuple[int, int]] = field(default_factory=dict)
    # where a page ends: a PDF page's first line, a page-number line. A section that runs to the foot of a
    # slide or page and a title on the next one are not known to belong together.
    page_breaks: set[int] = field(default_factory=set)

    def apply(self, text: str) -> str:
        """The text with the blanked lines emptied: same line count, so every line number still holds."""
        if not self.blank:
            return text
        lines = text.split("\n")
        for i in self.blank:
            lines[i] = ""
        return "\n".join(lines)


def unglue(text: str) -> str:
    """`RS 912-2025Motion nr 1-2026 …` → `RS 912-2025 Motion nr 1-2026 …`: a meeting portal prints the
    diarienummer and the item's text as neighbouring elements, and a copy of the page joins them. Only a
    diarienummer's shape (letters, number, year) directly followed by a capitalised word is split; no Swedish
    word is written so."""
    return GLUED_DNR.sub(r"\1 ", text)


def read_layout(text: str, page_starts: list[int] | None = None) -> Layout:
    lines = [line.strip() for line in text.split("\n")]
    layout = Layout()
    pages = [i for i, s in enumerate(lines) if PAGE_NUMBER.match(s)]
    layout.blank.update(pages)
    layout.blank.update(i for i, s in enumerate(lines) if SIGNATURES.match(s))
    layout.blank.update(_running_lines(lines, sorted(set(pages) | set(page_starts or []))))
    layout.blank.update(_contents(lines))
    for i, s in enumerate(lines):
        if DOWNLOAD.match(s):
            layout.blank.add(i)
            label = _previous_nonblank(lines, i)
            if label is not None and label not in layout.blank and not DOWNLOAD.match(lines[label]):
                layout.plain.add(label)
        elif (FILE_NAME.search(s) or DOWNLOAD_TAIL.search(s)) and len(s) <= 160:
            layout.plain.add(i)
    layout.items = _agenda_items(lines, layout.blank)
    layout.page_breaks = set(pages) | set(page_starts or [])
    return layout


def _previous_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i - 1, max(-1, i - 3), -1):
        if lines[j]:
            return j
    return None


def _running_lines(lines: list[str], anchors: list[int], reach: int = 5) -> set[int]:
    """Short lines printed again at the same place on every page: near a page number or a page break, three
    times or more. The first is kept (on page one it is the document's own heading); the repeats go."""
    if len(anchors) < 2:
        return set()
    near: dict[str, list[int]] = defaultdict(list)
    for a in anchors:
        for j in range(max(0, a - reach), min(len(lines), a + reach + 1)):
            if lines[j] and len(lines[j]) <= 80:
                near[lines[j]].append(j)
    counts = Counter(s for s in lines if s)
    out: set[int] = set()
    for s, where in near.items():
        where = sorted(set(where))
        if len(where) >= 3 and counts[s] - len(where) <= 1:
            out.update(where[1:])
    return out


def _contents(lines: list[str]) -> set[int]:
    """Dot-leader lines, and the `Innehåll` heading over them: a contents list answers nothing."""
    out = {i for i, s in enumerate(lines) if CONTENTS_LINE.match(s)}
    for i, s in enumerate(lines):
        if CONTENTS_HEADING.match(s):
            j = next((k for k in range(i + 1, min(len(lines), i + 4)) if lines[k]), None)
            if j is not None and j in out:
                out.add(i)
    return out


def _agenda_items(lines: list[str], blank: set[int]) -> dict[int, tuple[int, int]]:
    """Meeting pages print each item's number on a line of its own and its title on the next (`3` /
    `Budgetuppföljning december 2025`). A number alone is an item only when the numbers run 1, 2, 3 … down the
    page (at least three of them) and each is followed by a title line: a stray value on a line of its own is
    not an agenda."""
    found: list[tuple[int, int, int]] = []
    expected = 1
    for i, s in enumerate(lines):
        if i in blank:
            continue
        m = ALONE_NUMBER.match(s)
        if not m:
            continue
        n = int(m.group(1))
        title = next((k for k in range(i + 1, min(len(lines), i + 3)) if lines[k]), None)
        if title is None or title in blank or not _title_like(lines[title]):
            continue
        if n == expected or (found and n == found[-1][1] + 1):
            found.append((i, n, title))
            expected = n + 1
        elif n == 1:  # a second list starting over
            found.append((i, n, title))
            expected = 2
    runs: list[list[tuple[int, int, int]]] = []
    for item in found:
        if runs and item[1] == runs[-1][-1][1] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return {i: (n, t) for run in runs if len(run) >= 3 for i, n, t in run}


def _title_like(s: str) -> bool:
    s = MD_PREFIX.sub("", s)
    return 2 <= len(s) <= 120 and s[0].isupper() and not s.endswith((".", ",", ";", ":")) and len(s.split()) <= 16


def item_title(lines: list[str], number: int, title_line: int) -> str:
    return f"{number} {MD_PREFIX.sub('', lines[title_line].strip()).strip()}"
