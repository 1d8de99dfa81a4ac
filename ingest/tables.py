"""A table block → rows of labelled values under named columns.

OCR flattens a table to lines: `Övriga kostnader -1 230 -1284,2 -1 283,7`. The column header says how many
values a row holds and what they mean (`Belopp i mnkr Budget 2024 | Prognos 2023 | Budget 2023`). Where OCR
damaged a header beyond reading, the nearest table of the same shape in the same part lends its columns: an
action plan prints the same table once per area, and the note says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from core.numbers import _implausibility, is_atom, readings
from ingest.lexicon import fold

from .structure import AREA, HEADER_TAIL, Block

YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
BASIS_WORDS = {"budget": "budget", "prognos": "prognos", "utfall": "utfall", "bokslut": "utfall", "plan": "plan"}
COLUMN_GROUP = re.compile(r"\b(Budget|Prognos|Utfall|Bokslut|Plan)\s+((?:19|20)\d\d)\b", re.I)
TOTAL = re.compile(r"^(summa|totalsumma|totalt|total|resultat|sammanlagt)\b|nettokostnader\s*$|\btotalt\s*:?\s*$",
                   re.I)
# Rows that a financial statement computes from the rows above without calling them a sum: `Verksamhetens
# resultat`, `Årets resultat`, `Årets balanskravsresultat`. The same words may label a plain item (`Årets
# resultat` under `Eget kapital` in a balance sheet): such a row is a total only where the numbers add up.
SUBTOTAL = re.compile(r"^(?:årets|verksamhetens|periodens)\s+(?:\w+\s+)?resultat\b|balanskravsresultat\b|"
                      r"^resultat\s+(?:före|efter)\b", re.I)
# A column header read left to right: `Belopp i mnkr Not Utfall 2025 Utfall 2024 Budget 2025 Avvikelse`,
# `Not 2025-12-31 2024-12-31`, `Avvikelse jan–aug 2025 Prognos avvikelse 2025 Avvikelse 2024`.
HEADER_COLUMN = re.compile(
    r"\b(?P<note>Not)\b"
    r"|\b(?P<word>Helårsprognos|Budget|Prognos|Utfall|Bokslut|Plan|Avvikelse|Koncern)"
    r"(?:\s+(?P<word2>avvikelse|helår))?"
    r"(?:\s+(?P<span>[a-zåäö]{3,9}\.?\s*[–-]\s*[a-zåäö]{3,9}\.?))?"
    r"(?:\s+(?P<year>(?:19|20)\d\d)(?:-\d\d-\d\d)?)?(?![\wåäö])"
    r"|\b(?P<bare>(?:19|20)\d\d)(?:-\d\d-\d\d)?\b", re.I)
# headers the older reading (groups of `Budget 2024` with sub-columns, year columns with `Antal`) leaves to this one
STATEMENT_HEADER = re.compile(r"\b(?:Not|Avvikelse|Koncern|Helårsprognos)\b|\b(?:19|20)\d\d-\d\d-\d\d\b|"
                              r"\b[a-zåäö]{3,9}\.?\s*[–-]\s*[a-zåäö]{3,9}\.?\s+(?:19|20)\d\d\b", re.I)
NOTE = re.compile(r"^[1-9]\d?$")  # a note reference: `1` … `45`, never signed, never decimal
# Column words that headers print under a budget or forecast heading; OCR-damaged headers are matched to them.
SUBCOLUMN_WORDS = ["Omsättning", "Budgetram", "Intäkter", "Kostnader", "Netto", "Avvikelse", "Resultat", "Andel"]
TRAILING_NOISE = re.compile(r"[\s*)]+$")


@dataclass
class Column:
    label: str
    year: int | None = None
    basis: str | None = None
    unit: str | None = None
    kind: str | None = None  # `avvikelse` for a deviation column


@dataclass
class Row:
    label: str
    first: int  # 0-based document line of the label's first line
    last: int  # 0-based line of the values
    atoms: list[str]  # the number tokens as printed, `|` rules kept
    readings: list[list[str]]  # groupings of atoms into values, default first
    kind: str = "item"  # item | total | group
    level: int = 0
    subtotal: bool = False  # a total only where its numbers add up (SUBTOTAL)

    @property
    def printed(self) -> list[str]:
        return self.readings[0] if self.readings else []


@dataclass
class Table:
    title: str
    section: str
    part: str
    first: int
    last: int
    unit: str | None
    columns: list[Column]
    rows: list[Row]
    area: str | None = None
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the column header lines as printed
    note_column: bool = False  # a `Not` column before the values: rows may start with a note reference


def header_unit(lines: list[str]) -> str | None:
    text = " ".join(lines)
    if re.search(r"\bmnkr\b|miljoner kronor|\bmkr\b", text, re.I):
        return "mnkr"
    if re.search(r"\btkr\b", text, re.I):
        return "tkr"
    if re.search(r"\bprocent\b|%", text, re.I):
        return "%"
    return None


def _number_tail(line: str) -> tuple[str, list[str]]:
    """Split `Summa 2380 -232 | 23945 51,7` into its label and number tokens (`|` kept as a barrier)."""
    tokens = line.replace("|", " | ").split()
    atoms: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        tok = tokens[i].rstrip(",*")  # OCR leaves `64914,` and footnote marks
        if tok == "|" or is_atom(tok):
            atoms.insert(0, tok)
            i -= 1
        else:
            break
    while atoms and atoms[0] == "|":
        atoms.pop(0)
    while atoms and atoms[-1] == "|":
        atoms.pop()
    label = TRAILING_NOISE.sub("", " ".join(tokens[: i + 1])).strip(" |:")
    if label and len(atoms) == 1 and YEAR.fullmatch(atoms[0]):
        return f"{label} {atoms[0]}", []  # `Summa fastighetsinvesteringar 2024`: a label, its value below
    return label, atoms


def statement_columns(line: str) -> tuple[list[Column], bool]:
    """The columns of a financial statement's header, left to right, and whether a `Not` column comes first.

    `Avvikelse` without a year compares the columns before it and takes the year of the budget it deviates from;
    `Prognos avvikelse 2025` is a forecast deviation; `2025-12-31` a balance-sheet date; `jan–aug 2025` a period.
    """
    columns: list[Column] = []
    note = False
    for m in HEADER_COLUMN.finditer(line):
        if m.group("note"):
            note = note or not columns
            continue
        if m.group("bare"):
            year = int(m.group("bare"))
            columns.append(Column(m.group(0), year))
            continue
        word, word2 = m.group("word").lower(), (m.group("word2") or "").lower()
        year = int(m.group("year")) if m.group("year") else None
        basis = {"helårsprognos": "prognos", "bokslut": "utfall", "koncern": "utfall"}.get(word, word)
        kind = None
        if word == "avvikelse" or word2 == "avvikelse":
            kind = "avvikelse"
            basis = "prognos" if word in ("prognos", "helårsprognos") else None
            if year is None:
                year = next((c.year for c in reversed(columns) if c.basis == "budget" and c.year), None) or next(
                    (c.year for c in reversed(columns) if c.year), None)
        elif word2 == "helår":
            basis = "prognos" if word == "prognos" else basis
        label = re.sub(r"\s+", " ", m.group(0)).strip()
        if year is not None and not m.group("year"):
            label = f"{label} {year}"
        columns.append(Column(label, year, basis, None, kind))
    return columns, note


def _columns_from_header(header: list[str], n_values: int) -> tuple[list[Column], list[str]]:
    """Columns named by the header lines, or [] when the header does not account for `n_values` values."""
    notes: list[str] = []
    if not header:
        return [], notes
    first = header[0]
    if STATEMENT_HEADER.search(first):
        columns, note = statement_columns(first)
        if columns and (len(columns) == n_values or note and len(columns) == n_values - 1):
            return columns, notes
    groups = [(BASIS_WORDS[m.group(1).lower()], int(m.group(2))) for m in COLUMN_GROUP.finditer(first)]
    if groups:
        if len(groups) >= n_values:
            return [Column(f"{b.capitalize()} {y}", y, b) for b, y in groups], notes
        if n_values % len(groups) == 0:
            per = n_values // len(groups)
            names = _subcolumn_names(header[1:], n_values, per)
            if names is None:
                names = [f"kolumn {k + 1}" for k in range(per)] * len(groups)
                notes.append("underkolumnernas rubriker gick inte att läsa")
            elif header[1:]:
                notes.append("underkolumnernas rubriker tolkade ur en OCR-skadad rad")
            return [Column(f"{b.capitalize()} {y} {names[g * per + k]}", y, b)
                    for g, (b, y) in enumerate(groups) for k in range(per)], notes
        return [], notes
    # `(Tkr) 2024 2025 2026 Antal då` + `2024`: years are columns, `Antal` a head count column.
    columns: list[Column] = []
    for tok in re.findall(r"(?:19|20)\d\d|Antal\b", first):
        columns.append(Column("Antal årsarbetare", None, None, "årsarbetare") if tok == "Antal" else Column(tok, int(tok)))
    leftover = [int(y) for line in header[1:] for y in YEAR.findall(line)]
    for col in columns:
        if col.year is None and leftover:
            col.year = leftover.pop(0)
            col.label = f"{col.label} {col.year}"
    if len(columns) >= n_values and any(c.year for c in columns):  # rows may leave the last columns empty
        return columns, notes
    return [], notes


def _subcolumn_names(lines: list[str], n_values: int, per: int) -> list[str] | None:
    """Sub-column words, read from header lines with one token per column (`Omsättning Budgetram …`).

    A word wrapped over two lines is joined token by token; OCR damage is matched against SUBCOLUMN_WORDS and
    accepted only when one word clearly wins.
    """
    rows = [line.split() for line in lines if len(line.split()) == n_values]
    if not rows:
        return None
    joined = ["".join(parts) for parts in zip(*rows)]
    vocab = {fold(w).lower(): w for w in SUBCOLUMN_WORDS}
    names: list[str] = []
    for text in joined:
        key = re.sub(r"[^a-z]", "", fold(text).lower())
        best = process.extract(key, list(vocab), scorer=fuzz.ratio, limit=2)
        if not best or best[0][1] < 50 or (len(best) > 1 and best[0][1] - best[1][1] < 8):
            return None
        names.append(vocab[best[0][0]])
    return names


def read_table(block: Block) -> Table | None:
    """Rows and columns of an OCR table block; None for tables without numbers (goal tables)."""
    header = block.header[1:]
    title = block.header[0] if block.header else block.path[-1]
    rows: list[Row] = []
    pending: list[tuple[int, str]] = []  # label-only lines waiting for their values
    lines = block.lines
    header_idx = {block.start + k for k, line in enumerate(lines) if line.strip() in header and line.strip()}
    for k, raw in enumerate(lines):
        idx = block.start + k
        s = raw.strip()
        if not s or idx in header_idx:
            continue
        label, atoms = _number_tail(s)
        if not label and not rows and not pending and atoms and all(YEAR.fullmatch(a) for a in atoms if a != "|"):
            header.append(s)  # `2024` under `Antal då`: the header's second line
            continue
        if not atoms:
            pending.append((idx, label))
            continue
        if not label and pending:  # `Summa fastighetsinvesteringar 2024` / blank / `203,8`
            idx0, label = pending.pop()
            rows.extend(_groups(pending))
            pending = []
            rows.append(Row(label, idx0, idx, atoms, []))
            continue
        if pending:
            continued, groups = _split_pending(pending, label)
            rows.extend(groups)
            if continued:
                label = " ".join([t for _, t in continued] + [label])
                idx_first = continued[0][0]
            else:
                idx_first = idx
            pending = []
        else:
            idx_first = idx
        if label:
            rows.append(Row(label, idx_first, idx, atoms, []))
    # Lines above the first real row that hold only years or header fragments (`2026 2024`, `ÄR -`,
    # `arsar-`/`betare`) are the rest of a wrapped header.
    while rows and (rows[0].kind == "group" and (HEADER_TAIL.match(rows[0].label) or rows[0].label.endswith("-")
                                                 or rows[0].label[:1].islower())
                    or rows[0].kind == "item" and all(a == "|" or YEAR.fullmatch(a) for a in rows[0].atoms)):
        header.append(" ".join([rows[0].label, *rows[0].atoms]).strip())
        rows.pop(0)
    for row in rows:
        if row.kind == "item" and (m := re.match(r"^([A-ZÅÄÖ\s\-–]{1,6})\s+(?=[A-ZÅÄÖ][a-zåäö])", row.label)) \
                and HEADER_TAIL.match(m.group(1).strip()):
            row.label = row.label[m.end():]  # `ÄR - Intäkter`: a header fragment wrapped into the first label
    value_rows = [r for r in rows if r.kind == "item"]
    if not value_rows:
        return None
    n_values = table_width(value_rows)
    leading = [r.label for r in rows[: next((k for k, r in enumerate(rows) if r.kind == "item"), 0)]]
    columns, notes = _columns_from_header(header + leading, n_values)
    unit = header_unit(header + [r.label for r in rows[:1] if r.kind == "group"])
    note_column = bool(columns) and bool(header or leading) and statement_columns((header + leading)[0])[1]
    table = Table(title=title, section=" › ".join(block.path), part=block.part, first=block.start,
                  last=block.end, unit=unit, columns=columns, rows=rows, notes=notes,
                  header=[h for h in header if h.strip()], note_column=note_column)
    table.area = next((f"Område {m.group(1).strip()}" for p in reversed(block.path) if (m := AREA.match(p))), None)
    return table


def table_width(rows: list[Row]) -> int:
    """How many values a row of this table holds: the commonest count (a `Summa 2024 141,5` is one too many)."""
    counts = [len(readings(r.atoms)[0]) for r in rows if r.atoms and readings(r.atoms)]
    if not counts:
        return 0
    return max(set(counts), key=lambda c: (counts.count(c), c))


def _split_pending(pending: list[tuple[int, str]], next_label: str) -> tuple[list[tuple[int, str]], list[Row]]:
    """Label-only lines before a row: the row's wrapped label, or group headings (`Vårdsystem:`)."""
    continued: list[tuple[int, str]] = []
    groups: list[tuple[int, str]] = []
    following = next_label
    for idx, text in reversed(pending):
        wraps = text.endswith((",", ".", "-")) or (following[:1].islower() and not text.endswith(":"))
        if wraps and not groups:
            continued.insert(0, (idx, text))
            following = text
        else:
            groups.insert(0, (idx, text))
            following = text
    return continued, _groups(groups)


def _groups(pending: list[tuple[int, str]]) -> list[Row]:
    return [Row(text.rstrip(":"), idx, idx, [], [], kind="group") for idx, text in pending]


def finish_rows(table: Table) -> None:
    """Group tokens into values now that the column count is known; mark totals; move leading years to labels."""
    n = len(table.columns) or None
    for row in table.rows:
        if row.kind == "group":
            continue
        atoms = list(row.atoms)
        # `Summa IT investeringar 2024 141,5`: a year before the values belongs to the label
        while n and len(atoms) > 1 and YEAR.fullmatch(atoms[0]) and len(readings(atoms)[0]) > n:
            row.label = f"{row.label} {atoms.pop(0)}"
        row.atoms = atoms
        if table.note_column and n:
            row.readings = _without_note(atoms, n)
        else:
            row.readings = readings(atoms, max_values=n) or readings(atoms)
        row.subtotal = not TOTAL.search(row.label) and bool(SUBTOTAL.search(row.label))
        row.kind = "total" if TOTAL.search(row.label) or row.subtotal else "item"


def _without_note(atoms: list[str], n: int) -> list[list[str]]:
    """A statement row's readings with its note reference taken off: `Finansiella intäkter 6 312 268 190 122` is
    note 6 and 312 | 268 | 190 | 122, or 6 312 | 268 | 190 | 122 without a note. Every grouping into n values, or
    into n + 1 whose first is a note number, the one of most even magnitude first; the sums decide the rest."""
    options: list[list[str]] = []
    for values in readings(atoms, max_values=n + 1):
        if len(values) == n + 1 and NOTE.match(values[0]):
            values = values[1:]
        elif len(values) > n:
            continue
        if values not in options:
            options.append(values)
    options.sort(key=lambda values: (*_implausibility(values), n - len(values)))
    return options or readings(atoms, max_values=n) or readings(atoms)
