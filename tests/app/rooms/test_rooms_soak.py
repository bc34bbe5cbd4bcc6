"""The room soak at a CI size, on a real uvicorn server on loopback (pinging every second): every message
stored once, every reader gets every message once, no socket closed by the keepalive, no error logged. The
full size (50 clients x 20 messages) is `python -m bench.rooms_bench`; both run bench.rooms_bench.run_soak."""

import logging

import httpx
import pytest

from bench.rooms_bench import run_soak


def server_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


async def create_soak_room(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/api/rooms", json={"title": "soak"})
        assert response.status_code == 201
        return response.json()["id"]


async def test_room_soak_loses_and_doubles_nothing(
    live_rooms_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    room_id = await create_soak_room(live_rooms_url)
    # Paced over about three seconds: three rounds of keepalive pings while 20 sockets are busy.
    figures = await run_soak(live_rooms_url, room_id, clients=20, messages=10, timeout_s=60, interval_s=0.3)
    assert figures["timed_out_clients"] == 0 and figures["client_errors"] == [], figures
    assert figures["stored"] == figures["sent"] == 200
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["unacknowledged"] == 0
    # Every client got every message live, once (20 x 200 deliveries), and nobody was disconnected.
    assert figures["deliveries_missing"] == 0 and figures["deliveries_doubled"] == 0
    assert figures["deliveries_timed"] == 20 * 200
    assert figures["reconnects"] == 0
    assert server_errors(caplog) == []


async def test_connections_cut_before_the_ack_are_retried_without_duplicates(
    live_rooms_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every client cuts its TCP connection right after every third send, reconnects with its cursor and
    resends what was not acknowledged: the server must store each message once, deliver each once, catch
    the reconnected readers up, and never log a traceback for the vanished sockets."""
    caplog.set_level(logging.WARNING)
    room_id = await create_soak_room(live_rooms_url)
    figures = await run_soak(live_rooms_url, room_id, clients=10, messages=9, drop_every=3, timeout_s=60)
    assert figures["timed_out_clients"] == 0 and figures["client_errors"] == [], figures
    assert figures["reconnects"] >= 10 * 2
    assert figures["stored"] == 90 and figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["deliveries_missing"] == 0 and figures["deliveries_doubled"] == 0
    assert server_errors(caplog) == []
