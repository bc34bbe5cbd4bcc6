"""Fixtures of the rooms tests: a fake translation server, a small app with only the rooms router, and that
app under a real uvicorn on a loopback port (PostgreSQL and Redis: tests/app/conftest.py)."""

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.rooms import room_service_running, router
from gateway.settings import Settings
from gateway.translation_client import TranslationClient
from tests.app.rooms.fake_translation import FakeTranslationServer, free_port


def build_rooms_app(db_path: Path | str, translation_url: str, settings: Settings | None = None) -> FastAPI:
    """`settings`: the rooms' limits (origins, sizes, rates); Settings() when None."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = TranslationClient.from_url(translation_url, timeout_s=5.0)
        try:
            # Short backoff so an outage test sees the retry within a second of the service's return.
            async with room_service_running(
                app,
                db_path,
                client.translate,
                retry_initial_delay_s=0.05,
                retry_max_delay_s=0.3,
                settings=settings or Settings(),
            ):
                yield
        finally:
            await client.aclose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


@pytest.fixture
def rooms_db(tmp_path: Path) -> Path:
    return tmp_path / "rooms.sqlite"


@pytest.fixture
def client(rooms_db: Path, translation_server: FakeTranslationServer) -> Iterator[TestClient]:
    with TestClient(build_rooms_app(rooms_db, translation_server.url)) as test_client:
        yield test_client


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, in a thread; yields its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
        log_config=None,  # records reach pytest's caplog instead of uvicorn's own handlers
        # Pings every second instead of every 20 s, so that a soak of a few seconds goes through several
        # rounds of them: a loop too busy to read frames shows as sockets closed with 1011 (issue 11).
        ws_ping_interval=1.0,
        ws_ping_timeout=5.0,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the rooms app did not start under uvicorn")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def live_rooms_url(rooms_db: Path, translation_server: FakeTranslationServer) -> Iterator[str]:
    """The rooms app under uvicorn on a free loopback port."""
    with serving(build_rooms_app(rooms_db, translation_server.url)) as url:
        yield url
