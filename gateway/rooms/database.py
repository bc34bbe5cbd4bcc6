"""The rooms database for async code: every RoomStore call runs on one worker thread, never on the event loop.

A statement that waits for the disk (a commit's fsync, a busy lock) would otherwise stall every socket of the
gateway: under 50 writers in one room the loop stopped reading frames, and uvicorn's keepalive closed the
sockets with 1011 (issue 11). One thread rather than `asyncio.to_thread`'s pool: the store has one connection
behind one lock anyway, and a single thread runs the statements in the order they were submitted (a message is
written before its translations).

A caller cancelled while its statement runs (the client hung up) does not cancel the statement: a message
written that way is found again by the client's retry with the same client id.
"""

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

from gateway.rooms.store import PendingTranslation, Room, RoomStore, StoredMessage

P = ParamSpec("P")
T = TypeVar("T")


class AsyncRoomStore:
    def __init__(self, store: RoomStore) -> None:
        self.sync = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rooms-db")

    async def _run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    @classmethod
    async def open(cls, db_path: Path | str, busy_timeout_s: float = 5.0) -> "AsyncRoomStore":
        """Open (and create or migrate) the database off the event loop."""
        return cls(await asyncio.to_thread(RoomStore, db_path, busy_timeout_s))

    async def aclose(self) -> None:
        """Close the connection after the statements already submitted (the worker runs them in order)."""
        await self._run(self.sync.close)
        self._executor.shutdown(wait=False)

    async def create_room(self, title: str) -> Room:
        return await self._run(self.sync.create_room, title)

    async def get_room(self, room_id: str) -> Room | None:
        return await self._run(self.sync.get_room, room_id)

    async def add_language(self, room_id: str, lang: str) -> bool:
        return await self._run(self.sync.add_language, room_id, lang)

    async def languages(self, room_id: str) -> set[str]:
        return await self._run(self.sync.languages, room_id)

    async def add_message(
        self, room_id: str, author: str, lang: str, text: str, client_id: str | None = None
    ) -> tuple[StoredMessage, bool]:
        return await self._run(self.sync.add_message, room_id, author, lang, text, client_id)

    async def save_translations(self, translations: list[tuple[int, str, str]]) -> None:
        await self._run(self.sync.save_translations, translations)

    async def history(self, room_id: str, limit: int = 200, after: int | None = None) -> list[StoredMessage]:
        return await self._run(self.sync.history, room_id, limit, after)

    async def catch_up(
        self, room_id: str, after: int | None, recent: int = 200, limit: int = 1000
    ) -> tuple[list[StoredMessage], bool]:
        return await self._run(self.sync.catch_up, room_id, after, recent, limit)

    async def pending_translations(self, limit: int = 100) -> list[PendingTranslation]:
        return await self._run(self.sync.pending_translations, limit)
