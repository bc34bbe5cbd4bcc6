"""Live translation of new room messages, batched per direction.

One request per message and language let a busy room queue thousands of requests in the HTTP client's pool
at once: under 50 writers the gateway spent its CPU sorting that queue (httpcore's pool is quadratic in
waiting requests) and delivery p95 went past a minute (issue 11). Here each direction (cs-de, ...) has at most
one request in flight; the messages that arrive meanwhile go together in the next one (at most BATCH_SIZE),
which is also what the translation service's own micro-batching is fastest at.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from gateway.rooms.store import StoredMessage
from gateway.service_errors import ServiceError

log = logging.getLogger(__name__)

# translate(texts, source, target) -> translations in the same order; raises ServiceError when it cannot.
BatchTranslator = Callable[[list[str], str, str], Awaitable[list[str]]]
# (messages, target, their translations, or None when the service failed) -> stored and delivered.
BatchDone = Callable[[list[StoredMessage], str, list[str] | None], Awaitable[None]]

# Texts per request: enough to catch up a backlog quickly, small enough that one request stays well under the
# translation service's limits and timeout.
BATCH_SIZE = 16


class LiveTranslations:
    def __init__(self, translate: BatchTranslator, done: BatchDone) -> None:
        self._translate = translate
        self._done = done
        self._waiting: dict[tuple[str, str], list[StoredMessage]] = {}
        self._workers: dict[tuple[str, str], asyncio.Task[None]] = {}

    def submit(self, message: StoredMessage, target: str) -> None:
        direction = (message.lang, target)
        self._waiting.setdefault(direction, []).append(message)
        if direction not in self._workers:
            self._workers[direction] = asyncio.create_task(
                self._work(direction), name=f"rooms-translate-{message.lang}-{target}"
            )

    async def _work(self, direction: tuple[str, str]) -> None:
        source, target = direction
        try:
            while waiting := self._waiting.get(direction):
                batch, self._waiting[direction] = waiting[:BATCH_SIZE], waiting[BATCH_SIZE:]
                translations: list[str] | None
                try:
                    translations = await self._translate([message.text for message in batch], source, target)
                except ServiceError as error:
                    log.warning("%d room messages stay pending for %s: %s", len(batch), target, error)
                    translations = None
                try:
                    await self._done(batch, target, translations)
                except Exception:  # a database error must not stop the direction for good
                    log.exception("storing room translations %s-%s failed", source, target)
        finally:
            del self._workers[direction]
            if not self._waiting.get(direction):
                self._waiting.pop(direction, None)

    async def stop(self) -> None:
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
