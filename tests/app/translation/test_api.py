"""The HTTP API: LibreTranslate shapes, JSON and form bodies, every error path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from libretranslatepy import LibreTranslateAPI

from tests.app.translation.conftest import make_settings
from translation.api.dependencies import get_service
from translation.main import app
from translation.registry import SUPPORTED_DIRECTIONS
from translation.service import TranslationService
from translation.settings import Settings

ClientFor = Callable[[TranslationService], TestClient]


@pytest.fixture
def client(service: TranslationService, client_for: ClientFor) -> TestClient:
    return client_for(service)


def test_translate_json_string_and_list(client: TestClient) -> None:
    single = client.post("/translate", json={"q": "Liberecký kraj.", "source": "cs", "target": "de"})
    assert single.status_code == 200, single.text
    assert isinstance(single.json()["translatedText"], str)
    assert "Region Liberec" in single.json()["translatedText"]
    listed = client.post("/translate", json={"q": ["Trojzemí.", "Lipo.ink"], "source": "cs", "target": "de"})
    assert listed.status_code == 200
    texts = listed.json()["translatedText"]
    assert isinstance(texts, list) and len(texts) == 2
    assert "Dreiländereck" in texts[0] and "Lipo.ink" in texts[1]


def test_translate_form_body(client: TestClient) -> None:
    response = client.post("/translate", data={"q": "Trojzemí.", "source": "cs", "target": "pl"})
    assert response.status_code == 200, response.text
    assert "Trójstyk" in response.json()["translatedText"]


def test_translate_auto_detects_source(client: TestClient) -> None:
    response = client.post(
        "/translate",
        json={
            "q": "Die Region Liberec fördert die Zusammenarbeit im Dreiländereck.",
            "source": "auto",
            "target": "cs",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["detectedLanguage"]["language"] == "de"
    assert "Trojzemí" in response.json()["translatedText"]


def test_translate_html_format(client: TestClient) -> None:
    response = client.post(
        "/translate",
        json={"q": "<p>Program <b>2.6</b></p>", "source": "cs", "target": "de", "format": "html"},
    )
    assert response.status_code == 200
    text = response.json()["translatedText"]
    assert text.startswith("<p>") and text.endswith("</p>") and "<b>2.6</b>" in text


def test_unsupported_pair_lists_supported(client: TestClient) -> None:
    response = client.post("/translate", json={"q": "Hello", "source": "en", "target": "de"})
    assert response.status_code == 400
    assert response.json()["supported"] == list(SUPPORTED_DIRECTIONS)
    assert "cs-de" in response.json()["error"]


def test_text_over_the_limit_is_413(tiny_models_dir: Path, backend: str, client_for: ClientFor) -> None:
    limited = TranslationService(make_settings(tiny_models_dir, backend=backend, max_chars=20))
    client = client_for(limited)
    response = client.post("/translate", json={"q": "a" * 21, "source": "cs", "target": "de"})
    assert response.status_code == 413
    assert "20" in response.json()["error"]
    assert (
        client.post(
            "/translate", json={"q": ["a" * 15, "b" * 15], "source": "cs", "target": "de"}
        ).status_code
        == 413
    )


def test_missing_model_is_503_naming_direction_and_command(client: TestClient) -> None:
    response = client.post("/translate", json={"q": "Guten Tag.", "source": "de", "target": "pl"})
    assert response.status_code == 503
    body = response.json()
    assert body["direction"] == "de-pl" and body["install"] == "make models"
    assert "de-pl" in body["error"]


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"q": "Ahoj"}', "application/json"),
        (b'{"q": 5, "source": "cs", "target": "de"}', "application/json"),
        (b'{"q": [], "source": "cs", "target": "de"}', "application/json"),
        (b'{"q": "Ahoj", "source": "cs", "target": "de", "format": "pdf"}', "application/json"),
    ],
)
def test_malformed_bodies_are_400_with_reason(client: TestClient, payload: bytes, content_type: str) -> None:
    response = client.post("/translate", content=payload, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error"]


def test_detect_languages_health_metrics(client: TestClient) -> None:
    detected = client.post("/detect", json={"q": "Kraj liberecki wspiera współpracę gmin na pograniczu."})
    assert detected.status_code == 200
    assert detected.json()[0]["language"] == "pl" and 0 < detected.json()[0]["confidence"] <= 100
    assert client.post("/detect", json={"q": "  "}).status_code == 400

    languages = client.get("/languages").json()
    assert {language["code"] for language in languages} == {"cs", "de", "pl"}
    assert sorted(next(item for item in languages if item["code"] == "cs")["targets"]) == ["de", "pl"]

    health = client.get("/health").json()
    assert health["status"] == "degraded" and sorted(health["missing"]) == ["de-pl", "pl-de"]
    assert health["directions"]["cs-de"]["installed"] is True

    client.post("/translate", json={"q": "Krajský úřad. Krajský úřad.", "source": "cs", "target": "de"})
    metrics = client.get("/metrics").json()
    assert metrics["requests"] >= 1 and metrics["sentences"] >= 2
    assert metrics["cache"]["hits"] + metrics["cache"]["misses"] == metrics["sentences"]
    assert metrics["batches"]["count"] >= 1 and metrics["latency_ms"]["p50"] is not None


def test_service_without_models_starts_and_answers(tmp_path: Path, client_for: ClientFor) -> None:
    client = client_for(TranslationService(make_settings(tmp_path / "nothing")))
    health = client.get("/health").json()
    assert health["status"] == "degraded" and len(health["missing"]) == len(SUPPORTED_DIRECTIONS)
    response = client.post("/translate", json={"q": "Ahoj.", "source": "cs", "target": "de"})
    assert response.status_code == 503 and response.json()["direction"] == "cs-de"
    assert client.post("/detect", json={"q": "Dobrý den, jak se máte?"}).json()[0]["language"] == "cs"
    assert client.get("/languages").status_code == 200


def test_default_configuration_starts_without_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real app, its lifespan and default settings: no model, and the tiny test model is not served."""
    for name in list(os.environ):
        if name.startswith("TRANSLATION_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # a checkout where `make models` has not run
    assert Settings().models_dir == Path("var/models/translation")
    app.dependency_overrides.clear()
    with TestClient(app) as client:
        health = client.get("/health").json()
        assert health["missing"] == list(SUPPORTED_DIRECTIONS) and health["install"] == "make models"
        response = client.post("/translate", json={"q": "Dobrý den.", "source": "cs", "target": "pl"})
        assert response.status_code == 503
        assert response.json()["direction"] == "cs-pl" and response.json()["install"] == "make models"
        assert "cs-pl" in response.json()["error"] and "make models" in response.json()["error"]


class _BrokenBackend:
    name = "broken"

    def translate_batch(self, sentences: list[str]) -> list[str]:
        raise RuntimeError("out of memory in the model")


def test_model_failure_is_a_json_500_and_the_service_goes_on(
    service: TranslationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.dependency_overrides[get_service] = lambda: service
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            with monkeypatch.context() as patched:
                patched.setattr(service.store, "get", lambda direction: _BrokenBackend())
                failed = client.post("/translate", json={"q": "Dobrý den.", "source": "cs", "target": "de"})
            assert failed.status_code == 500
            assert "out of memory in the model" in failed.json()["error"]
            recovered = client.post("/translate", json={"q": "Dobrý den.", "source": "cs", "target": "de"})
            assert recovered.status_code == 200
    finally:
        app.dependency_overrides.clear()


def test_libretranslatepy_client_works_unchanged(live_server: str) -> None:
    client = LibreTranslateAPI(live_server)
    translated = client.translate("Liberecký kraj a Trojzemí.", source="cs", target="de")
    assert "Region Liberec" in translated and "Dreiländereck" in translated
    assert client.detect("Die Region Liberec liegt im Dreiländereck.")[0]["language"] == "de"
    assert {language["code"] for language in client.languages()} == {"cs", "de", "pl"}
    with_key = LibreTranslateAPI(live_server, api_key="ignored")
    assert "Trójstyk" in with_key.translate("Trojzemí.", source="cs", target="pl")
