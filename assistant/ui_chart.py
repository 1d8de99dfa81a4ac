"""The Siffror tab's chart: one row's figures over time, drawn as inline SVG.

Why not Gradio's LinePlot: it sorted periods as text (Budget 2024 before Prognos 2023, so a line pointed the
wrong way), cut its axis inside the points, drew no markers and printed `27,000`. Here periods are years in
time order, each kind (budget, prognos, utfall …) is its own series, the axis is rounded outward from the
smallest and largest value, every point has a marker with its value in Swedish form, and an empty selection
says so in words.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from decimal import Decimal

from core.models import Figure
from core.numbers import format_number

COLORS = {"budget": "#2563eb", "prognos": "#d97706", "utfall": "#059669", "plan": "#7c3aed"}
OTHER_COLORS = ["#db2777", "#0891b2", "#65a30d", "#6b7280"]
EMPTY = ("Inget tal i urvalet finns för två eller fler perioder, så det finns inget att rita. Ändra sökningen "
         "eller filtren, eller välj ett annat tal.")
WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 34


@dataclass(frozen=True)
class Point:
    order: tuple  # sorts the x positions in time order
    x: str  # the period as the axis shows it
    series: str
    value: Decimal
    unit: str | None


def swedish(value: float | Decimal, decimals: int | None = None) -> str:
    """`-1 283,7` with a real minus sign: what the documents print, readable in a chart's small type."""
    if not isinstance(value, Decimal):
        value = Decimal(str(round(value, decimals if decimals is not None else 6)))
    return format_number(value, decimals).replace("-", "−")


def points_of(figures: list[Figure]) -> list[Point]:
    """Each figure as a point (year on x, kind as series); a figure printed with its previous period's value
    (`6,94 % (7,53 %)`) adds a point for that one. The first figure wins where two claim the same place."""
    seen: dict[tuple, Point] = {}
    for f in figures:
        series = (f.basis or f.kind or "värde").lower()
        if f.previous is not None:
            here = (f.year, 1) if f.year else (10_000, 1)
            before = (f.year, 0) if f.year else (10_000, 0)
            seen.setdefault((before, series), Point(before, "föregående", series, f.previous, f.unit))
            seen.setdefault((here, series), Point(here, str(f.year) if f.year else "senaste", series, f.value, f.unit))
        elif f.year is not None:
            seen.setdefault(((f.year, 1), series), Point((f.year, 1), str(f.year), series, f.value, f.unit))
    return sorted(seen.values(), key=lambda p: (p.order, p.series))


def nice_axis(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """(start, end, step): round steps (1, 2, 2,5, 5 × 10ⁿ) from at or below `low` to at or above `high`."""
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (ticks - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    return start, end, step


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else (1 if step % 1 else 0)


def chart_html(figures: list[Figure], title: str = "") -> str:
    """The chart for these figures with a legend and the values as a list, or a message when nothing fits."""
    points = points_of(figures)
    if len({p.order for p in points}) < 2:
        return f"<div class='fig-chart fig-chart-empty' role='status'><p>{html.escape(EMPTY)}</p></div>"
    xs = sorted({(p.order, p.x) for p in points})
    labels = [x for _, x in xs]
    position = {order: i for i, (order, _) in enumerate(xs)}
    series = sorted({p.series for p in points}, key=lambda s: (s not in COLORS, list(COLORS).index(s) if s in COLORS else 0, s))
    colors = {s: COLORS.get(s) or OTHER_COLORS[i % len(OTHER_COLORS)] for i, s in enumerate(series)}
    values = [float(p.value) for p in points]
    start, end, step = nice_axis(min(values), max(values))
    decimals = _decimals(step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / len(labels))

    def sy(v: float) -> float:
        return TOP + plot_h * (1 - (v - start) / (end - start))

    parts = [f"<svg class='fig-svg' viewBox='0 0 {WIDTH} {HEIGHT}' role='img' "
             f"aria-label='{html.escape(title or 'Diagram')}' xmlns='http://www.w3.org/2000/svg'>"]
    n_ticks = int(round((end - start) / step))
    for k in range(n_ticks + 1):
        v = start + k * step
        y = sy(v)
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{y:.1f}' y2='{y:.1f}' class='grid'/>"
                     f"<text x='{LEFT - 6}' y='{y + 4:.1f}' text-anchor='end' class='tick y-tick'>"
                     f"{swedish(v, decimals)}</text>")
    for i, label in enumerate(labels):
        parts.append(f"<text x='{sx(i):.1f}' y='{HEIGHT - 10}' text-anchor='middle' class='tick x-tick'>"
                     f"{html.escape(label)}</text>")
    for s in series:
        mine = [p for p in points if p.series == s]
        if len(mine) >= 2:
            path = " ".join(f"{sx(position[p.order]):.1f},{sy(float(p.value)):.1f}" for p in mine)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{colors[s]}' stroke-width='2.5'/>")
        for p in mine:
            cx, cy = sx(position[p.order]), sy(float(p.value))
            text = f"{s.capitalize()} {p.x}: {format_number(p.value)}{' ' + p.unit if p.unit else ''}"
            parts.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='5' fill='{colors[s]}' class='marker' "
                         f"data-value='{p.value}'><title>{html.escape(text)}</title></circle>"
                         f"<text x='{cx:.1f}' y='{cy - 9:.1f}' text-anchor='middle' class='point-label'>"
                         f"{swedish(p.value)}</text>")
    parts.append("</svg>")
    unit = next((p.unit for p in points if p.unit), None)
    legend = "".join(f"<span class='legend-item'><span class='swatch' style='background:{colors[s]}'></span>"
                     f"{html.escape(s.capitalize())}</span>" for s in series)
    listing = "".join(f"<li>{html.escape(p.series.capitalize())} {html.escape(p.x)}: "
                      f"<b>{html.escape(swedish(p.value))}{' ' + html.escape(p.unit) if p.unit else ''}</b></li>"
                      for p in points)
    caption = html.escape(title) + (f" <small>({html.escape(unit)})</small>" if unit else "")
    return (f"<figure class='fig-chart'><figcaption>{caption}</figcaption><div class='legend'>{legend}</div>"
            f"{''.join(parts)}<ul class='fig-values'>{listing}</ul></figure>")


CHART_CSS = """
.fig-chart { margin: 0; max-width: 680px; }
.fig-chart figcaption { font-weight: 600; margin-bottom: .25em; }
.fig-svg { width: 100%; height: auto; display: block; }
.fig-svg .grid { stroke: #d1d5db; stroke-width: 1; }
.fig-svg .tick { font-size: 13px; fill: #374151; }
.fig-svg .point-label { font-size: 12px; fill: #111827; font-weight: 600; }
.fig-chart .legend { display: flex; flex-wrap: wrap; gap: .75em; font-size: .9em; }
.fig-chart .swatch { display: inline-block; width: .9em; height: .9em; border-radius: 50%; margin-right: .3em;
  vertical-align: -0.1em; }
.fig-chart .fig-values { font-size: .9em; columns: 2 14em; margin: .5em 0 0 1.2em; }
@media (max-width: 640px) {  /* the drawing scales down to the screen; its type should not */
  .fig-svg .tick { font-size: 19px; } .fig-svg .point-label { font-size: 18px; }
}
.fig-chart-empty p { padding: 1em; background: #f3f4f6; border-radius: 6px; }
"""
