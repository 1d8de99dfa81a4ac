"""The rule that a wrong number is worse than none: every figure in an answer must stand in a cited quote."""
from __future__ import annotations

import re

from core.models import Citation

FIGURE = re.compile(r"[-−–+]?\d+(?:[ \u00a0]\d{3}(?!\d))*(?:[,.]\d+)?")
MARKER = re.compile(r"\[\d+\]")
ATOM = re.compile(r"[-−–+]?\d+(?:[,.]\d+)?")


def figures(text: str) -> list[str]:
    """Numbers as written, normalised for comparison: `2 380` → `2380`, `−7,8` → `-7,8`."""
    text = MARKER.sub(" ", text)
    out = []
    for m in FIGURE.finditer(text):
        value = m.group(0).replace("\u00a0", "").replace(" ", "").replace("−", "-").replace("–", "-").lstrip("+")
        out.append(value.lstrip("-"))
    return out


def quoted_figures(text: str) -> set[str]:
    """Every reading of a quote's numbers: in `475 0 487,0 0` a space separates columns, so `487,0` stands
    there alone as well as in the greedy thousands reading `0 487,0`."""
    atoms = [a.replace("−", "-").replace("–", "-").lstrip("+-") for a in ATOM.findall(MARKER.sub(" ", text))]
    joined = {a + b for a, b in zip(atoms, atoms[1:]) if re.fullmatch(r"\d{3}(?:,\d+)?", b)}
    return set(figures(text)) | set(atoms) | joined


def ungrounded_figures(answer: str, citations: list[Citation]) -> list[str]:
    quoted = set()
    for c in citations:
        quoted.update(quoted_figures(c.quote))
        quoted.update(figures(c.section))
        quoted.update(figures(c.title))
        for value in c.derived:  # a value the sums repaired, or a difference computed from quoted values
            quoted.update(figures(value))
    return [f for f in figures(answer) if f not in quoted]
