"""Check a table's rows against its own sums, and repair OCR damage only where the sums prove one reading.

Which rows a total adds up is read from the table's layout: a `Summa` closes the group its heading opened
(`Verksamhetens kostnader` … `Summa kostnader`), and a total with no open group adds everything above it,
earlier totals standing in for their rows (`Verksamhetens nettokostnader` = intäkter + kostnader). Where the
layout allows both, the span that the printed numbers satisfy in the most columns wins.

A failing column is repaired by the smallest set of changes (a lost decimal comma, a lost minus sign, another
grouping of a row's digits) that makes every equation in it hold. If more than one set of that size works, or
none up to three changes, nothing is changed and the figures stay unverified.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from core.numbers import alternatives, decimals_of, parse_number

from .tables import Row, Table

MAX_CHANGES = 3
Cell = tuple[int, int]  # (row index, column index)


@dataclass
class Equation:
    total: int
    items: list[int]


@dataclass
class Checked:
    values: dict[Cell, Decimal]
    printed: dict[Cell, str]
    status: dict[Cell, str]
    notes: dict[Cell, str]
    equations: list[Equation]
    table_notes: list[str] = field(default_factory=list)


def grid(rows: list[Row], choice: dict[int, int]) -> tuple[dict[Cell, Decimal], dict[Cell, str]]:
    """Cell values under a choice of reading per row; values fill columns from the left."""
    values: dict[Cell, Decimal] = {}
    printed: dict[Cell, str] = {}
    for i, row in enumerate(rows):
        if row.kind == "group" or not row.readings:
            continue
        for j, text in enumerate(row.readings[choice.get(i, 0)]):
            values[(i, j)] = parse_number(text)
            printed[(i, j)] = text
    return values, printed


def _holds(eq: Equation, col: int, values: dict[Cell, Decimal], printed: dict[Cell, str],
           exact: bool = False) -> bool | None:
    """True/False when the column has a printed total; None when there is nothing to check.

    Printed values may miss by rounding; a repair must add up exactly, or chance would find one."""
    total = values.get((eq.total, col))
    if total is None:
        return None
    present = [values[(r, col)] for r in eq.items if (r, col) in values]
    if not present and total != 0:
        return None
    # one unit in the total's last printed place: rounded rows may miss a rounded total by that much
    if exact:
        return sum(present, Decimal(0)) == total
    places = decimals_of(printed.get((eq.total, col), ""))
    return abs(sum(present, Decimal(0)) - total) <= Decimal(1).scaleb(-places)


def find_equations(rows: list[Row], values: dict[Cell, Decimal], printed: dict[Cell, str], n_cols: int) -> list[Equation]:
    live: list[tuple[str, int]] = []
    equations: list[Equation] = []
    for i, row in enumerate(rows):
        if row.kind == "group":
            live.append(("group", i))
            continue
        if row.kind == "item":
            live.append(("item", i))
            continue
        marker = max((k for k, (kind, _) in enumerate(live) if kind == "group"), default=None)
        in_group = [r for kind, r in live[marker + 1:] if kind == "item"] if marker is not None else []
        everything = [r for kind, r in live if kind == "item"]
        spans = [s for s in (in_group, everything) if s]
        if not spans:
            live.append(("item", i))
            continue

        def score(span: list[int]) -> int:
            return sum(bool(_holds(Equation(i, span), c, values, printed)) for c in range(n_cols))

        best = max(spans, key=score)  # max keeps the first (the group) on ties
        if row.subtotal and not score(best):  # `Årets resultat` under `Eget kapital`: an item, not a sum
            live.append(("item", i))
            continue
        equations.append(Equation(i, best))
        closed_group = live[marker][1] if best is in_group and marker is not None else None
        live = [(kind, r) for kind, r in live
                if not (kind == "item" and r in best)
                and not (kind == "group" and (closed_group is None or r == closed_group))]
        live.append(("item", i))
    return equations


def check_table(table: Table) -> Checked:
    rows = table.rows
    n_cols = max((len(r.readings[0]) for r in rows if r.readings), default=0)
    choice: dict[int, int] = {}
    values, printed = grid(rows, choice)
    equations = find_equations(rows, values, printed, n_cols)
    places = {decimals_of(t) for t in printed.values() if decimals_of(t)} or {1}
    notes: dict[Cell, str] = {}
    table_notes: list[str] = []

    def failing(vals: dict[Cell, Decimal], cols) -> list[int]:
        return [c for c in cols if any(_holds(eq, c, vals, printed) is False for eq in equations)]

    # 0. whole table: rows read as complete where that makes more sums hold. `391 121` in a two-column row is 391
    # and 121, not 391 121; a statement prints several such rows, so one row's other reading cannot prove it
    # alone, and its subtotals (`Årets resultat efter …`) are not even found until its rows are read whole.
    full = {i: k for i, row in enumerate(rows) if row.readings and len(row.readings[0]) < n_cols
            for k in [next((k for k, r in enumerate(row.readings) if len(r) == n_cols), 0)] if k}
    if full:
        trial_values, trial_printed = grid(rows, {**choice, **full})
        trial_equations = find_equations(rows, trial_values, trial_printed, n_cols)
        holds_now, fails_now = _tally(equations, values, printed, n_cols)
        holds_then, fails_then = _tally(trial_equations, trial_values, trial_printed, n_cols)
        if holds_then > holds_now and fails_then <= fails_now:
            choice.update(full)
            values, printed, equations = trial_values, trial_printed, trial_equations
            for i in full:
                for cell in [c for c in printed if c[0] == i]:
                    notes[cell] = f"siffrorna lästa som {' | '.join(rows[i].readings[full[i]])}"
    # 1. single cells: lost decimal commas and minus signs, column by column
    for col in failing(values, range(n_cols)):
        cells = sorted({(eq.total, col) for eq in equations} | {(r, col) for eq in equations for r in eq.items})
        options = [(cell, new, why) for cell in cells if cell in values
                   for new, why in alternatives(printed[cell], places)]
        solution = _smallest_fix(options, values, printed, equations, col)
        if solution is None:
            table_notes.append(f"kolumn {col + 1}: summorna stämmer inte och ingen entydig rättning finns")
            continue
        if solution == "ambiguous":
            table_notes.append(f"kolumn {col + 1}: summorna stämmer inte; flera rättningar är möjliga, ingen gjord")
            continue
        for cell, new, why in solution:
            values[cell] = new
            notes[cell] = why
    # 2. whole rows: another grouping of a row's digits (`4 380 3840` as `4 | 380 | 3840`)
    still = failing(values, range(n_cols))
    if still:
        fixes = []
        for i, row in enumerate(rows):
            for k in range(1, len(row.readings)):
                trial_values, trial_printed = grid(rows, {**choice, i: k})
                trial_values.update({c: v for c, v in values.items() if c[0] != i})
                if not failing(trial_values, range(n_cols)):
                    fixes.append((i, k, trial_values, trial_printed))
        if len(fixes) == 1:
            i, k, values, new_printed = fixes[0]
            choice[i] = k
            for cell in [c for c in new_printed if c[0] == i]:
                printed[cell] = new_printed[cell]
                notes[cell] = f"siffrorna lästa som {' | '.join(rows[i].readings[k])}"
            for cell in list(printed):
                if cell[0] == i and cell not in new_printed:
                    del printed[cell]
                    values.pop(cell, None)
    status: dict[Cell, str] = {}
    for cell in values:
        in_holding = any(_holds(eq, cell[1], values, printed) and (cell[0] == eq.total or cell[0] in eq.items)
                         for eq in equations)
        if cell in notes and in_holding:
            status[cell] = "repaired"
        elif in_holding:
            status[cell] = "verified"
        else:
            status[cell] = "unverified"
            notes.pop(cell, None)
    return Checked(values, printed, status, notes, equations, table_notes)


def _tally(equations: list[Equation], values, printed, n_cols: int) -> tuple[int, int]:
    """How many (equation, column) checks hold, and how many fail."""
    results = [_holds(eq, c, values, printed) for eq in equations for c in range(n_cols)]
    return sum(r is True for r in results), sum(r is False for r in results)


def _smallest_fix(options, values, printed, equations, col):
    # three changes among many options is a search of chance, not of proof: big tables get at most two
    largest = MAX_CHANGES if len(options) <= 40 else 2
    for size in range(1, largest + 1):
        found = []
        for combo in itertools.combinations(options, size):
            if len({cell for cell, _, _ in combo}) < size:
                continue
            trial = dict(values)
            trial.update({cell: new for cell, new, _ in combo})
            changed = {cell[0] for cell, _, _ in combo}
            # equations a change touches must add up exactly; the others keep their rounding allowance
            results = [_holds(eq, col, trial, printed, exact=bool(changed & {eq.total, *eq.items})) for eq in equations]
            if all(r is not False for r in results) and any(results):
                found.append(combo)
                if len(found) > 1:
                    return "ambiguous"
        if found:
            return found[0]
    return None
