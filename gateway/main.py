"""Assembles the gateway app: routers, static files, error handlers and the lifespan.

Run: uvicorn gateway.main:app --port 8000
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway import rooms, telegram
from gateway.body_limit import BodyLimitMiddleware, LimitForPath, routes_limit
from gateway.errors import install_error_handlers
from gateway.office import live as office_live
from gateway.office import pages as office_pages
from gateway.office import resident as office_resident
from gateway.office.views import STATIC_DIR as OFFICE_STATIC_DIR
from gateway.routers import chat, documents, handovers, health, page
from gateway.routers.page import CHAT_PAGE_DIR
from gateway.schemas import ErrorReply
from gateway.services import open_services
from gateway.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    async with open_services(settings) as services:
        app.state.services = services
        async with rooms.room_service_running(
            app, settings.database_url or settings.rooms_db, services.translation.translate
        ):
            bot_services = telegram.BotServices(
                assistant=services.assistant,
                translation=services.translation,
                language_guesser=services.language_guesser,
                languages=telegram.ChatLanguages(),
            )
            async with telegram.telegram_bot_running(settings, bot_services) as bot:
                app.state.telegram = bot
                app.state.telegram_webhook_secret = settings.telegram_webhook_secret
                yield


@lru_cache
def body_limits() -> LimitForPath:
    """Bytes a request body may have, by path; read from the settings on the first request."""
    settings = get_settings()
    return routes_limit(
        settings.body_limit_bytes,
        {
            "/api/chat": settings.chat_body_limit_bytes,
            "/telegram/webhook": settings.telegram_webhook_body_limit_bytes,
        },
    )


# Every route may answer these: the body limit sits in front of all of them, a body that is not text is
# refused by FastAPI itself, and validation errors of any route have the gateway's shape (a readable
# `detail` string), not FastAPI's default list.
COMMON_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorReply, "description": "The body cannot be read (not UTF-8, a broken form)"},
    413: {"model": ErrorReply, "description": "The request body is over this endpoint's limit"},
    422: {"model": ErrorReply, "description": "Invalid request: `detail` says what is wrong"},
}

app = FastAPI(
    title="Liberec Region assistant gateway",
    version="0.1.0",
    lifespan=lifespan,
    responses=COMMON_RESPONSES,
)
install_error_handlers(app)
app.add_middleware(BodyLimitMiddleware, limit_for=lambda path: body_limits()(path))

app.include_router(health.router)
app.include_router(chat.router)
app.include_router(
    documents.router, responses={503: {"model": ErrorReply, "description": "No document index"}}
)
app.include_router(
    handovers.router, responses={503: {"model": ErrorReply, "description": "The database cannot be read"}}
)
app.include_router(page.router)
# The office side (issue 13): its pages and their live data (staff only), and the chat page's office messages.
app.include_router(office_pages.router)
app.include_router(office_live.router)
app.include_router(office_resident.router)
app.include_router(
    rooms.router,
    responses={
        404: {"model": ErrorReply, "description": "No such room"},
        503: {"model": ErrorReply, "description": "Rooms are not running"},
    },
)
app.include_router(telegram.router)
app.mount("/static/chat", StaticFiles(directory=CHAT_PAGE_DIR), name="chat-static")
app.mount("/static/office", StaticFiles(directory=OFFICE_STATIC_DIR), name="office-static")
