"""Drive an ASGI app with a body in chunks, the way a server passes a chunked upload on (no TestClient,
which reads the whole body before the app sees it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AsgiReply:
    status: int
    headers: dict[str, str]
    body: bytes
    chunks_read: int = 0  # how many body chunks the app (through the middleware) asked for

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ChunkedUpload:
    chunks: Iterator[bytes]
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


async def post_chunks(app: Any, path: str, upload: ChunkedUpload) -> AsgiReply:
    """POST `upload` to `app` at `path` as a series of http.request messages; collect the response."""
    reply = AsgiReply(status=0, headers={}, body=b"")
    finished = False

    async def receive() -> dict[str, Any]:
        nonlocal finished
        if finished:
            return {"type": "http.disconnect"}
        chunk = next(upload.chunks, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        reply.chunks_read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = {name.decode(): value.decode() for name, value in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *upload.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return reply


def repeated(chunk: bytes, total_bytes: int) -> Iterator[bytes]:
    """`total_bytes` of `chunk` repeated, one chunk at a time (never all of it in memory)."""
    sent = 0
    while sent < total_bytes:
        yield chunk
        sent += len(chunk)
