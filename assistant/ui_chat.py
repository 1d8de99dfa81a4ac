"""The conversation and the source panel as HTML: what the user typed shown as text, answers with clickable
[n] and 👍/👎, and a cited passage in its context.

Gradio's Chatbot rendered the user's text as Markdown and HTML (`<img src=x>` fetched /x, `**fet**` turned
bold, links were live). Here every string from a user or a document is escaped; only the answer's own
`**bold**`, `- ` list lines and `[n]` marks, which the answerers write, become markup.
"""
from __future__ import annotations

import html
import re

from core.models import Answer, Citation, Figure

from .ui_tables import clean_label, document_link

WELCOME = ("Ställ en fråga om Regionservice styrdokument – verksamhetsplaner, handlingsplaner och protokoll. "
           "Svaret citerar sina källor; klicka på [1], [2] … för att se stycket i dokumentet.")
PANEL_EMPTY = ("<div class='panel-empty'><b>Källa</b><p>Klicka på en källa, t.ex. [1], i ett svar för att se "
               "stycket i sitt sammanhang och öppna dokumentet.</p></div>")
CONTEXT_LINES = 3  # lines shown before and after a quote in the source panel
TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # the text formats keep some inline markup (<i>, <u>, <ul …>)
MARK = re.compile(r"\[(\d{1,3})\]")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def user_html(text: str) -> str:
    return f"<div class='msg user'><div class='who'>Du</div><div class='text'>{html.escape(text)}</div></div>"


def _inline(text: str, turn: int, known: set[int]) -> str:
    """One escaped line of an answer: `**x**` bold, and each [n] a button that opens source n."""
    out = BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))

    def ref(m: re.Match) -> str:
        n = int(m[1])
        if n not in known:
            return m[0]
        return (f"<button type='button' class='kref' data-action='source' data-turn='{turn}' data-n='{n}' "
                f"aria-label='Visa källa {n}'>[{n}]</button>")

    return MARK.sub(ref, out)


def answer_body(answer: Answer, turn: int) -> str:
    known = {c.n for c in answer.citations}
    parts: list[str] = []
    items: list[str] = []
    for line in answer.answer.splitlines():
        if line.lstrip().startswith(("- ", "• ")):
            items.append(f"<li>{_inline(line.lstrip()[2:], turn, known)}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.strip():
            parts.append(f"<p>{_inline(line, turn, known)}</p>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def section_label(title: str, section: str) -> str:
    """The section path without the document's title in front (`RSAU § 58 2026 — RSAU § 58 2026 › …` said the
    title twice)."""
    steps = [s for s in section.split(" › ") if s.strip()]
    while steps and steps[0].strip().lower() in (title.strip().lower(),):
        steps.pop(0)
    return " › ".join(steps)


def where(c: Citation) -> str:
    if c.page:
        return f"sida {c.page}" + (f", rad {c.lines}" if c.lines else "")
    return f"rad {c.lines}" if c.lines else ""


def sources_html(answer: Answer, turn: int) -> str:
    rows = []
    for c in answer.citations:
        section = section_label(c.title, c.section)
        short = " › ".join(section.split(" › ")[-2:])
        rows.append(
            f"<li><button type='button' class='kref' data-action='source' data-turn='{turn}' data-n='{c.n}' "
            f"aria-label='Visa källa {c.n}'>[{c.n}]</button> <b>{html.escape(c.title)}</b>"
            + (f" — <span title='{html.escape(section)}'>{html.escape(short)}</span>" if short else "")
            + f" <small>({html.escape(where(c))})</small></li>")
    return f"<div class='sources'><div class='sources-head'>Källor</div><ol>{''.join(rows)}</ol></div>"


# A thumb drawn, not an emoji: a browser without an emoji font (Debian's chromium here) showed empty boxes.
THUMB = ("<svg viewBox='0 0 24 24' width='18' height='18' aria-hidden='true'{flip}><path fill='currentColor' "
         "d='M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 "
         "7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z'/>"
         "</svg>")


def feedback_html(turn: int, rating: int | None) -> str:
    def button(value: int, text: str, label: str) -> str:
        pressed = "true" if rating == value else "false"
        icon = THUMB.format(flip=" style='transform: rotate(180deg)'" if value < 0 else "")
        return (f"<button type='button' class='fb' data-action='feedback' data-turn='{turn}' "
                f"data-rating='{value}' aria-pressed='{pressed}' aria-label='{label}' title='{label}'>{icon}"
                f"<span>{text}</span></button>")

    note = "<span class='fb-note'>Tack för ditt omdöme!</span>" if rating else ""
    return (f"<div class='feedback'>{button(1, 'Bra', 'Bra svar')}{button(-1, 'Dåligt', 'Dåligt svar')}"
            f"{note}</div>")


def turn_html(turn: dict, i: int) -> str:
    answer = Answer.model_validate(turn["answer"])
    body = answer_body(answer, i) + (sources_html(answer, i) if answer.citations and not answer.abstained else "")
    return (user_html(turn["question"])
            + f"<div class='msg bot' data-turn='{i}'><div class='who'>Assistenten</div><div class='text'>{body}"
              f"</div>{feedback_html(i, turn.get('rating'))}</div>")


def transcript_html(turns: list[dict]) -> str:
    if not turns:
        return f"<div class='transcript'><p class='welcome'>{html.escape(WELCOME)}</p></div>"
    return "<div class='transcript'>" + "".join(turn_html(t, i) for i, t in enumerate(turns)) + "</div>"


# --- the source panel -------------------------------------------------------------------------------------

def line_span(c: Citation) -> tuple[int, int] | None:
    first, _, last = (c.lines or "").partition("–")
    if not first.strip().isdigit():
        return None
    return int(first), int(last) if last.strip().isdigit() else int(first)


def _plain(line: str) -> str:
    return re.sub(r"[ \t]+", " ", TAG.sub("", line).replace("\t", " | ")).strip(" |")


def quote_html(c: Citation, figures: list[Figure]) -> str:
    """A table row under its column header (from the figures read off that line, or the quote's `|` cells);
    other quotes line by line."""
    span = line_span(c)
    if span:
        on_line = [f for f in figures if f.source == c.source and f.in_table and f.column
                   and f.line_start <= span[1] and f.line_end >= span[0]]
        if on_line:
            rows: dict[str, list[Figure]] = {}
            for f in on_line:
                rows.setdefault(f.row, []).append(f)
            columns = list(dict.fromkeys(f.column for f in on_line))
            head = "".join(f"<th>{html.escape(col)}</th>" for col in columns)
            body = "".join(
                f"<tr><th scope='row'>{html.escape(clean_label(row))}</th>"
                + "".join(f"<td>{html.escape(next((f.printed for f in fs if f.column == col), ''))}</td>"
                          for col in columns) + "</tr>" for row, fs in rows.items())
            unit = next((f.unit for f in on_line if f.unit), "")
            caption = html.escape(on_line[0].table) + (f" ({html.escape(unit)})" if unit else "")
            return (f"<table class='quote-table'><caption>{caption}</caption><thead><tr><th></th>{head}</tr>"
                    f"</thead><tbody>{body}</tbody></table>")
    lines = c.quote.splitlines()
    if len(lines) >= 2 and all(" | " in line for line in lines):
        cells = [line.split(" | ") for line in lines]
        head = "".join(f"<th>{html.escape(x)}</th>" for x in cells[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in row) + "</tr>" for row in cells[1:])
        return f"<table class='quote-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return "<blockquote>" + "<br>".join(html.escape(line) for line in lines) + "</blockquote>"


def source_panel_html(c: Citation, lines: list[str] | None, figures: list[Figure]) -> str:
    section = section_label(c.title, c.section)
    span = line_span(c)
    parts = [f"<div class='source-panel' data-n='{c.n}'><div class='panel-head'>Källa [{c.n}]</div>",
             f"<h3>{html.escape(c.title)}</h3>"]
    if section:
        parts.append(f"<p class='section'>{html.escape(section)}</p>")
    parts.append(f"<p class='where'>{html.escape(where(c))} · <code>{html.escape(c.source)}</code></p>")
    parts.append("<div class='quote'><div class='label'>Citat</div>" + quote_html(c, figures) + "</div>")
    for d in c.derived:
        parts.append(f"<p class='derived'>Härlett ur citatet: {html.escape(d)}</p>")
    if lines and span:
        first, last = span
        start, end = max(1, first - CONTEXT_LINES), min(len(lines), last + CONTEXT_LINES)
        rows = []
        for number in range(start, end + 1):
            hit = first <= number <= last
            rows.append(f"<tr class='{'hit' if hit else ''}'><td class='ln'>{number}</td>"
                        f"<td>{html.escape(_plain(lines[number - 1])) or '&nbsp;'}</td></tr>")
        parts.append("<div class='context'><div class='label'>I sitt sammanhang</div>"
                     f"<table class='context-lines'>{''.join(rows)}</table></div>")
    line = span[0] if span else 1
    parts.append("<p class='open'>" + document_link(c.source, line, "Öppna dokumentet vid stycket ↗") + "</p>")
    parts.append("</div>")
    return "".join(parts)


CLICKS_JS = """
element.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action]');
  if (!target || !element.contains(target)) return;
  event.preventDefault();
  trigger('click', {action: target.dataset.action, turn: Number(target.dataset.turn),
                    n: Number(target.dataset.n || 0), rating: Number(target.dataset.rating || 0)});
});
"""

CHAT_CSS = """
#samtal .transcript { display: flex; flex-direction: column; gap: .75em; padding: .25em; }
#samtal .welcome { color: #4b5563; margin: .5em 0; }
#samtal .msg { border-radius: 10px; padding: .5em .8em; max-width: 100%; overflow-wrap: anywhere; }
#samtal .msg.user { background: #eef2ff; align-self: flex-end; max-width: 85%; }
#samtal .msg.user .text { white-space: pre-wrap; }
#samtal .msg.bot { background: var(--background-fill-secondary, #f9fafb); border: 1px solid #e5e7eb; }
#samtal .who { font-size: .78em; color: #6b7280; margin-bottom: .15em; }
#samtal .text p { margin: .25em 0; line-height: 1.45; }
#samtal .text ul { margin: .25em 0 .25em 1.2em; padding: 0; }
#samtal .kref { border: 0; background: none; color: #1d4ed8; cursor: pointer; padding: 0 .1em; font: inherit;
  font-weight: 600; text-decoration: underline; min-height: 1.6em; }
#samtal .sources { margin-top: .5em; font-size: .9em; }
#samtal .sources-head { font-weight: 600; }
#samtal .sources ol { list-style: none; margin: .2em 0; padding: 0; }
#samtal .sources li { margin: .2em 0; }
#samtal .feedback { display: flex; gap: .4em; align-items: center; margin-top: .4em; }
#samtal .fb { border: 1px solid #d1d5db; border-radius: 6px; background: #fff; cursor: pointer; font: inherit;
  font-size: .9em; min-height: 2.75rem; padding: 0 .8em; display: inline-flex; align-items: center; gap: .35em;
  color: #374151; }
#samtal .fb[aria-pressed='true'] { background: #dbeafe; border-color: #2563eb; }
#samtal .fb-note { font-size: .85em; color: #065f46; }
#kallpanel .source-panel h3 { margin: .2em 0; font-size: 1.05em; }
#kallpanel .panel-head { font-size: .8em; color: #6b7280; text-transform: uppercase; letter-spacing: .04em; }
#kallpanel .section, #kallpanel .where { font-size: .88em; color: #4b5563; margin: .15em 0; overflow-wrap: anywhere; }
#kallpanel .label { font-size: .8em; color: #6b7280; margin-top: .6em; }
#kallpanel blockquote { margin: .2em 0; padding: .3em .6em; border-left: 3px solid #2563eb; background: #eff6ff; }
#kallpanel .quote-table { border-collapse: collapse; font-size: .88em; margin: .2em 0; }
#kallpanel .quote-table th, #kallpanel .quote-table td { border: 1px solid #d1d5db; padding: .2em .4em; text-align: left;
  vertical-align: top; }
#kallpanel .quote-table caption { text-align: left; font-size: .85em; color: #4b5563; }
#kallpanel .context-lines { border: 0; border-collapse: collapse; font-size: .85em; width: 100%; }
#kallpanel .context-lines td { border: 0; padding: .1em .4em; vertical-align: top; overflow-wrap: anywhere; }
#kallpanel .context-lines td.ln { color: #9ca3af; text-align: right; width: 4.5em; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
#kallpanel .context-lines, #kallpanel .context-lines tr, #kallpanel .context-lines td { border: none !important; }
#kallpanel .context-lines tr.hit { background: #fef3c7; }
#kallpanel .context-lines tr.hit td.ln { color: #92400e; font-weight: 600; }
#kallpanel .open a { font-weight: 600; }
#kallpanel .panel-empty p { color: #4b5563; }
"""
