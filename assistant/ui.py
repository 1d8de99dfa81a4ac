"""The Gradio app, in Swedish: the chat with its sources and feedback, and the figures, goals, decisions and
documents the index holds. The parts render in ui_chat, ui_chart, ui_tables; the documents are served by
ui_documents."""
from __future__ import annotations

import html
import logging
import os
import secrets
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # gradio calls out at start otherwise
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from core.models import Answer  # noqa: E402
from core.settings import Settings  # noqa: E402

from .feedback import FeedbackStore  # noqa: E402
from .guard import Guard  # noqa: E402
from .ui_chart import CHART_CSS, chart_html, points_of  # noqa: E402
from .ui_chat import CHAT_CSS, CLICKS_JS, PANEL_EMPTY, source_panel_html, transcript_html  # noqa: E402
from .ui_documents import document_routes  # noqa: E402
from .ui_tables import (TABLE_CSS, Column, clean_label, decision_table, document_link, figure_table,  # noqa: E402
                        html_table)

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


MAX_ROWS = 300  # rows a tab shows at once; filters narrow the rest
FIGURE_KINDS = ["budget", "prognos", "utfall", "investering", "besparing", "nyckeltal", "årsarbetare", "belopp"]


def series_of(figures) -> dict[str, list]:
    """Rows that the corpus holds for two or more periods: what the chart can draw."""
    from assistant.figures import _subcolumn

    groups: dict[str, list] = {}
    for f in figures:
        if f.year is not None:
            sub = _subcolumn(f)
            name = f"{clean_label(f.row, 60)}{' – ' + sub if sub else ''} ({clean_label(f.table, 50)}, {f.title})"
            groups.setdefault(name, []).append(f)
        if f.previous is not None:
            groups.setdefault(f"{clean_label(f.row, 60)} ({clean_label(f.table, 50)}, {f.title})", []).append(f)
    return {k: v for k, v in groups.items() if len(points_of(v)) >= 2}


def _years(values) -> list[str]:
    """The years the records hold, newest first: a filter should offer nothing that would come back empty.
    Read when a page loads, like the records themselves, not when the server starts."""
    return [str(y) for y in sorted({v for v in values if v}, reverse=True)]


def figures_tab(bot, app) -> None:
    """Filled when the page loads, not when the server starts: at 100k chunks the store holds 200k figures.
    What one session shows (the chart's series) is kept in that session's state, never in a shared dict."""
    from index.figure_query import filter_figures

    count = gr.Markdown()
    with gr.Row():
        search = gr.Textbox(label="Sök rad, område eller tabell", placeholder="t.ex. forsorjning, IT-området",
                            elem_id="fig-search")
        year = gr.Dropdown(["alla"], value="alla", label="År", elem_id="fig-year")
        kind = gr.Dropdown(["alla"] + FIGURE_KINDS, value="alla", label="Typ", elem_id="fig-kind")
    gr.Markdown("### Över tid")
    pick = gr.Dropdown([], label="Tal att visa över perioderna", elem_id="fig-pick")
    plot = gr.HTML(chart_html([]), elem_id="fig-chart")
    table = gr.HTML(elem_id="fig-table")
    shown = gr.State({})  # this session's series: name → figure ids

    def chart_for(name, series: dict) -> str:
        by_id = {f.id: f for f in bot.figures()}
        return chart_html([by_id[i] for i in series.get(name, []) if i in by_id], name or "")

    def refresh(text, y, k):
        found = filter_figures(bot.figures(), text or None, None if y == "alla" else int(y), None if k == "alla" else k)
        series = {name: [f.id for f in figs] for name, figs in series_of(found[:5 * MAX_ROWS]).items()}
        names = sorted(series)
        note = (f"**{len(found)} tal** ur dokumentens tabeller och löptext"
                + (f" (de första {MAX_ROWS} visas; sök för att avgränsa)" if len(found) > MAX_ROWS else "")
                + ". Status: ✓ stämmer mot tabellens summor, ✎ OCR-skadat tal rättat med summorna (det tryckta "
                  "värdet visas), · kunde inte kontrolleras.")
        first = names[0] if names else None
        return (figure_table(found[:MAX_ROWS]), note, gr.update(choices=names, value=first),
                chart_for(first, series), series)

    outputs = [table, count, pick, plot, shown]
    for control in (search, year, kind):
        control.change(refresh, [search, year, kind], outputs, api_name=False)
    app.load(refresh, [search, year, kind], outputs, api_name=False)
    app.load(lambda: gr.update(choices=["alla"] + _years(f.year for f in bot.figures())), None, year,
             api_name=False)
    pick.input(chart_for, [pick, shown], plot, api_name=False)


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
                f"</summary><div style='margin-left:1em'><blockquote><small>{quote}<br>— "
                + document_link(node.source, node.line_start, f"{node.source}, rad {node.line_start}"
                                + (f", sida {node.page_start}" if node.page_start else ""))
                + "</small></blockquote>")
            stack.append(depth)
        parts.extend("</div></details>" for _ in stack)
        parts.append("</div></details>")
    return "\n".join(parts) or "<p>Inga mål i indexet.</p>"


def goals_tab(bot, app) -> None:
    from assistant.structure import goal_forest

    gr.Markdown("Målstrukturen per dokument och år: vision → perspektiv/fokusområden → mål → indikatorer och "
                "uppdrag. ✓ = rapporterat uppfyllt. Öppna en nod för att se källstycket.")
    pick = gr.Dropdown([], label="Dokument och år")
    tree = gr.HTML()

    def forest() -> dict[str, list]:
        return {f"{title} — {year or 'utan år'}": [n for n, _ in nodes]
                for (title, year), nodes in goal_forest(bot.goals()).items()}

    def load():
        trees = forest()
        first = next(iter(trees), None)
        return gr.update(choices=["alla"] + list(trees), value=first), goal_tree_html(trees.get(first, []))

    def show(name):
        trees = forest()
        nodes = [n for group in trees.values() for n in group] if name == "alla" else trees.get(name, [])
        return goal_tree_html(nodes[:20 * MAX_ROWS])

    app.load(load, None, [pick, tree], api_name=False)
    pick.change(show, pick, tree, api_name=False)


DECISION_KINDS = ["beslutspunkt", "förslag", "yrkande", "reservation", "propositionsordning", "expediering", "justering", "underlag",
                  "åtgärd", "uppdrag"]


def decisions_tab(bot, app) -> None:
    from assistant.structure import decision_rows

    areas = bot.searcher.areas
    gr.Markdown("Beslutspunkter, förslag, yrkanden, expediering, handlingsplanernas åtgärder och uppdrag – "
                "filtrera på område, organ, år och typ. Källa öppnar dokumentet vid raden.")
    bodies = sorted({d.get("body") for d in bot.documents() if d.get("body")})
    with gr.Row():
        area = gr.Dropdown(["alla"] + areas.names, value="alla", label="Område", elem_id="dec-area")
        body = gr.Dropdown(["alla"] + bodies, value="alla", label="Organ", elem_id="dec-body")
        year = gr.Dropdown(["alla"], value="alla", label="År", elem_id="dec-year")
        kind = gr.Dropdown(["alla"] + DECISION_KINDS, value="alla", label="Typ", elem_id="dec-kind")
    count = gr.Markdown()
    table = gr.HTML(elem_id="dec-table")

    def refresh(a, b, y, k):
        rows = decision_rows(bot.decisions(), bot.goals(), None if a == "alla" else a,
                             None if y == "alla" else int(y), None if k == "alla" else k, None if b == "alla" else b)
        note = f"**{len(rows)}** rader" + (f" (de första {MAX_ROWS} visas)" if len(rows) > MAX_ROWS else "") + "."
        return decision_table(rows[:MAX_ROWS]), note

    for control in (area, body, year, kind):
        control.change(refresh, [area, body, year, kind], [table, count], api_name=False)
    app.load(refresh, [area, body, year, kind], [table, count], api_name=False)
    app.load(lambda: gr.update(choices=["alla"] + _years([d.year for d in bot.decisions()]
                                                          + [g.year for g in bot.goals() if g.level == "uppdrag"])),
             None, year, api_name=False)


def documents_html(docs: list[dict]) -> str:
    columns = [Column("Titel", "40%", "main"), Column("Typ", "9em"), Column("Organ", "20%"), Column("Datum", "7em"),
               Column("Avsnitt", "5em", "num"), Column("Fil", "25%")]
    rows = [[html.escape(d["title"]), html.escape(d["doc_type"]), html.escape(d.get("body") or "–"),
             html.escape(d.get("date") or "–"), str(d["n_chunks"]), document_link(d["source"], 1, d["source"])]
            for d in docs]
    return html_table(columns, rows, "doc-table")


EMPTY_QUESTION = "Skriv en fråga i rutan först – eller klicka på en av exempelfrågorna."
# Turns the browser keeps: the history travels with every question (it is an input), and a request may carry at
# most `max_upload_mb`; 50 answers with their citations are some 100–250 kB.
MAX_TURNS = 50


def valid_turns(history) -> list[dict]:
    """The stored turns that still read as turns: a history saved by an older version, or damaged, must not stop
    the page from loading; what cannot be read is dropped."""
    out = []
    for turn in history if isinstance(history, list) else []:
        try:
            Answer.model_validate(turn["answer"])
            if isinstance(turn["question"], str):
                out.append(turn)
        except (KeyError, TypeError, ValueError):
            continue
    return out[-MAX_TURNS:]


def browser_secret(data_dir: Path) -> str:
    """The key the chat history in the browser is encrypted with, kept in the data dir: a restarted server
    can still read what browsers stored (with a fresh key each start, every history would be lost)."""
    path = data_dir / "browser-state.key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    key = secrets.token_urlsafe(32)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        log.warning("could not keep the browser-state key in %s; histories last until the server restarts", path)
    return key


def chat_tab(bot, app, settings: Settings, guard: Guard, answering: dict) -> None:
    """The conversation, its sources and feedback. Everything a session knows is in that session's state:
    the turns in the browser (`BrowserState`, so a reload keeps them), the follow-up memory and the rating
    awaiting a comment on the server (`State`)."""
    store = FeedbackStore(settings.feedback_path)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            transcript = gr.HTML(transcript_html([]), elem_id="samtal", js_on_load=CLICKS_JS, autoscroll=True,
                                 max_height="58vh", padding=False)  # the question box stays in sight
            status = gr.Markdown(elem_id="status")
            with gr.Row(elem_id="comment-row", visible=False) as comment_row:
                comment = gr.Textbox(label="Kommentar till ditt omdöme (valfritt)", elem_id="comment", scale=4)
                comment_send = gr.Button("Skicka kommentar", elem_id="comment-send", scale=1, min_width=140)
            with gr.Row(elem_id="ask-row"):
                box = gr.Textbox(label="Din fråga", placeholder="T.ex. Hur mycket investeras i WiFi-nät 2024?",
                                 elem_id="fraga", scale=5, max_lines=6)
                send = gr.Button("Fråga", variant="primary", elem_id="skicka", scale=1, min_width=90)
            new = gr.Button("Ny konversation", size="sm", elem_id="ny-konversation")
            gr.Markdown("**Exempelfrågor** – klicka för att fråga:")
            with gr.Row(elem_id="exempel"):
                examples = [gr.Button(q, size="sm", elem_classes="example") for q in EXAMPLES]
        with gr.Column(scale=2, min_width=300, elem_id="kallkolumn"):
            panel = gr.HTML(PANEL_EMPTY, elem_id="kallpanel", padding=True)
    turns = gr.BrowserState([], storage_key="regionservice-samtal", secret=browser_secret(settings.data_dir))
    conversation = gr.State(None)
    pending = gr.State(None)  # the feedback row a comment will go to

    def chat(message: str, history: list[dict], memory):
        history = valid_turns(history)
        memory = memory or bot.conversation()  # one per browser session: follow-ups read against it
        if not (message or "").strip():
            return transcript_html(history), "", history, memory, EMPTY_QUESTION
        answer = guard.answer(memory.ask, message)
        limit = settings.max_question_chars  # a refused long question is kept as far as it was read
        shown = message if len(message) <= limit else message[:limit] + " …"
        history = (history + [{"question": shown, "answer": answer.model_dump(mode="json"), "rating": None}])[-MAX_TURNS:]
        return transcript_html(history), "", history, memory, ""

    def clicked(history: list[dict], waiting, request: gr.Request, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        history = valid_turns(history)
        try:
            turn = history[int(data.get("turn"))]
        except (TypeError, ValueError, IndexError):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        answer = Answer.model_validate(turn["answer"])
        if data.get("action") == "source":
            c = next((c for c in answer.citations if c.n == data.get("n")), None)
            if c is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return (gr.skip(), source_panel_html(c, bot.document_lines(c.source), bot.figures()), gr.skip(),
                    gr.skip(), gr.skip(), gr.skip())
        if data.get("action") == "feedback" and data.get("rating") in (1, -1):
            rating = int(data["rating"])
            if turn.get("feedback_id"):
                store.rate(turn["feedback_id"], rating)
            else:
                turn["feedback_id"] = store.add(answer, rating, getattr(request, "username", None))
            turn["rating"] = rating
            return (transcript_html(history), gr.skip(), history, gr.update(visible=True), turn["feedback_id"],
                    "Tack! Skriv gärna vad som var bra eller fel med svaret (valfritt).")
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def commented(text: str, waiting):
        if waiting and (text or "").strip():
            store.comment(int(waiting), text)
            return gr.update(visible=False), "", None, "Tack för kommentaren!"
        return gr.update(visible=False), "", None, ""

    def restart():
        return transcript_html([]), [], None, PANEL_EMPTY, gr.update(visible=False), None, "", ""

    if settings.llm != "none":
        chat = _streaming_chat(bot, settings, guard)  # noqa: F811 - the same inputs and outputs, streamed

        def example(q: str):
            def run(history, memory):  # a generator function, so that Gradio streams it
                yield from chat(q, history, memory)
            return run
    else:
        def example(q: str):
            return lambda history, memory: chat(q, history, memory)
    asked = [transcript, box, turns, conversation, status]
    send.click(chat, [box, turns, conversation], asked, api_name=False, **answering)
    box.submit(chat, [box, turns, conversation], asked, api_name=False, **answering)
    for button, question in zip(examples, EXAMPLES):
        button.click(example(question), [turns, conversation], asked, api_name=False, **answering)
    transcript.click(clicked, [turns, pending], [transcript, panel, turns, comment_row, pending, status],
                     api_name=False).then(
        None, None, None, api_name=False,
        js="() => { if (window.innerWidth < 900) document.getElementById('kallpanel')?.scrollIntoView({block: 'start'}); }")
    comment_send.click(commented, [comment, pending], [comment_row, comment, pending, status], api_name=False)
    comment.submit(commented, [comment, pending], [comment_row, comment, pending, status], api_name=False)
    new.click(restart, None, [transcript, turns, conversation, panel, comment_row, pending, status, box],
              api_name=False)
    app.load(lambda history: transcript_html(valid_turns(history)), turns, transcript, api_name=False)


WRITING = "Språkmodellen skriver … källorna visas när svaret är klart och kontrollerat."
REFRESH_S = 0.15  # at most this often the transcript is redrawn while the model writes


def _streaming_chat(bot, settings: Settings, guard: Guard):
    """The chat's handler with a language model: the answer's text appears as the model writes it, and when it
    is done (checked against the sources, or replaced by the extractive answer with a notice) the turn is stored
    with its citations. The model's trouble (down, slow, bad output) reaches the user as that notice, never as an
    error."""

    def chat(message: str, history: list[dict], memory):
        history = valid_turns(history)
        memory = memory or bot.conversation()
        if not (message or "").strip():
            yield transcript_html(history), "", history, memory, EMPTY_QUESTION
            return
        limit = settings.max_question_chars
        shown = message if len(message) <= limit else message[:limit] + " …"
        written, last = "", 0.0
        answer = None
        for event in guard.stream(memory.ask_stream, message):
            if isinstance(event, Answer):
                answer = event
                continue
            written += event
            if time.monotonic() - last >= REFRESH_S:
                last = time.monotonic()
                partial = Answer(question=shown, answer=written, abstained=False, mode="llm")
                pending = {"question": shown, "answer": partial.model_dump(mode="json"), "rating": None}
                yield transcript_html(history + [pending]), "", gr.skip(), memory, WRITING
        history = (history + [{"question": shown, "answer": answer.model_dump(mode="json"), "rating": None}])[-MAX_TURNS:]
        yield transcript_html(history), "", history, memory, ""

    return chat


def build_app(bot, settings: Settings | None = None) -> gr.Blocks:
    settings = settings or bot.settings
    docs = bot.documents()
    # with a language model, an answer may take the follow-up's rewrite and the model's answer besides retrieval
    llm_s = 2 * settings.llm_timeout_s if settings.llm != "none" else 0.0
    guard = Guard(settings.answer_timeout_s + llm_s, settings.concurrency, log)
    # the chat's triggers and the API share one limit: `concurrency` questions at once, whoever asks
    answering = {"concurrency_limit": settings.concurrency, "concurrency_id": "answer"}

    def api_ask(question: str) -> dict:
        return guard.answer(bot.ask, question or "").model_dump()

    with gr.Blocks(title="Regionservice – styrdokument") as app:
        gr.Markdown("## Fråga styrdokumenten\nSvar med källor ur Regionservice verksamhetsplaner, handlingsplaner "
                    "och protokoll. Varje siffra i ett svar står i det citerade stycket; finns svaret inte i "
                    "dokumenten säger assistenten det.", elem_id="intro")
        with gr.Tab("Fråga"):
            chat_tab(bot, app, settings, guard, answering)
        with gr.Tab("Siffror"):
            figures_tab(bot, app)
        with gr.Tab("Mål"):
            goals_tab(bot, app)
        with gr.Tab("Beslut"):
            decisions_tab(bot, app)
        with gr.Tab("Dokument"):
            gr.Markdown(f"Indexet innehåller **{len(docs)} dokument** och **{sum(d['n_chunks'] for d in docs)} "
                        f"avsnitt**. Klicka på en fil för att läsa den.")
            gr.HTML(documents_html(docs), elem_id="doc-list")
        with gr.Row(visible=False):
            q_in = gr.Textbox()
            a_out = gr.JSON()
            gr.Button().click(api_ask, q_in, a_out, api_name="ask", **answering)
    return app


CSS = CHAT_CSS + CHART_CSS + TABLE_CSS + """
#exempel { gap: .4em; }
#exempel .example { flex: 0 1 auto; min-width: 0; white-space: normal; text-align: left; }
/* Gradio follows the system's dark mode; the light tints above would hold light text there */
.dark #samtal .msg.user { background: #1e3a8a; }
.dark #samtal .msg.bot { border-color: #374151; }
.dark #samtal .fb { background: transparent; color: inherit; border-color: #4b5563; }
.dark #samtal .fb[aria-pressed='true'] { background: #1e40af; }
.dark #samtal .kref, .dark #kallpanel a { color: #93c5fd; }
.dark #kallpanel blockquote { background: #172554; }
.dark #kallpanel .section, .dark #kallpanel .where, .dark #kallpanel .label, .dark #kallpanel .quote-table caption,
.dark #samtal .who, .dark #samtal .welcome, .dark .rtable small { color: #9ca3af; }
.dark #kallpanel .context-lines tr.hit, .dark .rtable tr.hit { background: #713f12; }
.dark #kallpanel .context-lines tr.hit td.ln { color: #fde68a; }
.dark .fig-svg .tick, .dark .fig-svg .point-label { fill: #e5e7eb; }
.dark .fig-svg .grid { stroke: #4b5563; }
.dark .fig-chart-empty p { background: #1f2937; }
@media (max-width: 640px) {
  /* all five tabs in one row at 390 px, rather than Beslut and Dokument behind a "more" menu */
  [role=tablist] button, .tab-container button { padding-left: .55em !important; padding-right: .55em !important; }
  #ask-row { flex-wrap: wrap; }
  #samtal .msg.user { max-width: 100%; }
}
"""


def serve(settings: Settings, host: str, port: int, block: bool = True, bot=None):
    from assistant.api import Assistant

    from .access import launch_options

    bot = bot or Assistant(settings)
    app = build_app(bot, settings)
    options = launch_options(settings)
    # the documents the citations point at, on the same app (and behind the same checks) as the chat
    options["app_kwargs"]["routes"] = document_routes(bot, settings.corpus_dir)
    # show_error off: an exception's text is for the log (the handlers catch and log; see assistant.guard)
    app.queue(default_concurrency_limit=settings.concurrency).launch(
        server_name=host, server_port=port, share=False, prevent_thread_lock=not block, show_error=False,
        state_session_capacity=settings.max_sessions, css=CSS, **options)
    return app
