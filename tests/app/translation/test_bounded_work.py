"""Bounded work and honest health (issues 11 and 14): streamed body limits, q list cap, 429, /health 503."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from gateway.rate_limit import RateLimiter
from tests.app.gateway.asgi_calls import ChunkedUpload, post_chunks, repeated
from tests.app.translation.fake_models import echo_service
from translation.api.dependencies import get_rate_limiter, get_service
from translation.main import app
from translation.registry import SUPPORTED_DIRECTIONS
from translation.service import TranslationService
from translation.settings import Settings

TEN_MB = 10 * 1024 * 1024
UseService = Callable[[TranslationService], TestClient]


@pytest.fixture
def use_service() -> Iterator[UseService]:
    def use(service: TranslationService) -> TestClient:
        app.dependency_overrides[get_service] = lambda: service
        return TestClient(app)

    yield use
    app.dependency_overrides.clear()


def test_translate_echo_pipeline_works(use_service: UseService) -> None:
    client = use_service(echo_service())
    response = client.post("/translate", json={"q": ["Dobrý den.", "Ahoj."], "source": "cs", "target": "de"})
    assert response.status_code == 200 and response.json() == {"translatedText": ["Dobrý den.", "Ahoj."]}


def test_a_q_list_over_the_maximum_count_is_413(use_service: UseService) -> None:
    client = use_service(echo_service(max_items=3))
    ok = client.post("/translate", json={"q": ["a", "b", "c"], "source": "cs", "target": "de"})
    assert ok.status_code == 200
    refused = client.post("/translate", json={"q": ["a", "b", "c", "d"], "source": "cs", "target": "de"})
    assert refused.status_code == 413
    assert refused.json()["limit"] == 3 and "too many texts" in refused.json()["error"]


def test_the_default_q_list_cap_holds_too(use_service: UseService) -> None:
    client = use_service(echo_service())
    many = [""] * (Settings().max_items + 1)
    assert client.post("/translate", json={"q": many, "source": "cs", "target": "de"}).status_code == 413


def test_translate_and_detect_answer_429_with_retry_after(use_service: UseService) -> None:
    client = use_service(echo_service())
    limiter = RateLimiter("2/minute")
    app.dependency_overrides[get_rate_limiter] = lambda: limiter
    body = {"q": "Ahoj.", "source": "cs", "target": "de"}
    assert [client.post("/translate", json=body).status_code for _ in range(2)] == [200, 200]
    refused = client.post("/detect", json={"q": "Ahoj"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
    assert client.get("/health").status_code == 200  # health and metrics are never throttled


async def test_a_10_mb_chunked_translate_body_is_cut_off_with_413() -> None:
    started = time.perf_counter()
    upload = ChunkedUpload(repeated(b'{"q": "' + b"x" * 65_530, TEN_MB))
    reply = await post_chunks(app, "/translate", upload)
    assert reply.status == 413
    assert reply.json() == {
        "error": f"the request body is too large: this endpoint takes at most {256 * 1024} bytes",
        "limit": 256 * 1024,
    }
    assert reply.chunks_read <= 5  # 256 KiB in 64 KiB chunks, then the one that passes the limit
    assert time.perf_counter() - started < 1.0


async def test_a_form_body_is_limited_too() -> None:
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    reply = await post_chunks(
        app, "/translate", ChunkedUpload(repeated(b"q=" + b"x" * 65_534, TEN_MB), headers)
    )
    assert reply.status == 413 and reply.chunks_read <= 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_uvicorn_answers_413_to_a_chunked_10_mb_body_without_reading_it(use_service: UseService) -> None:
    """Through a real socket: the client is still sending when the answer comes."""
    use_service(echo_service())
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(
                b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"x" * 65_536
            started = time.perf_counter()
            answer = b""
            sent = 0
            try:
                while sent < TEN_MB and b"\r\n\r\n" not in answer:
                    connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                    connection.setblocking(False)
                    try:
                        answer += connection.recv(65_536)
                    except BlockingIOError:
                        pass
                    finally:
                        connection.setblocking(True)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server closed the connection after answering
            connection.settimeout(5)
            while b"\r\n\r\n" not in answer:
                part = connection.recv(65_536)
                if not part:
                    break
                answer += part
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < TEN_MB  # answered while the body was still coming
        assert time.perf_counter() - started < 2.0
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_health_is_503_with_its_body_while_directions_are_missing(use_service: UseService) -> None:
    client = use_service(echo_service(directions=["cs-de"]))
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["install"] == "make models"
    assert body["missing"] == [direction for direction in SUPPORTED_DIRECTIONS if direction != "cs-de"]
    assert client.get("/health/live").json() == {"status": "alive"}


def test_health_is_200_when_every_direction_is_installed(use_service: UseService) -> None:
    response = use_service(echo_service()).get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["missing"] == []
