"""The goal structure of plans and dialogue material as linked records.

Plans print it as labelled lines: `5.2 Perspektiv: Process`, `Strategi: Digitalisering` with its bullet
strategies, `Mål: …` and `Effektmål 9. …` followed by `Indikatorer` and their paragraphs, and
`Uppdrag: Område IT får i uppdrag att …`. Dialogue material prints tables: `Fokusområde | Fullmäktiges mål |
Nämndens mål i Verksamhetsplan 2025 | Måluppfyllelse` (✓), and `Fokusområde | Nämndens mål för 2026 |
Målindikatorer`. A table cell left empty continues the cell above it.
"""
from __future__ import annotations

import hashlib
import re

from core.models import DocumentMeta, GoalNode

from .areas import Areas
from .structure import Block

PERSPECTIVE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?Perspektiv\s*:\s*(.+)$")
# A balanced-scorecard perspective as a heading of its own: `3.1 Invånarperspektivet`, `Medarbetarperspektiv`,
# `Process- och produktionsperspektivet`
PERSPECTIVE_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?((?:[A-ZÅÄÖ][a-zåäö]+-\s+och\s+[a-zåäö]+|[A-ZÅÄÖ][a-zåäö]+)"
                                 r"perspektiv(?:et)?)\s*$")
# A plan decided by fullmäktige (a regionplan, the region's verksamhetsplan med budget): its goals are fullmäktige's
COUNCIL_PLAN = re.compile(r"\bregionplan|\bfullmäktige|\bflerårsplan|\bbudget\s+och\s+verksamhetsplan\b", re.I)
STRATEGY_AREA = re.compile(r"^Strategi\s*:\s*(.+)$")
STRATEGY_LIST = re.compile(r"^Strategier\s+för\b", re.I)
GOAL = re.compile(r"^(?:(?:Strategiskt|Övergripande)\s+)?[Mm]ål(?:\s+(?P<number>\d{1,2}(?:\.\d{1,2})?))?\s*[:.]\s*(?P<text>\S.+)$")
EFFECT_GOAL = re.compile(r"^Effektmål\s+(\d+)\s*[.:]?\s*(.*)$")
INDICATORS = re.compile(r"^(Indikatorer|Målindikatorer)\s*:?\s*$", re.I)
# `Uppdrag: Område IT får i uppdrag att …`, `Uppdrag 3: Regionstyrelsen får …`, `Uppdrag 7` with the text below
ASSIGNMENT = re.compile(r"^Uppdrag(?:\s+(?P<number>\d{1,3}))?\s*(?:[:.]\s*|(?<=\d)\s+|(?<=\d)$)(?P<text>.*)$")
# a paragraph of a plan that gives an assignment without a label: `Servicenämnden får i uppdrag att …`
GIVEN = re.compile(r"^(?:[A-ZÅÄÖ][\wåäö-]*\s+){0,6}?(?:[A-ZÅÄÖ][\wåäö-]*|nämnder(?:na)?)\s+får\s+i\s+uppdrag\s+att\b")
ASSIGNEE = re.compile(r"^(.{2,80}?)\s+får\s+i\s+uppdrag\b")
BULLET = re.compile(r"^(?:[*•«»+\-–]|e|o)\s+(?=\S)")
# `6 Budget`, `5.3 Perspektiv: Resurs`: a chapter heading, not OCR debris like `3 VÄLBEFINNANDE 13 …`
NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÅÄÖ][a-zåäö][^.!?\d]{0,80}$")
VISION_QUOTED = re.compile(r"\bvision(?:en)?\s*[“\"”]([^”\"“]{5,120})[”\"“]", re.I)
VISION_LABEL = re.compile(r"\bvision\s*:\s*$", re.I)
VALUES_LABEL = re.compile(r"\bv[aä]rdegrund\s*:\s*$", re.I)
VALUE_ITEM = re.compile(r"^(?:[*•«»+\-–]|e|o)?\s*([A-ZÅÄÖ][a-zåäö]+)\s+[—–-]\s+\S")
TAG = re.compile(r"<[^>]+>")
MAX_INDICATOR_CHARS = 400


def node_id(doc_id: str, level: str, line: int, text: str) -> str:
    return hashlib.sha1(f"{doc_id}|{level}|{line}|{text}".encode()).hexdigest()[:16]


def _clean(text: str) -> str:
    text = TAG.sub(" ", text).replace("**", "")
    return re.sub(r"\s+", " ", text).strip(" •*")


class _Builder:
    def __init__(self, meta: DocumentMeta, areas: Areas, section_of, page_of, lines: list[str] | None = None):
        self.meta, self.areas, self.section_of, self.page_of = meta, areas, section_of, page_of
        self.lines = lines
        self.nodes: list[GoalNode] = []

    def add(self, level: str, text: str, first: int, last: int, parent: GoalNode | None = None,
            year: int | None = None, **extra) -> GoalNode:
        text = _clean(text)
        header = extra.pop("header", None)
        quote = " ".join(self.lines[k].strip() for k in range(first, last + 1)) if self.lines else text
        quote = _clean(quote.replace("\t", " | "))
        node = GoalNode(quote=f"{header}\n{quote}" if header else quote, id=node_id(self.meta.doc_id, level, first, text), doc_id=self.meta.doc_id,
                        source=self.meta.source, title=self.meta.short_title, year=year or self.meta.year,
                        level=level, text=text, parent_id=parent.id if parent else None,
                        areas=extra.pop("areas", None) or self.areas.mentioned(text), section=self.section_of(first),
                        line_start=first + 1, line_end=last + 1, page_start=self.page_of(first), **extra)
        self.nodes.append(node)
        return node


def _paragraph(lines: list[str], i: int) -> int:
    """Index of the last line of the paragraph starting at i (a blank line or a new marker ends it)."""
    j = i
    while j + 1 < len(lines):
        nxt = lines[j + 1].strip()
        if not nxt or _marker(nxt) or BULLET.match(nxt) or NUMBERED_HEADING.match(nxt):
            break
        j += 1
    return j


def _marker(s: str) -> bool:
    return bool(PERSPECTIVE.match(s) or PERSPECTIVE_HEADING.match(s) or STRATEGY_AREA.match(s)
                or STRATEGY_LIST.match(s) or GOAL.match(s) or EFFECT_GOAL.match(s) or INDICATORS.match(s)
                or ASSIGNMENT.match(s))


def _assignment(b: "_Builder", i: int, end: int, text: str, parent, number: str | None) -> None:
    who = ASSIGNEE.match(_clean(text))
    assignee = re.sub(r"\s+\)", ")", who.group(1)) if who else None
    b.add("uppdrag", text, i, end, parent, assignee=assignee, number=number,
          areas=b.areas.mentioned(assignee or text))


def plan_goals(b: _Builder, lines: list[str]) -> None:
    """Labelled lines of a plan, in order; each label's text runs to the end of its paragraph."""
    perspective = strategy_area = goal = None
    mode = None  # "indicators" | "strategies" | None
    council = bool(COUNCIL_PLAN.search(f"{b.meta.title} {b.meta.body or ''}")) and "nämnd" not in b.meta.title.lower()
    goal_level = "fullmäktiges mål" if council else "nämndens mål"
    plan = b.meta.doc_type in ("verksamhetsplan", "handlingsplan")
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s:
            i += 1
            continue
        if (m := PERSPECTIVE.match(s)) or (m := PERSPECTIVE_HEADING.match(s)) and _is_heading_line(lines, i):
            perspective = b.add("perspektiv", m.group(1), i, i)
            strategy_area = goal = None
            mode = None
        elif m := STRATEGY_AREA.match(s):
            strategy_area = b.add("strategiområde", m.group(1), i, i, perspective)
            goal, mode = None, None
        elif STRATEGY_LIST.match(s):
            mode = "strategies"
        elif m := EFFECT_GOAL.match(s):
            end = _paragraph(lines, i)
            text = " ".join([m.group(2)] + [lines[k].strip() for k in range(i + 1, end + 1)])
            goal = b.add("effektmål", text, i, end, perspective, number=m.group(1))
            mode = None
            i = end
        elif m := GOAL.match(s):
            end = _paragraph(lines, i)
            text = " ".join([m.group("text")] + [lines[k].strip() for k in range(i + 1, end + 1)])
            goal = b.add(goal_level, text, i, end, strategy_area or perspective, number=m.group("number"))
            mode = None
            i = end
        elif INDICATORS.match(s):
            mode = "indicators" if goal is not None else None
        elif (m := ASSIGNMENT.match(s)) and (m.group("number") or m.group("text").strip()):
            start, head = i, m.group("text").strip()
            if not head:  # `Uppdrag 7` on its own line, the assignment below it
                nxt = next((k for k in range(i + 1, min(len(lines), i + 3)) if lines[k].strip()), None)
                if nxt is None or _marker(lines[nxt].strip()):
                    i += 1
                    continue
                i = nxt
            end = _paragraph(lines, i)
            text = " ".join(([head] if head else []) + [lines[k].strip() for k in range(i + (1 if head else 0), end + 1)])
            # numbered assignments are the plan's own list under a perspective, not a goal's
            parent = goal if goal is not None and not m.group("number") and (
                strategy_area is None or goal.parent_id == strategy_area.id) else (strategy_area or perspective)
            _assignment(b, start, end, text, parent, m.group("number"))
            mode = None
            i = end
        elif plan and mode != "indicators" and GIVEN.match(s):
            end = _paragraph(lines, i)
            text = " ".join(lines[k].strip() for k in range(i, end + 1))
            _assignment(b, i, end, text, strategy_area or perspective, None)
            mode = None
            i = end
        elif NUMBERED_HEADING.match(s):  # the next chapter (`6 Budget`) ends the goal structure's context
            perspective = strategy_area = goal = mode = None
        elif mode == "indicators":
            end = _paragraph(lines, i)
            text = " ".join(lines[k].strip() for k in range(i, end + 1))
            if len(text) > MAX_INDICATOR_CHARS:
                mode = None  # the prose after the indicators
            else:
                b.add("indikator", BULLET.sub("", text), i, end, goal)
            i = end
        elif mode == "strategies" and BULLET.match(s):
            end = _paragraph(lines, i)
            text = BULLET.sub("", " ".join(lines[k].strip() for k in range(i, end + 1)))
            b.add("strategi", text, i, end, strategy_area)
            i = end
        elif mode == "strategies":
            mode = None
        i += 1


def _is_heading_line(lines: list[str], i: int) -> bool:
    """A line standing as a heading: blank (or nothing) above it, and short."""
    return len(lines[i].strip()) <= 80 and (i == 0 or not lines[i - 1].strip())


def vision_and_values(b: _Builder, lines: list[str]) -> None:
    text = "\n".join(lines)
    vision = None
    if m := VISION_QUOTED.search(text):
        line = text[: m.start()].count("\n")
        vision = b.add("vision", m.group(1), line, line)
    else:
        for i, line in enumerate(lines):
            if VISION_LABEL.search(line.strip()):
                nxt = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
                if nxt is not None:
                    vision = b.add("vision", lines[nxt], nxt, nxt)
                break
    for i, line in enumerate(lines):
        if VALUES_LABEL.search(line.strip()):
            for k in range(i + 1, min(i + 25, len(lines))):
                s = lines[k].strip()
                if NUMBERED_HEADING.match(s):
                    break
                if m := VALUE_ITEM.match(s):
                    b.add("värdegrund", m.group(1), k, k, vision)
            break


def table_goals(b: _Builder, block: Block) -> None:
    """`Fokusområde | … mål … | Måluppfyllelse/Målindikatorer` tables of dialogue material."""
    rows = [line.split("\t") for line in block.lines if line.strip()]
    if not rows:
        return
    header_line = _clean(rows[0][0] if len(rows[0]) == 1 else " | ".join(rows[0]))
    header = [_clean(c).lower() for c in rows[0]]
    if not header or "fokusområde" not in header[0]:
        return
    year_m = re.search(r"\b(20\d\d)\b", " ".join(header))
    year = int(year_m.group(1)) if year_m else b.meta.year
    col = {name: k for k, name in enumerate(header)}

    def find(word: str) -> int | None:
        return next((k for name, k in col.items() if word in name), None)

    council, board = find("fullmäktiges"), find("nämndens")
    fulfil, indicators = find("uppfyll"), find("indikator")
    focus = council_goal = None
    for r, cells in enumerate(rows[1:], start=1):
        line = block.start + r
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        shifted = fulfil is not None and cells[fulfil] and cells[fulfil] not in "✓✔✗x" and board is not None
        if _clean(cells[0]):
            focus = b.add("fokusområde", cells[0], line, line, year=year, header=header_line)
        if council is not None:
            text = cells[board] if shifted else cells[council]
            if _clean(text):
                council_goal = b.add("fullmäktiges mål", text, line, line, focus, year=year, header=header_line)
        if board is not None:
            text = cells[fulfil] if shifted else cells[board]
            if _clean(text):
                done = None
                if fulfil is not None:
                    done = False if shifted else "✓" in cells[fulfil] or "✔" in cells[fulfil]
                goal = b.add("nämndens mål", text, line, line, council_goal or focus, year=year, fulfilled=done,
                             header=header_line)
                if indicators is not None:
                    for item in re.split(r"•", TAG.sub(" ", cells[indicators])):
                        if _clean(item):
                            b.add("indikator", item, line, line, goal, year=year, header=header_line)


def extract_goals(meta: DocumentMeta, blocks: list[Block], text: str, areas: Areas, page_of) -> list[GoalNode]:
    lines = text.split("\n")
    sections: list[tuple[int, int, str]] = [(bl.start, bl.end, " › ".join(bl.path)) for bl in blocks]

    def section_of(line: int) -> str:
        best = ""
        for start, end, path in sections:
            if start <= line:
                best = path
            if start > line:
                break
        return best

    b = _Builder(meta, areas, section_of, page_of, lines)
    vision_and_values(b, lines)
    plan_goals(b, lines)
    for block in blocks:
        if block.kind == "table" and any("\t" in line for line in block.lines):
            table_goals(b, block)
    return b.nodes
