"""What keeps abuse of the rooms cheap (issue 11): request body limits enforced while the body streams in,
and the WebSocket `Origin` check. (Room creation per client is limited with gateway/rate_limit.py.)"""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection
from starlette.types import Message

from gateway.settings import get_settings

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _body_limit(request: Request) -> int:
    service = getattr(request.app.state, "room_service", None)
    settings = service.settings if service is not None else get_settings()
    return settings.rooms_max_body_bytes


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413, detail=f"the request body is too large: this endpoint takes at most {limit} bytes"
    )


class BodyLimitedRoute(APIRoute):
    """A route whose request body may not exceed `rooms_max_body_bytes`: a declared Content-Length over it is
    refused before anything is read, and a chunked body (no Content-Length) is cut off as soon as it passes
    the limit, so a 30 MB body is never read into memory or parsed.

    The gateway's BodyLimitMiddleware (gateway/body_limit.py) already caps every route at its general limit;
    this is the rooms' own, smaller one, and it also holds where the rooms router runs without that
    middleware (the rooms tests' app)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited_handler(request: Request) -> Response:
            if request.method in _BODY_METHODS:
                request = _limited(request, _body_limit(request))
            return await handler(request)

        return limited_handler


def _limited(request: Request, limit: int) -> Request:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(status_code=400, detail="Content-Length must be a number of bytes")
        if int(declared) > limit:
            raise _too_large(limit)
    received = 0
    receive = request.receive

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                # FastAPI passes an HTTPException raised while reading the body through as it is.
                raise _too_large(limit)
        return message

    return Request(request.scope, limited_receive)


def origin_allowed(connection: HTTPConnection, allowed_origins: list[str]) -> bool:
    """Whether a WebSocket handshake may go on.

    Browsers send `Origin` on every WebSocket handshake and scripts cannot change it, so a page of another
    site is recognised and refused (cross-site WebSocket hijacking). Allowed: the gateway's own origin (the
    Host the request came to, any scheme, since a TLS proxy may sit in front) and the configured ones. A
    request without Origin is not from a browser page (curl, the tests, a bot): it is allowed, since such a
    client could send any Origin it likes anyway; the room id is what guards a room.
    """
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    if origin in {allowed.strip().rstrip("/").lower() for allowed in allowed_origins}:
        return True
    parts = urlsplit(origin)
    host = connection.headers.get("host", "").strip().lower()
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host
