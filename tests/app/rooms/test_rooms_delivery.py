"""Fan-out that no socket can block or break: readers that vanish in the middle of a delivery (each way a
send can fail), and a reader that stops reading, next to readers that must get every message once."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected
from websockets.exceptions import ConnectionClosedError
from websockets.frames import Close

from gateway.rooms import service as service_module
from gateway.rooms.database import AsyncRoomStore
from gateway.rooms.hub import WS_CLOSE_TOO_SLOW, Connection
from gateway.rooms.service import RoomService
from gateway.settings import Settings
from tests.app.rooms.fake_translation import fake_translation


class FakeSocket:
    """What Connection needs of a WebSocket. `fail`: raised from the `fail_after`-th send on; `stall`: sends
    never finish (a peer that stopped reading: uvicorn waits for the transport to drain)."""

    def __init__(self, fail: BaseException | None = None, fail_after: int = 0, stall: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail
        self.fail_after = fail_after
        self.stall = stall
        self.closed_with: tuple[int, str] | None = None

    async def send_text(self, text: str) -> None:
        if self.stall:
            await asyncio.Event().wait()
        if self.fail is not None and len(self.events) >= self.fail_after:
            raise self.fail
        self.events.append(json.loads(text))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = (code, reason)

    def messages(self) -> list[dict[str, Any]]:
        return [event["message"] for event in self.events if event["type"] == "message"]


async def translate(texts: list[str], source: str, target: str) -> list[str]:
    await asyncio.sleep(0.001)
    return [fake_translation(text, target) for text in texts]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[RoomService]:
    store = await AsyncRoomStore.open(tmp_path / "rooms.sqlite")
    room_service = RoomService(store, translate, Settings(), 0.01, 0.05)
    room_service.start()
    try:
        yield room_service
    finally:
        await room_service.stop()
        await store.aclose()


async def connect(
    service: RoomService, room_id: str, socket: FakeSocket, lang: str, queue_size: int = 1000, **join: Any
) -> Connection:
    connection = Connection(socket, room_id, queue_size)  # type: ignore[arg-type]
    connection.name, connection.lang = f"reader-{id(socket)}", lang
    connection.start()
    await service.join(connection, **join)
    return connection


async def until(condition: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def settle(sockets: list[FakeSocket], expected: int) -> None:
    """Until every socket has its history and `expected` live messages."""
    await until(
        lambda: all(
            len(socket.messages()) >= expected and any(event["type"] == "history" for event in socket.events)
            for socket in sockets
        )
    )


async def test_readers_that_vanish_mid_fan_out_break_nothing_and_lose_nothing(service: RoomService) -> None:
    room = await service.store.create_room("fan-out")
    healthy = [FakeSocket() for _ in range(6)]
    # Every exception a send to a gone peer raises, depending on the server and the moment.
    vanishing = [
        FakeSocket(WebSocketDisconnect(1006), fail_after=3),
        FakeSocket(
            WebSocketDisconnected("Cannot call send once a close message has been sent."), fail_after=4
        ),
        FakeSocket(OSError("uvicorn's ClientDisconnected"), fail_after=5),
        FakeSocket(ConnectionClosedError(Close(1006, ""), None), fail_after=6),
        FakeSocket(
            RuntimeError("Unexpected ASGI message 'websocket.send', after sending 'websocket.close'."), 2
        ),
    ]
    for number, socket in enumerate(healthy + vanishing):
        await connect(service, room.id, socket, ("cs", "de", "pl")[number % 3])
    for index in range(20):
        _message, created = await service.post_message(
            room.id, "Jana", "cs", f"zpráva {index}", f"c-{index:04d}"
        )
        assert created
    await settle(healthy, 20)
    for socket in healthy:
        originals = [message["original"] for message in socket.messages()]
        assert sorted(originals) == sorted(f"zpráva {index}" for index in range(20))  # each once
        assert all(message["status"] != "pending" for message in socket.messages())
    # The vanished ones are forgotten, the healthy ones are all still there.
    assert len(service.hub.connections(room.id)) == len(healthy)
    assert len(await service.store.history(room.id)) == 20


async def test_a_reader_that_stops_reading_is_closed_and_catches_up_on_reconnect(
    service: RoomService, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = await service.store.create_room("slow")
    fast = FakeSocket()
    slow = FakeSocket(stall=True)
    await connect(service, room.id, fast, "de")
    slow_connection = await connect(service, room.id, slow, "de", queue_size=5)
    for index in range(30):
        await service.post_message(room.id, "Jana", "cs", f"zpráva {index}", f"c-{index:04d}")
    # The fast reader was never held up by the stalled one.
    await settle([fast], 30)
    assert slow_connection.closed and slow.closed_with is not None
    assert slow.closed_with[0] == WS_CLOSE_TOO_SLOW
    assert slow_connection not in service.hub.connections(room.id)

    # It comes back with the newest id it had; the history is everything after it, beyond the recent window.
    monkeypatch.setattr(service_module, "HISTORY_RECENT", 5)
    ids = [message["id"] for message in fast.messages()]
    back = FakeSocket()
    await connect(service, room.id, back, "de", after=ids[9])
    await settle([back], 0)
    history = next(event for event in back.events if event["type"] == "history")
    assert [message["original"] for message in history["messages"]] == [f"zpráva {i}" for i in range(10, 30)]
    assert history["complete"] is True


async def test_the_history_snapshot_comes_before_the_live_events_that_follow_it(service: RoomService) -> None:
    room = await service.store.create_room("order")
    writer = asyncio.ensure_future(
        asyncio.gather(*(service.post_message(room.id, "Jana", "cs", f"m{index}") for index in range(50)))
    )
    socket = FakeSocket()
    await connect(service, room.id, socket, "cs")
    await writer
    await settle([socket], 0)
    kinds = [event["type"] for event in socket.events]
    assert kinds[0] == "history"
    seen = [message["id"] for message in socket.events[0]["messages"]] + [m["id"] for m in socket.messages()]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 50  # all 50, none twice
