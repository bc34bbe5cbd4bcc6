"""Bad input costs little (issue 11): streamed body limits, normalised text, rate limits, honest health.

Each test is a hole found by attacking the running stack: a 10 MB chunked body answered 200, 4,999 combining
marks costing 31 CPU-seconds, no 429 in 1,500 rapid requests, /health saying "up" for a degraded service.
"""

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from gateway.assistant import Assistant
from gateway.body_limit import BodyLimitMiddleware, routes_limit
from gateway.dependencies import get_assistant, get_health_checker
from gateway.health import HealthChecker
from gateway.language import LanguageGuesser
from gateway.main import app
from gateway.rasa_client import RasaClient
from gateway.rate_limit import RateLimiter
from gateway.routers.chat import get_chat_rate_limiter
from gateway.settings import Settings
from tests.app.gateway.asgi_calls import ChunkedUpload, post_chunks, repeated
from tests.app.gateway.fake_rasa import FakeRasa
from tests.app.gateway.web_senders import issued_sender
from textkit.sanitize import cap_combining_marks, sanitize_text

TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield TestClient(app, raise_server_exceptions=False)
    app.dependency_overrides.clear()


def use_rasa(fake_rasa: FakeRasa, language_guesser: LanguageGuesser) -> None:
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    app.dependency_overrides[get_assistant] = lambda: Assistant(rasa, language_guesser)


def messages_sent_to_rasa(fake_rasa: FakeRasa) -> list[str]:
    return [
        json.loads(request.content)["message"]
        for request in fake_rasa.requests
        if request.url.path == "/webhooks/rest/webhook"
    ]


# --- body limits -------------------------------------------------------------------------------------


async def test_a_10_mb_chunked_chat_body_is_cut_off_with_413_after_the_limit(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa, language_guesser)
    try:
        started = time.perf_counter()
        chunks = repeated(b'{"sender": "a", "message": "' + b"x" * 65_500, TEN_MB)
        reply = await post_chunks(app, "/api/chat", ChunkedUpload(chunks))  # no Content-Length
        elapsed = time.perf_counter() - started
    finally:
        app.dependency_overrides.clear()
    assert reply.status == 413
    assert "too large" in reply.json()["detail"] and reply.json()["limit"] == Settings().chat_body_limit_bytes
    assert reply.chunks_read <= 2  # 64 KiB chunks: the second one passes the limit, nothing after it is read
    assert elapsed < 1.0
    assert fake_rasa.requests == []


async def test_a_declared_content_length_over_the_limit_is_refused_before_reading() -> None:
    reply = await post_chunks(
        app,
        "/api/chat",
        ChunkedUpload(repeated(b"x" * 1024, TEN_MB), headers=[(b"content-length", str(TEN_MB).encode())]),
    )
    assert reply.status == 413
    assert reply.chunks_read == 0
    assert reply.headers["connection"] == "close"


async def test_every_route_has_a_limit_and_an_unknown_one_reads_nothing() -> None:
    reply = await post_chunks(app, "/api/rooms/abc/messages", ChunkedUpload(repeated(b"x" * 65_536, TEN_MB)))
    assert reply.status == 413 and reply.chunks_read <= 2
    reply = await post_chunks(app, "/no/such/route", ChunkedUpload(repeated(b"x" * 65_536, TEN_MB)))
    assert reply.status == 404 and reply.chunks_read == 0


async def test_the_telegram_webhook_has_its_own_larger_limit_and_reads_nothing_before_its_checks() -> None:
    limit = Settings().telegram_webhook_body_limit_bytes
    declared = [(b"content-length", str(limit + 1).encode())]
    reply = await post_chunks(app, "/telegram/webhook", ChunkedUpload(repeated(b"x", 0), headers=declared))
    assert reply.status == 413 and reply.json()["limit"] == limit
    # Under the limit, the route answers (no bot here: 404) without having read a byte of the body.
    reply = await post_chunks(app, "/telegram/webhook", ChunkedUpload(repeated(b"x" * 65_536, limit // 2)))
    assert reply.status == 404 and reply.chunks_read == 0


def small_app(limit: int) -> FastAPI:
    """One route that reads its body and one that never does, behind a tiny limit."""
    toy = FastAPI()
    toy.add_middleware(BodyLimitMiddleware, limit_for=routes_limit(limit, {"/big": 10 * limit}))

    @toy.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @toy.post("/ignore")
    async def ignore() -> dict[str, bool]:
        return {"ok": True}

    @toy.post("/big")
    async def big(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return toy


def test_bodies_up_to_the_limit_pass_and_the_app_error_is_replaced_by_413() -> None:
    client = TestClient(small_app(100))
    assert client.post("/echo", content=b"x" * 100).json() == {"bytes": 100}
    refused = client.post("/echo", content=b"x" * 101)
    assert refused.status_code == 413 and refused.json() == {
        "detail": "the request body is too large: this endpoint takes at most 100 bytes",
        "limit": 100,
    }
    assert client.post("/big", content=b"x" * 900).json() == {"bytes": 900}
    assert client.post("/echo", content=b"1", headers={"content-length": "x"}).status_code == 400


async def test_a_route_that_never_reads_the_body_answers_normally() -> None:
    reply = await post_chunks(small_app(100), "/ignore", ChunkedUpload(repeated(b"x" * 1000, 10_000)))
    assert reply.status == 200 and reply.chunks_read == 0


# --- text normalised before anything else sees it ------------------------------------------------------


def test_sanitize_text_composes_and_caps_runs_of_marks() -> None:
    assert sanitize_text("Dobry\u0301 den") == "Dobrý den"  # NFD from a Mac keyboard becomes NFC
    assert sanitize_text("Příliš žluťoučký kůň") == "Příliš žluťoučký kůň"
    assert cap_combining_marks("a" + "\u0301" * 50) == "a" + "\u0301" * 3
    assert (
        cap_combining_marks("e\u0301\u0302\u0303 o\u0308\u0308\u0308\u0308\u0308", 2)
        == "e\u0301\u0302 o\u0308\u0308"
    )
    assert (
        sanitize_text("1\ufe0f\u20e3 👩\u200d👩\u200d👧") == "1\ufe0f\u20e3 👩\u200d👩\u200d👧"
    )  # emoji keep marks
    with pytest.raises(ValueError):
        cap_combining_marks("a", -1)


def test_4999_combining_marks_are_capped_fast_before_rasa_sees_them(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa, language_guesser)
    started = time.perf_counter()
    response = client.post(
        "/api/chat", json={"sender": issued_sender(), "message": "a" + "\u0301" * 4_999, "lang": "cs"}
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 200, response.text
    assert messages_sent_to_rasa(fake_rasa) == ["á" + "\u0301" * 3]


def test_chat_messages_reach_rasa_in_nfc_and_stripped(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa, language_guesser)
    sender = issued_sender()
    response = client.post(
        "/api/chat", json={"sender": f" {sender} ", "message": "  Dobry\u0301 den \n", "lang": "cs"}
    )
    assert response.status_code == 200
    assert messages_sent_to_rasa(fake_rasa) == ["Dobrý den"]
    assert f"/conversations/{sender}/" in str(fake_rasa.requests[0].url)


# --- rate limits ---------------------------------------------------------------------------------------


def test_chat_answers_429_with_retry_after_after_the_configured_count(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa, language_guesser)
    limiter = RateLimiter("3/minute")
    app.dependency_overrides[get_chat_rate_limiter] = lambda: limiter
    try:
        one = TestClient(app, client=("203.0.113.7", 1000))
        body = {"sender": issued_sender(), "message": "Dobrý den", "lang": "cs"}
        assert [one.post("/api/chat", json=body).status_code for _ in range(3)] == [200, 200, 200]
        refused = one.post("/api/chat", json=body)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "too many" in refused.json()["detail"]
        assert len(messages_sent_to_rasa(fake_rasa)) == 3  # the refused one cost no Rasa call
        # The limit is per client address: another one is not held up.
        other = TestClient(app, client=("203.0.113.8", 1000))
        assert other.post("/api/chat", json=body).status_code == 200
    finally:
        app.dependency_overrides.clear()


def test_the_default_chat_limit_lets_a_benchmark_through_and_stops_a_flood() -> None:
    limiter = RateLimiter(Settings().chat_rate_limit)
    # A minute of the mixed chat benchmark (15 messages/s) and a burst of 200 clients pass ...
    assert all(limiter.hit("127.0.0.1") is None for _ in range(1_100))
    # ... the 1,500 rapid requests that never saw a 429 do not.
    assert sum(limiter.hit("127.0.0.1") is not None for _ in range(400)) == 300
    assert RateLimiter("").hit("anyone") is None and not RateLimiter("").enabled


# --- honest health -------------------------------------------------------------------------------------

DEGRADED_TRANSLATION = {
    "status": "degraded",
    "backend": "ct2",
    "directions": {},
    "missing": ["cs-de", "de-cs", "de-pl", "pl-de", "cs-pl", "pl-cs"],
    "install": "make models",
}


def checker_with(translation: httpx.Response) -> HealthChecker:
    def handler(request: httpx.Request) -> httpx.Response:
        return translation if request.url.host == "translation.test" else httpx.Response(200, json={})

    probe_urls = {
        "rasa": "http://rasa.test/",
        "actions": "http://actions.test/health",
        "translation": "http://translation.test/health",
    }
    return HealthChecker(httpx.AsyncClient(transport=httpx.MockTransport(handler)), probe_urls, timeout_s=1)


def test_health_is_degraded_when_translation_reports_missing_directions(client: TestClient) -> None:
    checker = checker_with(httpx.Response(503, json=DEGRADED_TRANSLATION))
    app.dependency_overrides[get_health_checker] = lambda: checker
    response = client.get("/health")
    assert response.status_code == 200  # the gateway itself serves; the body says what does not
    assert response.json() == {
        "status": "degraded",
        "services": {"gateway": "up", "rasa": "up", "actions": "up", "translation": "degraded"},
        "details": {
            "translation": {
                "status": "degraded",
                "missing": DEGRADED_TRANSLATION["missing"],
                "install": "make models",
            }
        },
    }


def test_health_is_ok_when_translation_says_ok_and_down_when_it_fails(client: TestClient) -> None:
    ok = checker_with(httpx.Response(200, json={**DEGRADED_TRANSLATION, "status": "ok", "missing": []}))
    app.dependency_overrides[get_health_checker] = lambda: ok
    assert client.get("/health").json() == {
        "status": "ok",
        "services": {"gateway": "up", "rasa": "up", "actions": "up", "translation": "up"},
    }
    broken = checker_with(httpx.Response(503, text="<html>proxy error</html>"))
    app.dependency_overrides[get_health_checker] = lambda: broken
    body = client.get("/health").json()
    assert body["services"]["translation"] == "down" and "details" not in body


def test_a_huge_health_report_is_not_passed_on_whole(client: TestClient) -> None:
    noisy = {"status": "degraded", "missing": ["x" * 10_000] * 1_000, "install": "y" * 10_000}
    app.dependency_overrides[get_health_checker] = lambda: checker_with(httpx.Response(503, json=noisy))
    detail = client.get("/health").json()["details"]["translation"]
    assert len(detail["missing"]) == 20 and all(len(item) == 200 for item in detail["missing"])
    assert len(detail["install"]) == 200
