"""Fixtures of the office tests: the real gateway app in-process (httpx's ASGI transport), its office services
on a temporary SQLite database, the assistant on a fake Rasa (httpx.MockTransport) and a fake translation
server on loopback."""

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from actions.handover_store import HandoverStore as ActionHandoverStore
from gateway.assistant import Assistant
from gateway.conversation_ids import ConversationIds
from gateway.dependencies import get_assistant, get_conversation_ids, get_handover_store
from gateway.handovers import HandoverStore
from gateway.language import LanguageGuesser
from gateway.main import app
from gateway.office.auth import get_sign_in_limiter
from gateway.office.dependencies import get_office
from gateway.office.services import OfficeServices
from gateway.rasa_client import RasaClient
from gateway.rate_limit import RateLimiter
from gateway.settings import Settings
from gateway.translation_client import TranslationClient
from tests.app.office.fake_rasa import FakeRasa
from tests.app.rooms.fake_translation import FakeTranslationServer

OFFICIAL = "jana.novakova"
PASSWORD = "správné-heslo-42"


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def database_url() -> str:
    """DATABASE_URL of the office's tests: empty, the SQLite files under tmp_path (test_office_postgres.py
    overrides it with a PostgreSQL database)."""
    return ""


@pytest.fixture
async def office(
    tmp_path: Path, database_url: str, fake_rasa: FakeRasa, translation_server: FakeTranslationServer
) -> AsyncIterator[OfficeServices]:
    if database_url:
        settings = Settings(database_url=database_url)
    else:
        settings = Settings(office_database_url=f"sqlite:///{tmp_path / 'office.sqlite'}")
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    translation = TranslationClient.from_url(translation_server.url, timeout_s=5)
    services = OfficeServices.create(
        settings, HandoverStore(database_url or tmp_path / "handovers.sqlite"), translation, rasa
    )
    services.accounts.add(OFFICIAL, PASSWORD)
    services.missed._embed = hashed_embedding  # no e5 model in these tests (test_office_missed.py has it)
    yield services
    services.engine.dispose()
    await rasa.aclose()
    await translation.aclose()


def hashed_embedding(texts: list[str]) -> np.ndarray:
    """A stand-in vector per text: equal texts (ignoring case) get equal vectors, others near-orthogonal."""
    rows = []
    for text in texts:
        generator = np.random.default_rng(abs(hash(text.strip().lower())) % 2**32)
        vector = generator.standard_normal(384).astype(np.float32)
        rows.append(vector / np.linalg.norm(vector))
    return np.vstack(rows)


@pytest.fixture
def conversation_ids() -> ConversationIds:
    return ConversationIds(b"office-tests-secret-0123456789")


@pytest.fixture
async def assistant(office: OfficeServices, fake_rasa: FakeRasa) -> AsyncIterator[Assistant]:
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    yield Assistant(rasa, LanguageGuesser(), hooks=office.conversations)
    await rasa.aclose()


@pytest.fixture
def sign_in_limiter() -> RateLimiter:
    return RateLimiter("20/minute")


@pytest.fixture
async def client(
    office: OfficeServices,
    assistant: Assistant,
    conversation_ids: ConversationIds,
    sign_in_limiter: RateLimiter,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this test's event loop (its fakes' clients live here too); keeps cookies like a browser."""
    app.dependency_overrides[get_office] = lambda: office
    app.dependency_overrides[get_assistant] = lambda: assistant
    app.dependency_overrides[get_handover_store] = lambda: office.handovers
    # A fresh limiter per test (the app's own counts for the whole process).
    app.dependency_overrides[get_sign_in_limiter] = lambda: sign_in_limiter
    app.dependency_overrides[get_conversation_ids] = lambda: conversation_ids
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
        yield test_client
    app.dependency_overrides.clear()


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, name: str = OFFICIAL, password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/office/sign-in")
    return await client.post(
        "/office/sign-in", data={"name": name, "password": password, "csrf_token": csrf_of(form)}
    )


async def act(client: httpx.AsyncClient, handover_id: int, action: str, **form: str) -> httpx.Response:
    """The official's claim, answer or close through the handover page's form (303 to the page)."""
    page = await client.get(f"/office/handovers/{handover_id}")
    assert page.status_code == 200
    response = await client.post(
        f"/office/handovers/{handover_id}/{action}", data={"csrf_token": csrf_of(page), **form}
    )
    assert response.status_code == 303, response.text
    return response


def add_handover(office: OfficeServices, sender: str, language: str, question: str) -> int:
    """A handover as the action server stores it (actions/handover_store.py)."""
    return ActionHandoverStore(office.handovers.location).add(sender, language, question, "a@example.de")
