"""The translation service dies in the middle of a conversation: nothing is lost, and the messages written
meanwhile are shown untranslated (marked pending) and translated as soon as the service is back."""

from pathlib import Path

from fastapi.testclient import TestClient

from tests.app.rooms.conftest import build_rooms_app
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.rooms.test_rooms_api import (
    create_room,
    is_message,
    join,
    receive_translations,
    receive_until,
)


def test_no_message_is_lost_when_translation_goes_down_and_comes_back(
    rooms_db: Path, translation_server: FakeTranslationServer
) -> None:
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as client:
        room_id = create_room(client)
        with (
            client.websocket_connect(f"/rooms/{room_id}/ws") as czech,
            client.websocket_connect(f"/rooms/{room_id}/ws") as german,
        ):
            join(czech, "Jana", "cs")
            join(german, "Jens", "de")

            czech.send_json({"type": "message", "text": "Před výpadkem"})
            assert receive_until(german, is_message("Před výpadkem"))["message"]["status"] == "translated"

            translation_server.stop()
            during = ["Během výpadku jedna", "Během výpadku dva"]
            for text in during:
                czech.send_json({"type": "message", "text": text})
                # The author sees their message at once; the German reader gets it untranslated and marked.
                assert receive_until(czech, is_message(text))["message"]["status"] == "original"
                pending = receive_until(german, is_message(text))["message"]
                assert pending["status"] == "pending" and pending["text"] == text
            german.send_json({"type": "message", "text": "Auch während der Störung"})
            assert (
                receive_until(czech, is_message("Auch während der Störung"))["message"]["status"] == "pending"
            )

            # Everything is stored while the service is down.
            stored = client.get(f"/api/rooms/{room_id}/messages", params={"lang": "de"}).json()["messages"]
            assert [message["original"] for message in stored] == [
                "Před výpadkem",
                *during,
                "Auch während der Störung",
            ]
            assert [message["status"] for message in stored] == [
                "translated",
                "pending",
                "pending",
                "original",
            ]

            translation_server.start()
            # The retry loop translates the backlog and pushes each translation to the readers of its
            # language
            # (newest first: the conversation going on now matters more than the backlog).
            assert receive_translations(german, during) == {text: f"[de] {text}" for text in during}
            update = receive_until(czech, is_message("Auch während der Störung", "translated"))
            assert update["message"]["text"] == "[cs] Auch während der Störung"

        # A reader who comes back later gets the complete, translated history.
        with client.websocket_connect(f"/rooms/{room_id}/ws") as german_again:
            history = join(german_again, "Jens", "de")
        assert [message["text"] for message in history] == [
            "[de] Před výpadkem",
            *(f"[de] {text}" for text in during),
            "Auch während der Störung",
        ]
    # Each message was translated exactly once into each other language, even with retries.
    assert all(count == 1 for count in translation_server.translated.values())
    assert len(translation_server.translated) == 4


def test_missing_direction_is_treated_like_an_outage(
    rooms_db: Path, translation_server: FakeTranslationServer
) -> None:
    translation_server.missing_directions.add("pl-cs")
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as client:
        room_id = create_room(client)
        with (
            client.websocket_connect(f"/rooms/{room_id}/ws") as czech,
            client.websocket_connect(f"/rooms/{room_id}/ws") as polish,
        ):
            join(czech, "Jana", "cs")
            join(polish, "Ola", "pl")
            polish.send_json({"type": "message", "text": "Dzień dobry"})
            assert receive_until(czech, is_message("Dzień dobry"))["message"]["status"] == "pending"
            # The model gets installed: the retry loop picks the message up.
            translation_server.missing_directions.clear()
            update = receive_until(czech, is_message("Dzień dobry", "translated"), limit=50)
            assert update["message"]["text"] == "[cs] Dzień dobry"
