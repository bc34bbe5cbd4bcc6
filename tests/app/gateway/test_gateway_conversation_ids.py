"""Web senders get a server-issued, signed conversation id (issue 11): no client names a conversation."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.assistant import Assistant
from gateway.conversation_ids import ConversationIds
from gateway.dependencies import get_assistant, get_conversation_ids
from gateway.language import LanguageGuesser
from gateway.main import app
from gateway.rasa_client import RasaClient
from gateway.schemas import ChatRequest
from tests.app.gateway.fake_rasa import FakeRasa

SIGNER = ConversationIds(b"k" * 32)


@pytest.fixture
def client(fake_rasa: FakeRasa, language_guesser: LanguageGuesser) -> Iterator[TestClient]:
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    app.dependency_overrides[get_assistant] = lambda: Assistant(rasa, language_guesser)
    app.dependency_overrides[get_conversation_ids] = lambda: SIGNER
    yield TestClient(app, raise_server_exceptions=False)
    app.dependency_overrides.clear()


def test_issued_ids_are_valid_distinct_and_of_the_published_shape() -> None:
    ids = {SIGNER.issue() for _ in range(200)}
    assert len(ids) == 200
    assert all(SIGNER.is_valid(conversation_id) for conversation_id in ids)
    assert all(conversation_id.startswith("web-") and len(conversation_id) == 49 for conversation_id in ids)
    schema = ChatRequest.model_json_schema()["properties"]["sender"]["anyOf"][0]
    assert schema["pattern"] == r"^web-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$"


def test_forged_altered_and_foreign_ids_are_not_valid() -> None:
    issued = SIGNER.issue()
    body, _, tag = issued.rpartition(".")
    other_tag = ("A" if tag[0] != "A" else "B") + tag[1:]
    for forged in [
        "telegram-1",
        "web-" + "a" * 22,
        f"{body}.{other_tag}",  # the tag of another nonce
        f"{body[:-1]}{'b' if body[-1] != 'b' else 'c'}.{tag}",  # another nonce, same tag
        ConversationIds(b"x" * 32).issue(),  # a gateway with another secret (or before a restart)
        issued + "\n",
        "",
    ]:
        assert not SIGNER.is_valid(forged), forged


def test_a_secret_from_the_settings_is_stable_and_an_unset_one_is_random_per_process() -> None:
    stable = ConversationIds.from_setting("a-stable-secret-of-the-launcher")
    assert ConversationIds.from_setting("a-stable-secret-of-the-launcher").is_valid(stable.issue())
    assert not ConversationIds.from_setting("").is_valid(ConversationIds.from_setting("").issue())
    with pytest.raises(ValueError):
        ConversationIds(b"short")


def test_a_message_without_sender_starts_a_conversation_and_the_reply_names_it(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    first = client.post("/api/chat", json={"message": "Dobrý den", "lang": "cs"})
    assert first.status_code == 200, first.text
    sender = first.json()["sender"]
    assert SIGNER.is_valid(sender)
    assert f"/conversations/{sender}/tracker/events" in str(fake_rasa.requests[0].url)

    again = client.post("/api/chat", json={"sender": sender, "message": "Děkuji", "lang": "cs"})
    assert again.status_code == 200 and again.json()["sender"] == sender
    webhook_senders = [
        request.read() for request in fake_rasa.requests if request.url.path == "/webhooks/rest/webhook"
    ]
    assert all(sender.encode() in body for body in webhook_senders) and len(webhook_senders) == 2

    other = client.post("/api/chat", json={"message": "Dobrý den", "lang": "cs"}).json()["sender"]
    assert other != sender


@pytest.mark.parametrize(
    "sender",
    [
        "telegram-1",
        "a",
        "web-0123456789abcdefghijkl.0123456789abcdefghijkl",
        ConversationIds(b"o" * 32).issue(),
    ],
)
def test_a_sender_the_server_did_not_issue_is_refused_with_a_reason_before_rasa(
    client: TestClient, fake_rasa: FakeRasa, sender: str
) -> None:
    response = client.post("/api/chat", json={"sender": sender, "message": "Dobrý den", "lang": "cs"})
    assert response.status_code == 403
    assert "sender is not a conversation id issued by this server" in response.json()["detail"]
    assert "without sender" in response.json()["detail"]
    assert fake_rasa.requests == []


@pytest.mark.parametrize(("sender", "reason"), [("", "sender must not be empty"), ("x" * 129, "128")])
def test_a_blank_or_overlong_sender_is_invalid_input(
    client: TestClient, fake_rasa: FakeRasa, sender: str, reason: str
) -> None:
    response = client.post("/api/chat", json={"sender": sender, "message": "Dobrý den"})
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert fake_rasa.requests == []
