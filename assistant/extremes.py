"""Which row, area or period has the most or the least: `Vilket område sparar mest 2024?`, `Vilken nämnd får
störst regionbidrag 2026?`, `Vilken IT-investering är störst?`, `Vilket år sparar Område Fastigheter mest?`,
`Vilka tre områden sparar mest?`.

A ranking compares like with like, and says what it compared:
- by row: one table's rows in one column (each committee's grant in `Budget 2026`), its sum rows left out;
- by area (`vilket område`): each area's figure for the same column, from one table whose rows are the areas
  (`6.4 Driftbudget`), or the same row of each area's own table (each area's `Totalsumma` for 2024);
- by period (`vilket år`, `när … som högst`): one row's values in the columns of its years, a budget and the
  plan years after it together, an outcome apart from them (`Budget 2025` is no year beside `Utfall 2025`).
The figures come from the figure store's match for the question's measure, year and basis; of the comparable
sets the one the question's words fit best (then a sum row, then the largest) is ranked. The answer names the
first and the next (or as many as asked for), each value as its cited quote prints it, and how many were
compared; the citations hold every row compared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal

from core.models import Answer, Citation, Figure
from core.numbers import format_number, in_words
from index.records import area_key
from ingest.lexicon import fold
from ingest.tables import TOTAL

from .question import AREA_WORDS
from .vocabulary import load_vocabulary

Mode = Literal["row", "area", "period"]
PLANNED = {"budget": "planned", "plan": "planned"}  # `Budget 2026`, `Plan 2027`, `Plan 2028`: one series
KIND_OF = {"row": "rader", "area": "områden", "period": "perioder"}


@dataclass
class Ranking:
    figures: list[Figure]  # extreme first
    mode: Mode
    score: float  # how well the question's words fit the best of them (the figure match's score)
    by_size: bool = False  # ranked by amount, whatever the sign: a deviation's size, a cost printed negative


def compared(ranked_by: str | None, wants: str, folded_question: str) -> Mode:
    """What a ranking question compares: one row's periods (`Vilket år …`, `När var … som högst?`), the areas
    (`Vilket område …`, `Inom vilka områden …`, `Var är … störst?`), or else a table's rows."""
    noun = ranked_by or ""
    if wants == "when" or noun in load_vocabulary().extremes.periods:
        return "period"
    if noun.startswith(AREA_WORDS) or folded_question.split()[:1] in (["var"], ["where"]):
        return "area"
    return "row"


def rank(matches, most: bool, mode: Mode, min_score: float = 0.0,
         names_measure: Callable[[Figure], bool] = lambda f: True, signed: bool = False) -> Ranking | None:
    """The comparable set the question fits best, ranked by value (greatest first when `most`). `matches` are the
    figure store's (figure, score) pairs for the question; running-text figures are no table's rows. A set
    qualifies when its best figure fits the question by `min_score`; then every figure of the set is compared,
    however well its own label fits (`Regionstyrelsen` does not say `nämnd`): a ranking that leaves out a row
    because of its wording names the wrong first. The best-fitting figure of a set must name every word of the
    question's measure (`names_measure`): committees' budgets are no answer to which committee has the most sick
    leave, however well `nämnd` fits them.

    Unless the question says which sign it means (`signed`: `överskott`, `negativ`, `bäst`), the largest of a
    deviation or of a column of costs printed negative (`−12 998`; most of the column below zero) is the largest
    amount, not the highest number: `störst avvikelse` is −152 before +37, and the committee that cost most is
    the one at −12 998. Where
    the question's words fit several columns equally, the outcome is ranked before a budget or a forecast: what
    a committee had or cost is what happened."""
    # per comparable set: per entity (an area, a row or a year), its figures by row label, the best-fitting kept
    groups: dict[tuple, dict[str, dict[str, object]]] = {}
    for m in matches:
        f = m.figure
        if not f.in_table:
            continue
        if mode == "area":
            if f.area is None:
                continue
            key, entity = (f.doc_id, f.column, f.unit, f.kind), area_key(f.area)
        elif mode == "period":
            if f.year is None:
                continue
            # a budget and the plan years after it are one series, whether the table says so by basis or by kind
            key = (f.doc_id, f.table, f.row, f.unit, PLANNED.get(f.kind, f.kind), PLANNED.get(f.basis or "", f.basis),
                   subcolumn(f))
            entity = str(f.year)
        else:
            if TOTAL.search(f.row):
                continue  # a sum is no row of the comparison
            key, entity = (f.doc_id, f.table, f.column, f.unit), _row(f)
        labels = groups.setdefault(key, {}).setdefault(entity, {})
        if _row(f) not in labels or m.score > labels[_row(f)].score:
            labels[_row(f)] = m
    best: tuple[tuple, list] | None = None
    for members in groups.values():
        if mode == "area" and len({m.figure.table for labels in members.values() for m in labels.values()}) > 1:
            chosen = _shared_row(members)
        else:  # one table's rows (its areas, or its items), or one row's periods: like with like
            chosen = [max(labels.values(), key=lambda m: m.score) for labels in members.values()]
        if len(chosen) < 2:
            continue
        fitting = max(chosen, key=lambda m: m.score)
        if fitting.score < min_score or not names_measure(fitting.figure):
            continue
        # the question's words first; then, over one row's periods, a sum row answers for the whole
        rank_key = (fitting.score, mode == "period" and bool(TOTAL.search(fitting.figure.row)),
                    fitting.figure.basis == "utfall", len(chosen))
        if best is None or rank_key > best[0]:
            best = (rank_key, chosen)
    if best is None:
        return None
    chosen = best[1]
    values = [m.figure.value for m in chosen]
    # a column of costs printed negative: most of it below zero (a committee with a net income stands above it)
    by_size = not signed and (sum(v < 0 for v in values) > len(values) / 2 or (
        any(v < 0 for v in values) and any(m.figure.kind == "avvikelse" for m in chosen)))
    ranked = sorted(chosen, key=lambda m: abs(m.figure.value) if by_size else m.figure.value, reverse=most)
    return Ranking([m.figure for m in ranked], mode, best[0][0], by_size)


def _row(f: Figure) -> str:
    return fold(f.row).lower()


def subcolumn(f: Figure) -> str:
    """What a column measures apart from its period: `Budget 2024 Omsättning` → `omsättning`."""
    return re.sub(r"\b(budget|prognos|utfall|plan|belopp)\b|\d{4}", "", (f.column or "").lower()).strip()


def _shared_row(members: dict[str, dict[str, object]]) -> list:
    """The areas' own tables: like with like is the row every area has, a sum first (each area's `Totalsumma`).
    When no row is every area's (`Personalkostnadsreduceringar` in one table, `Personalreducering/vakans` in
    another), the areas cannot be compared: a ranking of those that share a wording leaves the others out."""
    every = set.intersection(*(set(labels) for labels in members.values()))
    if not every:
        return []
    label = max(every, key=lambda r: (bool(TOTAL.search(r)), max(labels[r].score for labels in members.values())))
    return [labels[label] for labels in members.values()]


def compose(question: str, ranking: Ranking, most: bool, cite: Callable[[int, Figure], Citation],
            say: Callable[[Figure], str], top: int = 1) -> Answer:
    """`Högst: **Område Fastigheter**, 29 309 tkr [1] (Totalsumma, 2024 …). Därnäst: Område IT, 26 720 tkr [2].`,
    or, when several are asked for (`Vilka tre …`), that many in order. One citation per table compared, holding
    every row of it that was ranked, so that the order can be checked against the documents."""
    figures = ranking.figures
    tables: dict[tuple[str, str], list[Figure]] = {}
    for f in figures:
        tables.setdefault((f.source, f.table), []).append(f)
    cited = {key: _table_citation(cite(n, rows[0]), rows) for n, (key, rows) in enumerate(tables.items(), start=1)}
    citations = list(cited.values())
    several = len(citations) > 1  # the areas' own tables: the row they share says what was compared

    def name(f: Figure) -> str:
        if ranking.mode == "area" and f.area:
            return f.area
        if ranking.mode == "period":
            return f.column or str(f.year)
        return f.row

    def ref(f: Figure) -> str:
        return f"[{cited[(f.source, f.table)].n}]"

    first = figures[0]
    period = first.column or (str(first.year) if first.year else "")
    if ranking.mode == "period":  # the row is what was compared; its periods are the answer
        area = first.area if first.area and first.area not in f"{first.row} {first.table}" else ""
        what = ", ".join(filter(None, [first.row, area, first.table, first.title]))
    else:
        what = ", ".join(filter(None, [first.row if several else "", period, "" if several else first.table,
                                       first.title]))
    where = f" ur {in_words(len(citations))} tabeller" if several else " i samma tabell"
    compared = f"Jämförda: {in_words(len(figures))} {KIND_OF[ranking.mode]}{where}."
    if top > 1:
        word = ("största" if most else "minsta") + " till beloppet" if ranking.by_size else \
            "högsta" if most else "lägsta"
        lines = [f"De {in_words(min(top, len(figures)))} {word} ({what}):"]
        lines += [f"- **{name(f)}**: {say(f)} {ref(f)}" for f in figures[:top]]
        return Answer(question=question, answer="\n".join(lines + [compared]), abstained=False, citations=citations)
    top_figures = [f for f in figures if f.value == first.value]
    rest = [f for f in figures if f.value != first.value]
    names = " och ".join(f"**{name(f)}**" for f in top_figures)
    refs = "".join(dict.fromkeys(ref(f) for f in top_figures))
    extreme = ("Störst" if most else "Minst") + " till beloppet" if ranking.by_size else "Högst" if most else "Lägst"
    text = f"{extreme}: {names}, **{say(first)}** {refs} ({what})."
    if rest:
        text += f" Därnäst: {name(rest[0])}, {say(rest[0])} {ref(rest[0])}."
    return Answer(question=question, answer=f"{text} {compared}", abstained=False, citations=citations)


def _table_citation(c: Citation, rows: list[Figure]) -> Citation:
    """The citation of a table quotes its header and every ranked row of it, in the document's order."""
    rows = sorted(rows, key=lambda f: f.line_start)
    lines = list(dict.fromkeys(f.line_text.strip() for f in rows))
    start, end = rows[0].line_start, max(f.line_end for f in rows)
    derived = list(c.derived)
    for f in rows:
        if f.status == "repaired" and f.printed != format_number(f.value) and format_number(f.value) not in derived:
            derived.append(format_number(f.value))
    return c.model_copy(update={"quote": "\n".join(([rows[0].header] if rows[0].header else []) + lines),
                                "lines": f"{start}" if start == end else f"{start}–{end}", "derived": derived})
