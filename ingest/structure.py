"""Split a document by its own structure: sub-documents, headings, tables, paragraphs.

The rules read Swedish public-sector documents as they come out of OCR or PDF text: numbered headings
(`5.2 Perspektiv: Process`, `1.Inledning`), labelled statements (`Strategi:`, `Effektmål 9.`, `Mål:`), area
headings (`Område IT`), protocol paragraphs (`§ 58`), Markdown/bold headings, short stand-alone title lines,
and tables: OCR rows (`Område IT 475 0 487,0 0`), Markdown `| … |` rows and tab-separated rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import Layout, item_title

NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s*([A-ZÅÄÖ][^.!?]{1,90}?)\s*$")
STRATEGY = re.compile(r"^Strategi\s*:\s*(.{2,80})$")
EFFECT_GOAL = re.compile(r"^(Effektmål\s+\d+)\b")
GOAL = re.compile(r"^Mål\s*:\s*(.{2,})$")
AREA = re.compile(r"^Omr\w{1,4}de\s+([A-Za-zÅÄÖåäö].{0,45})$")  # OCR: Omrade, Omréde, Omréade
PARAGRAPH = re.compile(r"^§\s*(\d+)\s*(.*)$")
LETTERED = re.compile(r"^[a-h]\)\s+[A-ZÅÄÖ][^.!?]{2,200}(?:\([^)]*\))?$")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
BOLD = re.compile(r"\*\*([^*]+)\*\*")
PART = re.compile(r"^(Bilaga|Handlingsplan|Beslutsförslag|Tjänsteskrivelse|Dialogunderlag)\b\s*:?\s*(.{0,80})$")
PART_TYPES = {"bilaga": "bilaga", "handlingsplan": "handlingsplan", "beslutsförslag": "beslutsförslag",
              "tjänsteskrivelse": "tjänsteskrivelse", "dialogunderlag": "bilaga"}
# Page furniture of Swedish agency documents: never headings.
FURNITURE = {"datum", "beteckning", "diarienummer", "dnr", "sida", "ordförandes sign", "justerares sign",
             "utdragsbestyrkande", "indikatorer", "målindikatorer"}
# The sections every meeting document (protocol, agenda, meeting page, officer's report) is made of: headings
# wherever they stand, with or without blank lines around them.
SECTION_LABELS = {"beslut", "förslag till beslut", "sammanfattning", "sammanfattning av ärendet", "ärendebeskrivning",
                  "ärendet", "bakgrund", "yrkanden", "yrkande", "reservation", "reservationer", "propositionsordning",
                  "beslutsunderlag", "expedieras till", "bilagor", "protokollsanteckning", "särskilt yttrande",
                  "jäv", "beslutsgång", "handlingar", "ekonomiska konsekvenser", "förslag till beslut i korthet"}
NUMBER_CELL = re.compile(r"^[-–−+]?\(?\d[\d,.%]*\)?\|?$|^\|$|^-$")
LEVEL_STRATEGY, LEVEL_AREA, LEVEL_GOAL, LEVEL_GROUP, LEVEL_TITLE = 5, 5, 6, 7, 8
LEVEL_CONTENT = 99  # deeper than any heading: what follows belongs to the last one
YEAR_END = re.compile(r"[A-Za-zÅÄÖåäö]\s+(19|20)\d\d$")
LIST_ITEM = re.compile(r"^[-*•]\s")
LIST_LINE_CHARS = 80  # wrapped prose fills its lines; a list's lines end where the item does


@dataclass
class Block:
    kind: str  # "prose" | "table"
    start: int  # 0-based line index of the first content line
    end: int  # inclusive
    lines: list[str]
    path: tuple[str, ...]
    part: str
    doc_type: str
    header: list[str] = field(default_factory=list)  # table: title/column header lines (verbatim)


@dataclass
class _State:
    part: str
    doc_type: str
    stack: list[tuple[int, str]] = field(default_factory=list)

    def push(self, level: int, title: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))

    @property
    def path(self) -> tuple[str, ...]:
        return (self.part, *(t for _, t in self.stack))


def _numeric_tail(line: str) -> int:
    """How many cells at the end of a line are numbers: a table row's signature."""
    tokens = line.replace("|", " | ").split()
    n = 0
    i = len(tokens) - 1
    while i >= 0 and NUMBER_CELL.match(tokens[i]):
        if tokens[i] not in "|-":
            n += 1
        i -= 1
    # thousands groups ("2 380") count as one cell: the label must still have letters
    label = " ".join(tokens[: i + 1])
    return n if re.search(r"[A-Za-zÅÄÖåäö]", label) else 0


def _is_blank(lines: list[str], i: int) -> bool:
    return i < 0 or i >= len(lines) or not lines[i].strip()


def _page_start(line: str) -> bool:
    """OCR output marks the first line of a page with one leading space: a break as good as a blank line."""
    return line.startswith(" ") and not line.startswith("  ")


def _clean_title(s: str) -> str:
    s = BOLD.sub(r"\1", s)
    return re.sub(r"\s+", " ", s).strip(" *#")


def _short_title(s: str) -> bool:
    if not (2 <= len(s) <= 60) or s.lower() in FURNITURE:
        return False
    if not s[0].isupper() or s[-1] in ".,;!?-–" or (s.endswith(":") and not s.startswith("Bilaga")):
        return False
    words = s.split()
    if len(words) > 8:
        return False
    s = re.sub(r"\s+(19|20)\d\d$", "", s)  # `IT investeringar 2024`: the year is part of a title
    letters = sum(ch.isalpha() for ch in s)
    return letters / max(1, len(s.replace(" ", ""))) >= 0.8


def split_structure(text: str, part_title: str, doc_type: str, layout: Layout | None = None) -> list[Block]:
    """`layout` (ingest/layout.py) names the lines that are attachment names (text, never headings) and the
    agenda items whose number stands on a line of its own."""
    layout = layout or Layout()
    lines = text.split("\n")
    state = _State(part_title, doc_type)
    blocks: list[Block] = []
    para: list[int] = []

    # Headings with nothing under them yet, siblings in a row: (level, first line, last line, path, part, type).
    # A heading whose section ends empty (`§ 3 Budgetuppföljning januari–mars 2026` alone, the last line of a
    # file, one of a row of short lines read as titles) is itself the text: it must not vanish from the index,
    # nor leave a document of such lines empty. A heading followed by a deeper one is not: that subsection is
    # its content. A row of them is one block under their parent: the items of one list, not one-line sections.
    bare: list[tuple] = []
    # A line ending in a colon announces a list; OCR and slides set its items apart with blank lines, and an
    # item alone between blanks reads like a title. While the list's lines keep its shape, such a line is one of
    # its items (`Besparingsförslagen innehåller bland annat:` … `Reducerat konferensutbud` … ). Only in a list
    # of plain lines: where the items carry bullets, a line without one is not an item.
    in_list = False
    bulleted = False

    def flush() -> None:
        if para:
            blocks.append(Block("prose", para[0], para[-1], [lines[j] for j in para], state.path, state.part,
                                state.doc_type))
            para.clear()

    def close_bare(level: int | None = None) -> None:
        """Content, or a heading at `level`, follows: the bare headings before it were empty, except the last one
        when what follows is its content or its subsection. None: the section ends (a new part, the end)."""
        if level == LEVEL_CONTENT and _opens_group(bare) and not _after_page_break(lines, bare[1][1], layout.page_breaks):
            # `Återstående åtgärder` / `Välfärdsbrottslighet` / its list: a title whose first content is another
            # title heads that one and the siblings after it, as a numbered heading would its subsections
            child = state.stack.pop()
            state.push(LEVEL_GROUP, bare[0][3][-1])
            state.push(child[0], child[1])
            bare.clear()
            return
        empty = bare if level is None or bare and bare[-1][0] >= level else bare[:-1]
        if len(empty) == 1:
            _, a, z, path, part, doc_type = empty[0]
            blocks.append(Block("prose", a, z, lines[a: z + 1], path, part, doc_type))
        elif empty:
            a, z, path, part, doc_type = empty[0][1], empty[-1][2], empty[0][3][:-1], empty[0][4], empty[0][5]
            blocks.append(Block("prose", a, z, lines[a: z + 1], path, part, doc_type))
        bare.clear()

    i = 0
    n = len(lines)
    while i < n:
        raw = lines[i]
        s = raw.strip()
        if not s:
            flush()
            i += 1
            continue
        alone = (_is_blank(lines, i - 1) or _page_start(raw)) and _is_blank(lines, i + 1)

        if i in layout.plain:
            close_bare(LEVEL_CONTENT)
            para.append(i)
            i += 1
            continue
        if i in layout.items:  # `3` / `Budgetuppföljning december 2025`: an agenda item, the page's top level
            number, title_line = layout.items[i]
            flush()
            close_bare(1)
            state.push(1, item_title(lines, number, title_line))
            bare.append((1, i, title_line, state.path, state.part, state.doc_type))
            i = title_line + 1
            continue

        # --- sub-documents ----------------------------------------------------------------------------------
        m = PART.match(s)
        if m and (alone or _is_blank(lines, i - 1) or _is_blank(lines, i + 1)) and len(s) <= 90 and "\t" not in s:
            kind = PART_TYPES[m.group(1).lower()]
            if kind == state.doc_type and not m.group(2).strip():
                i += 1  # the part's own name repeated as a running page header
                continue
            if kind != state.doc_type:
                flush()
                close_bare()
                title = _clean_title(s)
                rest = m.group(2).strip()
                nxt = _next_nonblank(lines, i)
                if nxt is not None and ((not rest and m.group(1) == "Bilaga") or m.group(1) == "Handlingsplan"):
                    cand = lines[nxt].strip()
                    if _short_title(cand.rstrip(":")) and not NUMBERED.match(cand) and (m.group(1) == "Bilaga" or not PART.match(cand)):
                        title = f"{title.rstrip(':')}{':' if m.group(1) == 'Bilaga' else ' –'} {cand}"
                state = _State(title, kind)
                i += 1
                continue

        # --- tables -----------------------------------------------------------------------------------------
        table = _table_at(lines, i)
        if table is not None:
            flush()
            close_bare(LEVEL_CONTENT)
            start, end, header = table
            title = state.path[-1] if state.stack else state.part
            blocks.append(Block("table", start, end, lines[start: end + 1], state.path, state.part,
                                state.doc_type, header=[title, *[lines[h].strip() for h in header]]))
            i = end + 1
            continue

        # --- headings ---------------------------------------------------------------------------------------
        heading = _heading(lines, i, s, alone)
        if heading is not None and in_list and not bulleted and heading[0] == LEVEL_TITLE and _plain_title(s) \
                and _item_shaped(lines, _next_nonblank(lines, i)):
            heading = None
        if heading is not None:
            in_list = False
            level, title, consumed, keep_as_content = heading
            flush()
            if not (bare and bare[-1][0] == level and not keep_as_content):  # a sibling continues the row
                close_bare(LEVEL_CONTENT if keep_as_content else level)
            if level >= LEVEL_GROUP and not bare and _after_page_break(lines, i, layout.page_breaks):
                # a group's extent is not written down: it ends where its page does
                state.stack = [entry for entry in state.stack if entry[0] < LEVEL_GROUP]
            state.push(level, title)
            if keep_as_content:
                para.extend(range(i, i + consumed))
            else:
                bare.append((level, i, i + consumed - 1, state.path, state.part, state.doc_type))
            i += consumed
            continue

        close_bare(LEVEL_CONTENT)
        para.append(i)
        if s.endswith(":"):
            in_list, bulleted = True, bool(LIST_ITEM.match(lines[_next_nonblank(lines, i) or i].strip()))
        else:
            in_list = in_list and _item_shaped(lines, i)
        i += 1
    flush()
    close_bare()
    return blocks


def _opens_group(bare: list[tuple]) -> bool:
    """Two short titles in a row, then content: the first heads the second (on one page: a slide's or page's
    last line is not the next one's heading). A row of three or more is a list of one-line items (kept as
    text); a section label (`Beslut`, `Bakgrund`) never heads a title."""
    return (len(bare) == 2 and all(entry[0] == LEVEL_TITLE for entry in bare)
            and bare[0][3][-1].lower() not in SECTION_LABELS and bare[1][3][-1].lower() not in SECTION_LABELS)


def _after_page_break(lines: list[str], i: int, page_breaks: set[int]) -> bool:
    """A page starts between line i and the text before it."""
    j = i
    while j >= 0:
        if j in page_breaks or _page_start(lines[j]):
            return True
        j -= 1
        if j >= 0 and lines[j].strip():
            return False
    return False


def _plain_title(s: str) -> bool:
    """A title by its shortness alone: no mark-up, no section label, no number."""
    return "**" not in s and not MD_HEADING.match(s) and s.rstrip(":").strip().lower() not in SECTION_LABELS \
        and not NUMBERED.match(s) and not PARAGRAPH.match(s)


def _item_shaped(lines: list[str], i: int | None) -> bool:
    """A list item's line: short, and no sentence or announcement ends on it."""
    if i is None:
        return False
    s = lines[i].strip()
    return 0 < len(s) <= LIST_LINE_CHARS and s[-1] not in ".:!?"


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i + 1, min(len(lines), i + 4)):
        if lines[j].strip():
            return j
    return None


def _heading(lines: list[str], i: int, s: str, alone: bool) -> tuple[int, str, int, bool] | None:
    """(level, title, lines consumed, keep the line as content) or None."""
    if s.lower() in FURNITURE:
        return None
    if s.rstrip(":").strip().lower() in SECTION_LABELS:  # `Förslag till beslut` inside running text too
        return LEVEL_TITLE, s.rstrip(":").strip(), 1, False
    m = MD_HEADING.match(s)
    if m:
        return len(m.group(1)), _clean_title(m.group(2)), 1, False
    if "**" in s:
        segments = [seg.strip() for seg in BOLD.findall(s) if seg.strip()]
        if segments and len(s) <= 160:
            para_m = next((PARAGRAPH.match(seg) for seg in segments if PARAGRAPH.match(seg)), None)
            if para_m:
                rest = " ".join(seg for seg in segments if not PARAGRAPH.match(seg))
                return 1, f"§ {para_m.group(1)} {rest}".strip(), 1, False
            return LEVEL_GOAL if len(segments) > 1 else LEVEL_TITLE, _clean_title(" › ".join(segments)), 1, False
    m = LETTERED.match(s)
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if m and not nxt[:1].islower():  # `b) Motion nr 1-2026 från Eva Lund (SD) om … (RS 2026/15)`: a sub-item of
        # an agenda item; a lettered point wrapped onto the next line (`e) Att … konfidentialitet,` / `riktighet
        # och …`) is a sentence of a list, not a title
        title = m.group(0) if len(m.group(0)) <= 90 else m.group(0)[:87].rsplit(" ", 1)[0] + " …"
        return 2, title, 1, False
    m = PARAGRAPH.match(s)
    if m and len(s) <= 120:
        return 1, _clean_title(s), 1, False
    m = NUMBERED.match(s)
    if m and int(m.group(1).split(".")[0]) <= 30 and len(m.group(2).split()) <= 10:
        title = f"{m.group(1)} {m.group(2).strip()}"
        consumed = 1
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and nxt[0].islower() and len(nxt) <= 60 and not nxt.endswith("."):
            title += " " + nxt  # a heading wrapped onto a second line
            consumed = 2
        return m.group(1).count(".") + 1, title, consumed, False
    m = STRATEGY.match(s)
    if m:
        return LEVEL_STRATEGY, f"Strategi: {m.group(1).strip()}", 1, False
    m = EFFECT_GOAL.match(s)
    if m:
        return LEVEL_STRATEGY, m.group(1), 1, True
    m = GOAL.match(s)
    if m:
        goal = m.group(1).strip()
        return LEVEL_GOAL, "Mål: " + (goal if len(goal) <= 60 else goal[:57].rsplit(" ", 1)[0] + " …"), 1, True
    m = AREA.match(s)
    if alone and m and _numeric_tail(s) == 0:
        return LEVEL_AREA, "Område " + m.group(1), 1, False
    if _short_title(s) and (_numeric_tail(s) == 0 or YEAR_END.search(s)) and "\t" not in s:
        # Alone on its line, or a short line opening a paragraph of full-width lines (OCR drops blank lines).
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if alone or (_is_blank(lines, i - 1) and len(s) <= 45 and len(nxt) >= 60 and len(s.split()) <= 5):
            return LEVEL_TITLE, s, 1, False
    return None


def _table_at(lines: list[str], i: int) -> tuple[int, int, list[int]] | None:
    """If a table starts at line i: (first line, last line, header line indexes)."""
    s = lines[i].strip()
    if s.startswith("|") and s.endswith("|") and s.count("|") >= 2:
        j = i
        while j + 1 < len(lines) and lines[j + 1].strip().startswith("|"):
            j += 1
        return i, j, []
    if "\t" in lines[i] and lines[i].count("\t") >= 1 and len(s.split("\t")) >= 2:
        j = i
        while j + 1 < len(lines) and "\t" in lines[j + 1]:
            j += 1
        # a first row of short labels without figures names the columns (`Datum | Diarienummer`): every piece
        # of the table repeats it, so a row far down still says what its cells are
        cells = [c.strip() for c in s.split("\t")]
        names_columns = not any(ch.isdigit() for ch in s) and all(len(c) <= 60 for c in cells) and j > i
        return (i, j, [i] if names_columns else []) if j > i else None
    header: list[int] = []
    if _is_column_header(s):
        header = [i]
        k = i + 1
        while k < len(lines) and k <= i + 4 and not _is_row(lines, k):
            t = lines[k].strip()
            if t and _is_group_label(lines, k):
                break
            if t and not (_is_column_header(t) or HEADER_TAIL.match(t)):
                break
            if t:
                header.append(k)
            k += 1
        if not _is_row(lines, k) and not _is_group_label(lines, k):
            return None
        first = i
    elif _is_row(lines, i):
        first = i
    else:
        return None
    j = first
    k = first
    while k + 1 < len(lines):
        nxt = k + 1
        while nxt < len(lines) and not lines[nxt].strip() and nxt - k <= 2:
            nxt += 1
        if nxt < len(lines) and lines[nxt].strip() and (
                _is_row(lines, nxt) or _is_group_label(lines, nxt, inside=True)
                or (_is_value_line(lines, nxt) and not _is_row(lines, k) and _is_group_label(lines, k, inside=True))):
            k = nxt
            if _is_row(lines, k) or _is_value_line(lines, k):
                j = k
        else:
            break
    if j == first and not _is_row(lines, first):
        return None
    return first, j, header


HEADER_TAIL = re.compile(r"^[\d\s\-–|()A-ZÅÄÖ]{1,12}$")  # a header's wrapped remainder: "2024", "ÅR -"


def _is_column_header(s: str) -> bool:
    """`Belopp i mnkr Budget 2024 | Prognos 2023`, `(Tkr) 2024 2025 2026 Antal då`, `) 2024 2025 2026`."""
    if len(s) > 100 or s.endswith(".") or "\t" in s or LIST_ITEM.match(s):
        return False
    years = re.findall(r"\b(?:19|20)\d\d\b", s)
    unit = re.search(r"\b(Belopp|mnkr|tkr|Tkr|Procent|Antal|Objekt\w*)\b|\(Tkr\)", s)
    words = [w for w in re.findall(r"[A-Za-zÅÄÖåäö]+", s)]
    return bool(unit) or (len(years) >= 2 and len(words) <= 6)


def _is_row(lines: list[str], i: int) -> bool:
    if i >= len(lines):
        return False
    s = lines[i].strip()
    if not s or len(s) > 140 or s.endswith(".") or s.endswith(":") or LIST_ITEM.match(s):
        return False
    cells = _numeric_tail(s)
    if cells >= 2:
        return True
    if cells == 1 and not YEAR_END.search(s):  # `Övriga investeringar 2024` is a title, not a row
        # a single trailing number is a row only beside other rows (group labels may sit between them)
        for j in _neighbours(lines, i):
            t = lines[j].strip()
            if _numeric_tail(t) >= 1 and not t.endswith(".") and not YEAR_END.search(t):
                return True
    return False


def _neighbours(lines: list[str], i: int, each_side: int = 2, reach: int = 5) -> list[int]:
    """The nearest non-blank lines before and after line i."""
    out: list[int] = []
    for step in (-1, 1):
        found, j = 0, i + step
        while 0 <= j < len(lines) and abs(j - i) <= reach and found < each_side:
            if lines[j].strip():
                out.append(j)
                found += 1
            j += step
    return out


def _is_value_line(lines: list[str], i: int) -> bool:
    """A line holding only numbers: the value of a label printed on the line above (`Summa …` / `203,8`)."""
    if i >= len(lines):
        return False
    tokens = lines[i].replace("|", " ").split()
    return (bool(tokens) and len(tokens) <= 8 and all(NUMBER_CELL.match(t) for t in tokens)
            and any(ch.isdigit() for ch in lines[i]))


def _is_group_label(lines: list[str], i: int, depth: int = 0, inside: bool = False) -> bool:
    """`Verksamhetens intäkter`, `Vårdsystem:` — label lines inside a table, followed (soon) by a row.

    Inside a table a label may also be the first line of a row label wrapped over two lines, which can be
    longer and end in an abbreviation's period (`… godsmott.`).
    """
    if i >= len(lines) or depth > 3:
        return False
    s = lines[i].strip()
    limit = 100 if inside else 60
    if not s or len(s) > limit or (_numeric_tail(s) and not YEAR_END.search(s)) or LIST_ITEM.match(s) or "\t" in s:
        return False
    if s.endswith(".") and not (inside and len(s.split()) <= 8):
        return False
    if NUMBERED.match(s) or PARAGRAPH.match(s) or MD_HEADING.match(s) or PART.match(s):
        return False  # the next section's heading ends the table
    nxt = _next_nonblank(lines, i)
    return nxt is not None and (_is_row(lines, nxt) or _is_value_line(lines, nxt)
                                or _is_group_label(lines, nxt, depth + 1, inside))
