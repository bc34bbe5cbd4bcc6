"""Translated conversation rooms: each participant reads every message in their own language (issue 6)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from gateway.rooms.database import AsyncRoomStore
from gateway.rooms.router import router
from gateway.rooms.service import BatchTranslator, RoomService
from gateway.rooms.store import RoomStore
from gateway.settings import Settings, get_settings

__all__ = ["RoomService", "RoomStore", "room_service_running", "router"]


@asynccontextmanager
async def room_service_running(
    app: FastAPI,
    db_path: Path | str,
    translate: BatchTranslator,
    retry_initial_delay_s: float = 1.0,
    retry_max_delay_s: float = 60.0,
    settings: Settings | None = None,
) -> AsyncIterator[RoomService]:
    """Open the rooms database, start the translation retry loop and put the service on app.state for the
    lifespan's duration; on exit close every room socket, stop the loop and close the database.

    `settings` gives the rooms' limits (origins, body and frame sizes, queue, creation rate); the gateway's
    own settings by default."""
    settings = settings or get_settings()
    store = await AsyncRoomStore.open(db_path, settings.rooms_db_busy_timeout_s)
    service = RoomService(store, translate, settings, retry_initial_delay_s, retry_max_delay_s)
    await service.start_fanout()
    service.start()
    app.state.room_service = service
    try:
        yield service
    finally:
        app.state.room_service = None
        await service.stop()
        await store.aclose()
