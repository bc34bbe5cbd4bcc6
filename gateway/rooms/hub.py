"""The live WebSocket connections of every room, and delivery of events to them by reading language."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    room_id: str
    name: str
    lang: str
    # Events for one socket come from several tasks (its own loop, translations, the retry loop); the lock
    # keeps each JSON frame whole and in order.
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, event: dict[str, Any]) -> bool:
        """Send one event; False when the socket is gone (the caller drops it)."""
        async with self.send_lock:
            return await self.send_holding_lock(event)

    async def send_holding_lock(self, event: dict[str, Any]) -> bool:
        """Send while the caller holds send_lock (to order a snapshot before the events that follow it)."""
        try:
            await self.websocket.send_json(event)
        except Exception as error:
            log.debug("dropping a room connection that failed to send: %s", error)
            return False
        return True


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

    async def send_each(
        self,
        room_id: str,
        event_for: Callable[[Connection], dict[str, Any] | None],
    ) -> None:
        """Send every connection of the room its own event (None: nothing for that one)."""
        targets = [(connection, event_for(connection)) for connection in self.connections(room_id)]
        results = await asyncio.gather(*(connection.send(event) for connection, event in targets if event))
        sent_to = [connection for connection, event in targets if event]
        for connection, delivered in zip(sent_to, results, strict=True):
            if not delivered:
                self.remove(connection)

    async def broadcast_presence(self, room_id: str) -> None:
        event = {"type": "presence", "participants": self.participants(room_id)}
        await self.send_each(room_id, lambda _connection: event)

    async def close_all(self) -> None:
        for connections in list(self._connections.values()):
            for connection in list(connections):
                # The peer may have closed it already.
                with contextlib.suppress(Exception):
                    await connection.websocket.close(code=1001, reason="server shutting down")
        self._connections.clear()
