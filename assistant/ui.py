"""The Gradio chat, in Swedish: answers with their sources, example questions, and what the index holds."""
from __future__ import annotations

import html
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # gradio calls out at start otherwise
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from core.models import Answer  # noqa: E402
from core.settings import Settings  # noqa: E402

EXAMPLES = [
    # staff
    "Vad har beslutats för Område fastigheter i handlingsplanen?",
    "Vilket uppdrag har Shared Service Center fått?",
    # new managers
    "Vilka indikatorer finns för effektmål 9?",
    "Vad är Region Örebro läns vision?",
    # politicians
    "Hur mycket investeras i WiFi-nät 2024?",
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


def build_app(bot) -> gr.Blocks:
    docs = bot.documents()
    rows = [[d["title"], d["doc_type"], d.get("body") or "", d.get("date") or "", d["n_chunks"], d["source"]]
            for d in docs]

    def chat(message: str, history: list[dict]):
        history = list(history or [])
        if not (message or "").strip():
            return history, ""
        answer = bot.ask(message)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": answer_markdown(answer)}]
        return history, ""

    def api_ask(question: str) -> dict:
        return bot.ask(question).model_dump()

    with gr.Blocks(title="Regionservice – styrdokument") as app:
        gr.Markdown("## Fråga styrdokumenten\nSvar med källor ur Regionservice verksamhetsplaner, handlingsplaner "
                    "och protokoll. Varje siffra i ett svar står i det citerade stycket; finns svaret inte i "
                    "dokumenten säger assistenten det.")
        with gr.Tab("Fråga"):
            chatbot = gr.Chatbot(label="Samtal", height=480)
            box = gr.Textbox(label="Din fråga", placeholder="T.ex. Hur mycket investeras i WiFi-nät 2024?")
            send = gr.Button("Fråga", variant="primary")
            gr.Examples(EXAMPLES, inputs=box, label="Exempelfrågor")
            send.click(chat, [box, chatbot], [chatbot, box], api_name=False)
            box.submit(chat, [box, chatbot], [chatbot, box], api_name=False)
        with gr.Tab("Dokument"):
            gr.Markdown(f"Indexet innehåller **{len(docs)} dokument** och **{sum(r[4] for r in rows)} avsnitt**.")
            gr.Dataframe(rows, headers=["Titel", "Typ", "Organ", "Datum", "Avsnitt", "Fil"], interactive=False)
        with gr.Row(visible=False):
            q_in = gr.Textbox()
            a_out = gr.JSON()
            gr.Button().click(api_ask, q_in, a_out, api_name="ask")
    return app


def serve(settings: Settings, host: str, port: int, block: bool = True):
    from assistant.api import Assistant

    bot = Assistant(settings)
    app = build_app(bot)
    app.queue().launch(server_name=host, server_port=port, share=False, prevent_thread_lock=not block,
                       show_error=True)
    return app
