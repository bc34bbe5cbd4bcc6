"""The live WebSocket connections of every room, and delivery of events to them by reading language.

Each connection has a bounded queue of encoded events and one task that writes them to its socket.
Delivering to a room only puts text on queues, so it never waits for a socket: a reader on a slow link cannot
hold up the room or the author's acknowledgement (before issue 11 one `gather` over every socket did). A
reader whose queue overflows is closed with 1013 and catches up from the history when it reconnects (the
join's `after` cursor).
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected
from websockets.exceptions import ConnectionClosed

log = logging.getLogger(__name__)

# Everything a send, receive or close on a socket the peer has left can raise, depending on the server
# implementation and the moment: Starlette's own two, uvicorn's ClientDisconnected (an OSError), websockets'
# ConnectionClosed*. RuntimeError ("Unexpected ASGI message ... after sending 'websocket.close'") is handled
# where a close may already have happened, not here, so that a real bug still shows.
DISCONNECTED = (WebSocketDisconnect, WebSocketDisconnected, ConnectionClosed, OSError)

WS_CLOSE_TOO_SLOW = 1013  # "try again later": reconnect, and the history fills the gap
# How long a close may wait for a peer that stopped reading (uvicorn waits for the transport to drain).
CLOSE_TIMEOUT_S = 5.0


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def _progress(status: object) -> int:
    return 0 if status == "pending" else 1


class Connection:
    """One participant's socket. `name` and `lang` are set when they join."""

    def __init__(self, websocket: WebSocket, room_id: str, queue_size: int = 1000) -> None:
        self.websocket = websocket
        self.room_id = room_id
        self.name = ""
        self.lang = ""
        self.closed = False
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._queue_size = queue_size
        # While the history snapshot is being read, live events wait here so that they follow it (an update
        # sent before the snapshot would be overwritten by the older state in it).
        self._held: list[str] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sender = asyncio.create_task(self._send_loop(), name=f"room-{self.room_id}-send")

    async def _send_loop(self) -> None:
        try:
            while True:
                text = await self._queue.get()
                try:
                    await self.websocket.send_text(text)
                finally:
                    self._queue.task_done()
        except (*DISCONNECTED, RuntimeError) as error:
            log.debug("room socket gone while sending: %r", error)
            self.closed = True

    def send(self, event: dict[str, Any]) -> bool:
        return self.send_text(encode(event))

    def send_text(self, text: str) -> bool:
        """Queue one encoded event; False when the connection is closed or has just been closed for being too
        slow (the caller forgets it)."""
        if self.closed:
            return False
        if self._held is not None:
            if len(self._held) >= self._queue_size:
                self.close_soon(WS_CLOSE_TOO_SLOW, "too far behind; reconnect to catch up")
                return False
            self._held.append(text)
            return True
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("closing a room socket that fell %d events behind", self._queue_size)
            self.close_soon(WS_CLOSE_TOO_SLOW, "too far behind; reconnect to catch up")
            return False
        return True

    def hold(self) -> None:
        self._held = []

    def release(self, snapshot: dict[str, Any]) -> None:
        """Queue the history snapshot, then the events held since `hold()`, less those about a message that
        the snapshot already shows as far along (a translation only ever replaces `pending`): every message
        reaches the reader once, and no older state overwrites a newer one."""
        held, self._held = self._held or [], None
        shown = {message["id"]: _progress(message["status"]) for message in snapshot.get("messages", ())}
        if not self.send(snapshot):
            return
        for text in held:
            event = json.loads(text)  # a handful at most: those of the few milliseconds of one read
            message = event.get("message")
            if (
                event.get("type") in ("message", "update")
                and isinstance(message, dict)
                and shown.get(message.get("id"), -1) >= _progress(message.get("status"))
            ):
                continue
            if not self.send_text(text):
                return

    def close_soon(self, code: int, reason: str) -> None:
        """Close from code that must not wait (delivery to the room): the close runs in its own task."""
        if self._closing is None:
            self._closing = asyncio.create_task(self.close(code, reason))

    async def close(self, code: int, reason: str, flush: bool = False) -> None:
        """Stop sending and close the socket with `code`; never raises for a socket that is already gone.
        With `flush`, what is queued (an error saying why) is sent first, if the peer takes it in time."""
        self.closed = True
        if flush and self._sender is not None and not self._sender.done():
            # Until the queue is sent, the sender ends (socket gone) or the timeout passes.
            drained = asyncio.ensure_future(self._queue.join())
            await asyncio.wait(
                {drained, self._sender}, timeout=CLOSE_TIMEOUT_S, return_when="FIRST_COMPLETED"
            )
            drained.cancel()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        # RuntimeError: the handler or the server closed it first.
        with contextlib.suppress(*DISCONNECTED, RuntimeError, TimeoutError):
            await asyncio.wait_for(self.websocket.close(code=code, reason=reason), CLOSE_TIMEOUT_S)

    async def stop(self) -> None:
        """When the handler ends: stop the sender, and let a close already under way finish (it is bounded
        by CLOSE_TIMEOUT_S) so that the peer learns the close code."""
        self.closed = True
        if self._sender is not None:
            self._sender.cancel()
        for task in (self._sender, self._closing):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


class RoomHub:
    def __init__(self) -> None:
        self._connections: dict[str, set[Connection]] = {}

    def add(self, connection: Connection) -> None:
        self._connections.setdefault(connection.room_id, set()).add(connection)

    def remove(self, connection: Connection) -> None:
        room_connections = self._connections.get(connection.room_id)
        if room_connections is None:
            return
        room_connections.discard(connection)
        if not room_connections:
            del self._connections[connection.room_id]

    def connections(self, room_id: str) -> list[Connection]:
        return list(self._connections.get(room_id, ()))

    def participants(self, room_id: str) -> list[dict[str, str]]:
        return sorted(
            ({"name": connection.name, "lang": connection.lang} for connection in self.connections(room_id)),
            key=lambda participant: (participant["name"].casefold(), participant["lang"]),
        )

    def deliver(self, room_id: str, event_for: Callable[[str], dict[str, Any] | None]) -> None:
        """Queue for every connection of the room the event for its language (None: nothing for that
        language). Each event is encoded once per language, not once per reader."""
        encoded: dict[str, str | None] = {}
        for connection in self.connections(room_id):
            if connection.lang not in encoded:
                event = event_for(connection.lang)
                encoded[connection.lang] = encode(event) if event is not None else None
            text = encoded[connection.lang]
            if text is not None and not connection.send_text(text):
                self.remove(connection)

    def broadcast_presence(self, room_id: str) -> None:
        event = {"type": "presence", "participants": self.participants(room_id)}
        self.deliver(room_id, lambda _lang: event)

    async def close_all(self) -> None:
        connections = [connection for room in self._connections.values() for connection in room]
        self._connections.clear()
        await asyncio.gather(
            *(connection.close(1001, "server shutting down") for connection in connections),
            return_exceptions=True,
        )
