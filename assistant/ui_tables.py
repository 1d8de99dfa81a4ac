"""The Siffror and Beslut tables as HTML that fits: chosen columns with set widths, wrapped text, clean labels,
and on a phone one card per row in which every value keeps its label.

Gradio's Dataframe sized columns by content (the Siffror table grew to 3 418 px in a 1 214 px area, empty
columns wrapped their header one letter per line) and on a phone showed only the first few columns, so a
number appeared without what it measures. A plain table with `table-layout: fixed` and a card layout under
640 px does neither.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote

from core.models import Figure
from core.numbers import format_number

STATUS_SV = {"verified": "✓ kontrollerad", "repaired": "✎ rättad", "unverified": "· ej kontrollerad"}
LABEL_CHARS = 90  # a row label longer than this is cut (the full text is in its tooltip)


@dataclass(frozen=True)
class Column:
    header: str
    width: str  # CSS width in the desktop layout
    css: str = ""  # a class for the cells: num (right-aligned, no wrap), main (the card's title on a phone)


def clean_label(text: str | None, limit: int = LABEL_CHARS) -> str:
    """A row label as a reader expects it: OCR's `FÖrsörjning` → `Försörjning`, no column rules or bullets at
    the ends, one space between words, and a long label cut at a word with `…`."""
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"\b([A-ZÅÄÖ])([A-ZÅÄÖ])([a-zåäö]{2,})", lambda m: m[1] + m[2].lower() + m[3], text)
    text = text.strip(" |•·-–—:;,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …"
    return text


def document_link(source: str, line: int, label: str) -> str:
    """A link that opens the document at this line in the app's viewer (assistant/ui_documents.py)."""
    href = f"/dokument/visa/{quote(source)}?rader={line}#L{line}"
    return f"<a href='{html.escape(href)}' target='_blank' rel='noopener'>{html.escape(label)}</a>"


def html_table(columns: list[Column], rows: list[list[str]], css_class: str, caption: str = "") -> str:
    """Cells are HTML already (escaped by the caller). Each carries its column's name for the phone layout."""
    cols = "".join(f"<col style='width:{c.width}'>" for c in columns)
    head = "".join(f"<th scope='col' class='{c.css}'>{html.escape(c.header)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td class='{c.css}' data-label='{html.escape(c.header)}'>{cell}</td>"
                         for c, cell in zip(columns, row)) + "</tr>"
        for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<div class='rtable-wrap'><table class='rtable {css_class}'>{cap}<colgroup>{cols}</colgroup>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


FIGURE_COLUMNS = [Column("Värde", "9em", "num main"), Column("Period", "8.5em"), Column("Vad", "28%"),
                  Column("Tabell", "22%"), Column("Typ", "7.5em"), Column("Status", "9.5em"),
                  Column("Källa", "11em")]


def figure_table(figures: list[Figure]) -> str:
    rows = []
    for f in figures:
        value = format_number(f.value) + (f" {f.unit}" if f.unit else "")
        what = clean_label(f.row)
        sub = clean_label(f.column, 40) if f.column and f.column != f.period else ""
        status = STATUS_SV[f.status] + (f" (tryckt {f.printed})" if f.status == "repaired" else "")
        table = html.escape(clean_label(f.table, 60)) + (f"<br><small>{html.escape(f.area)}</small>" if f.area else "")
        rows.append([
            f"<span class='value'>{html.escape(value)}</span>",
            html.escape(f.period or "–"),
            f"<span title='{html.escape(f.row)}'>{html.escape(what)}</span>"
            + (f"<br><small>{html.escape(sub)}</small>" if sub else ""),
            table, html.escape(f.kind), html.escape(status),
            document_link(f.source, f.line_start, f"{f.title}, rad {f.line_start}"
                          + (f", s. {f.page_start}" if f.page_start else "")),
        ])
    return html_table(FIGURE_COLUMNS, rows, "fig-table")


DECISION_COLUMNS = [Column("Typ", "8.5em", "main-kind"), Column("Beslut eller åtgärd", "38%", "main"),
                    Column("Var", "11%"), Column("Av / till", "11%"), Column("Effekt", "12%"),
                    Column("Områden", "11%"), Column("År", "4em"), Column("Källa", "10em")]


def decision_table(rows: list[dict]) -> str:
    out = []
    for r in rows:
        effects = ", ".join(f"{v}{' från ' + k if k else ''}" for k, v in r["effects"].items())
        consequence = (r["consequence"] or "").split(":", 1)[0]
        effect = html.escape(effects) + (f"<br><small>konsekvens: {html.escape(consequence)}</small>"
                                         if consequence else "")
        number = f"{r['number']}. " if r["number"] else ""
        by = " · ".join(filter(None, [r["by"], r["body"]]))
        out.append([
            html.escape(r["kind"]),
            html.escape(number + clean_label(r["text"], 400)),
            html.escape(clean_label(r["where"] or "", 60)),
            html.escape(by) or "–", effect or "–", html.escape(", ".join(r["areas"])) or "alla",
            html.escape(str(r["year"] or "–")),
            document_link(r["source"], r["line"], f"{r['title']}, rad {r['line']}"),
        ])
    return html_table(DECISION_COLUMNS, out, "dec-table")


TABLE_CSS = """
.rtable-wrap { width: 100%; overflow: auto; max-height: 70vh; }
.rtable { width: 100%; min-width: 640px; table-layout: fixed; border-collapse: collapse; font-size: .92em;
  border: 0 !important; }
.rtable th, .rtable td { padding: .35em .5em; border-bottom: 1px solid #e5e7eb; vertical-align: top;
  text-align: left; overflow-wrap: anywhere; word-break: normal; hyphens: auto; }
.rtable th { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; position: sticky; top: 0;
  background: var(--block-background-fill, #fff); font-weight: 600; }
.rtable td, .rtable th { border-left: none !important; border-right: none !important; }
.rtable td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.rtable th.num { text-align: right; }
.rtable .value { font-weight: 600; }
.rtable small { color: #6b7280; }
@media (max-width: 640px) {
  .rtable-wrap { max-height: none; }
  .rtable { min-width: 0; table-layout: auto; }
  .rtable thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .rtable, .rtable tbody, .rtable tr, .rtable td { display: block; width: 100%; box-sizing: border-box; }
  .rtable tr { border: 1px solid #d1d5db !important; border-radius: 8px; margin: 0 0 .6em; padding: .4em .6em; }
  .rtable td { border: 0 !important; padding: .15em 0; display: grid; grid-template-columns: 6.5em 1fr; gap: .5em;
    text-align: left; white-space: normal; }
  .rtable td.num { text-align: left; }
  .rtable td::before { content: attr(data-label); color: #6b7280; font-size: .85em; }
  .rtable td.main { font-size: 1.05em; }
}
"""
