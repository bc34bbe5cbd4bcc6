"""Room logic: store a message first, then translate it once per language present and deliver it live.

When the translation service is down, readers get the original marked `pending`; a background loop retries the
missing translations with exponential backoff and pushes each one to the connected readers of that language.

Every database call goes through AsyncRoomStore (one worker thread); delivery only queues events on the
connections (gateway/rooms/hub.py), so nothing here waits for a socket or blocks the event loop.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from gateway.rate_limit import RateLimiter
from gateway.rooms.database import AsyncRoomStore
from gateway.rooms.hub import Connection, RoomHub
from gateway.rooms.schemas import RenderedMessage
from gateway.rooms.store import PendingTranslation, StoredMessage
from gateway.rooms.translating import BATCH_SIZE, BatchTranslator, LiveTranslations
from gateway.service_errors import ServiceError
from gateway.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["BatchTranslator", "RoomService", "message_event", "render_message"]

# Rooms whose languages are kept in memory (they are read for every message); a few bytes each.
_LANGUAGE_CACHE_ROOMS = 10_000
# A joining reader gets the last RECENT messages, and everything after its cursor up to CATCH_UP_LIMIT.
HISTORY_RECENT = 200
CATCH_UP_LIMIT = 1000


def render_message(message: StoredMessage, reader_lang: str) -> RenderedMessage:
    if message.lang == reader_lang:
        text, status = message.text, "original"
    elif reader_lang in message.translations:
        text, status = message.translations[reader_lang], "translated"
    else:
        text, status = message.text, "pending"
    return RenderedMessage(
        id=message.id,
        author=message.author,
        lang=message.lang,  # type: ignore[arg-type]  # stored only after validation
        original=message.text,
        text=text,
        shown_lang=reader_lang,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        created_at=message.created_at,
    )


def message_event(message: StoredMessage, reader_lang: str) -> dict[str, Any]:
    return {"type": "message", "message": render_message(message, reader_lang).model_dump()}


class RoomService:
    def __init__(
        self,
        store: AsyncRoomStore,
        translate: BatchTranslator,
        settings: Settings,
        retry_initial_delay_s: float = 1.0,
        retry_max_delay_s: float = 60.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.hub = RoomHub()
        # Rooms created per client address (shared by the gateways through Redis when REDIS_URL is set).
        self.creation_limiter = RateLimiter(settings.rooms_create_rate, settings.redis_url, "rooms-create")
        # room id -> languages present. Languages are only ever added, and only through this service.
        self._languages: dict[str, set[str]] = {}
        self._translate = translate
        self._retry_initial_delay_s = retry_initial_delay_s
        self._retry_max_delay_s = retry_max_delay_s
        self._wakeup = asyncio.Event()
        self._retry_task: asyncio.Task[None] | None = None
        # (message id, language) pairs being translated right now: the live path and the retry loop must not
        # both ask the service for the same translation.
        self._in_flight: set[tuple[int, str]] = set()
        self._live = LiveTranslations(translate, self._live_translated)

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        if self._retry_task is None:
            self._retry_task = asyncio.create_task(self._retry_loop(), name="rooms-translation-retry")
            # Messages left pending by a previous run are picked up at once.
            self._wakeup.set()

    async def stop(self) -> None:
        if self._retry_task is not None:
            self._retry_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._retry_task
        self._retry_task = None
        await self._live.stop()
        await self.hub.close_all()

    # --- participants and messages ----------------------------------------------------------------

    async def languages(self, room_id: str) -> set[str]:
        """The languages read in the room (a copy)."""
        cached = self._languages.get(room_id)
        if cached is None:
            cached = await self.store.languages(room_id)
            if len(self._languages) >= _LANGUAGE_CACHE_ROOMS:
                self._languages.pop(next(iter(self._languages)))
            cached = self._languages.setdefault(room_id, cached)
        return set(cached)

    async def add_reader_language(self, room_id: str, lang: str) -> None:
        if lang in await self.languages(room_id):
            return
        added = await self.store.add_language(room_id, lang)
        self._languages.setdefault(room_id, set()).add(lang)
        if added:
            # A new language: the history must be translated into it too (the retry loop does that).
            self._wakeup.set()

    async def join(self, connection: Connection, after: int | None = None) -> None:
        """Register a live reader, send them the history in their language (everything after their cursor
        `after` when they had one) and tell the room who is there."""
        # Events delivered between registration and the snapshot are held and queued after it: none is lost,
        # and none is overwritten by the older state the snapshot was read with.
        connection.hold()
        self.hub.add(connection)
        # Before the snapshot: once the reader sees its history, messages written after it are translated
        # into the reader's language.
        await self.add_reader_language(connection.room_id, connection.lang)
        messages, complete = await self.store.catch_up(
            connection.room_id, after, recent=HISTORY_RECENT, limit=CATCH_UP_LIMIT
        )
        history = [render_message(message, connection.lang).model_dump() for message in messages]
        connection.release({"type": "history", "messages": history, "complete": complete})
        self.hub.broadcast_presence(connection.room_id)

    def leave(self, connection: Connection) -> None:
        """Forget a reader and tell the others (also for a reader closed for being too slow)."""
        self.hub.remove(connection)
        self.hub.broadcast_presence(connection.room_id)

    async def post_message(
        self, room_id: str, author: str, lang: str, text: str, client_id: str | None = None
    ) -> tuple[StoredMessage, bool]:
        """Store the message, show it at once to readers of its language and translate it for the others.

        Returns the stored message and whether it is new. A retry (same author and client id) gets the message
        stored the first time and is not delivered again: the readers had it then, or get it from the history
        when they reconnect (the server went down in between).
        """
        # Shielded: a caller cancelled while the message is being written (the server stops, a client hung up
        # under a server that cancels its handler) must not leave it stored but never delivered, since the
        # client's retry finds it stored and is not delivered again.
        return await asyncio.shield(self._store_and_deliver(room_id, author, lang, text, client_id))

    async def _store_and_deliver(
        self, room_id: str, author: str, lang: str, text: str, client_id: str | None
    ) -> tuple[StoredMessage, bool]:
        # Read before storing, so that nothing awaits between the store and the deliveries below.
        targets = await self.languages(room_id) - {lang}
        message, created = await self.store.add_message(room_id, author, lang, text, client_id)
        if not created:
            return message, False
        # Readers of its language see it now; readers of a language that arrived after `targets` was read see
        # it pending (the retry loop translates it for them); the others get it with its translation.
        self.hub.deliver(
            room_id, lambda reader: None if reader in targets else message_event(message, reader)
        )
        for target in targets:
            self._in_flight.add((message.id, target))
            self._live.submit(message, target)
        return message, True

    async def _live_translated(
        self, messages: list[StoredMessage], target: str, translations: list[str] | None
    ) -> None:
        """A live batch came back (None: the service failed): store it, then deliver each message to the
        readers of `target`, translated or marked pending."""
        try:
            if translations is not None:
                try:
                    await self.store.save_translations(
                        [
                            (message.id, target, text)
                            for message, text in zip(messages, translations, strict=True)
                        ]
                    )
                except Exception:
                    log.exception("could not store %d room translations into %s", len(messages), target)
                else:
                    for message, text in zip(messages, translations, strict=True):
                        message.translations[target] = text
        finally:
            # In flight until stored: the retry loop must not read them as missing in between.
            self._in_flight -= {(message.id, target) for message in messages}
        if any(target not in message.translations for message in messages):
            self._wakeup.set()
        # No await from here on: a pending message goes out before the retry loop's update of it.
        for message in messages:
            self.hub.deliver(
                message.room_id,
                lambda reader, message=message: message_event(message, target) if reader == target else None,
            )

    # --- retrying what could not be translated ----------------------------------------------------

    async def retry_pending_once(self) -> bool | None:
        """Translate one batch of pending translations and push them to their readers.

        Returns None when nothing is pending, True when the batch went through, False when the service failed.
        """
        pending = [
            item
            for item in await self.store.pending_translations()
            if (item.message.id, item.target) not in self._in_flight
        ]
        if not pending:
            return None
        groups: dict[tuple[str, str], list[PendingTranslation]] = defaultdict(list)
        for item in pending:
            groups[(item.message.lang, item.target)].append(item)
        for (source, target), items in groups.items():
            for start in range(0, len(items), BATCH_SIZE):
                if not await self._translate_batch(source, target, items[start : start + BATCH_SIZE]):
                    return False
        return True

    async def _translate_batch(self, source: str, target: str, items: list[PendingTranslation]) -> bool:
        keys = {(item.message.id, target) for item in items}
        self._in_flight |= keys
        try:
            try:
                translations = await self._translate([item.message.text for item in items], source, target)
            except ServiceError as error:
                log.info("translation %s-%s still unavailable: %s", source, target, error)
                return False
            await self.store.save_translations(
                [(item.message.id, target, text) for item, text in zip(items, translations, strict=True)]
            )
            for item, translated in zip(items, translations, strict=True):
                item.message.translations[target] = translated
                updated = item.message
                self.hub.deliver(
                    updated.room_id,
                    lambda reader, updated=updated: (
                        {**message_event(updated, target), "type": "update"} if reader == target else None
                    ),
                )
        finally:
            self._in_flight -= keys
        return True

    async def _retry_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            delay = self._retry_initial_delay_s
            while True:
                try:
                    outcome = await self.retry_pending_once()
                except Exception:  # a bug or a database error must not end the loop for good
                    log.exception("room translation retry failed")
                    outcome = False
                if outcome is None:
                    break
                if outcome is False:
                    # Backoff: plain sleep, not the wakeup event, so new failures cannot hammer a service that
                    # is down.
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._retry_max_delay_s)
                else:
                    delay = self._retry_initial_delay_s
