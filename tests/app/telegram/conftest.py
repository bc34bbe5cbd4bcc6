"""Fixtures of the Telegram tests: the real Application polling a fake Bot API server on loopback, with the
assistant on a fake Rasa (httpx.MockTransport) and a fake translation server."""

from collections.abc import AsyncIterator, Iterator
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


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
def translation_server() -> Iterator[FakeTranslationServer]:
    with FakeTranslationServer() as server:
        yield server


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
async def polling_bot(bot_api: FakeBotApi, bot_services: BotServices) -> AsyncIterator[Application]:
    settings = Settings(telegram_bot_token=TOKEN, telegram_base_url=bot_api.base_url, telegram_mode="polling")
    async with telegram_bot_running(settings, bot_services) as application:
        assert application is not None, "the bot did not start against the fake Bot API"
        yield application
