"""API tests: the real app with its services replaced through app.dependency_overrides."""

import sqlite3
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.assistant import Assistant
from gateway.dependencies import (
    get_assistant,
    get_document_search,
    get_handover_store,
    get_health_checker,
    get_language_guesser,
)
from gateway.document_search import DocumentSearch
from gateway.handovers import CREATE_TABLE_SQL, HandoverStore
from gateway.health import HealthChecker
from gateway.language import LanguageGuesser
from gateway.main import app
from gateway.rasa_client import RasaClient
from gateway.settings import Settings, get_settings
from tests.app.gateway.fake_rasa import FakeRasa
from tests.app.gateway.web_senders import issued_sender


@pytest.fixture
def client() -> Iterator[TestClient]:
    # No `with`: the lifespan (real Rasa/translation clients) does not run; every test overrides what it uses.
    yield TestClient(app, raise_server_exceptions=False)
    app.dependency_overrides.clear()


def use_rasa(transport: httpx.MockTransport, language_guesser: LanguageGuesser) -> None:
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=transport)
    app.dependency_overrides[get_assistant] = lambda: Assistant(rasa, language_guesser)


def answer_with_sources(message: str, language: str) -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": "u",
            "text": f"[{language}] answer",
            "buttons": [{"title": "More", "payload": "/more"}],
        },
        {"recipient_id": "u", "custom": {"sources": [{"title": "Plan", "file": "plan.txt", "date": "2024"}]}},
    ]


# --- POST /api/chat -------------------------------------------------------------------------------


def test_chat_returns_the_documented_shape(client: TestClient, language_guesser: LanguageGuesser) -> None:
    use_rasa(FakeRasa(reply=answer_with_sources).transport(), language_guesser)

    sender = issued_sender()
    response = client.post("/api/chat", json={"sender": sender, "message": "Dzień dobry", "lang": "auto"})

    assert response.status_code == 200
    assert response.json() == {
        "sender": sender,
        "lang": "pl",
        "messages": [
            {
                "text": "[pl] answer",
                "buttons": [{"title": "More", "payload": "/more"}],
                "sources": [{"title": "Plan", "file": "plan.txt", "section": "", "date": "2024", "url": ""}],
            }
        ],
    }


def test_chat_lang_defaults_to_auto_and_accepts_upper_case(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa.transport(), language_guesser)
    first, second = issued_sender(), issued_sender()
    assert client.post("/api/chat", json={"sender": first, "message": "Guten Tag"}).json()["lang"] == "de"
    assert (
        client.post("/api/chat", json={"sender": second, "message": "x y", "lang": "PL"}).json()["lang"]
        == "pl"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"sender": "u1"}, "body.message: this field is required"),
        ({"sender": 42, "message": "hi"}, "body.sender"),
        ({"sender": "u1", "message": ""}, "message must not be empty"),
        ({"sender": "u1", "message": " \n\t "}, "message must not be empty"),
        ({"sender": "u1", "message": "x" * 5_001}, "at most 5000 characters"),
        ({"sender": "u1", "message": "hi", "lang": "en"}, "Input should be 'cs', 'de', 'pl' or 'auto'"),
        ({"sender": "", "message": "hi"}, "body.sender"),
        ({"sender": "u1", "message": 42}, "body.message"),
        ([], "body"),
    ],
)
def test_chat_rejects_bad_input_with_a_reason(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser, body: object, reason: str
) -> None:
    use_rasa(fake_rasa.transport(), language_guesser)
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert fake_rasa.requests == []


def test_chat_rejects_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b'{"sender": "u1", "message": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "request_options",
    [
        {},
        {"content": b'{"sender": "u1", "message": "hi"}', "headers": {"content-type": "text/plain"}},
        {"data": {"sender": "u1", "message": "hi"}},
    ],
)
def test_chat_explains_that_it_wants_a_json_object(
    client: TestClient,
    fake_rasa: FakeRasa,
    language_guesser: LanguageGuesser,
    request_options: dict[str, Any],
) -> None:
    use_rasa(fake_rasa.transport(), language_guesser)
    response = client.post("/api/chat", **request_options)
    assert response.status_code == 422
    assert "send a JSON object" in response.json()["detail"]


def test_a_20000_character_message_is_refused_without_echoing_it(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa.transport(), language_guesser)
    response = client.post("/api/chat", json={"sender": "u1", "message": "ž" * 20_000})
    assert response.status_code in (413, 422)
    assert "5000" in response.text.replace(",", "")
    assert "ž" * 100 not in response.text


def test_a_huge_body_is_refused_with_413_before_parsing(
    client: TestClient, fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    use_rasa(fake_rasa.transport(), language_guesser)
    response = client.post("/api/chat", json={"sender": "u1", "message": "a" * 200_000})
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_chat_answers_503_with_a_reason_when_rasa_is_down(
    client: TestClient, language_guesser: LanguageGuesser
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    use_rasa(httpx.MockTransport(refuse), language_guesser)
    response = client.post("/api/chat", json={"sender": issued_sender(), "message": "Dobrý den"})
    assert response.status_code == 503
    assert "rasa" in response.json()["detail"]
    assert response.json()["service"] == "rasa"


def test_chat_answers_502_when_rasa_fails(client: TestClient, language_guesser: LanguageGuesser) -> None:
    use_rasa(httpx.MockTransport(lambda request: httpx.Response(500, text="boom")), language_guesser)
    response = client.post("/api/chat", json={"sender": issued_sender(), "message": "Dobrý den"})
    assert response.status_code == 502
    assert "boom" in response.json()["detail"]


def test_chat_without_the_lifespan_or_overrides_is_503_not_500(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "Dobrý den"})
    assert response.status_code == 503


# --- GET /health ----------------------------------------------------------------------------------


def health_checker_where(up_hosts: set[str]) -> HealthChecker:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if request.url.host in up_hosts else 500, text="")

    probe_urls = {
        "rasa": "http://rasa.test/",
        "actions": "http://actions.test/health",
        "translation": "http://translation.test/health",
    }
    return HealthChecker(httpx.AsyncClient(transport=httpx.MockTransport(handler)), probe_urls, timeout_s=1)


def test_health_is_ok_when_every_service_is_up(client: TestClient) -> None:
    checker = health_checker_where({"rasa.test", "actions.test", "translation.test"})
    app.dependency_overrides[get_health_checker] = lambda: checker
    assert client.get("/health").json() == {
        "status": "ok",
        "services": {"gateway": "up", "rasa": "up", "actions": "up", "translation": "up"},
    }


def test_health_is_degraded_when_a_service_is_down(client: TestClient) -> None:
    checker = health_checker_where({"rasa.test"})
    app.dependency_overrides[get_health_checker] = lambda: checker
    body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert body["services"] == {"gateway": "up", "rasa": "up", "actions": "down", "translation": "down"}


def test_health_probes_the_documented_urls() -> None:
    from gateway.settings import Settings

    checker = HealthChecker.for_settings(
        httpx.AsyncClient(),
        Settings(rasa_url="http://r:1/", actions_url="http://a:2", translation_url="http://t:3"),
    )
    assert checker._probe_urls == {
        "rasa": "http://r:1/",
        "actions": "http://a:2/health",
        "translation": "http://t:3/health",
    }


# --- GET /api/documents/search --------------------------------------------------------------------


@dataclass
class FakeHit:
    text: str
    score: float
    title: str
    file: str
    section: str
    date: str
    start: int
    end: int


class FakeDocumentIndex:
    """Stands in for docsearch.DocumentIndex: answers questions that mention 'plan'."""

    opened: ClassVar[list[Path]] = []

    @classmethod
    def open(cls, path: Path, translator: object = None) -> "FakeDocumentIndex":
        cls.opened.append(path)
        return cls()

    def search_and_answer(self, q: str, lang: str, k: int) -> tuple[list[FakeHit], str | None]:
        hits = [
            FakeHit(f"{lang}: passage {number}", 1.0 / number, "Plan", "plan.txt", "1", "2024", 0, 10)
            for number in range(1, 20)
        ]
        return (hits[:k], "answer") if "plan" in q else ([], None)


@pytest.fixture
def fake_docsearch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Installs a fake `docsearch` module; returns the path of an (empty) index file."""
    module = types.ModuleType("docsearch")
    module.DocumentIndex = FakeDocumentIndex  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "docsearch", module)
    FakeDocumentIndex.opened = []
    index_path = tmp_path / "index.sqlite"
    index_path.write_bytes(b"")
    return index_path


def use_document_search(document_search: DocumentSearch, language_guesser: LanguageGuesser) -> None:
    app.dependency_overrides[get_document_search] = lambda: document_search
    app.dependency_overrides[get_language_guesser] = lambda: language_guesser


def test_document_search_returns_hits_and_opens_the_index_once(
    client: TestClient, fake_docsearch: Path, language_guesser: LanguageGuesser
) -> None:
    use_document_search(DocumentSearch(fake_docsearch), language_guesser)

    first = client.get("/api/documents/search", params={"q": "akční plan", "lang": "de", "k": 3})
    second = client.get("/api/documents/search", params={"q": "plan"})

    assert first.status_code == 200
    body = first.json()
    assert body["query"] == "akční plan"
    assert body["answered"] is True
    assert len(body["results"]) == 3
    assert body["results"][0] == {
        "text": "de: passage 1",
        "score": 1.0,
        "title": "Plan",
        "file": "plan.txt",
        "section": "1",
        "date": "2024",
        "start": 0,
        "end": 10,
    }
    assert len(second.json()["results"]) == 5  # default k
    assert FakeDocumentIndex.opened == [fake_docsearch]


def test_document_search_detects_the_language_for_auto(
    client: TestClient, fake_docsearch: Path, language_guesser: LanguageGuesser
) -> None:
    use_document_search(DocumentSearch(fake_docsearch), language_guesser)
    body = client.get("/api/documents/search", params={"q": "Wo ist der plan für die Region?"}).json()
    assert body["results"][0]["text"].startswith("de:")


def test_document_search_says_when_the_documents_do_not_answer(
    client: TestClient, fake_docsearch: Path, language_guesser: LanguageGuesser
) -> None:
    use_document_search(DocumentSearch(fake_docsearch), language_guesser)
    body = client.get("/api/documents/search", params={"q": "weather tomorrow"}).json()
    assert body["answered"] is False
    assert body["results"] == []


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "   "}, {}, {"q": "plan", "k": 0}, {"q": "plan", "k": 51}, {"q": "plan", "k": "x"}],
)
def test_document_search_rejects_empty_queries_and_bad_k(
    client: TestClient, fake_docsearch: Path, language_guesser: LanguageGuesser, params: dict[str, object]
) -> None:
    use_document_search(DocumentSearch(fake_docsearch), language_guesser)
    response = client.get("/api/documents/search", params=params)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_document_search_is_503_with_make_index_hint_when_the_index_is_missing(
    client: TestClient, tmp_path: Path, language_guesser: LanguageGuesser
) -> None:
    use_document_search(DocumentSearch(tmp_path / "missing.sqlite"), language_guesser)
    response = client.get("/api/documents/search", params={"q": "plan"})
    assert response.status_code == 503
    assert "make index" in response.json()["detail"]


# --- GET /api/handovers ---------------------------------------------------------------------------

OFFICE_TOKEN = "office-secret-for-tests"
OFFICE = {"Authorization": f"Bearer {OFFICE_TOKEN}"}


@pytest.fixture
def office_configured() -> None:
    """The gateway with OFFICE_API_TOKEN set (tests/app/gateway/test_gateway_office_auth.py: without it)."""
    app.dependency_overrides[get_settings] = lambda: Settings(office_api_token=OFFICE_TOKEN)


@pytest.mark.usefixtures("office_configured")
def test_handovers_are_empty_before_the_database_exists(client: TestClient, tmp_path: Path) -> None:
    database = tmp_path / "handovers.sqlite"
    app.dependency_overrides[get_handover_store] = lambda: HandoverStore(database)
    assert client.get("/api/handovers", headers=OFFICE).json() == {"handovers": []}
    assert not database.exists()


@pytest.mark.usefixtures("office_configured")
def test_handovers_are_listed_newest_first(client: TestClient, tmp_path: Path) -> None:
    database = tmp_path / "handovers.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute(CREATE_TABLE_SQL)
        connection.executemany(
            "INSERT INTO handovers (created_at, sender, language, question, contact) VALUES (?, ?, ?, ?, ?)",
            [
                ("2026-05-01T10:00:00Z", "a", "cs", "older", "a@example.org"),
                ("2026-05-02T10:00:00Z", "b", "de", "newer", "+420 123 456 789"),
            ],
        )
    app.dependency_overrides[get_handover_store] = lambda: HandoverStore(database)

    handovers = client.get("/api/handovers", headers=OFFICE).json()["handovers"]

    assert [handover["question"] for handover in handovers] == ["newer", "older"]
    assert handovers[0] == {
        "id": 2,
        "created_at": "2026-05-02T10:00:00Z",
        "sender": "b",
        "language": "de",
        "question": "newer",
        "contact": "+420 123 456 789",
        "status": "new",
    }
    assert len(client.get("/api/handovers", params={"limit": 1}, headers=OFFICE).json()["handovers"]) == 1


@pytest.mark.usefixtures("office_configured")
def test_an_unreadable_handover_database_is_503(client: TestClient, tmp_path: Path) -> None:
    database = tmp_path / "handovers.sqlite"
    database.write_bytes(b"this is not an sqlite database" * 100)
    app.dependency_overrides[get_handover_store] = lambda: HandoverStore(database)
    response = client.get("/api/handovers", headers=OFFICE)
    assert response.status_code == 503
    assert "cannot be read" in response.json()["detail"]


# --- the page -------------------------------------------------------------------------------------


def test_the_chat_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'name="viewport"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/chat/chat.js", "/static/chat/chat.css", "/static/chat/i18n.js"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
