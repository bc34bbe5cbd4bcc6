"""Each hole issue 11 found in the rooms, as a regression test: frames the protocol does not allow, foreign
origins, retries, bodies of megabytes, rooms by the thousand, SQLite on the event loop."""

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.rooms.store import RoomStore
from gateway.settings import Settings
from tests.app.rooms.conftest import build_rooms_app
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.rooms.test_rooms_api import create_room, is_message, join, receive_until


def closed_with(socket: object) -> WebSocketDisconnect:
    """Read until the server closes the socket; the close (code, reason)."""
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(20):
            socket.receive_json()  # type: ignore[attr-defined]
    return closed.value


@pytest.fixture
def strict_client(rooms_db: Path, translation_server: FakeTranslationServer) -> Iterator[TestClient]:
    settings = Settings(
        rooms_allowed_origins=["https://partner.example.org"],
        rooms_max_frame_bytes=4096,
        rooms_create_rate="3/minute",
    )
    with TestClient(build_rooms_app(rooms_db, translation_server.url, settings)) as test_client:
        yield test_client


# --- frames -----------------------------------------------------------------------------------


@pytest.mark.parametrize("joined", [False, True])
def test_binary_frame_is_refused_with_1003_not_a_traceback(client: TestClient, joined: bool) -> None:
    room_id = create_room(client)
    with client.websocket_connect(f"/rooms/{room_id}/ws") as socket:
        if joined:
            join(socket, "Jana", "cs")
        socket.send_bytes(b"\x00\x01binary")
        closed = closed_with(socket)
    assert closed.code == 1003
    assert "binary" in closed.reason
    # The room still works for the next connection.
    with client.websocket_connect(f"/rooms/{room_id}/ws") as socket:
        join(socket, "Jana", "cs")


def test_oversized_frame_is_refused_with_1009(strict_client: TestClient) -> None:
    room_id = create_room(strict_client)
    with strict_client.websocket_connect(f"/rooms/{room_id}/ws") as socket:
        join(socket, "Jana", "cs")
        socket.send_text(json.dumps({"type": "message", "text": "x" * 5000}))
        closed = closed_with(socket)
    assert closed.code == 1009
    assert "4096 bytes" in closed.reason
    history = strict_client.get(f"/api/rooms/{room_id}/messages", params={"lang": "cs"}).json()
    assert history["messages"] == []


def test_multibyte_frame_is_measured_in_bytes(strict_client: TestClient) -> None:
    room_id = create_room(strict_client)
    with strict_client.websocket_connect(f"/rooms/{room_id}/ws") as socket:
        join(socket, "Jana", "cs")
        # 1,400 characters of 3 bytes each: under the limit counted in characters, over it in bytes.
        socket.send_text(json.dumps({"type": "message", "text": "€" * 1400}, ensure_ascii=False))
        assert closed_with(socket).code == 1009


# --- origin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["https://evil.example.com", "null", "http://testserver.evil.example.com", "file://"]
)
def test_foreign_origin_is_refused_before_the_socket_opens(strict_client: TestClient, origin: str) -> None:
    room_id = create_room(strict_client)
    # Closed before it is accepted: HTTP 403 on the wire, code 1008 (policy violation) in the test client.
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        strict_client.websocket_connect(f"/rooms/{room_id}/ws", headers={"origin": origin}),
    ):
        pass
    assert refused.value.code == 1008
    assert "origin" in refused.value.reason


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://testserver"},  # the gateway's own address (the Host the request came to)
        {"origin": "https://testserver"},  # the same host behind a TLS proxy
        {"origin": "https://partner.example.org/"},  # configured in ROOMS_ALLOWED_ORIGINS
        {},  # no Origin: not a browser (curl, a bot, these tests)
    ],
)
def test_own_and_configured_origins_are_accepted(strict_client: TestClient, headers: dict[str, str]) -> None:
    room_id = create_room(strict_client)
    with strict_client.websocket_connect(f"/rooms/{room_id}/ws", headers=headers) as socket:
        join(socket, "Jana", "cs")


# --- idempotent retries -------------------------------------------------------------------------


def test_a_websocket_retry_with_the_same_client_id_is_stored_and_delivered_once(client: TestClient) -> None:
    room_id = create_room(client)
    message = {"type": "message", "text": "Jen jednou", "client_id": "3f1c2a9e-0000-4000-8000-000000000001"}
    with client.websocket_connect(f"/rooms/{room_id}/ws") as german:
        join(german, "Jens", "de")
        with client.websocket_connect(f"/rooms/{room_id}/ws") as czech:
            join(czech, "Jana", "cs")
            # Sent, then the connection drops before the ack is read.
            czech.send_json(message)
        with client.websocket_connect(f"/rooms/{room_id}/ws") as czech_again:
            join(czech_again, "Jana", "cs")
            czech_again.send_json(message)  # the page resends what was never acknowledged
            ack = receive_until(czech_again, lambda event: event["type"] == "ack")
            assert ack["client_id"] == message["client_id"]
            czech_again.send_json(message)  # and once more: still the same message
            again = receive_until(czech_again, lambda event: event["type"] == "ack")
            assert again["message"]["id"] == ack["message"]["id"]
            czech_again.send_json({"type": "message", "text": "Další", "client_id": "3f1c2a9e-next"})
            receive_until(czech_again, lambda event: event["type"] == "ack")
        # The German reader got it once, then the next message (nothing in between).
        first = receive_until(german, is_message("Jen jednou"))
        assert first["message"]["id"] == ack["message"]["id"]
        following = receive_until(german, lambda event: event["type"] in ("message", "update"))
        assert following["message"]["original"] == "Další"
    stored = client.get(f"/api/rooms/{room_id}/messages", params={"lang": "cs"}).json()["messages"]
    assert [item["original"] for item in stored] == ["Jen jednou", "Další"]


def test_an_http_retry_with_the_same_client_id_returns_the_stored_message(client: TestClient) -> None:
    room_id = create_room(client)
    url = f"/api/rooms/{room_id}/messages"
    body = {"name": "Jana", "lang": "cs", "text": "Ahoj", "client_id": "client-0001"}
    first = client.post(url, json=body)
    assert first.status_code == 201
    retry = client.post(url, json=body)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    # Another author's id space is their own.
    other = client.post(url, json={**body, "name": "Ola", "lang": "pl"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert client.post(url, json={**body, "client_id": "bad id!"}).status_code == 422
    stored = client.get(url, params={"lang": "cs"}).json()["messages"]
    assert [item["author"] for item in stored] == ["Jana", "Ola"]
    # The cursor: only what came after a message id.
    after = client.get(url, params={"lang": "cs", "after": first.json()["id"]}).json()["messages"]
    assert [item["author"] for item in after] == ["Ola"]


def test_a_database_from_before_client_ids_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(
            "CREATE TABLE rooms (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL);"
            "CREATE TABLE room_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL,"
            " author TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);"
            "INSERT INTO rooms VALUES ('oldroom12345', 'Old', '2026-01-01T00:00:00+00:00');"
            "INSERT INTO room_messages (room_id, author, lang, text, created_at)"
            " VALUES ('oldroom12345', 'Jana', 'cs', 'Stará zpráva', '2026-01-01T00:00:00+00:00');"
        )
    store = RoomStore(path)
    try:
        _message, created = store.add_message("oldroom12345", "Jana", "cs", "Nová", "client-0001")
        _again, created_again = store.add_message("oldroom12345", "Jana", "cs", "Nová", "client-0001")
        assert (created, created_again) == (True, False)
        assert [message.text for message in store.history("oldroom12345")] == ["Stará zpráva", "Nová"]
    finally:
        store.close()


# --- bodies and rates ---------------------------------------------------------------------------


def test_bodies_over_the_limit_get_413_with_a_reason(client: TestClient) -> None:
    room_id = create_room(client)
    huge = json.dumps({"title": "x" * 40_000})
    response = client.post("/api/rooms", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "at most 32768 bytes" in response.json()["detail"]
    # Chunked, without Content-Length: cut off while it streams in, never read whole.
    chunks = (b'{"title": "' + b"x" * 8192 for _ in range(1000))
    chunked = client.post("/api/rooms", content=chunks, headers={"content-type": "application/json"})
    assert chunked.status_code == 413
    message = {"name": "Jana", "lang": "cs", "text": "x" * 40_000}
    assert client.post(f"/api/rooms/{room_id}/messages", json=message).status_code == 413
    # The longest legitimate message, every character escaped as a surrogate pair, still goes through.
    longest = json.dumps({"name": "Jana", "lang": "cs", "text": "😀" * 2000}, ensure_ascii=True)
    accepted = client.post(
        f"/api/rooms/{room_id}/messages", content=longest, headers={"content-type": "application/json"}
    )
    assert accepted.status_code == 201, accepted.text


def test_room_creation_is_rate_limited_per_client(strict_client: TestClient) -> None:
    for _ in range(3):
        assert strict_client.post("/api/rooms", json={"title": "ok"}).status_code == 201
    refused = strict_client.post("/api/rooms", json={"title": "one too many"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "too many rooms" in refused.json()["detail"]


# --- the event loop -------------------------------------------------------------------------------


def test_sqlite_never_runs_on_the_event_loop(
    rooms_db: Path, translation_server: FakeTranslationServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    for name in ("get_room", "add_language", "languages", "add_message", "save_translations", "catch_up"):
        original = getattr(RoomStore, name)

        def recording(
            self: RoomStore, *args: object, _original: object = original, **kwargs: object
        ) -> object:
            threads.add(threading.current_thread().name)
            return _original(self, *args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(RoomStore, name, recording)
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as client:
        room_id = create_room(client)
        with client.websocket_connect(f"/rooms/{room_id}/ws") as czech:
            join(czech, "Jana", "cs")
            with client.websocket_connect(f"/rooms/{room_id}/ws") as german:
                join(german, "Jens", "de")
                czech.send_json({"type": "message", "text": "Dobrý den", "client_id": "client-0001"})
                receive_until(german, is_message("Dobrý den", "translated"))
    assert threads and all(name.startswith("rooms-db") for name in threads), threads
