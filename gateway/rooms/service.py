"""Room logic: store a message first, then translate it once per language present and deliver it live.

When the translation service is down, readers get the original marked `pending`; a background loop retries the
missing translations with exponential backoff and pushes each one to the connected readers of that language.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.rooms.hub import Connection, RoomHub
from gateway.rooms.schemas import RenderedMessage
from gateway.rooms.store import PendingTranslation, RoomStore, StoredMessage
from gateway.service_errors import ServiceError

log = logging.getLogger(__name__)

# translate(texts, source, target) -> translations in the same order; raises ServiceError when it cannot.
BatchTranslator = Callable[[list[str], str, str], Awaitable[list[str]]]

# Texts per request to the translation service: enough to catch up a backlog quickly, small enough that one
# request stays well under the service's limits and timeout.
_RETRY_BATCH_SIZE = 16


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
        store: RoomStore,
        translate: BatchTranslator,
        retry_initial_delay_s: float = 1.0,
        retry_max_delay_s: float = 60.0,
    ) -> None:
        self.store = store
        self.hub = RoomHub()
        self._translate = translate
        self._retry_initial_delay_s = retry_initial_delay_s
        self._retry_max_delay_s = retry_max_delay_s
        self._wakeup = asyncio.Event()
        self._retry_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        # (message id, language) pairs being translated right now: the live path and the retry loop must not
        # both ask the service for the same translation.
        self._in_flight: set[tuple[int, str]] = set()

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        if self._retry_task is None:
            self._retry_task = asyncio.create_task(self._retry_loop(), name="rooms-translation-retry")
            # Messages left pending by a previous run are picked up at once.
            self._wakeup.set()

    async def stop(self) -> None:
        tasks = [*self._background, *([self._retry_task] if self._retry_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._retry_task = None
        await self.hub.close_all()

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- participants and messages ----------------------------------------------------------------

    def add_reader_language(self, room_id: str, lang: str) -> None:
        if self.store.add_language(room_id, lang):
            # A new language: the history must be translated into it too (the retry loop does that).
            self._wakeup.set()

    async def join(self, connection: Connection) -> None:
        """Register a live reader, send them the history in their language and tell the room who is there."""
        # Holding the socket's lock from registration until the history is sent puts every live event (a new
        # message, a translation) after the snapshot it is newer than: none is lost or overwritten by the
        # replay.
        async with connection.send_lock:
            self.hub.add(connection)
            history = [
                render_message(message, connection.lang).model_dump()
                for message in self.store.history(connection.room_id)
            ]
            await connection.send_holding_lock({"type": "history", "messages": history})
        self.add_reader_language(connection.room_id, connection.lang)
        await self.hub.broadcast_presence(connection.room_id)

    def leave(self, connection: Connection) -> None:
        """Forget a reader and tell the others. Called from the socket handler's `finally`, which may run
        cancelled (the peer vanished, the server stops): the presence update goes out from its own task so
        that a cancelled handler cannot swallow it."""
        self.hub.remove(connection)
        self._spawn(self.hub.broadcast_presence(connection.room_id))

    async def post_message(self, room_id: str, author: str, lang: str, text: str) -> StoredMessage:
        """Store the message, show it at once to readers of its language and translate it for the others."""
        message = self.store.add_message(room_id, author, lang, text)
        await self.hub.send_each(
            room_id,
            lambda connection: message_event(message, lang) if connection.lang == lang else None,
        )
        targets = self.store.languages(room_id) - {lang}
        if targets:
            self._spawn(self._translate_and_deliver(message, targets))
        return message

    async def _translate_and_deliver(self, message: StoredMessage, targets: set[str]) -> None:
        await asyncio.gather(*(self._translate_one(message, target) for target in targets))
        # Readers who joined with a language the message was not translated into yet see it pending.
        await self.hub.send_each(
            message.room_id,
            lambda connection: (
                message_event(message, connection.lang) if connection.lang != message.lang else None
            ),
        )

    async def _translate_one(self, message: StoredMessage, target: str) -> None:
        key = (message.id, target)
        if key in self._in_flight or target in message.translations:
            return
        self._in_flight.add(key)
        try:
            [translated] = await self._translate([message.text], message.lang, target)
        except ServiceError as error:
            log.warning("room message %s stays pending for %s: %s", message.id, target, error)
            self._wakeup.set()
            return
        finally:
            self._in_flight.discard(key)
        self.store.save_translation(message.id, target, translated)
        message.translations[target] = translated

    # --- retrying what could not be translated ----------------------------------------------------

    async def retry_pending_once(self) -> bool | None:
        """Translate one batch of pending translations and push them to their readers.

        Returns None when nothing is pending, True when the batch went through, False when the service failed.
        """
        pending = [
            item
            for item in self.store.pending_translations()
            if (item.message.id, item.target) not in self._in_flight
        ]
        if not pending:
            return None
        groups: dict[tuple[str, str], list[PendingTranslation]] = defaultdict(list)
        for item in pending:
            groups[(item.message.lang, item.target)].append(item)
        for (source, target), items in groups.items():
            for start in range(0, len(items), _RETRY_BATCH_SIZE):
                if not await self._translate_batch(source, target, items[start : start + _RETRY_BATCH_SIZE]):
                    return False
        return True

    async def _translate_batch(self, source: str, target: str, items: list[PendingTranslation]) -> bool:
        keys = {(item.message.id, target) for item in items}
        self._in_flight |= keys
        try:
            translations = await self._translate([item.message.text for item in items], source, target)
        except ServiceError as error:
            log.info("translation %s-%s still unavailable: %s", source, target, error)
            return False
        finally:
            self._in_flight -= keys
        for item, translated in zip(items, translations, strict=True):
            self.store.save_translation(item.message.id, target, translated)
            item.message.translations[target] = translated
            updated = item.message
            await self.hub.send_each(
                updated.room_id,
                lambda connection, updated=updated: (
                    {**message_event(updated, target), "type": "update"}
                    if connection.lang == target
                    else None
                ),
            )
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
