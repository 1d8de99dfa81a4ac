"""The goal structure as trees, for the CLI and the Mål tab: one tree per document and year, in document order."""
from __future__ import annotations

from core.models import Decision, GoalNode


def goal_forest(goals: list[GoalNode]) -> dict[tuple[str, int | None], list[tuple[GoalNode, int]]]:
    """(document title, year) → its nodes depth-first with their depth; a node whose parent is missing is a root."""
    ids = {g.id for g in goals}
    children: dict[str, list[GoalNode]] = {}
    roots: dict[tuple[str, int | None], list[GoalNode]] = {}
    for g in goals:
        if g.parent_id and g.parent_id in ids:
            children.setdefault(g.parent_id, []).append(g)
        else:
            roots.setdefault((g.title, g.year), []).append(g)
    forest: dict[tuple[str, int | None], list[tuple[GoalNode, int]]] = {}
    for key in sorted(roots, key=lambda k: (k[0], k[1] or 0)):
        out: list[tuple[GoalNode, int]] = []

        def walk(node: GoalNode, depth: int) -> None:
            out.append((node, depth))
            for child in sorted(children.get(node.id, []), key=lambda c: (c.line_start, c.level)):
                walk(child, depth + 1)

        for root in sorted(roots[key], key=lambda r: r.line_start):
            walk(root, 0)
        forest[key] = out
    return forest


def decision_rows(decisions: list[Decision], goals: list[GoalNode], area: str | None = None,
                  year: int | None = None, kind: str | None = None, body: str | None = None) -> list[dict]:
    """Decisions, proposals, motions, measures and assignments (uppdrag) as one list of plain rows: what the
    Beslut tab and `assistant decisions` show, filterable by area, year, kind and deciding body."""
    rows = [{"kind": d.kind, "where": d.paragraph or d.part, "number": d.number, "text": d.text, "by": d.by,
             "outcome": d.outcome, "effects": d.effects, "consequence": d.consequence, "areas": d.areas,
             "body": d.body, "date": d.date, "dnr": d.dnr, "year": d.year, "title": d.title, "source": d.source,
             "section": d.section, "line": d.line_start, "quote": d.quote} for d in decisions]
    rows += [{"kind": "uppdrag", "where": g.section.split(" › ")[-1], "number": None, "text": g.text,
              "by": g.assignee, "outcome": None, "effects": {}, "consequence": None, "areas": g.areas, "body": None,
              "date": None, "dnr": None, "year": g.year, "title": g.title, "source": g.source, "section": g.section,
              "line": g.line_start, "quote": g.quote} for g in goals if g.level == "uppdrag"]
    return [r for r in rows if (area is None or area in r["areas"]) and (year is None or r["year"] == year)
            and (kind is None or r["kind"] == kind) and (body is None or (r["body"] or "") == body)]
