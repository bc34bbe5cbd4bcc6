"""Assembles the gateway app: routers, static files, error handlers and the lifespan.

Run: uvicorn gateway.main:app --port 8000
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway import rooms, telegram
from gateway.errors import install_error_handlers
from gateway.routers import chat, documents, handovers, health, page
from gateway.routers.page import CHAT_PAGE_DIR
from gateway.services import open_services
from gateway.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    async with open_services(settings) as services:
        app.state.services = services
        async with rooms.room_service_running(app, settings.rooms_db, services.translation.translate):
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


app = FastAPI(title="Liberec Region assistant gateway", version="0.1.0", lifespan=lifespan)
install_error_handlers(app)

app.include_router(health.router)
app.include_router(chat.router)
app.include_router(documents.router)
app.include_router(handovers.router)
app.include_router(page.router)
app.include_router(rooms.router)
app.include_router(telegram.router)
app.mount("/static/chat", StaticFiles(directory=CHAT_PAGE_DIR), name="chat-static")
