"""Fixtures of the Telegram tests: the real Application polling a fake Bot API server on loopback, with the
assistant on a fake Rasa (httpx.MockTransport) and a fake translation server."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from gateway.assistant import Assistant
from gateway.language import LanguageGuesser
from gateway.rasa_client import RasaClient
from gateway.settings import Settings
from gateway.telegram import BotServices, ChatLanguages, telegram_bot_running
from gateway.translation_client import TranslationClient
from tests.app.gateway.fake_rasa import FakeRasa
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.telegram.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-token"


def rasa_answer(message: str, language: str) -> list[dict[str, Any]]:
    """Rasa's REST output for a content question: a text with a button, then its sources (made-up content)."""
    return [
        {
            "recipient_id": "x",
            "text": f"[{language}] {message}",
            "buttons": [{"title": "Více", "payload": "/more"}],
        },
        {
            "recipient_id": "x",
            "custom": {"sources": [{"title": "Akční plán", "section": "2 Cíle", "date": "2024"}]},
        },
    ]


async def wait_for(condition: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    """Poll until condition() is truthy (the bot works on its own tasks); its value, or fail."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not do it in time")


async def replies(api: FakeBotApi, chat_id: int, count: int) -> list[str]:
    await wait_for(lambda: len(api.texts(chat_id)) >= count)
    return api.texts(chat_id)


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa(reply=rasa_answer)


@pytest.fixture
async def bot_services(
    fake_rasa: FakeRasa, translation_server: FakeTranslationServer
) -> AsyncIterator[BotServices]:
    guesser = LanguageGuesser()
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    translation = TranslationClient.from_url(translation_server.url, timeout_s=5)
    yield BotServices(
        assistant=Assistant(rasa, guesser),
        translation=translation,
        language_guesser=guesser,
        languages=ChatLanguages(),
    )
    await rasa.aclose()
    await translation.aclose()


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    """Where the bot keeps its chat state (the /lang choices) in a test: never the repository's var/."""
    return tmp_path / "var" / "telegram-state.pickle"


@pytest.fixture
def bot_settings(bot_api: FakeBotApi, state_file: Path) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_base_url=bot_api.base_url,
        telegram_mode="polling",
        telegram_state_file=state_file,
    )


@pytest.fixture
async def polling_bot(bot_settings: Settings, bot_services: BotServices) -> AsyncIterator[Application]:
    settings = bot_settings
    async with telegram_bot_running(settings, bot_services) as application:
        assert application is not None, "the bot did not start against the fake Bot API"
        yield application
