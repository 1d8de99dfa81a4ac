"""The Gradio chat, in Swedish: answers with their sources, example questions, and what the index holds."""
from __future__ import annotations

import html
import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # gradio calls out at start otherwise
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from core.models import Answer  # noqa: E402
from core.settings import Settings  # noqa: E402

from .guard import Guard  # noqa: E402

log = logging.getLogger(__name__)  # assistant.ui: failed answers' tracebacks go here, never to the user

EXAMPLES = [
    # staff
    "Vad har beslutats för Område fastigheter?",
    "Vilka uppdrag har Område IT?",
    "Vilket uppdrag har Shared Service Center fått?",
    # new managers
    "Vilka indikatorer finns för effektmål 9?",
    "Vilka mål har nämnden för 2026?",
    "Vad är Region Örebro läns vision?",
    # politicians
    "Hur mycket investeras i WiFi-nät 2024?",
    "Vad var prognosen för Område IT 2023?",
    "Hur stor är besparingen för Område fastigheter 2026?",
    "Vad var sjukfrånvaron (R12) enligt dialogunderlaget?",
    "Hur stort är åtgärdskravet för servicenämnden?",
]


def answer_markdown(answer: Answer) -> str:
    """The answer, then each source as an expandable passage with document, section and page/line."""
    parts = [html.escape(answer.answer)]
    if answer.abstained:
        return parts[0]
    parts.append("\n\n**Källor**")
    for c in answer.citations:
        where = f"sida {c.page}" if c.page else f"rad {c.lines}"
        quote = "<br>".join(html.escape(line) for line in c.quote.splitlines())
        parts.append(
            f"\n<details><summary>[{c.n}] {html.escape(c.title)} — {html.escape(c.section)} ({where})</summary>"
            f"\n\n<blockquote>{quote}</blockquote>\n\n<small>{html.escape(c.source)}</small></details>"
        )
    return "\n".join(parts)


FIGURE_HEADERS = ["Värde", "Enhet", "Period", "Rad", "Kolumn", "Tabell", "Område", "Typ", "Status", "Dokument", "Källa"]
STATUS_SV = {"verified": "✓ kontrollerad", "repaired": "✎ rättad", "unverified": "· ej kontrollerad"}


def figure_rows(figures) -> list[list]:
    from core.numbers import format_number

    return [[format_number(f.value), f.unit or "", f.period, f.row, f.column or "", f.table, f.area or "", f.kind,
             STATUS_SV[f.status] + (f" (tryckt {f.printed})" if f.status == "repaired" else ""), f.title,
             f"{f.source}:{f.line_start}" + (f" s. {f.page_start}" if f.page_start else "")] for f in figures]


def series_of(figures) -> dict[str, list]:
    """Rows that the corpus holds for two or more periods: what the chart can draw."""
    from assistant.figures import _subcolumn

    groups: dict[str, list] = {}
    for f in figures:
        if f.year is not None:
            sub = _subcolumn(f)
            name = f"{f.row}{' – ' + sub if sub else ''} ({f.table}, {f.title})"
            groups.setdefault(name, []).append(f)
        if f.previous is not None:
            groups.setdefault(f"{f.row} ({f.table}, {f.title})", []).append(f)
    return {k: v for k, v in groups.items() if len({(g.period, g.year) for g in v}) >= 2 or any(g.previous is not None for g in v)}


def chart_frame(figs):
    import pandas as pd

    points = []
    for f in sorted(figs, key=lambda g: (g.year or 0, g.period)):
        if f.previous is not None:
            points.append({"period": "föregående", "värde": float(f.previous)})
            points.append({"period": "senaste", "värde": float(f.value)})
        else:
            points.append({"period": f.period, "värde": float(f.value)})
    return pd.DataFrame(points or [{"period": "", "värde": 0.0}])


MAX_ROWS = 1000  # rows a tab shows at once; filters narrow the rest
FIGURE_KINDS = ["budget", "prognos", "utfall", "investering", "besparing", "nyckeltal", "årsarbetare", "belopp"]


def _years(bot) -> list[str]:
    years = {d.get("year") for d in bot.documents() if d.get("year")}
    return [str(y) for y in range(min(years) - 2, max(years) + 3)] if years else []


def figures_tab(bot, app) -> None:
    """Filled when the page loads, not when the server starts: at 100k chunks the store holds 200k figures."""
    from index.figure_query import filter_figures

    count = gr.Markdown()
    with gr.Row():
        search = gr.Textbox(label="Sök rad, område eller tabell", placeholder="t.ex. forsorjning, IT-området")
        year = gr.Dropdown(["alla"] + _years(bot), value="alla", label="År")
        kind = gr.Dropdown(["alla"] + FIGURE_KINDS, value="alla", label="Typ")
    table = gr.Dataframe([], headers=FIGURE_HEADERS, interactive=False, wrap=True)
    gr.Markdown("### Över tid")
    pick = gr.Dropdown([], label="Tal att visa över perioderna")
    plot = gr.LinePlot(None, x="period", y="värde", height=300)
    shown: dict[str, list] = {}

    def refresh(text, y, k):
        found = filter_figures(bot.figures(), text or None, None if y == "alla" else int(y), None if k == "alla" else k)
        shown.clear()
        shown.update(series_of(found[:5 * MAX_ROWS]))
        names = sorted(shown)
        note = (f"**{len(found)} tal** ur dokumentens tabeller och löptext"
                + (f" (de första {MAX_ROWS} visas; sök för att avgränsa)" if len(found) > MAX_ROWS else "")
                + ". Status: ✓ stämmer mot tabellens summor, ✎ OCR-skadat tal rättat med summorna (det tryckta "
                  "värdet visas), · kunde inte kontrolleras.")
        first = names[0] if names else None
        return (figure_rows(found[:MAX_ROWS]), note, gr.update(choices=names, value=first),
                chart_frame(shown[first]) if first else None)

    for control in (search, year, kind):
        control.change(refresh, [search, year, kind], [table, count, pick, plot], api_name=False)
    app.load(refresh, [search, year, kind], [table, count, pick, plot], api_name=False)
    pick.change(lambda name: chart_frame(shown.get(name, [])), pick, plot, api_name=False)


LEVEL_SV = {"vision": "Vision", "värdegrund": "Värdegrund", "perspektiv": "Perspektiv", "fokusområde": "Fokusområde",
            "strategiområde": "Strategi", "strategi": "Strategi", "effektmål": "Effektmål",
            "fullmäktiges mål": "Fullmäktiges mål", "nämndens mål": "Nämndens mål", "indikator": "Indikator",
            "uppdrag": "Uppdrag"}


def goal_tree_html(goals) -> str:
    """Per document and year, the hierarchy as nested expandable items; each opens on its source passage."""
    from assistant.structure import goal_forest

    parts = []
    for (title, year), nodes in goal_forest(goals).items():
        parts.append(f"<details open><summary><b>{html.escape(title)} — {year or 'utan år'}</b> "
                     f"({len(nodes)} noder)</summary><div style='margin-left:1em'>")
        stack: list[int] = []
        for node, depth in nodes:
            while stack and stack[-1] >= depth:
                parts.append("</div></details>")
                stack.pop()
            mark = {True: " ✓", False: " <i>(ej uppfyllt)</i>"}.get(node.fulfilled, "")
            number = f" {node.number}" if node.number else ""
            quote = "<br>".join(html.escape(line) for line in (node.quote or node.text).splitlines())
            parts.append(
                f"<details><summary><small>{LEVEL_SV[node.level]}{number}</small> {html.escape(node.text)}{mark}"
                f"</summary><div style='margin-left:1em'><blockquote><small>{quote}<br>— {html.escape(node.source)},"
                f" rad {node.line_start}{f', sida {node.page_start}' if node.page_start else ''}</small></blockquote>")
            stack.append(depth)
        parts.extend("</div></details>" for _ in stack)
        parts.append("</div></details>")
    return "\n".join(parts) or "<p>Inga mål i indexet.</p>"


DECISION_HEADERS = ["Typ", "Var", "Nr", "Text", "Av / till", "Effekt", "Konsekvens", "Områden", "Organ", "År", "Källa"]


def decision_table(rows: list[dict]) -> list[list]:
    return [[r["kind"], r["where"] or "", r["number"] or "", r["text"], r["by"] or "",
             ", ".join(f"{v}{' från ' + k if k else ''}" for k, v in r["effects"].items()),
             (r["consequence"] or "").split(":", 1)[0], ", ".join(r["areas"]), r["body"] or "", r["year"] or "",
             f"{r['source']}:{r['line']}"] for r in rows]


def goals_tab(bot, app) -> None:
    from assistant.structure import goal_forest

    gr.Markdown("Målstrukturen per dokument och år: vision → perspektiv/fokusområden → mål → indikatorer och "
                "uppdrag. ✓ = rapporterat uppfyllt. Öppna en nod för att se källstycket.")
    pick = gr.Dropdown([], label="Dokument och år")
    tree = gr.HTML()
    forest: dict[str, list] = {}

    def load():
        forest.clear()
        for (title, year), nodes in goal_forest(bot.goals()).items():
            forest[f"{title} — {year or 'utan år'}"] = [n for n, _ in nodes]
        names = list(forest)
        first = names[0] if names else None
        return gr.update(choices=["alla"] + names, value=first), goal_tree_html(forest.get(first, []))

    def show(name):
        nodes = [n for group in forest.values() for n in group] if name == "alla" else forest.get(name, [])
        return goal_tree_html(nodes[:20 * MAX_ROWS])

    app.load(load, None, [pick, tree], api_name=False)
    pick.change(show, pick, tree, api_name=False)


def decisions_tab(bot, app) -> None:
    from assistant.structure import decision_rows

    areas = bot.searcher.areas
    gr.Markdown("Beslutspunkter, förslag, yrkanden, expediering, handlingsplanernas åtgärder och uppdrag – "
                "filtrera på område, organ, år och typ. Källa anger fil och rad.")
    kinds = ["beslutspunkt", "förslag", "yrkande", "propositionsordning", "expediering", "justering", "underlag",
             "åtgärd", "uppdrag"]
    bodies = sorted({d.get("body") for d in bot.documents() if d.get("body")})
    with gr.Row():
        area = gr.Dropdown(["alla"] + areas.names, value="alla", label="Område")
        body = gr.Dropdown(["alla"] + bodies, value="alla", label="Organ")
        year = gr.Dropdown(["alla"] + _years(bot), value="alla", label="År")
        kind = gr.Dropdown(["alla"] + kinds, value="alla", label="Typ")
    count = gr.Markdown()
    table = gr.Dataframe([], headers=DECISION_HEADERS, interactive=False, wrap=True)

    def refresh(a, b, y, k):
        rows = decision_rows(bot.decisions(), bot.goals(), None if a == "alla" else a,
                             None if y == "alla" else int(y), None if k == "alla" else k, None if b == "alla" else b)
        note = f"**{len(rows)}** rader" + (f" (de första {MAX_ROWS} visas)" if len(rows) > MAX_ROWS else "") + "."
        return decision_table(rows[:MAX_ROWS]), note

    for control in (area, body, year, kind):
        control.change(refresh, [area, body, year, kind], [table, count], api_name=False)
    app.load(refresh, [area, body, year, kind], [table, count], api_name=False)


def build_app(bot, settings: Settings | None = None) -> gr.Blocks:
    settings = settings or bot.settings
    docs = bot.documents()
    rows = [[d["title"], d["doc_type"], d.get("body") or "", d.get("date") or "", d["n_chunks"], d["source"]]
            for d in docs]
    guard = Guard(settings.answer_timeout_s, settings.concurrency, log)
    # the chat's two triggers and the API share one limit: `concurrency` questions at once, whoever asks
    answering = {"concurrency_limit": settings.concurrency, "concurrency_id": "answer"}

    def chat(message: str, history: list[dict], conversation):
        history = list(history or [])
        conversation = conversation or bot.conversation()  # one per browser session: follow-ups read against it
        if not (message or "").strip():
            return history, "", conversation
        answer = guard.answer(conversation.ask, message)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": answer_markdown(answer)}]
        return history, "", conversation

    def api_ask(question: str) -> dict:
        return guard.answer(bot.ask, question or "").model_dump()

    with gr.Blocks(title="Regionservice – styrdokument") as app:
        gr.Markdown("## Fråga styrdokumenten\nSvar med källor ur Regionservice verksamhetsplaner, handlingsplaner "
                    "och protokoll. Varje siffra i ett svar står i det citerade stycket; finns svaret inte i "
                    "dokumenten säger assistenten det.")
        with gr.Tab("Fråga"):
            chatbot = gr.Chatbot(label="Samtal", height=480)
            box = gr.Textbox(label="Din fråga", placeholder="T.ex. Hur mycket investeras i WiFi-nät 2024?")
            send = gr.Button("Fråga", variant="primary")
            gr.Examples(EXAMPLES, inputs=box, label="Exempelfrågor")
            state = gr.State(None)
            send.click(chat, [box, chatbot, state], [chatbot, box, state], api_name=False, **answering)
            box.submit(chat, [box, chatbot, state], [chatbot, box, state], api_name=False, **answering)
        with gr.Tab("Siffror"):
            figures_tab(bot, app)
        with gr.Tab("Mål"):
            goals_tab(bot, app)
        with gr.Tab("Beslut"):
            decisions_tab(bot, app)
        with gr.Tab("Dokument"):
            gr.Markdown(f"Indexet innehåller **{len(docs)} dokument** och **{sum(r[4] for r in rows)} avsnitt**.")
            gr.Dataframe(rows, headers=["Titel", "Typ", "Organ", "Datum", "Avsnitt", "Fil"], interactive=False)
        with gr.Row(visible=False):
            q_in = gr.Textbox()
            a_out = gr.JSON()
            gr.Button().click(api_ask, q_in, a_out, api_name="ask", **answering)
    return app


def serve(settings: Settings, host: str, port: int, block: bool = True, bot=None):
    from assistant.api import Assistant

    from .access import launch_options

    bot = bot or Assistant(settings)
    app = build_app(bot, settings)
    # show_error off: an exception's text is for the log (the handlers catch and log; see assistant.guard)
    app.queue(default_concurrency_limit=settings.concurrency).launch(
        server_name=host, server_port=port, share=False, prevent_thread_lock=not block, show_error=False,
        state_session_capacity=settings.max_sessions, **launch_options(settings))
    return app
