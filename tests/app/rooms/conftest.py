"""Fixtures of the rooms tests: a fake translation server and a small app with only the rooms router."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.rooms import room_service_running, router
from gateway.translation_client import TranslationClient
from tests.app.rooms.fake_translation import FakeTranslationServer


@pytest.fixture
def translation_server() -> Iterator[FakeTranslationServer]:
    with FakeTranslationServer() as server:
        yield server


def build_rooms_app(db_path: Path, translation_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = TranslationClient.from_url(translation_url, timeout_s=5.0)
        try:
            # Short backoff so an outage test sees the retry within a second of the service's return.
            async with room_service_running(
                app, db_path, client.translate, retry_initial_delay_s=0.05, retry_max_delay_s=0.3
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
