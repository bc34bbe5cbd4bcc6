"""The live WebSocket connections of every room, and delivery of events to them by reading language.

Each connection has a bounded queue of encoded events and one task that writes them to its socket.
Delivering to a room only puts text on queues, so it never waits for a socket: a reader on a slow link cannot
hold up the room or the author's acknowledgement (before issue 11 one `gather` over every socket did). A
reader whose queue overflows is closed with 1013 and catches up from the history when it reconnects (the
join's `after` cursor).
"""

import asyncio
import contextlib
import itertools
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


def _about(event: dict[str, Any] | None) -> tuple[int, int] | None:
    """(message id, progress) of a message or update event; None for any other."""
    if event is None or event.get("type") not in ("message", "update"):
        return None
    message = event.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("id"), int):
        return None
    return message["id"], _progress(message.get("status"))


_socket_ids = itertools.count(1)
# Messages a connection remembers having shown (a few dozen bytes each).
_SHOWN_LIMIT = 5000
# How `encode` begins a message event (its "type" comes first), and the same event as an update.
_MESSAGE_PREFIX = '{"type":"message",'
_UPDATE_PREFIX = '{"type":"update",'


class Connection:
    """One participant's socket. `name` and `lang` are set when they join."""

    def __init__(self, websocket: WebSocket, room_id: str, queue_size: int = 1000) -> None:
        self.websocket = websocket
        self.room_id = room_id
        self.name = ""
        self.lang = ""
        self.closed = False
        # Unique in this process; the fan-out prefixes the gateway's id (presence across gateways).
        self.socket_id = str(next(_socket_ids))
        # message id -> how far along this reader was shown it (the history snapshot, then live events): an
        # event about it that arrives again or later (through the fan-out from another gateway after the
        # snapshot was read, a resend that re-publishes a stored message) is not sent twice.
        self._shown: dict[int, int] = {}
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._queue_size = queue_size
        # While the history snapshot is being read, live events wait here so that they follow it (an update
        # sent before the snapshot would be overwritten by the older state in it).
        self._held: list[tuple[str, tuple[int, int] | None]] | None = None
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
        return self.send_text(encode(event), _about(event))

    def send_text(self, text: str, about: tuple[int, int] | None = None) -> bool:
        """Queue one encoded event (`about`: the message and progress it shows, see `_about`); False when the
        connection is closed or has just been closed for being too slow (the caller forgets it). An event
        about a message this reader was already shown as far along is skipped (True)."""
        if self.closed:
            return False
        if self._held is not None:
            if len(self._held) >= self._queue_size:
                self.close_soon(WS_CLOSE_TOO_SLOW, "too far behind; reconnect to catch up")
                return False
            self._held.append((text, about))
            return True
        if self.already_shown(about):
            return True
        # Each reader gets one `message` per message, then `update`s: a message shown before, less far along
        # (pending, now translated), is an update for this reader, and an update about a message this reader
        # was never shown (its first event was lost with a replica that died) is the message.
        if about is not None and about[0] in self._shown and text.startswith(_MESSAGE_PREFIX):
            text = _UPDATE_PREFIX + text[len(_MESSAGE_PREFIX) :]
        elif about is not None and about[0] not in self._shown and text.startswith(_UPDATE_PREFIX):
            text = _MESSAGE_PREFIX + text[len(_UPDATE_PREFIX) :]
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("closing a room socket that fell %d events behind", self._queue_size)
            self.close_soon(WS_CLOSE_TOO_SLOW, "too far behind; reconnect to catch up")
            return False
        if about is not None:
            self._remember(*about)
        return True

    @property
    def participant(self) -> dict[str, str]:
        return {"name": self.name, "lang": self.lang}

    def already_shown(self, about: tuple[int, int] | None) -> bool:
        return about is not None and self._shown.get(about[0], -1) >= about[1]

    def _remember(self, message_id: int, progress: int) -> None:
        self._shown[message_id] = max(progress, self._shown.get(message_id, -1))
        if len(self._shown) > _SHOWN_LIMIT:
            # Bounded: the oldest messages are forgotten (an event about one of them now is a late update).
            for old_id in sorted(self._shown)[: len(self._shown) - _SHOWN_LIMIT // 2]:
                del self._shown[old_id]

    def hold(self) -> None:
        self._held = []

    def release(self, snapshot: dict[str, Any]) -> None:
        """Queue the history snapshot, then the events held since `hold()`, less those about a message that
        the snapshot already shows as far along (a translation only ever replaces `pending`): every message
        reaches the reader once, and no older state overwrites a newer one."""
        held, self._held = self._held or [], None
        for message in snapshot.get("messages", ()):
            self._remember(message["id"], _progress(message["status"]))
        if not self.send_text(encode(snapshot)):
            return
        for text, about in held:
            if not self.send_text(text, about):
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

    def all_connections(self) -> list[Connection]:
        return [connection for room in self._connections.values() for connection in room]

    def participants(self, room_id: str) -> list[dict[str, str]]:
        return sorted(
            ({"name": connection.name, "lang": connection.lang} for connection in self.connections(room_id)),
            key=lambda participant: (participant["name"].casefold(), participant["lang"]),
        )

    def deliver(self, room_id: str, event_for: Callable[[str], dict[str, Any] | None]) -> None:
        """Queue for every connection of the room the event for its language (None: nothing for that
        language). Each event is encoded once per language, not once per reader."""
        encoded: dict[str, tuple[str, tuple[int, int] | None] | None] = {}
        for connection in self.connections(room_id):
            if connection.lang not in encoded:
                event = event_for(connection.lang)
                encoded[connection.lang] = (encode(event), _about(event)) if event is not None else None
            entry = encoded[connection.lang]
            if entry is not None and not connection.send_text(*entry):
                self.remove(connection)

    def broadcast_presence(self, room_id: str) -> None:
        event = {"type": "presence", "participants": self.participants(room_id)}
        self.deliver(room_id, lambda _lang: event)

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        connections = self.all_connections()
        self._connections.clear()
        await asyncio.gather(
            *(connection.close(code, reason) for connection in connections), return_exceptions=True
        )
