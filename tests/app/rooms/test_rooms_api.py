"""Rooms over HTTP and WebSocket: creation, validation, live translated delivery, history replay."""

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.app.rooms.conftest import build_rooms_app
from tests.app.rooms.fake_translation import FakeTranslationServer, fake_translation


def create_room(client: TestClient, title: str = "Hranice bez hranic") -> str:
    response = client.post("/api/rooms", json={"title": title})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def join(socket: WebSocketTestSession, name: str, lang: str) -> list[dict[str, Any]]:
    """Join and return the history sent on joining."""
    socket.send_json({"type": "join", "name": name, "lang": lang})
    assert socket.receive_json()["type"] == "joined"
    history = socket.receive_json()
    assert history["type"] == "history"
    return history["messages"]


def receive_until(socket: WebSocketTestSession, predicate: Any, limit: int = 20) -> dict[str, Any]:
    """The first event that matches, skipping presence updates and others."""
    for _ in range(limit):
        event = socket.receive_json()
        if predicate(event):
            return event
    raise AssertionError("expected event did not arrive")


def receive_translations(
    socket: WebSocketTestSession, originals: list[str], limit: int = 50
) -> dict[str, str]:
    """Wait for the translated update of each original, in any order (a backlog goes newest first);
    returns original -> translated text."""
    translated: dict[str, str] = {}
    for _ in range(limit):
        if set(originals) <= translated.keys():
            return translated
        event = socket.receive_json()
        if event["type"] == "update" and event["message"]["status"] == "translated":
            assert event["message"]["original"] not in translated, "a translation was pushed twice"
            translated[event["message"]["original"]] = event["message"]["text"]
    raise AssertionError(f"never translated: {set(originals) - translated.keys()}")


def is_message(text: str, status: str | None = None) -> Any:
    def matches(event: dict[str, Any]) -> bool:
        if event["type"] not in ("message", "update"):
            return False
        message = event["message"]
        return message["original"] == text and (status is None or message["status"] == status)

    return matches


def test_create_room_and_get_it(client: TestClient) -> None:
    response = client.post("/api/rooms", json={"title": "  Setkání v Žitavě  "})
    assert response.status_code == 201
    room = response.json()
    assert room["title"] == "Setkání v Žitavě"
    assert room["url"] == f"/rooms/{room['id']}"
    assert client.get(f"/api/rooms/{room['id']}").json()["title"] == "Setkání v Žitavě"
    # A room without a body is fine too: the title is optional.
    assert client.post("/api/rooms").status_code == 201


def test_pages_are_served(client: TestClient) -> None:
    room_id = create_room(client)
    assert "new-room-form" in client.get("/rooms/new").text
    page = client.get(f"/rooms/{room_id}")
    assert page.status_code == 200 and "message-list" in page.text
    assert client.get("/rooms/assets/room.js").status_code == 200
    assert client.get("/rooms/assets/..%2Froom.html").status_code == 404
    assert client.get("/rooms/doesnotexist123").status_code == 404


def test_bad_input_gets_clear_4xx(client: TestClient) -> None:
    room_id = create_room(client)
    assert client.post("/api/rooms", json={"title": "x" * 101}).status_code == 422
    assert client.get("/api/rooms/unknownroom1234").status_code == 404
    assert "unknown room" in client.get("/api/rooms/unknownroom1234").json()["detail"]
    assert client.get("/api/rooms/bad!id").status_code in (404, 422)
    assert client.get(f"/api/rooms/{room_id}/messages", params={"lang": "en"}).status_code == 422
    post = f"/api/rooms/{room_id}/messages"
    assert client.post(post, json={"name": "Jana", "lang": "cs", "text": "   "}).status_code == 422
    assert client.post(post, json={"name": "Jana", "lang": "cs", "text": "a" * 2001}).status_code == 422
    assert client.post(post, json={"name": "Jana", "lang": "fr", "text": "Bonjour"}).status_code == 422
    assert client.post(post, json={"name": "", "lang": "cs", "text": "Ahoj"}).status_code == 422
    assert (
        client.post(
            "/api/rooms/unknownroom1234/messages", json={"name": "J", "lang": "cs", "text": "A"}
        ).status_code
        == 404
    )


def test_websocket_errors_are_messages_not_tracebacks(client: TestClient) -> None:
    with client.websocket_connect("/rooms/unknownroom1234/ws") as socket:
        error = socket.receive_json()
        assert error == {"type": "error", "code": "unknown_room", "detail": "unknown room 'unknownroom1234'"}
    room_id = create_room(client)
    with client.websocket_connect(f"/rooms/{room_id}/ws") as socket:
        socket.send_text("not json")
        assert socket.receive_json()["code"] == "bad_json"
        socket.send_json({"type": "message", "text": "before joining"})
        assert socket.receive_json()["code"] == "join_first"
        socket.send_json({"type": "join", "name": "Jana", "lang": "en"})
        assert socket.receive_json()["code"] == "invalid_join"
        join(socket, "Jana", "cs")
        socket.send_json({"type": "message", "text": "   "})
        assert receive_until(socket, lambda event: event["type"] == "error")["code"] == "invalid_message"
        socket.send_json({"type": "message", "text": "x" * 2001})
        assert receive_until(socket, lambda event: event["type"] == "error")["code"] == "invalid_message"
        socket.send_json({"type": "shout"})
        assert receive_until(socket, lambda event: event["type"] == "error")["code"] == "unknown_type"
        socket.send_json({"type": "ping"})
        assert receive_until(socket, lambda event: event["type"] != "presence")["type"] == "pong"
    # Nothing invalid was stored.
    assert client.get(f"/api/rooms/{room_id}/messages", params={"lang": "cs"}).json()["messages"] == []


def test_each_participant_reads_in_their_language(
    client: TestClient, translation_server: FakeTranslationServer
) -> None:
    room_id = create_room(client)
    with (
        client.websocket_connect(f"/rooms/{room_id}/ws") as czech,
        client.websocket_connect(f"/rooms/{room_id}/ws") as german,
        client.websocket_connect(f"/rooms/{room_id}/ws") as polish,
    ):
        join(czech, "Jana", "cs")
        join(german, "Jens", "de")
        join(polish, "Ola", "pl")
        czech.send_json({"type": "message", "text": "Dobrý den, kdy začíná schůzka?"})
        own = receive_until(czech, is_message("Dobrý den, kdy začíná schůzka?"))["message"]
        assert own["status"] == "original" and own["text"] == "Dobrý den, kdy začíná schůzka?"
        seen_by_german = receive_until(german, is_message("Dobrý den, kdy začíná schůzka?"))["message"]
        assert seen_by_german["status"] == "translated"
        assert seen_by_german["text"] == fake_translation("Dobrý den, kdy začíná schůzka?", "de")
        assert (
            seen_by_german["original"] == "Dobrý den, kdy začíná schůzka?" and seen_by_german["lang"] == "cs"
        )
        seen_by_pole = receive_until(polish, is_message("Dobrý den, kdy začíná schůzka?"))["message"]
        assert seen_by_pole["text"] == fake_translation("Dobrý den, kdy začíná schůzka?", "pl")

        german.send_json({"type": "message", "text": "Um zehn Uhr in Zittau."})
        seen_by_czech = receive_until(czech, is_message("Um zehn Uhr in Zittau."))["message"]
        assert seen_by_czech["text"] == "[cs] Um zehn Uhr in Zittau." and seen_by_czech["author"] == "Jens"

    # Translated once per target language, and never into the author's own language.
    counts = translation_server.translated
    assert counts[("cs", "de", "Dobrý den, kdy začíná schůzka?")] == 1
    assert counts[("cs", "pl", "Dobrý den, kdy začíná schůzka?")] == 1
    assert counts[("de", "cs", "Um zehn Uhr in Zittau.")] == 1
    assert not any(source == target for source, target, _ in counts)


def test_history_is_replayed_on_reconnect_and_survives_restart(
    rooms_db: Path, translation_server: FakeTranslationServer
) -> None:
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as client:
        room_id = create_room(client)
        with client.websocket_connect(f"/rooms/{room_id}/ws") as czech:
            join(czech, "Jana", "cs")
            for number in range(3):
                czech.send_json({"type": "message", "text": f"Zpráva číslo {number}"})
                receive_until(czech, is_message(f"Zpráva číslo {number}"))
        with client.websocket_connect(f"/rooms/{room_id}/ws") as german:
            history = join(german, "Jens", "de")
            assert [message["original"] for message in history] == [f"Zpráva číslo {n}" for n in range(3)]
            # German is new in the room: the history gets translated into it and pushed as updates (newest
            # first: the conversation going on now matters most), each message once.
            assert all(message["status"] == "pending" for message in history)
            receive_translations(german, [message["original"] for message in history])

    # A new process on the same database: the room, its messages and its translations are all still there.
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as client:
        deadline = time.monotonic() + 5
        while True:
            replay = client.get(f"/api/rooms/{room_id}/messages", params={"lang": "de"}).json()["messages"]
            if all(message["status"] == "translated" for message in replay) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [message["text"] for message in replay] == [f"[de] Zpráva číslo {n}" for n in range(3)]
        with client.websocket_connect(f"/rooms/{room_id}/ws") as czech:
            history = join(czech, "Jana", "cs")
            assert [message["text"] for message in history] == [f"Zpráva číslo {n}" for n in range(3)]
    # The history joined by the German reader was translated once, not once per replay.
    assert all(count == 1 for count in translation_server.translated.values())


def test_message_posted_over_http_reaches_websocket_readers(client: TestClient) -> None:
    room_id = create_room(client)
    with client.websocket_connect(f"/rooms/{room_id}/ws") as polish:
        join(polish, "Ola", "pl")
        response = client.post(
            f"/api/rooms/{room_id}/messages", json={"name": "Jana", "lang": "cs", "text": "Ahoj všem"}
        )
        assert response.status_code == 201
        assert response.json()["status"] == "original"
        seen = receive_until(polish, is_message("Ahoj všem", "translated"))["message"]
        assert seen["text"] == "[pl] Ahoj všem"


def test_presence_lists_connected_participants(client: TestClient) -> None:
    room_id = create_room(client)
    with client.websocket_connect(f"/rooms/{room_id}/ws") as czech:
        join(czech, "Jana", "cs")
        with client.websocket_connect(f"/rooms/{room_id}/ws") as german:
            join(german, "Jens", "de")
            presence = receive_until(
                czech, lambda event: event["type"] == "presence" and len(event["participants"]) == 2
            )
            assert presence["participants"] == [
                {"name": "Jana", "lang": "cs"},
                {"name": "Jens", "lang": "de"},
            ]
            info = client.get(f"/api/rooms/{room_id}").json()
            assert info["languages"] == ["cs", "de"]
        left = receive_until(
            czech, lambda event: event["type"] == "presence" and len(event["participants"]) == 1
        )
        assert left["participants"] == [{"name": "Jana", "lang": "cs"}]
