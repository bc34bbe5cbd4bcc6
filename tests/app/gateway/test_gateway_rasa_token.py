"""Rasa's HTTP API takes a token only the gateway has (issue 11): `?token=` on the tracker API calls."""

import json

import httpx
import pytest

from gateway.rasa_client import RasaClient
from gateway.settings import Settings


async def test_the_tracker_call_carries_the_token_as_rasa_3_6_reads_it_and_the_webhook_does_not() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/tracker/events"):
            return httpx.Response(200, json={"sender_id": "web-x"})
        return httpx.Response(200, json=[])

    rasa = RasaClient.from_url("http://rasa.test", 5, transport=httpx.MockTransport(handler), token="s3cr&t")
    await rasa.set_language("web-x", "de")
    await rasa.send_message("web-x", "Hallo", "de")

    events, webhook = seen
    assert events.url.path == "/conversations/web-x/tracker/events"
    assert events.url.params["token"] == "s3cr&t"  # url-encoded on the wire, the value Rasa compares
    assert json.loads(events.content) == {"event": "slot", "name": "language", "value": "de"}
    # The REST channel is not behind Rasa's API auth: the token is not spread to where it is not needed.
    assert webhook.url.path == "/webhooks/rest/webhook" and "token" not in webhook.url.params


async def test_without_a_token_no_parameter_is_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    await RasaClient.from_url("http://rasa.test", 5, transport=httpx.MockTransport(handler)).set_language(
        "u", "cs"
    )
    assert "token" not in seen[0].url.params


def test_the_token_comes_from_the_rasa_token_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # deploy/stack.py passes the same RASA_TOKEN to `rasa run --auth-token` and to the gateway; the
    # integration tests (tests/integration/test_security.py) show a tracker call without it refused.
    monkeypatch.setenv("RASA_TOKEN", "from-the-launcher")
    assert Settings().rasa_token == "from-the-launcher"


def tracker_state(latest_text: str | None) -> dict[str, object]:
    """Rasa's answer to POST .../tracker/events?include_events=NONE (`DialogueStateTracker.current_state`)."""
    return {
        "sender_id": "s",
        "slots": {"language": "de"},
        "latest_message": {"text": latest_text},
        "events": None,
    }


@pytest.mark.parametrize(("latest_text", "posts"), [(None, 2), ("Guten Tag", 1)])
async def test_the_slot_of_a_new_conversation_is_set_again_inside_the_session_rasa_just_started(
    latest_text: str | None, posts: int
) -> None:
    # Rasa 3.6 stamps the posted slot before it starts a new conversation's session, and its SQL tracker
    # store drops events older than the session start: for a conversation without a user message yet the
    # slot is posted a second time (tests/integration: the first reply of a new conversation in German).
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=tracker_state(latest_text))

    rasa = RasaClient.from_url("http://rasa.test", 5, transport=httpx.MockTransport(handler), token="t")
    await rasa.set_language("web-x", "de")
    assert len(seen) == posts
    assert all(request.url.params["include_events"] == "NONE" for request in seen)
    assert all(json.loads(request.content)["value"] == "de" for request in seen)
