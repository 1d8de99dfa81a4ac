"""The documents behind the citations, served by the chat server: the file itself, and a viewer with line
numbers that highlights the cited lines.

Only a document the index holds, as a file inside the corpus dir, is served; any other path, a traversal, a
file ingested from outside the corpus, or the catalog, is 404. The routes sit on the app Gradio mounts, so
the body limit and a proxy's header check apply to them as to everything else; with a password file they ask
for Gradio's login cookie, as Gradio's own routes do.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

TEXT_TYPES = {".txt", ".md", ".csv", ".html", ".htm"}  # served as text/plain: a corpus file's markup never runs
MEDIA = {".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
NOT_FOUND = "Dokumentet finns inte."
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def corpus_file(corpus_dir: Path, source: str, known: set[str]) -> Path | None:
    """The file of an indexed document inside the corpus dir, or None (unknown, outside, or missing)."""
    if source not in known:
        return None
    root = corpus_dir.resolve()
    try:
        path = (root / source).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _logged_in(request: Request) -> bool:
    """With `ASSISTANT_AUTH=file:…` Gradio keeps its sessions in `app.tokens`, keyed by its cookie."""
    app = request.app
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    cookie_id = getattr(app, "cookie_id", "")
    token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(f"access-token-unsecure-{cookie_id}")
    return bool(token and getattr(app, "tokens", {}).get(token))


def _lines_wanted(text: str | None) -> tuple[int, int] | None:
    m = re.fullmatch(r"\s*(\d{1,7})(?:\s*[-–]\s*(\d{1,7}))?\s*", text or "")
    if not m:
        return None
    first = int(m[1])
    return first, max(first, int(m[2] or first))


def viewer_html(title: str, source: str, lines: list[str], wanted: tuple[int, int] | None) -> str:
    first, last = wanted or (0, -1)
    rows = "".join(
        f"<tr id='L{n}' class='{'hit' if first <= n <= last else ''}'><td class='ln'><a href='#L{n}'>{n}</a></td>"
        f"<td>{html.escape(TAG.sub('', line).replace(chr(9), '    '))}</td></tr>"
        for n, line in enumerate(lines, start=1))
    raw = f"/dokument/fil/{quote(source)}"
    return f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #111827; }}
header {{ position: sticky; top: 0; background: #fff; border-bottom: 1px solid #e5e7eb; padding: .6em 1em; }}
h1 {{ font-size: 1.1em; margin: 0 0 .2em; }}
table {{ border-collapse: collapse; font-family: ui-monospace, monospace; font-size: .85em; width: 100%; }}
td {{ padding: 0 .6em; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; }}
td.ln {{ text-align: right; color: #9ca3af; width: 4em; user-select: none; white-space: nowrap; }}
td.ln a {{ color: inherit; text-decoration: none; }}
tr.hit {{ background: #fef3c7; }} tr.hit td.ln {{ color: #92400e; font-weight: 600; }}
tr:target {{ outline: 2px solid #d97706; }}
</style></head><body><header><h1>{html.escape(title)}</h1>
<small><code>{html.escape(source)}</code> · {len(lines)} rader{f' · rad {first}–{last} markerade' if wanted else ''}
· <a href="{html.escape(raw)}">originalfilen</a></small></header>
<table>{rows}</table></body></html>"""


def document_routes(bot, corpus_dir: Path) -> list[Route]:
    """`/dokument/fil/<källa>`: the file; `/dokument/visa/<källa>?rader=12-14#L12`: the viewer."""

    def known() -> dict[str, dict]:
        return {d["source"]: d for d in bot.documents()}

    async def raw(request: Request) -> Response:
        if not _logged_in(request):
            return PlainTextResponse("Inloggning krävs.", status_code=401)
        docs = known()
        path = corpus_file(corpus_dir, request.path_params["source"], set(docs))
        if path is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        suffix = path.suffix.lower()
        media = "text/plain; charset=utf-8" if suffix in TEXT_TYPES else MEDIA.get(suffix, "application/octet-stream")
        return FileResponse(path, media_type=media, content_disposition_type="inline",
                            headers={"X-Content-Type-Options": "nosniff"})

    async def view(request: Request) -> Response:
        if not _logged_in(request):
            return PlainTextResponse("Inloggning krävs.", status_code=401)
        docs = known()
        source = request.path_params["source"]
        if corpus_file(corpus_dir, source, set(docs)) is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        lines = bot.document_lines(source) or []
        return HTMLResponse(viewer_html(docs[source]["title"], source, lines,
                                        _lines_wanted(request.query_params.get("rader"))),
                            headers={"X-Content-Type-Options": "nosniff"})

    return [Route("/dokument/fil/{source:path}", raw, methods=["GET", "HEAD"]),
            Route("/dokument/visa/{source:path}", view, methods=["GET", "HEAD"])]
