"""The rule that a wrong number is worse than none: every figure in an answer must stand in a cited quote."""
from __future__ import annotations

import re

from core.models import Citation

FIGURE = re.compile(r"[-−–+]?\d+(?:[ \u00a0]\d{3}(?!\d))*(?:[,.]\d+)?")
MARKER = re.compile(r"\[\d+\]")


def figures(text: str) -> list[str]:
    """Numbers as written, normalised for comparison: `2 380` → `2380`, `−7,8` → `-7,8`."""
    text = MARKER.sub(" ", text)
    out = []
    for m in FIGURE.finditer(text):
        value = m.group(0).replace("\u00a0", "").replace(" ", "").replace("−", "-").replace("–", "-").lstrip("+")
        out.append(value.lstrip("-"))
    return out


def ungrounded_figures(answer: str, citations: list[Citation]) -> list[str]:
    quoted = set()
    for c in citations:
        quoted.update(figures(c.quote))
        quoted.update(figures(c.section))
    return [f for f in figures(answer) if f not in quoted]
