"""Fuzzing both apps' OpenAPI in-process (issue 11): 0 server errors, 0 schema violations.

schemathesis generates requests from each app's own /openapi.json, valid and invalid ones, sends them
through ASGI (no network) and checks every answer: no 5xx, only documented status codes and content types,
bodies that match the documented schema, valid data accepted, invalid data rejected. The apps run with
their dependencies replaced by fakes (an echoing Rasa and translation, a fake document index, temporary
databases), so what is tested is the HTTP layer: validation, limits and error shapes.

Bounded for CI: a fixed number of examples per operation, derandomised so a failure reproduces.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi as schemathesis_asgi

from gateway import rooms
from gateway.assistant import Assistant
from gateway.dependencies import (
    get_assistant,
    get_document_search,
    get_handover_store,
    get_health_checker,
    get_language_guesser,
)
from gateway.handovers import HandoverStore
from gateway.health import HealthChecker
from gateway.language import LanguageGuesser
from gateway.main import app as gateway_app
from gateway.rasa_client import RasaClient
from gateway.rate_limit import RateLimiter
from gateway.routers.chat import get_chat_rate_limiter
from gateway.schemas import DocumentSearchResponse
from tests.app.gateway.fake_rasa import FakeRasa, echo_reply
from tests.app.translation.fake_models import echo_service
from translation.api.dependencies import get_rate_limiter, get_service
from translation.main import app as translation_app

# Examples per operation: enough to find the shapes the schema gets wrong, small enough for CI (< 60 s).
MAX_EXAMPLES = 100
# 413 is a rejection too (schemathesis' default list for invalid data stops at 4xx codes it knows).
REJECTION_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = {"checks": {"negative_data_rejection": {"expected-statuses": REJECTION_STATUSES}}}

# Schema gaps in modules owned elsewhere, excluded check by check (never the server-error checks) until
# their owners fix them; each entry says what is wrong and where.
KNOWN_GAPS: dict[str, list[Any]] = {}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class WithLifespan:
    """`app` whose lifespan is `lifespan` instead of its own (the real one opens the real services)."""

    def __init__(self, app: ASGIApp, lifespan: Callable[[], AbstractAsyncContextManager[None]]) -> None:
        self.app = app
        self.lifespan = lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        await receive()  # lifespan.startup
        async with self.lifespan():
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


class FakeDocumentSearch:
    async def search(self, query: str, language: str, limit: int) -> DocumentSearchResponse:
        return DocumentSearchResponse(query=query, answered=False, results=[])


def all_up_health_checker() -> HealthChecker:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"status": "ok"}))
    urls = {name: f"http://{name}.test/health" for name in ("rasa", "actions", "translation")}
    return HealthChecker(httpx.AsyncClient(transport=transport), urls, timeout_s=1)


async def echo_translate(texts: list[str], source: str, target: str) -> list[str]:
    return list(texts)


def schema_for(app: Any, wrapped: ASGIApp) -> Any:
    """The schema of `app`, loaded without starting anything; its calls go to `wrapped` in-process.

    (Not `schemathesis.pytest.from_fixture`: its lazy loader fails on pytest 9's nodes.) The lifespan
    starts with the first call and is stopped by `stop_lifespans` after this module.
    """
    schema = schemathesis.openapi.from_dict(app.openapi(), config=schemathesis.Config.from_dict(CONFIG))
    schema.app = wrapped
    schema.location = "/openapi.json"
    return schema


def gateway_fakes(data: Path) -> Callable[[], AbstractAsyncContextManager[None]]:
    rasa = RasaClient.from_url(
        "http://rasa.test", timeout_s=5, transport=FakeRasa(reply=echo_reply).transport()
    )
    guesser = LanguageGuesser()
    unlimited = RateLimiter("")

    @asynccontextmanager
    async def fakes() -> AsyncIterator[None]:
        gateway_app.dependency_overrides.update(
            {
                get_assistant: lambda: Assistant(rasa, guesser),
                get_language_guesser: lambda: guesser,
                get_health_checker: all_up_health_checker,
                get_document_search: FakeDocumentSearch,
                get_handover_store: lambda: HandoverStore(data / "handovers.sqlite"),
                get_chat_rate_limiter: lambda: unlimited,
            }
        )
        try:
            async with rooms.room_service_running(gateway_app, data / "rooms.sqlite", echo_translate):
                yield
        finally:
            gateway_app.dependency_overrides.clear()

    return fakes


@asynccontextmanager
async def translation_fakes() -> AsyncIterator[None]:
    service = echo_service()
    unlimited = RateLimiter("")
    translation_app.dependency_overrides.update(
        {get_service: lambda: service, get_rate_limiter: lambda: unlimited}
    )
    try:
        yield
    finally:
        translation_app.dependency_overrides.clear()
        await service.close()


FUZZ_DATA = Path(tempfile.mkdtemp(prefix="fuzz-gateway-"))
gateway_schema = schema_for(gateway_app, WithLifespan(gateway_app, gateway_fakes(FUZZ_DATA)))
translation_schema = schema_for(translation_app, WithLifespan(translation_app, translation_fakes))


@pytest.fixture(scope="module", autouse=True)
def stop_lifespans() -> Iterator[None]:
    yield
    schemathesis_asgi.shutdown_lifespans()
    shutil.rmtree(FUZZ_DATA, ignore_errors=True)


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@gateway_schema.parametrize()
@FUZZ_SETTINGS
def test_gateway_api_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate(excluded_checks=KNOWN_GAPS.get(case.operation.label, []))


@translation_schema.parametrize()
@FUZZ_SETTINGS
def test_translation_api_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate()


def test_both_schemas_describe_the_request_bodies() -> None:
    """The fuzzer only sends real bodies where the schema describes them (read_body parses by hand)."""
    translation = translation_app.openapi()["paths"]
    for path in ("/translate", "/detect"):
        assert "application/json" in translation[path]["post"]["requestBody"]["content"], path
    chat = gateway_app.openapi()["paths"]["/api/chat"]["post"]
    assert {"413", "422", "429"} <= set(chat["responses"])


def test_405_lists_every_method_served_at_the_path() -> None:
    """Starlette named only the first route it tried (`Allow: GET` where POST is served too)."""
    response = TestClient(gateway_app).request("OPTIONS", "/api/rooms/abcdefghijklmnop/messages")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert response.json() == {"detail": "Method Not Allowed"}
