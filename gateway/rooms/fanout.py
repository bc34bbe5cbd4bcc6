"""How a room event reaches the readers connected to every gateway: in-process, or through a Redis stream.

A gateway that stores a message, a translation or a presence change publishes one event (a JSON-able dict with
`kind` and `room_id`); every gateway, the publishing one included, hands it to its `RoomService`, which
delivers it to its own sockets. So a room whose members are on different replicas gets each event once per
reader, and the publishing gateway's readers go through the same path as everyone else's.

With Redis the events go through one stream (XADD, trimmed to about STREAM_LENGTH entries) rather than
pub/sub, because a stream keeps what a reader was away for:

- `publish` never waits: events go into a queue that one task appends in order, so the order a gateway
  publishes in (a message before its translation) is the order every gateway reads in. An append that fails
  (Redis restarting, a network cut) is retried until it succeeds, in order; the outbox is bounded
  (OUTBOX_LIMIT), beyond which the oldest events are dropped and the readers find them in the database.
- Each gateway reads the stream from the last entry it has seen (XREAD BLOCK): a read that breaks resumes
  where it stopped, so nothing is missed. Only when the entries it missed are gone (Redis restarted without
  them, or the stream was trimmed past them) is `on_gap` called: the rooms close their sockets with 1013 and
  each reader reconnects and catches up from the database (its `after` cursor). Messages are stored before
  they are published, so they are never lost; a duplicate read (an append retried after its reply was lost)
  is dropped per socket by the hub (gateway/rooms/hub.py remembers what each reader was shown).

Presence (who is in a room) is a Redis hash per room, one field per socket prefixed with its gateway's id;
each gateway keeps a heartbeat key alive (GATEWAY_TTL_S), and the fields of a gateway whose heartbeat
expired (it died) are dropped the next time the room's presence changes. Without Redis: the process's sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Event = dict[str, Any]
STREAM = "trojzemi:rooms:events"
STREAM_LENGTH = 20_000
PRESENCE_KEY = "trojzemi:rooms:presence:{room_id}"
GATEWAY_KEY = "trojzemi:rooms:gateway:{gateway_id}"
# A room's presence hash outlives its last change by this long.
PRESENCE_TTL_S = 24 * 3600
# A gateway's heartbeat: refreshed every third of this; a gateway silent for longer is taken for dead.
GATEWAY_TTL_S = 30
OUTBOX_LIMIT = 10_000
_READ_BLOCK_MS = 5000
_READ_COUNT = 500
_RECONNECT_MAX_DELAY_S = 5.0


class Fanout(Protocol):
    gateway_id: str

    def publish(self, event: Event) -> None: ...

    def presence(self, room_id: str, socket_id: str, participant: dict[str, str] | None) -> None:
        """A reader joined (`participant`: name and lang) or left (None); a `presence` event follows, with
        `participants` (None: the receiving gateway lists its own sockets)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalFanout:
    """One gateway: events are delivered at once, in the caller's stack (no await in between)."""

    def __init__(self, deliver: Callable[[Event], None]) -> None:
        self.gateway_id = "local"
        self._deliver = deliver

    def publish(self, event: Event) -> None:
        self._deliver(event)

    def presence(self, room_id: str, socket_id: str, participant: dict[str, str] | None) -> None:
        self._deliver({"kind": "presence", "room_id": room_id, "participants": None})

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def _entry_id(text: str) -> tuple[int, int]:
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


class RedisFanout:
    def __init__(
        self, url: str, deliver: Callable[[Event], None], on_gap: Callable[[], Awaitable[None]]
    ) -> None:
        self.gateway_id = secrets.token_hex(6)
        self._url = url
        self._deliver = deliver
        self._on_gap = on_gap
        self._outbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._redis: aioredis.Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # The stream's position this gateway has read up to, and the Redis run it was read from (None: not
        # connected yet; the first connection reads from the stream's end, since no socket was open before).
        self._last_id: str | None = None
        self._run_id = ""
        self._reading = asyncio.Event()

    def publish(self, event: Event) -> None:
        self._enqueue(("publish", event))

    def presence(self, room_id: str, socket_id: str, participant: dict[str, str] | None) -> None:
        self._enqueue(("presence", (room_id, f"{self.gateway_id}:{socket_id}", participant)))

    def _enqueue(self, item: tuple[str, Any]) -> None:
        if self._outbox.qsize() >= OUTBOX_LIMIT:
            self._outbox.get_nowait()
            log.warning("room fan-out outbox full (Redis unreachable?): oldest event dropped")
        self._outbox.put_nowait(item)

    async def start(self) -> None:
        self._redis = aioredis.from_url(self._url, decode_responses=True, health_check_interval=10)
        self._tasks = [
            asyncio.create_task(self._receive_loop(), name="rooms-fanout-receive"),
            asyncio.create_task(self._send_loop(), name="rooms-fanout-send"),
            asyncio.create_task(self._heartbeat_loop(), name="rooms-fanout-heartbeat"),
        ]
        # Reading before the first socket is accepted (when Redis answers in time): nothing is missed.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._reading.wait(), 10.0)

    async def stop(self) -> None:
        # What is queued still goes out (a presence removal, the last translations), for a moment at most.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained(), 2.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(GATEWAY_KEY.format(gateway_id=self.gateway_id))
            await self._redis.aclose()

    async def _drained(self) -> None:
        while not self._outbox.empty():
            await asyncio.sleep(0.02)

    # --- sending ------------------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        assert self._redis is not None
        # Not before the reader knows where the stream ends: this gateway's own first events are read too.
        await self._reading.wait()
        delay = 0.1
        while True:
            operation, argument = await self._outbox.get()
            while True:
                try:
                    if operation == "publish":
                        await self._append(argument)
                    else:
                        await self._change_presence(*argument)
                    delay = 0.1
                    break
                except (RedisError, OSError) as error:
                    log.warning("room event not appended yet (%s): %r; retrying", operation, error)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, _RECONNECT_MAX_DELAY_S)

    async def _append(self, event: Event) -> None:
        assert self._redis is not None
        await self._redis.xadd(
            STREAM, {"e": json.dumps(event, ensure_ascii=False)}, maxlen=STREAM_LENGTH, approximate=True
        )

    async def _change_presence(self, room_id: str, field: str, participant: dict[str, str] | None) -> None:
        assert self._redis is not None
        key = PRESENCE_KEY.format(room_id=room_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            if participant is None:
                pipe.hdel(key, field)
            else:
                pipe.hset(key, field, json.dumps(participant, ensure_ascii=False))
            pipe.expire(key, PRESENCE_TTL_S)
            pipe.hgetall(key)
            *_, entries = await pipe.execute()
        gateways = sorted({name.split(":", 1)[0] for name in entries})
        alive = await self._redis.mget([GATEWAY_KEY.format(gateway_id=gateway) for gateway in gateways])
        dead = {gateway for gateway, beat in zip(gateways, alive, strict=True) if beat is None}
        dead.discard(self.gateway_id)
        stale = [name for name in entries if name.split(":", 1)[0] in dead]
        if stale:
            await self._redis.hdel(key, *stale)
        participants = [json.loads(value) for name, value in entries.items() if name not in stale]
        await self._append({"kind": "presence", "room_id": room_id, "participants": participants})

    async def _heartbeat_loop(self) -> None:
        assert self._redis is not None
        key = GATEWAY_KEY.format(gateway_id=self.gateway_id)
        while True:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.set(key, "1", ex=GATEWAY_TTL_S)
            await asyncio.sleep(GATEWAY_TTL_S / 3)

    # --- reading ------------------------------------------------------------------------------------

    async def _tail(self) -> str:
        assert self._redis is not None
        newest = await self._redis.xrevrange(STREAM, count=1)
        return newest[0][0] if newest else "0-0"

    async def _resume(self) -> None:
        """(Re)connected: find where to read from, and whether entries this gateway did not read are gone."""
        assert self._redis is not None
        run_id = (await self._redis.info("server"))["run_id"]
        if self._last_id is None:
            self._last_id, self._run_id = await self._tail(), run_id
            return
        gap = False
        if run_id != self._run_id:
            # Another Redis (restarted without its data): what was appended to the old one is gone.
            self._last_id, self._run_id, gap = await self._tail(), run_id, True
        else:
            oldest = await self._redis.xrange(STREAM, count=1)
            gap = bool(oldest) and _entry_id(oldest[0][0]) > _entry_id(self._last_id)
        if gap:
            log.warning("room fan-out missed events; readers reconnect to catch up from the database")
            await self._on_gap()

    async def _receive_loop(self) -> None:
        assert self._redis is not None
        delay, connected = 0.2, False
        while True:
            try:
                if not connected:
                    await self._resume()
                    connected, delay = True, 0.2
                    self._reading.set()
                assert self._last_id is not None
                reply = await self._redis.xread(
                    {STREAM: self._last_id}, count=_READ_COUNT, block=_READ_BLOCK_MS
                )
                for _stream, entries in reply or ():
                    for entry_id, fields in entries:
                        self._last_id = entry_id
                        self._handle(fields.get("e"))
            except (RedisError, OSError) as error:
                if connected:
                    log.warning("room fan-out lost Redis: %r", error)
                connected = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RECONNECT_MAX_DELAY_S)

    def _handle(self, data: str | None) -> None:
        try:
            event = json.loads(data or "")
        except ValueError:
            log.warning("room fan-out: not an event: %r", (data or "")[:200])
            return
        if not isinstance(event, dict):
            return
        try:
            self._deliver(event)
        except Exception:  # one bad event must not end the reading
            log.exception("room fan-out: could not deliver %s", event.get("kind"))


def open_fanout(
    redis_url: str, deliver: Callable[[Event], None], on_gap: Callable[[], Awaitable[None]]
) -> Fanout:
    return RedisFanout(redis_url, deliver, on_gap) if redis_url else LocalFanout(deliver)
