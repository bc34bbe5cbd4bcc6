"""Room logic: store a message first, then translate it once per language present and deliver it live.

When the translation service is down, readers get the original marked `pending`; a background loop retries the
missing translations with exponential backoff and pushes each one to the connected readers of that language.

Every database call goes through AsyncRoomStore (one worker thread); delivery only queues events on the
connections (gateway/rooms/hub.py), so nothing here waits for a socket or blocks the event loop. Events go
through a fan-out (gateway/rooms/fanout.py): in-process on one gateway, Redis pub/sub across replicas; every
gateway delivers what it receives to its own sockets (`_on_event`).
"""

import asyncio
import contextlib
import dataclasses
import logging
from collections import defaultdict
from typing import Any

from gateway.rate_limit import RateLimiter
from gateway.rooms.database import AsyncRoomStore
from gateway.rooms.fanout import Event, open_fanout
from gateway.rooms.hub import WS_CLOSE_TOO_SLOW, Connection, RoomHub
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
# How often a gateway with replicas looks for translations left pending (by a replica that died, say).
_ORPHAN_SWEEP_S = 30.0


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


def _plain(message: StoredMessage) -> dict[str, Any]:
    """The message as the fan-out carries it (a copy: later translations do not change a queued event)."""
    return dataclasses.asdict(message)


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
        self._language_events = 0  # `language` events received from the fan-out, ever
        self._translate = translate
        self._retry_initial_delay_s = retry_initial_delay_s
        self._retry_max_delay_s = retry_max_delay_s
        self._wakeup = asyncio.Event()
        self._retry_task: asyncio.Task[None] | None = None
        # (message id, language) pairs being translated right now: the live path and the retry loop must not
        # both ask the service for the same translation.
        self._in_flight: set[tuple[int, str]] = set()
        self._live = LiveTranslations(translate, self._live_translated)
        self.fanout = open_fanout(settings.redis_url, self._on_event, self._on_fanout_gap)
        # room id -> everyone in the room on every gateway, as the last presence event said (Redis only).
        self._presence: dict[str, list[dict[str, str]]] = {}

    # --- lifecycle --------------------------------------------------------------------------------

    async def start_fanout(self) -> None:
        await self.fanout.start()

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
        for connection in self.hub.all_connections():
            self.fanout.presence(connection.room_id, connection.socket_id, None)
        await self.hub.close_all()
        await self.fanout.stop()

    # --- participants and messages ----------------------------------------------------------------

    async def languages(self, room_id: str) -> set[str]:
        """The languages read in the room (a copy)."""
        cached = self._languages.get(room_id)
        if cached is None:
            # Read again when another gateway announced a language meanwhile: its event found no cache
            # entry to add to, and the read may have missed the language (a few tries; rare events).
            for _attempt in range(3):
                heard = self._language_events
                cached = await self.store.languages(room_id)
                if self._language_events == heard:
                    break
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
            # The other gateways translate live into it from now on.
            self.fanout.publish({"kind": "language", "room_id": room_id, "lang": lang})
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
        self.fanout.presence(connection.room_id, connection.socket_id, connection.participant)

    def leave(self, connection: Connection) -> None:
        """Forget a reader and tell the others (also for a reader closed for being too slow)."""
        self.hub.remove(connection)
        self.fanout.presence(connection.room_id, connection.socket_id, None)

    def participants(self, room_id: str) -> list[dict[str, str]]:
        """Who is in the room: on every gateway with Redis (the last presence event), else here."""
        return self._presence.get(room_id) or self.hub.participants(room_id)

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
            # The first attempt may have been stored by a gateway that died before publishing it: publish it
            # again as it is stored now. Readers who were shown it are not shown it twice (the hub remembers),
            # and the retry loop translates whatever is still missing. Readers of a language this gateway is
            # translating it into right now get it from that translation, not untranslated first.
            translating = sorted(target for target in targets if (message.id, target) in self._in_flight)
            again = {
                "kind": "message",
                "room_id": room_id,
                "message": _plain(message),
                "targets": translating,
            }
            self.fanout.publish(again)
            self._wakeup.set()
            return message, False
        # Readers of its language see it now; readers of a language that arrived after `targets` was read see
        # it pending (the retry loop translates it for them); the others get it with its translation.
        self.fanout.publish(
            {"kind": "message", "room_id": room_id, "message": _plain(message), "targets": sorted(targets)}
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
            self.fanout.publish(
                {
                    "kind": "translated",
                    "room_id": message.room_id,
                    "message": _plain(message),
                    "target": target,
                }
            )

    # --- events from the fan-out (this gateway's own and the others') ----------------------------------

    def _on_event(self, event: Event) -> None:
        """Deliver one event to this gateway's sockets of its room. Never awaits: events are delivered in the
        order they arrive."""
        kind, room_id = event.get("kind"), event.get("room_id")
        if not isinstance(room_id, str):
            return
        if kind == "language":
            self._language_events += 1
            self._languages.get(room_id, set()).add(event["lang"])
            return
        if kind == "presence":
            participants = event.get("participants")
            if participants is None:
                self.hub.broadcast_presence(room_id)
                return
            if room_id not in self._presence and len(self._presence) >= _LANGUAGE_CACHE_ROOMS:
                self._presence.pop(next(iter(self._presence)))
            self._presence[room_id] = sorted(
                participants, key=lambda participant: (participant["name"].casefold(), participant["lang"])
            )
            presence = {"type": "presence", "participants": self._presence[room_id]}
            self.hub.deliver(room_id, lambda _lang: presence)
            return
        if not self.hub.connections(room_id):
            return
        message = StoredMessage(**event["message"])
        if kind == "message":
            targets = set(event["targets"])
            self.hub.deliver(
                room_id, lambda reader: None if reader in targets else message_event(message, reader)
            )
            if any(c.lang not in targets and c.lang != message.lang for c in self.hub.connections(room_id)):
                # A reader here whose language the author's gateway did not know yet: the retry loop
                # translates the message for them.
                self._wakeup.set()
        elif kind in ("translated", "update"):
            target = event["target"]
            shown = message_event(message, target)
            if kind == "update":
                shown["type"] = "update"
            self.hub.deliver(room_id, lambda reader: shown if reader == target else None)

    async def _on_fanout_gap(self) -> None:
        """The fan-out missed events: every reader here reconnects and catches up from the database."""
        await self.hub.close_all(WS_CLOSE_TOO_SLOW, "events were missed; reconnect to catch up")

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
                self.fanout.publish(
                    {
                        "kind": "update",
                        "room_id": item.message.room_id,
                        "message": _plain(item.message),
                        "target": target,
                    }
                )
        finally:
            self._in_flight -= keys
        return True

    async def _retry_loop(self) -> None:
        # With replicas, a gateway that died between storing a message and translating it leaves the work to
        # the others: they look for it now and then even when nothing woke them.
        sweep_s = _ORPHAN_SWEEP_S if self.settings.redis_url else None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), sweep_s)
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
