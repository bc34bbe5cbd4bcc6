import json

import httpx
import pytest

from gateway.service_errors import ServiceBadResponse, ServiceUnavailable
from gateway.translation_client import TranslationClient


def client_answering(handler: httpx.MockTransport) -> TranslationClient:
    return TranslationClient.from_url("http://translation.test", timeout_s=5, transport=handler)


def uppercase_translator(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    texts = body["q"]
    translated = [text.upper() for text in texts] if isinstance(texts, list) else texts.upper()
    return httpx.Response(200, json={"translatedText": translated})


async def test_translates_one_text_with_a_libretranslate_request() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return uppercase_translator(request)

    assert (
        await client_answering(httpx.MockTransport(handler)).translate("dobrý den", "cs", "de") == "DOBRÝ DEN"
    )
    assert seen == [{"q": "dobrý den", "source": "cs", "target": "de", "format": "text"}]


async def test_translates_a_batch_in_order() -> None:
    client = client_answering(httpx.MockTransport(uppercase_translator))
    assert await client.translate(["a", "b"], "pl", "cs") == ["A", "B"]


async def test_same_source_and_target_needs_no_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert await client_answering(httpx.MockTransport(handler)).translate("text", "de", "de") == "text"


async def test_missing_model_answer_is_service_unavailable_with_the_services_reason() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": "model cs-de not installed", "install": "make models"})

    with pytest.raises(ServiceUnavailable, match="model cs-de not installed"):
        await client_answering(httpx.MockTransport(handler)).translate("x", "cs", "de")


async def test_unsupported_pair_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "unsupported pair en-cs"})

    with pytest.raises(ServiceBadResponse, match="unsupported pair") as caught:
        await client_answering(httpx.MockTransport(handler)).translate("x", "en", "cs")
    assert caught.value.status_code == 400


async def test_a_batch_answer_of_the_wrong_length_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"translatedText": ["only one"]})

    with pytest.raises(ServiceBadResponse):
        await client_answering(httpx.MockTransport(handler)).translate(["a", "b"], "cs", "pl")


async def test_connection_error_is_service_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServiceUnavailable):
        await client_answering(httpx.MockTransport(handler)).translate("a", "cs", "pl")
