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
    assert seen[0].url.query == b""


def test_the_token_comes_from_the_rasa_token_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # deploy/stack.py passes the same RASA_TOKEN to `rasa run --auth-token` and to the gateway; the
    # integration tests (tests/integration/test_security.py) show a tracker call without it refused.
    monkeypatch.setenv("RASA_TOKEN", "from-the-launcher")
    assert Settings().rasa_token == "from-the-launcher"
