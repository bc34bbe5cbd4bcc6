"""GET /api/handovers is for the office only (issue 11): a bearer token, and never open without one."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.dependencies import get_handover_store
from gateway.handovers import HandoverStore
from gateway.main import app
from gateway.settings import Settings, get_settings

TOKEN = "Zm9vYmFy-office-token"


class CountingStore(HandoverStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0

    def newest(self, limit: int) -> list[dict[str, object]]:
        self.reads += 1
        return []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingStore]:
    counting = CountingStore(tmp_path / "handovers.sqlite")
    app.dependency_overrides[get_handover_store] = lambda: counting
    yield counting
    app.dependency_overrides.clear()


def with_office_token(token: str) -> TestClient:
    app.dependency_overrides[get_settings] = lambda: Settings(office_api_token=token)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer anything"}, {"Authorization": "Bearer  x "}])
def test_without_a_configured_token_the_endpoint_is_closed_for_everyone(
    store: CountingStore, headers: dict[str, str]
) -> None:
    response = with_office_token("").get("/api/handovers", headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "office access is not configured"
    assert store.reads == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic eDp5"}])
def test_without_a_configured_token_a_request_without_credentials_is_401_with_the_same_reason(
    store: CountingStore, headers: dict[str, str]
) -> None:
    # 401, not 403: the request carries no credentials (and the fuzz test's ST203 check wants exactly that).
    response = with_office_token("").get("/api/handovers", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "office access is not configured"
    assert response.headers["www-authenticate"] == "Bearer"
    assert store.reads == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": "Bearer žluťoučký".encode()},  # not ASCII: compared as bytes, no 500
    ],
)
def test_a_missing_or_wrong_token_is_401_and_reads_nothing(
    store: CountingStore, headers: dict[str, str]
) -> None:
    response = with_office_token(TOKEN).get("/api/handovers", headers=headers)
    assert response.status_code == 401
    assert "OFFICE_API_TOKEN" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    assert store.reads == 0


def test_the_right_token_lists_the_handovers(store: CountingStore) -> None:
    response = with_office_token(TOKEN).get("/api/handovers", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json() == {"handovers": []}
    assert store.reads == 1


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch, store: CountingStore) -> None:
    import gateway.office_auth

    compared: list[tuple[bytes, bytes]] = []
    real = gateway.office_auth.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(gateway.office_auth.hmac, "compare_digest", spy)
    with_office_token(TOKEN).get("/api/handovers", headers={"Authorization": "Bearer guess"})
    assert compared == [(b"guess", TOKEN.encode())]


def test_the_schema_documents_the_bearer_scheme_and_both_refusals() -> None:
    operation = app.openapi()["paths"]["/api/handovers"]["get"]
    assert {"401", "403"} <= set(operation["responses"])
    assert operation["security"] == [{"HTTPBearer": []}]
