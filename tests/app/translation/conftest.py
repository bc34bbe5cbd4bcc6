"""Fixtures: a tiny random-weight Marian model, installed like a real one, and services over it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from translation.api.dependencies import get_service
from translation.install import install_models
from translation.main import app
from translation.registry import MODEL_REGISTRY
from translation.service import TranslationService
from translation.settings import Settings
from translation.tiny_model import build_tiny_marian

# de-pl and pl-de stay uninstalled on purpose: they exercise the 503 path.
TINY_DIRECTIONS = ["cs-de", "de-cs", "cs-pl", "pl-cs"]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Marian model as `save_pretrained` writes it (like a downloaded OPUS-MT model)."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian") / "hf")


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """Models folder with the tiny model installed through the real installer's offline path."""
    root = tmp_path_factory.mktemp("translation")
    built = tiny_model_dir
    offline = root / "offline"
    for direction in TINY_DIRECTIONS:
        folder = offline / MODEL_REGISTRY[direction].folder_name
        if not folder.exists():
            shutil.copytree(built, folder)
    models_dir = root / "models"

    def refuse_download(spec: object, destination: Path) -> Path:
        raise AssertionError("the offline copy should have been used")

    results = install_models(
        TINY_DIRECTIONS, models_dir, offline, downloader=refuse_download, log=lambda _: None
    )
    assert all(result.ok for result in results), results
    return models_dir


def make_settings(models_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "models_dir": models_dir,
        "beam_size": 1,  # greedy: random weights, and batched output must equal unbatched
        "max_output_tokens": 12,
        "batch_max_size": 16,
        "batch_max_wait_ms": 20,
        "threads": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["ct2", "transformers"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def service(tiny_models_dir: Path, backend: str) -> AsyncIterator[TranslationService]:
    translation_service = TranslationService(make_settings(tiny_models_dir, backend=backend))
    yield translation_service
    await translation_service.close()


@pytest.fixture
def client_for() -> Iterator[object]:
    """client_for(service) -> TestClient whose requests use that service."""
    clients: list[TestClient] = []

    def make(translation_service: TranslationService) -> TestClient:
        app.dependency_overrides[get_service] = lambda: translation_service
        client = TestClient(app)
        client.__enter__()  # one event loop for all its requests (and the app's lifespan)
        clients.append(client)
        return client

    yield make
    app.dependency_overrides.clear()
    for client in clients:
        client.__exit__(None, None, None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(service: TranslationService) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread."""
    app.dependency_overrides[get_service] = lambda: service
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)
    app.dependency_overrides.clear()
