import json

import httpx
import pytest

from gateway.rasa_client import RasaClient
from gateway.service_errors import ServiceBadResponse, ServiceError, ServiceUnavailable


def client_answering(handler: httpx.MockTransport) -> RasaClient:
    return RasaClient.from_url("http://rasa.test", timeout_s=5, transport=handler)


async def test_set_language_posts_a_slot_event_for_the_url_encoded_sender() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"sender_id": "a b/c"})

    await client_answering(httpx.MockTransport(handler)).set_language("a b/c", "de")

    assert seen[0].method == "POST"
    assert seen[0].url.raw_path.partition(b"?")[0] == b"/conversations/a%20b%2Fc/tracker/events"
    assert json.loads(seen[0].content) == {"event": "slot", "name": "language", "value": "de"}


async def test_send_message_returns_the_rest_output_and_passes_the_language_as_metadata() -> None:
    output = [{"recipient_id": "u1", "text": "Ahoj", "buttons": [{"title": "Ano", "payload": "/affirm"}]}]
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=output)

    messages = await client_answering(httpx.MockTransport(handler)).send_message("u1", "ahoj", "cs")

    assert messages == output
    assert seen == [{"sender": "u1", "message": "ahoj", "metadata": {"language": "cs"}}]


async def test_connection_refused_is_service_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServiceUnavailable) as caught:
        await client_answering(httpx.MockTransport(handler)).send_message("u1", "hi", "cs")
    assert caught.value.service == "rasa"
    assert "cannot connect" in caught.value.reason


async def test_timeout_is_service_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    with pytest.raises(ServiceUnavailable, match="timed out"):
        await client_answering(httpx.MockTransport(handler)).set_language("u1", "cs")


async def test_http_error_status_is_a_bad_response_with_the_reason() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"message": "model not loaded"})

    with pytest.raises(ServiceBadResponse) as caught:
        await client_answering(httpx.MockTransport(handler)).send_message("u1", "hi", "cs")
    assert caught.value.status_code == 500
    assert "model not loaded" in caught.value.reason
    assert isinstance(caught.value, ServiceError)


async def test_a_503_from_rasa_counts_as_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="loading")

    with pytest.raises(ServiceUnavailable, match="loading"):
        await client_answering(httpx.MockTransport(handler)).send_message("u1", "hi", "cs")


@pytest.mark.parametrize("body", [b"not json", b'{"text": "a dict, not a list"}', b'["a string item"]'])
async def test_a_body_that_is_not_a_list_of_messages_is_a_bad_response(body: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    with pytest.raises(ServiceBadResponse):
        await client_answering(httpx.MockTransport(handler)).send_message("u1", "hi", "cs")
