"""Rooms on two gateway replicas sharing a real PostgreSQL and a real Redis (issue 12): each replica is the
rooms app under its own uvicorn on loopback with its own fan-out; readers join through either one.

Every message reaches every reader once whichever replica they and the author are on; a message stored by a
replica that died before publishing it reaches everyone when the author resends it, once; a Redis connection
cut resumes the stream without losing an event; a Redis restart (its events gone) makes the readers reconnect
and catch up from the database; presence lists the readers of both replicas."""

import asyncio
import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.rooms_bench import run_soak
from deploy.backing import Backing
from gateway.rooms.store import RoomStore
from gateway.settings import Settings
from tests.app.rooms.conftest import build_rooms_app, serving
from tests.app.rooms.fake_translation import FakeTranslationServer, fake_translation

STEP_TIMEOUT_S = 20.0


@pytest.fixture
def gateways(backing: Backing, translation_server: FakeTranslationServer) -> Iterator[list[str]]:
    """Two replicas on one database and one Redis; their base URLs."""
    settings = Settings(redis_url=backing.redis.url, rooms_create_rate="1000/minute")
    apps = [build_rooms_app(backing.postgres.url, translation_server.url, settings) for _ in range(2)]
    with serving(apps[0]) as first, serving(apps[1]) as second:
        yield [first, second]


async def create_room(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/api/rooms", json={"title": "replicas"})
        assert response.status_code == 201
        return response.json()["id"]


def ws_url(base_url: str, room_id: str) -> str:
    return base_url.replace("http", "ws", 1) + f"/rooms/{room_id}/ws"


async def join(base_url: str, room_id: str, name: str, lang: str, **extra: Any) -> ClientConnection:
    """A reader joined through `base_url`, its history read."""
    socket = await connect(ws_url(base_url, room_id), open_timeout=STEP_TIMEOUT_S)
    await socket.send(json.dumps({"type": "join", "name": name, "lang": lang, **extra}))
    await next_event(socket, "history")
    return socket


async def next_event(socket: ClientConnection, *types: str) -> dict[str, Any]:
    async with asyncio.timeout(STEP_TIMEOUT_S):
        while True:
            event = json.loads(await socket.recv())
            if event["type"] in types:
                return event


async def events_until(
    socket: ClientConnection, condition: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """Every event up to the first message or update that meets `condition` (within STEP_TIMEOUT_S)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(STEP_TIMEOUT_S):
        while True:
            events.append(json.loads(await socket.recv()))
            if events[-1]["type"] in ("message", "update") and condition(events[-1]):
                return events


async def events_until_quiet(socket: ClientConnection, quiet_s: float = 1.0) -> list[dict[str, Any]]:
    """Every event that arrives until none has for `quiet_s` (what a reader got, to count duplicates)."""
    events: list[dict[str, Any]] = []
    while True:
        try:
            events.append(json.loads(await asyncio.wait_for(socket.recv(), quiet_s)))
        except TimeoutError:
            return events


async def test_a_room_spread_over_two_gateways_gets_every_message_once(gateways: list[str]) -> None:
    room_id = await create_room(gateways[0])
    figures = await run_soak(
        gateways[0], room_id, clients=8, messages=8, timeout_s=90, interval_s=0.05, spread_over=gateways
    )
    assert figures["timed_out_clients"] == 0 and figures["client_errors"] == [], figures
    assert figures["stored"] == figures["sent"] == 64
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["unacknowledged"] == 0
    # Every reader, on either replica, got every message once, and nobody was disconnected. (Not counted:
    # how many arrived live. Through Redis an author's ack can come before its own message's event, and a
    # client that has seen everything, its own last message by the ack, stops reading.)
    assert figures["deliveries_missing"] == 0 and figures["deliveries_doubled"] == 0
    assert figures["reconnects"] == 0


async def test_resends_after_cut_connections_are_not_doubled_across_gateways(gateways: list[str]) -> None:
    room_id = await create_room(gateways[1])
    figures = await run_soak(
        gateways[1], room_id, clients=6, messages=6, drop_every=2, timeout_s=90, spread_over=gateways
    )
    assert figures["timed_out_clients"] == 0 and figures["client_errors"] == [], figures
    assert figures["reconnects"] >= 6 * 2
    assert figures["stored"] == 36 and figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["deliveries_missing"] == 0 and figures["deliveries_doubled"] == 0


async def test_a_message_stored_by_a_replica_that_died_reaches_everyone_once_on_resend(
    gateways: list[str], backing: Backing
) -> None:
    room_id = await create_room(gateways[0])
    czech = await join(gateways[0], room_id, "Jana", "cs")
    german = await join(gateways[1], room_id, "Jonas", "de")
    author = await join(gateways[1], room_id, "Ola", "pl")
    # What a replica that died right after storing leaves behind: the message in the database, published
    # to nobody, translated into nothing.
    store = RoomStore(backing.postgres.url)
    try:
        stored, created = store.add_message(room_id, "Ola", "pl", "Dzień dobry", "ola-0001")
    finally:
        store.close()
    assert created
    # The author's page resends it (no ack came) through the other replica.
    await author.send(json.dumps({"type": "message", "text": "Dzień dobry", "client_id": "ola-0001"}))
    ack = await next_event(author, "ack")
    assert ack["message"]["id"] == stored.id

    def about_it(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [e for e in events if e["type"] in ("message", "update") and e["message"]["id"] == stored.id]

    for reader, lang in ((czech, "cs"), (german, "de")):
        # Translated by the retry loop of a living replica: the translation comes, after the original.
        translated = fake_translation("Dzień dobry", lang)
        events = about_it(await events_until(reader, lambda e, t=translated: e["message"]["text"] == t))
        events += about_it(await events_until_quiet(reader))
        assert [event["type"] for event in events].count("message") == 1, events
    assert [e["type"] for e in about_it(await events_until_quiet(author))].count("message") == 1
    # A second resend changes nothing for anyone.
    await author.send(json.dumps({"type": "message", "text": "Dzień dobry", "client_id": "ola-0001"}))
    await next_event(author, "ack")
    for reader in (czech, german, author):
        assert about_it(await events_until_quiet(reader)) == []
        await reader.close()


async def test_presence_lists_the_readers_of_both_gateways(gateways: list[str]) -> None:
    room_id = await create_room(gateways[0])
    first = await join(gateways[0], room_id, "Jana", "cs")
    second = await join(gateways[1], room_id, "Jonas", "de")
    expected = [{"name": "Jana", "lang": "cs"}, {"name": "Jonas", "lang": "de"}]
    async with asyncio.timeout(STEP_TIMEOUT_S):
        while (await next_event(first, "presence"))["participants"] != expected:
            pass
    async with httpx.AsyncClient() as http, asyncio.timeout(STEP_TIMEOUT_S):
        for base_url in gateways:  # each gateway reads the stream on its own: a moment apart at most
            while (await http.get(f"{base_url}/api/rooms/{room_id}")).json()["participants"] != expected:
                await asyncio.sleep(0.05)
    await second.close()
    async with asyncio.timeout(STEP_TIMEOUT_S):
        while (await next_event(first, "presence"))["participants"] != expected[:1]:
            pass
    await first.close()


async def post(base_url: str, room_id: str, name: str, lang: str, text: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=STEP_TIMEOUT_S) as http:
        response = await http.post(
            f"/api/rooms/{room_id}/messages", json={"name": name, "lang": lang, "text": text}
        )
        assert response.status_code == 201, response.text
        return response.json()


def redis_cli(backing: Backing, *args: str) -> str:
    command = ["redis-cli", "-h", "127.0.0.1", "-p", str(backing.redis.port), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout


async def test_a_cut_redis_connection_resumes_the_stream_without_losing_an_event(
    gateways: list[str], backing: Backing
) -> None:
    room_id = await create_room(gateways[0])
    reader = await join(gateways[1], room_id, "Jana", "cs")
    # Every client connection is cut, the replicas' stream readers and appenders included.
    assert redis_cli(backing, "CLIENT", "KILL", "TYPE", "normal").strip().isdigit()
    sent = await post(gateways[0], room_id, "Jonas", "cs", "Nach dem Schnitt")
    event = await next_event(reader, "message")
    assert event["message"]["id"] == sent["id"]
    assert not [e for e in await events_until_quiet(reader) if e["type"] == "message"]
    await reader.close()


async def test_a_redis_restart_makes_readers_catch_up_from_the_database(
    gateways: list[str], backing: Backing
) -> None:
    room_id = await create_room(gateways[0])
    readers = [await join(base_url, room_id, f"reader{n}", "cs") for n, base_url in enumerate(gateways)]
    backing.redis.stop()
    try:
        # Stored and acknowledged while Redis is down; its event waits in the replica's outbox.
        sent = await post(gateways[0], room_id, "Jonas", "cs", "Während Redis weg ist")
    finally:
        backing.redis.start()
    for reader in readers:
        # The restarted Redis has none of the old events: each replica closes its sockets with 1013 ...
        with pytest.raises(ConnectionClosed) as closed:
            await events_until_quiet(reader, quiet_s=STEP_TIMEOUT_S)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    # ... and a reader that reconnects with its cursor gets the message from the database, once.
    for n, base_url in enumerate(gateways):
        socket = await connect(ws_url(base_url, room_id), open_timeout=STEP_TIMEOUT_S)
        await socket.send(json.dumps({"type": "join", "name": f"reader{n}", "lang": "cs", "after": 0}))
        history = await next_event(socket, "history")
        assert [message["id"] for message in history["messages"]] == [sent["id"]]
        later = await events_until_quiet(socket)
        assert not [e for e in later if e["type"] == "message" and e["message"]["id"] == sent["id"]]
        await socket.close()
