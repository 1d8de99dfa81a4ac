"""Who may reach the chat server and what a request may carry, from the settings to Gradio's `launch`.

- `ASSISTANT_AUTH` unset: anyone who reaches the port (the server binds loopback unless told otherwise).
- `file:PATH`: Gradio's login page, checked against the password file (`assistant.passwords`).
- `header:NAME`: a reverse proxy authenticates users and sets header NAME; every HTTP request without it is
  answered 401 here, before Gradio sees it. The proxy must remove NAME from what clients send, or anyone can
  claim to be anyone, and the server must be reachable only through the proxy.
- Every request body is limited to `max_upload_mb`: the app takes no files, yet Gradio's upload route would
  otherwise store anything it is sent.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocketClose

from core.settings import Settings

from .passwords import check_login


# Gradio's `launch` calls this itself, without any header, and gives up on a refusal; it only runs the app's
# start-up events, once, and answers true or false.
STARTUP_PATH = "/gradio_api/startup-events"


class RequireHeader:
    """ASGI middleware: a request without a non-empty header `name` gets 401 (a websocket is closed)."""

    def __init__(self, app, name: str):
        self.app = app
        self.name = name.lower().encode("latin-1")

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") \
                and not (scope.get("method") == "GET" and scope["path"] == STARTUP_PATH):
            value = next((v for k, v in scope["headers"] if k == self.name), b"")
            if not value.strip():
                if scope["type"] == "http":
                    await PlainTextResponse("Inloggning krävs.", status_code=401)(scope, receive, send)
                else:
                    await WebSocketClose(code=1008)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` is refused (413) when its length is declared, and cut off
    (the app sees the client leave) when it is streamed without one."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                return await PlainTextResponse("Ogiltig Content-Length.", status_code=400)(scope, receive, send)
            if too_big:
                return await PlainTextResponse(f"För stor begäran: högst {self.max_bytes} byte.",
                                               status_code=413)(scope, receive, send)
            return await self.app(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)


def password_check(path: Path):
    """Gradio's `auth=` callable. A coroutine: PBKDF2 takes a fraction of a second, run in a thread (hashlib
    releases the GIL), so a login does not stall every other user's request on the event loop."""

    async def check(user: str, password: str) -> bool:
        return await asyncio.to_thread(check_login, path, user, password)

    return check


def launch_options(settings: Settings) -> dict:
    """The keyword arguments for `Blocks.launch` that enforce the settings above."""
    max_bytes = int(settings.max_upload_mb * 2**20)
    middleware = [Middleware(BodyLimit, max_bytes=max_bytes)]
    options: dict = {"max_file_size": max_bytes}
    mode, _, arg = (settings.auth or "").partition(":")
    if mode == "file":
        path = Path(arg)
        if not path.exists():
            raise FileNotFoundError(f"ASSISTANT_AUTH names {path}, which does not exist: create it with "
                                    f"`assistant passwd USER --file {path}`")
        options["auth"] = password_check(path)
        options["auth_message"] = "Logga in med ditt användarnamn och lösenord."
    elif mode == "header":
        middleware.insert(0, Middleware(RequireHeader, name=arg))  # outermost: nothing runs for a stranger
    options["app_kwargs"] = {"middleware": middleware}
    return options
