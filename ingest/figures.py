"""Every figure in a document as a typed record: table cells checked against their sums, and amounts stated in
running text (`uppgår till 203,8 miljoner kronor`, `(19,1 mkr)`, `Sjukfrånvaro (R12) = 6,94 % (7,53 %)`)."""
from __future__ import annotations

import hashlib
import re

from core.models import DocumentMeta, Figure, TableCheck
from core.numbers import parse_number

from .structure import AREA, Block
from .sums import check_table
from .tables import YEAR, Column, Table, finish_rows, read_table, table_width

UNITS = [  # longest first: `miljoner kronor` before `kronor`
    (r"miljarder kronor|miljard kronor|miljarder|miljard|mdkr", "mdkr"),
    (r"miljoner kronor|miljoner kr|mnkr|mkr|mkr\.|miljoner", "mnkr"), (r"tkr|tusen kronor", "tkr"),
    (r"kronor|kr", "kr"), (r"procentenheter", "procentenheter"), (r"procent|%", "%"),
    (r"årsarbetare", "årsarbetare"), (r"mil", "mil"),
]
SHARE_UNITS = frozenset({"%", "procentenheter"})  # the units above that a share is in, and those money is in
MONEY_UNITS = frozenset({"mdkr", "mnkr", "tkr", "kr"})
REPORT_TYPES = ("årsredovisning", "delårsrapport", "verksamhetsberättelse")  # they report outcomes of their year
UNIT_RE = "|".join(f"(?:{u})" for u, _ in UNITS)
AMOUNT = re.compile(
    r"(?P<value>[-–−+]?\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?|[-–−+]?\d+(?:,\d+)?)\s*(?P<unit>" + UNIT_RE + r")(?![\wåäö])"
    r"(?:\*?\s*\((?:fg\.? år\s*)?(?P<prev>[-–−+]?\d+(?:,\d+)?)\s*(?:" + UNIT_RE + r")?\)\*?)?", re.I)
# `HME = 76 (74)`, `Sjukfrånvaro (R12) = 6,94 % (7,53 %)`: a key ratio with last period's value beside it
RATIO = re.compile(r"^\W*(?P<label>[A-ZÅÄÖ][\wåäöÅÄÖ/ -]{1,60}?(?:\s*\(R12\))?)\s*[=:]\s*(?P<value>[-–−+]?\d+(?:,\d+)?)"
                   r"\s*(?P<unit>%|procent)?\s*\((?P<prev>[-–−+]?\d+(?:,\d+)?)\s*%?\)")
CLAUSE_START = re.compile(r"(?:^|[.;:()•]|,\s|\s[-–]\s|(?<!-)\s(?:samt|och|men|där|vilket)\s)(?=[^.;:()•]*$)")
# What the words around a number in running text say it is, and when: kind and basis cues look at the clause
# before the number and the sentence it stands in (`den budgeterade intäkten`, `Helårsprognosen för 2023`,
# `ett stort besparingskrav på 628 miljoner kronor`, `(4 mkr från 2025)`).
BASIS_CUES = [(re.compile(r"\bbudget(?:erad|erat|erade|en|s)?\b|\bbudgetera", re.I), "budget"),
              (re.compile(r"prognos|\bberäknas\s+(?:bli|till|uppgå)|\bförväntas\b", re.I), "prognos"),
              (re.compile(r"\butfall", re.I), "utfall")]
# A deviation said in words: after the amount (`70 miljoner kronor bättre än det budgeterade resultatet`,
# `230 miljoner kronor lägre än den budgeterade investeringsramen`) or before it (`en negativ avvikelse med`).
DEVIATION_AFTER = re.compile(r"^\W{0,3}(?:bättre|sämre|högre|lägre|mer|mindre)\s+än\s+(?:det\s+|den\s+|vad\s+som\s+)?"
                             r"(?:budget|budgeter|prognos)", re.I)
# A surplus or deficit is a deviation only when measured against a budget or forecast (`ett underskott mot budget
# på 148 miljoner kronor`); `ett underskott på 148 miljoner kronor` is the result itself.
AGAINST = r"(?:mot|jämfört\s+med|i\s+förhållande\s+till|gentemot)\s+(?:den\s+|det\s+)?(?:budget|prognos)\w*\s+"
DEVIATION_BEFORE = re.compile(r"\b(?:(?:(?:negativ|positiv)a?\s+)?(?:budget)?avvikelse(?:n)?\s+(?:" + AGAINST + r")?"
                              r"|(?:under|över)skott(?:et)?\s+" + AGAINST + r")"
                              r"(?:med|på|om)\s+(?:ca\s+|cirka\s+|drygt\s+|knappt\s+)?$", re.I)
NEGATIVE = re.compile(r"negativ|sämre|underskott", re.I)  # `lägre än budget` is good news for a cost
# a year or period a sentence compares with, not the one its amount belongs to: `mer än under samma period 2024`
COMPARED = re.compile(r"(?:\bän\b|jämfört med|jämföra med|jämförelse med|\bmot\b|samma period)[^.]{0,30}$", re.I)
PREVIOUS_YEAR = re.compile(r"\b(?:föregående|förra|fg\.?)\s+år(?:et)?\b", re.I)
KIND_CUES = [(re.compile(r"besparing|sparkrav|åtgärdskrav|atgardskrav|kostnadsreducer|reducering|minska\w* (?:sina )?"
                         r"kostnader|spara\b|sparar\b", re.I), "besparing"),
             (re.compile(r"investering|investera", re.I), "investering")]
WHEN = re.compile(r"\b(?:från och med|fran och med|från|fran|till och med|under|i|inför|infor|efter)\s+"
                  r"(?:(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)"
                  r"(?:\s+(?:19|20)\d\d)?|(?:19|20)\d\d(?:[-–](?:19|20)?\d\d)?)\b"
                  r"|\b(?:våren|varen|hösten|hosten|sommaren|vintern|försommaren|forsommaren)(?:\s+(?:19|20)\d\d)?\b"
                  r"|\bf(?:g|öregående|oregaende)\.? år\b", re.I)
LABEL_TAIL = re.compile(r"\s+(?:uppgår till|uppgar till|motsvarar|om|på|pa|med|till|ca|cirka|knappt|drygt|blev|är|ar|"
                        r"=|av)\s*$", re.I)


def unit_of(text: str) -> str | None:
    for pattern, unit in UNITS:
        if re.fullmatch(pattern, text.strip(), re.I):
            return unit
    return None


def figure_id(doc_id: str, line: int, column: str | None, row: str) -> str:
    return hashlib.sha1(f"{doc_id}|{line}|{column}|{row}".encode()).hexdigest()[:16]


def _kind(table_text: str, part: str, doc_type: str, column: Column | None, unit: str | None) -> str:
    t = (table_text + " " + part).lower()
    if column is not None and column.unit == "årsarbetare" or unit == "årsarbetare":
        return "årsarbetare"
    if column is not None and column.kind:
        return column.kind  # `Avvikelse 2025`, `Prognos avvikelse 2025`
    if "invester" in t:
        return "investering"
    if "handlingsplan" in t or "besparing" in t or "reducering" in t or doc_type == "handlingsplan":
        return "besparing"
    if "nyckeltal" in t or unit == "%":
        return "nyckeltal"
    if column is not None and column.basis:
        return column.basis
    return "belopp"


def _area(label: str, fallback: str | None) -> str | None:
    m = AREA.match(label.strip())
    return f"Område {m.group(1).strip()}" if m else fallback


def _lend_columns(tables: list[Table]) -> None:
    """A table whose header OCR destroyed takes the columns of the nearest same-shaped table in its part."""
    for table in tables:
        if table.columns:
            continue
        width = table_width([r for r in table.rows if r.kind != "group"])
        if width == 1:  # one amount column: its year is the table's (`IT investeringar 2024`)
            year = next((int(y) for text in (table.title, table.section) for y in YEAR.findall(text)), None)
            table.columns = [Column("Belopp" + (f" {year}" if year else ""), year)]
            continue
        donors = [t for t in tables if t.columns and t.part == table.part and len(t.columns) >= width
                  and not t.notes]
        donor = min(donors, key=lambda t: abs(t.first - table.first), default=None)
        if donor is not None:
            table.columns = [Column(c.label, c.year, c.basis, c.unit) for c in donor.columns]
            table.unit = table.unit or donor.unit
            table.header = table.header + donor.header[:1]
            table.notes.append(f"kolumnrubrikerna oläsliga; kolumnerna lånade från tabellen på rad {donor.first + 1}")
        else:
            table.columns = [Column(f"kolumn {k + 1}") for k in range(width)]
            table.notes.append("kolumnrubrikerna oläsliga")
    for table in tables:
        if table.unit is None:  # `) 2024 2025 2026`: the unit fell off with the header's first word
            same = [t for t in tables if t.unit and t.part == table.part
                    and [c.label for c in t.columns] == [c.label for c in table.columns]]
            nearest = min(same, key=lambda t: abs(t.first - table.first), default=None)
            if nearest is not None:
                table.unit = nearest.unit
                table.notes.append(f"enheten ({nearest.unit}) från tabellen på rad {nearest.first + 1}")


def table_figures(meta: DocumentMeta, blocks: list[Block], lines: list[str], page_of) -> tuple[list[Figure], list[TableCheck]]:
    tables: list[Table] = []
    for block in blocks:
        if block.kind != "table" or any("\t" in line for line in block.lines) or \
                any(line.strip().startswith("|") for line in block.lines):
            continue  # tab and Markdown tables here hold goals and text; their numbers are read as text
        if any(RATIO.match(line.strip()) for line in block.lines):
            continue  # `HME = 76 (74)`: key ratios with last period's value, read as text
        table = read_table(block)
        if table is None:
            continue
        for row in table.rows:  # a first pass without column counts, for `_lend_columns`
            row.readings = [row.atoms] if row.atoms else []
        tables.append(table)
    for table in tables:
        finish_rows(table)  # default grouping before the widths are compared
    _lend_columns(tables)
    figures: list[Figure] = []
    checks: list[TableCheck] = []
    for table in tables:
        finish_rows(table)
        checked = check_table(table)
        made = 0
        counts = {"verified": 0, "repaired": 0, "unverified": 0}
        for (i, j), value in sorted(checked.values.items()):
            row = table.rows[i]
            if j >= len(table.columns):
                continue
            col = table.columns[j]
            unit = col.unit or table.unit
            status = checked.status[(i, j)]
            counts[status] += 1
            made += 1
            line_text = "\n".join(lines[k].strip() for k in range(row.first, row.last + 1) if lines[k].strip())
            figures.append(Figure(
                id=figure_id(meta.doc_id, row.last, col.label, row.label), doc_id=meta.doc_id, source=meta.source,
                title=meta.short_title, doc_type=meta.doc_type, table=_table_name(table), section=table.section,
                row=row.label, column=col.label, area=_area(row.label, table.area),
                year=col.year, basis=col.basis or _default_basis(table, meta, col),
                kind=_kind(table.title + " " + table.section, table.part, meta.doc_type, col, unit),
                value=value, printed=checked.printed[(i, j)], unit=unit, status=status,
                note=checked.notes.get((i, j)), line_text=line_text, header="\n".join(table.header) or None,
                line_start=row.first + 1,
                line_end=row.last + 1, page_start=page_of(row.first), page_end=page_of(row.last)))
        checks.append(TableCheck(doc_id=meta.doc_id, source=meta.source, table=_table_name(table),
                                 line_start=table.first + 1, figures=made, notes=table.notes + checked.table_notes,
                                 **counts))
    return figures, checks


def _table_name(table: Table) -> str:
    if table.area and table.area not in table.title:
        return f"{table.area} › {table.title}"
    return table.title


def _default_basis(table: Table, meta: DocumentMeta, col: Column) -> str | None:
    """A plan's year columns without a printed basis are planned figures (`2024 2025 2026` in an action plan)."""
    if col.year and col.unit != "årsarbetare" and meta.doc_type in ("verksamhetsplan", "handlingsplan"):
        return "plan"
    if col.year and col.kind is None and meta.doc_type in REPORT_TYPES:
        return "utfall"  # a report's year columns (`2025`, `2025-12-31`) hold what the year came to
    return None


def text_figures(meta: DocumentMeta, blocks: list[Block], lines: list[str], page_of, taken: set[int]) -> list[Figure]:
    """Amounts with a unit in running text, and key ratios with their previous value."""
    out: list[Figure] = []
    for block in blocks:
        if block.kind == "table" and not any(line.strip().startswith("|") for line in block.lines) \
                and not any("=" in line for line in block.lines):
            continue
        joined, starts = _join(block, lines)
        section_years = [int(y) for y in YEAR.findall(" ".join(block.path[1:]))]
        for m in list(AMOUNT.finditer(joined)) + list(_ratios(joined)):
            line_no = line_at(starts, m.start())
            if line_no in taken:
                continue
            unit = unit_of(m.group("unit")) if m.group("unit") else None
            label, sentence = _label(joined, m)
            if not label or not re.search(r"[A-Za-zÅÄÖåäö]{3}", label):
                continue
            value = parse_number(m.group("value"))
            near = _near(joined, m)  # the clause before the number and what follows it up to the sentence end
            before = near[: max(0, near.find(m.group(0)))] if m.group(0) in near else near
            when = WHEN.search(near)
            if when is None:  # `I juni tog fullmäktige beslut …. Beslutet innebär … 628 miljoner kronor`
                earlier = WHEN.search(_previous_sentence(joined, m))
                when = earlier if earlier and not re.search(r"\d", earlier.group(0)[:6]) and not re.match(
                    r"(?i)(från|fran|till|under)\b", earlier.group(0)) else None
            from_year = re.search(r"\b(?:från|fran)(?: och med)?\s+((?:19|20)\d\d)\b", near, re.I)
            years = [int(y.group(0)) for y in YEAR.finditer(sentence) if y.group(0) != m.group("value")
                     and not COMPARED.search(sentence[max(0, y.start() - 40): y.start()])]
            year = int(from_year.group(1)) if from_year else (
                years[0] if len(set(years)) == 1 else (section_years[-1] if section_years else None))
            if year is None and meta.doc_type in REPORT_TYPES and meta.year:
                # a report's amounts are its own year's unless said otherwise; `Föregående år var resultatet
                # 121 …` is the year before (`jämfört med föregående år` only compares)
                last_year = PREVIOUS_YEAR.search(before)
                year = meta.year - 1 if last_year and not COMPARED.search(before[: last_year.start()][-40:]) \
                    else meta.year
            if year is None and m.group("prev") is not None:
                year = _year_nearby(lines, block, line_no)
            prev = m.group("prev")
            end_line = line_at(starts, m.end() - 1)
            kind = _kind(" ".join(block.path), block.part, meta.doc_type, None, unit)
            cue_kind = next((k for pattern, k in KIND_CUES if pattern.search(near)), None)
            basis = next((b for pattern, b in BASIS_CUES if pattern.search(before)), None)  # `Helårsprognosen … 1 miljard`
            if cue_kind and kind in ("belopp", "nyckeltal", "besparing", "investering") and unit != "%":
                kind = cue_kind
            elif kind == "belopp" and basis:
                kind = basis
            if kind in ("belopp",) and prev is not None:
                kind = "utfall" if re.search(r"utfall|omsättning", label, re.I) else "nyckeltal"
            if basis is None and prev is not None and kind != "nyckeltal":
                basis = "utfall"  # a value with last period's beside it reports an outcome
            after = joined[m.end(): m.end() + 80].replace("\n", " ")
            deviation = DEVIATION_AFTER.match(after) or DEVIATION_BEFORE.search(before)
            if deviation and unit != "%":
                # `70 miljoner kronor bättre än det budgeterade`, `en negativ avvikelse med 175 miljoner kronor`
                kind = "avvikelse"
                if NEGATIVE.search(deviation.group(0)) and value > 0:
                    value = -value
            if basis is None and kind not in ("avvikelse",) and meta.doc_type in REPORT_TYPES:
                basis = "utfall"  # what a report states without a forecast or budget word is what came out
            out.append(Figure(
                id=figure_id(meta.doc_id, line_no, None, label + m.group(0)), doc_id=meta.doc_id,
                source=meta.source, title=meta.short_title, doc_type=meta.doc_type, table=block.path[-1],
                section=" › ".join(block.path), row=label, column=None, area=_area(label, _path_area(block)),
                year=year, basis=basis, kind=kind, when=when.group(0) if when else None,
                context=_context(lines, block, line_no, sentence),
                value=value, printed=m.group("value"), unit=unit,
                unit_printed=m.group("unit") if m.group("unit") and m.group("unit") != unit else None,
                previous=parse_number(prev) if prev is not None else None, status="unverified",
                line_text="\n".join(lines[line_no - 1:end_line]).strip(), line_start=line_no, line_end=end_line,
                page_start=page_of(line_no - 1), page_end=page_of(end_line - 1), in_table=False))
    return out


def _near(text: str, m) -> str:
    """The words around a number: its clause before it, and the rest of its sentence after it."""
    start = max(text.rfind(". ", 0, m.start()), text.rfind("\n\n", 0, m.start()), text.rfind("•", 0, m.start()))
    end = text.find(". ", m.end())
    return text[start + 1: end if end >= 0 else min(len(text), m.end() + 120)].replace("\n", " ")


def _previous_sentence(text: str, m) -> str:
    """The sentence before the one a number stands in (`I juni tog fullmäktige beslut …` before `Beslutet
    innebär … 628 miljoner kronor`): where its time is often said."""
    end = max(text.rfind(". ", 0, m.start()), text.rfind(".\n", 0, m.start()))
    if end < 0:
        return ""
    start = max(text.rfind(". ", 0, end), text.rfind(".\n", 0, end), text.rfind("\n\n", 0, end))
    return text[start + 1: end].replace("\n", " ")


def _context(lines: list[str], block: Block, line_no: int, sentence: str) -> str:
    """The figure's sentence, and the nearest line above it when its own line is a short item or key value
    (`- Omsättning: 867,5 mnkr` under `- Förvaltningens ekonomi är fortsatt i balans`)."""
    out = re.sub(r"\s+", " ", sentence).strip()
    own = lines[line_no - 1].strip()
    if len(own) <= 80:
        for k in range(line_no - 2, block.start - 1, -1):
            above = lines[k].strip(" -•*\t")
            if above:
                out = f"{above} {out}"
                break
    return out[:300]


def _path_area(block: Block) -> str | None:
    return next((f"Område {m.group(1).strip()}" for p in reversed(block.path) if (m := AREA.match(p))), None)


def _ratios(text: str):
    for line_m in re.finditer(r"[^\n]+", text):
        m = RATIO.match(line_m.group(0))
        if m:
            yield _Shifted(m, line_m.start())


class _Shifted:
    """A match inside one line, seen at its offset in the whole block."""

    def __init__(self, m: re.Match, offset: int):
        self.m, self.offset = m, offset

    def group(self, name=0):
        return self.m.group(name)

    def start(self, name=0):
        return self.m.start(name) + self.offset

    def end(self, name=0):
        return self.m.end(name) + self.offset


def _join(block: Block, lines: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The block as one text with a newline per source line, and where each line starts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    pos = 0
    for k in range(block.start, block.end + 1):
        text = lines[k].replace("|", " ").replace("\t", " ")
        starts.append((pos, k + 1))
        parts.append(text)
        pos += len(text) + 1
    return "\n".join(parts), starts


def line_at(starts: list[tuple[int, int]], offset: int) -> int:
    """The line number at a character offset, given (offset, line) where each line starts."""
    line = starts[0][1]
    for pos, number in starts:
        if pos > offset:
            break
        line = number
    return line


def _label(text: str, m) -> tuple[str, str]:
    """What a figure measures: the clause before it (`uppsägning av externa lokaler (15,2 mkr)`)."""
    if hasattr(m, "m") and "label" in m.m.groupdict():
        label = m.group("label")
        return re.sub(r"\s+", " ", label).strip(" -•"), text[m.start(): m.end()]
    sentence_start = max(text.rfind(". ", 0, m.start()), text.rfind(".\n", 0, m.start()), text.rfind("\n\n", 0, m.start()))
    sentence_end = text.find(". ", m.end())
    sentence = text[sentence_start + 1: sentence_end if sentence_end >= 0 else len(text)]
    before = text[sentence_start + 1: m.start()].replace("\n", " ").rstrip(" :=(")  # `Omsättning: 867,5 mnkr`, `… telefoni (1,5 mkr)`
    clause = CLAUSE_START.split(before)[-1] if CLAUSE_START.search(before) else before
    clause = re.sub(r"\s+", " ", clause).strip(" ,-–•(*")
    for _ in range(3):
        clause = LABEL_TAIL.sub("", clause).strip(" ,-•(")
    words = clause.split()
    if len(words) > 12:
        clause = " ".join(words[-12:])
    return clause, sentence


def _year_nearby(lines: list[str], block: Block, line_no: int) -> int | None:
    """The year a status figure reports on, from the nearest mention in its own section."""
    best: tuple[int, int] | None = None
    for k in range(block.start, block.end + 1):
        for y in YEAR.findall(lines[k]):
            dist = abs(k + 1 - line_no)
            if best is None or dist < best[0]:
                best = (dist, int(y))
    return best[1] if best else None


def extract_figures(meta: DocumentMeta, blocks: list[Block], text: str, page_of) -> tuple[list[Figure], list[TableCheck]]:
    """`page_of(line_index)` gives a PDF line's page (None for text files)."""
    lines = text.split("\n")
    figures, checks = table_figures(meta, blocks, lines, page_of)
    taken = {f.line_start for f in figures} | {f.line_end for f in figures}
    figures += text_figures(meta, blocks, lines, page_of, taken)
    return figures, checks
