"""Decisions as records: a protocol paragraph's decision points, proposals, motions and their outcome, where it
was sent and that it was justified; and an action plan's measures per area with their effect and consequence.

Protocols print a paragraph as `Regionstyrelsens arbetsutskott **§58** **Nämndsdialog …**`, then sections
headed `Beslut`, `Yrkanden`, `Propositionsordning`, `Förslag till beslut`, `Beslutsunderlag`, `Expedieras
till`, `Paragrafen är justerad`. The decision proposal (Beslutsförslag) repeats the proposals under the same
diarienummer, which links it to its paragraph. Action plans describe each area's measures in a section
`Beskrivning av framtagna åtgärder` and assess them under `Konsekvensanalys` (lindrig, kännbar …).
"""
from __future__ import annotations

import hashlib
import re

from core.models import Decision, DocumentMeta

from .areas import Areas
from .figures import line_at as _line_at
from .lexicon import fold
from .structure import AREA, LETTERED, PART, Block

PARAGRAPH = re.compile(r"^(?P<body>[^§]*?)\s*§\s*(?P<n>\d+)(?:/\d{2,4})?\s*(?P<title>.*)$")
# An agenda item of a föredragningslista (`3. Årsredovisning 2025 för Region Örebro län (RS 2026/77)`): a whole
# number and a title without a full stop. Meeting pages' items (number alone on its line) come from the layout.
AGENDA_ITEM = re.compile(r"^(?P<n>\d{1,2})\.\s+(?P<title>[A-ZÅÄÖ][^.!?]{2,150}?)$")
# Decisions written in running text, as meeting pages, agendas and reports do without a `Beslut` heading:
# `Regionstyrelsen beslutar att …`, `Nämnden föreslås besluta att …`, `… föreslår regionstyrelsen besluta att …`.
DECIDES = re.compile(r"\b(?:beslutar|beslöt|beslutade|fastställer|godkänner)\b(?:\s+\w+){0,3}?\s+att\b|"
                     r"\b(?:beslutar|beslöt|beslutade)\s+att\b", re.I)
PROPOSES = re.compile(r"\bföreslås\s+besluta\b|\bföreslår\s+(?:\w+\s+){1,4}?besluta\b", re.I)
ATT_ITEM = re.compile(r"^att\s+(.+?)[,;.]?$")
RESERVES = re.compile(r"^(?P<by>.{3,160}?)\s+reserverar\s+sig\b", re.I)
SECTIONS = {
    "beslut": "beslut", "förslag till beslut": "förslag", "yrkanden": "yrkanden", "yrkande": "yrkanden",
    "propositionsordning": "propositionsordning", "beslutsunderlag": "underlag", "expedieras till": "expediering",
    "paragrafen är justerad": "justering", "ärendet": "ärendet", "sammanfattning": "ärendet",
    "sammanfattning av ärendet": "ärendet", "ärendebeskrivning": "ärendet", "bakgrund": "ärendet",
    "reservation": "reservation", "reservationer": "reservation", "bilagor": "underlag", "handlingar": "underlag",
    "konsekvensbeskrivning": "ärendet", "ekonomiska konsekvenser av beslutet": "ärendet",
}
FURNITURE = re.compile(r"^(ordförandes sign|justerares sign|utdragsbestyrkande|datum|diarienummer|beteckning)$", re.I)
NUMBERED_POINT = re.compile(r"^(\d{1,2})[.)]\s+(.+)$")
LIST_ITEM = re.compile(r"^[-–•*]\s+(.+)$")
MOTION = re.compile(r"^(?P<by>.{3,120}?)\s+yrkar\b\s*(?P<rest>.*)$")
DNR = re.compile(r"\b([A-Z]{1,5}\s?\d{5,}(?:[-/]\d+)?)\b")
DATE = re.compile(r"\b(20\d\d-\d\d-\d\d)\b")
CONSEQUENCE = re.compile(r"\b(lindrig\w*|kännbar\w*|allvarlig\w*|försumbar\w*|ingen (?:större |eller liten )?"
                         r"konsekvens\w*)", re.I)
AMOUNT = re.compile(r"\((?P<amount>\d[\d ]*(?:,\d+)?\s*(?:mkr|mnkr|tkr|kr|miljoner kronor))(?:\s+från\s+(?P<year>20\d\d))?\)")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def decision_id(doc_id: str, kind: str, line: int, text: str) -> str:
    return hashlib.sha1(f"{doc_id}|{kind}|{line}|{text}".encode()).hexdigest()[:16]


def _heading(line: str) -> str | None:
    """`Beslut`, `Regionstyrelsens arbetsutskott**Ärendet**`, `…****Förslag till beslut**` → the section."""
    candidates = [seg.strip() for seg in line.split("**") if seg.strip()] + [line.replace("**", " ").strip()]
    for seg in reversed(candidates):
        key = re.sub(r"\s+", " ", seg).strip(" :").lower()
        if key in SECTIONS:
            return SECTIONS[key]
    return None


def protocol_decisions(meta: DocumentMeta, lines: list[str], areas: Areas, section_of, page_of,
                       items: dict[int, tuple[int, int]] | None = None) -> list[Decision]:
    """Decisions of meeting documents: protocol paragraphs (`§ 64`), agenda items of meeting pages and agendas
    (`ärende 3`), and officers' reports; by their sections (`Beslut`, `Förslag till beslut`, `Yrkanden`,
    `Reservation`, `Expedieras till`) and, outside them, by the sentences that decide or propose."""
    items = items or {}
    out: list[Decision] = []
    para: dict = {}
    by_dnr: dict[str, dict] = {}
    section = None
    mover = None
    part = meta.short_title
    date = meta.date

    def add(kind: str, text: str, first: int, last: int, **extra) -> None:
        text = re.sub(r"\s+", " ", text.replace("**", " ")).strip()
        info = para or {}
        if not info.get("paragraph") and info.get("dnr") in by_dnr:
            info = {**by_dnr[info["dnr"]], **{k: v for k, v in info.items() if v}}
        out.append(Decision(
            id=decision_id(meta.doc_id, kind, first, text), doc_id=meta.doc_id, source=meta.source,
            title=meta.short_title, kind=kind, paragraph=info.get("paragraph"), body=info.get("body") or meta.body,
            date=info.get("date") or date, dnr=info.get("dnr") or meta.dnr, year=meta.year, text=text,
            areas=areas.mentioned(text), part=part, section=section_of(first), line_start=first + 1,
            quote=re.sub(r"\s+", " ", " ".join(lines[k].replace("**", " ") for k in range(first, last + 1))).strip(),
            line_end=last + 1, page_start=page_of(first), **extra))

    i = 0
    while i < len(lines):
        raw = lines[i]
        s = raw.replace("**", " ").strip()
        if not s or FURNITURE.match(s):
            i += 1
            continue
        if i in items:  # a meeting page's item: its number alone on a line, its title on the next
            number, title_line = items[i]
            para = {"paragraph": f"ärende {number}", "title": lines[title_line].strip(" #"), "item": number}
            section = None
            i = title_line + 1
            continue
        if LETTERED.match(s) and para.get("item"):  # `b) Motion nr 1-2026 …` under item 6: `ärende 6 b`
            para = {**para, "paragraph": f"ärende {para['item']} {s[0]}", "title": s[3:].strip()}
            section = None
            i += 1
            continue
        if (m := AGENDA_ITEM.match(s)) and "§" not in s and (
                section not in ("förslag", "beslut") or para.get("item", 0) + 1 == int(m.group("n"))):
            para = {"paragraph": f"ärende {m.group('n')}", "title": m.group("title"), "item": int(m.group("n"))}
            section = None
            i += 1
            continue
        if (m := PART.match(s)) and len(s) < 90:
            part = s.rstrip(":")
            para = {}
            section = None
        if "§" in s and (m := PARAGRAPH.match(s)) and len(s) < 200:
            para = {"paragraph": f"§ {m.group('n')}", "body": m.group("body").strip() or meta.body,
                    "title": m.group("title").strip()}
            nxt = next((k for k in range(i + 1, min(i + 4, len(lines))) if lines[k].strip()), None)
            if nxt is not None and (d := DNR.fullmatch(lines[nxt].strip())):
                para["dnr"] = d.group(1)
                by_dnr[d.group(1)] = dict(para)
            section = None
            i += 1
            continue
        if "\t" in raw and (d := DATE.search(raw)):  # `2026-02-23	RS251695` under `Datum	Diarienummer`
            para = {**para, "date": d.group(1)}
            if n := DNR.search(raw):
                para["dnr"] = n.group(1)
            i += 1
            continue
        heading = _heading(raw)
        if heading:
            section = heading
            if heading == "justering":
                add("justering", s, i, i)
            i += 1
            continue
        kind = "beslutspunkt" if section == "beslut" else "förslag"
        if section in ("beslut", "förslag") and (m := NUMBERED_POINT.match(s)):
            add(kind, m.group(2), i, i, number=int(m.group(1)))
        elif section in ("beslut", "förslag") and (m := ATT_ITEM.match(s)):
            add(kind, s.rstrip(",;"), i, i)
        elif section in ("beslut", "förslag") and not LIST_ITEM.match(s):
            follows = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
            if not (s.endswith(("besluta", "besluta:", "beslutar:", "att:")) and follows is not None
                    and ATT_ITEM.match(lines[follows].strip())):  # a lead-in: its `att …` lines are the points
                for sentence, _ in _sentences(s):
                    add(kind, sentence, i, i)
        elif section == "reservation":
            m = RESERVES.match(s)
            add("reservation", s, i, i, by=m.group("by") if m else None)
        elif section == "yrkanden":
            if m := MOTION.match(s):
                mover = m.group("by").strip()
                rest = m.group("rest").strip(" :")
                following = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
                if following is None or not LIST_ITEM.match(lines[following].strip()):
                    add("yrkande", s, i, i, by=mover, outcome=None if not rest else None)
            elif (m := LIST_ITEM.match(s)) and mover:
                add("yrkande", m.group(1), i, i, by=mover)
        elif section == "propositionsordning":
            outcome = re.search(r"\bfinner att (.+?)(?:\.|$)", s)
            add("propositionsordning", s, i, i, outcome=outcome.group(1) if outcome else None,
                by=(MOTION.match(s) or re.match(r"^(.{3,80}?)\s+ställer\b", s) or [None, None])[1])
        elif section == "expediering":
            add("expediering", s, i, i)
        elif section == "underlag" and (m := LIST_ITEM.match(s)):
            add("underlag", m.group(1), i, i)
        elif section in (None, "ärendet"):
            follows = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
            lead_in = follows is not None and ATT_ITEM.match(lines[follows].strip())
            for sentence, _ in _sentences(s):
                if PROPOSES.search(sentence):
                    found = "förslag"
                elif DECIDES.search(sentence) and not re.search(r"\bföreslå", sentence, re.I):
                    found = "beslutspunkt"
                else:
                    continue
                if lead_in and sentence.rstrip(":").endswith(("besluta", "att")):
                    section = "förslag" if found == "förslag" else "beslut"  # the `att …` lines follow
                else:
                    add(found, sentence, i, i)
        i += 1
    return out


def action_plan_measures(meta: DocumentMeta, blocks: list[Block], lines: list[str], areas: Areas,
                         page_of) -> list[Decision]:
    """Each measure an area's `Beskrivning av framtagna åtgärder` names, with its effect; consequences from
    `Konsekvensanalys` attach to the measure they share the most words with."""
    measures: list[Decision] = []
    consequences: list[tuple[str | None, str, int]] = []
    for block in blocks:
        if block.kind != "prose" or block.doc_type != "handlingsplan":
            continue
        path = [p.lower() for p in block.path]
        area_title = next((p for p in reversed(block.path) if AREA.match(p)), None)
        area = areas.normalize(area_title) if area_title else None
        text = " ".join(line.strip() for line in block.lines)
        starts = _line_offsets(block)
        if any(p.startswith("beskrivning av framtagna") for p in path) and area:
            for sentence, offset in _sentences(text):
                for clause, amount, year, clause_offset in _clauses(sentence):
                    line = _line_at(starts, offset + clause_offset)
                    measures.append(Decision(
                        id=decision_id(meta.doc_id, "åtgärd", line, clause), doc_id=meta.doc_id,
                        source=meta.source, title=meta.short_title, kind="åtgärd", body=meta.body, date=meta.date,
                        dnr=meta.dnr, year=meta.year, text=clause, areas=[area],
                        effects={year or "": amount} if amount else {}, part=block.part, quote=sentence,
                        section=" › ".join(block.path), line_start=line + 1, line_end=line + 1,
                        page_start=page_of(line)))
        elif any(p.startswith("konsekvensanalys") for p in path):
            # `Konsekvensen av detta bedöms bli kännbar.` judges what the sentences before it describe
            context_start = 0
            for sentence, offset in _sentences(text):
                if CONSEQUENCE.search(sentence):
                    end = offset + len(sentence)
                    consequences.append((area, sentence, text[context_start:end]))
                    context_start = end
    for area, sentence, context in consequences:
        candidates = [m for m in measures if not area or area in m.areas]
        best = max(candidates, key=lambda m: _overlap(m.text, context), default=None)
        if best is not None and _overlap(best.text, context) >= 1:
            grade = CONSEQUENCE.search(sentence).group(1).lower()
            best.consequence = f"{grade}: {sentence}" if not best.consequence else f"{best.consequence} | {grade}: {sentence}"
    return measures


def _line_offsets(block: Block) -> list[tuple[int, int]]:
    out, pos = [], 0
    for k, line in enumerate(block.lines):
        out.append((pos, block.start + k))
        pos += len(line.strip()) + 1
    return out


def _sentences(text: str):
    pos = 0
    for part in SENTENCE.split(text):
        start = text.find(part, pos)
        pos = start + len(part)
        if len(part.strip()) > 15:
            yield part.strip(), start


def _clauses(sentence: str):
    """`… avser främst uppsägning av externa lokaler (15,2 mkr), lägre driftskostnader … (10 mkr) samt …`:
    one measure per amount; a sentence without amounts is one measure."""
    amounts = list(AMOUNT.finditer(sentence))
    if not amounts:
        yield sentence.rstrip("."), None, None, 0
        return
    start = 0
    for m in amounts:
        clause = sentence[start: m.start()]
        clause = re.sub(r"^[\s,.;]*(?:samt|och)?\s*", "", clause)
        clause = re.sub(r"^.*?\b(?:avser(?: främst)?|är att|består av)\s+", "", clause) if start == 0 else clause
        clause = clause.strip(" ,.;")
        if clause:
            yield clause, m.group("amount").replace("  ", " "), m.group("year"), start
        start = m.end()


def _overlap(a: str, b: str) -> int:
    """Shared content words (five letters or more, compared on their first six)."""
    def words(t: str) -> set[str]:
        return {w[:6] for w in re.findall(r"\w{5,}", fold(t).lower())} - {"konse", "bedom", "bedöm", "atgar", "atgard"}
    return len(words(a) & words(b))


def extract_decisions(meta: DocumentMeta, blocks: list[Block], text: str, areas: Areas, page_of,
                      items: dict[int, tuple[int, int]] | None = None) -> list[Decision]:
    lines = text.split("\n")
    sections = [(bl.start, " › ".join(bl.path)) for bl in blocks]

    def section_of(line: int) -> str:
        best = ""
        for start, path in sections:
            if start > line:
                break
            best = path
        return best

    out: list[Decision] = []
    out += protocol_decisions(meta, lines, areas, section_of, page_of, items)
    out += action_plan_measures(meta, blocks, lines, areas, page_of)
    return out
