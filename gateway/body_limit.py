"""Request bodies limited while they stream in, before any route reads or parses them.

A check of Content-Length inside a route comes too late and misses chunked bodies: a 10 MB chunked chat
body (no Content-Length) was read, parsed and answered 200, and `/translate` and `/telegram/webhook` read
and parsed whole bodies before looking at them. This pure ASGI middleware sits in front of every route:

- a declared Content-Length over the route's limit is answered 413 before a byte of the body is read;
- otherwise the `http.request` messages are counted as the app receives them, and the moment the count
  passes the limit the app's receive raises, whatever the app was doing with the body is dropped and the
  client gets 413 with a short JSON reason (never the app's internals).

It depends on nothing but the ASGI protocol, so the translation service uses the same class.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# path -> limit in bytes; an error body for (status, reason, limit).
LimitForPath = Callable[[str], int]
ErrorBody = Callable[[int, str, int], dict[str, Any]]


class BodyTooLarge(Exception):
    """Raised inside the app's receive() once the body has passed its limit; the middleware answers 413."""


def detail_body(status_code: int, reason: str, limit: int) -> dict[str, Any]:
    """The gateway's error shape (`detail`, as FastAPI's own errors)."""
    return {"detail": reason, "limit": limit} if status_code == 413 else {"detail": reason}


def routes_limit(default: int, routes: Mapping[str, int]) -> LimitForPath:
    """A LimitForPath from exact paths or prefixes ending in "/" (longest match wins) and a default."""
    exact = {path: limit for path, limit in routes.items() if not path.endswith("/")}
    prefixes = sorted(
        ((p, lim) for p, lim in routes.items() if p.endswith("/")), key=lambda item: -len(item[0])
    )

    def limit_for(path: str) -> int:
        if path in exact:
            return exact[path]
        return next((limit for prefix, limit in prefixes if path.startswith(prefix)), default)

    return limit_for


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; -1 when it is present but not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit_for: LimitForPath, error_body: ErrorBody = detail_body) -> None:
        self.app = app
        self.limit_for = limit_for
        self.error_body = error_body

    async def _answer(self, send: Send, status_code: int, reason: str, limit: int) -> None:
        body = json.dumps(self.error_body(status_code, reason, limit)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            # The rest of the body is never read; the connection cannot carry another request after it.
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # WebSocket frames are limited by the server (ws_max_size) and the route
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        too_large = f"the request body is too large: this endpoint takes at most {limit} bytes"
        declared = _declared_length(scope)
        if declared == -1:
            await self._answer(send, 400, "the Content-Length header is not a number", limit)
            return
        if declared is not None and declared > limit:
            await self._answer(send, 413, too_large, limit)
            return

        received = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(too_large)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            # Once the limit is passed, the app's own reaction (FastAPI turns the error into a 400 "error
            # parsing the body") is not what happened; the 413 below replaces it.
            if exceeded and not response_started:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await self._answer(send, 413, too_large, limit)
