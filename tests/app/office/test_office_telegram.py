"""The office's messages to a Telegram conversation: bot messages through the Bot API (the fake one on
loopback), with the Czech original or the untranslated mark; a stopped bot or a refusal is told to the
official, and the message stays in the thread."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Bot

from gateway.office import texts
from gateway.office.services import OfficeServices
from tests.app.office.conftest import OFFICIAL, act, add_handover, sign_in
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.telegram.fake_bot_api import FakeBotApi

TOKEN = "123456:OFFICE-unit"
CHAT_ID = 5151
ANSWER_CS = "Formulář najdete na webu kraje."


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=bot_api.base_url) as running:
        yield running


async def test_claim_answer_and_close_reach_the_chat_as_bot_messages(
    office: OfficeServices, bot: Bot, bot_api: FakeBotApi, translation_server: FakeTranslationServer
) -> None:
    handover_id = add_handover(office, f"telegram-{CHAT_ID}", "pl", "Chcę rozmawiać z człowiekiem.")
    assert await office.desk.claim(handover_id, OFFICIAL, bot) == []
    assert await office.desk.answer(handover_id, OFFICIAL, ANSWER_CS, bot) == []
    translation_server.missing_directions.add("cs-pl")
    problems = await office.desk.answer(handover_id, OFFICIAL, "Druhá odpověď.", bot)
    assert problems == ["the translation service could not translate the answer: sent in Czech"]
    assert await office.desk.close(handover_id, OFFICIAL, bot) == []

    assert bot_api.texts(CHAT_ID) == [
        texts.TAKEN_OVER["pl"],
        f"{texts.OFFICIAL_LABEL['pl']}:\n[pl] {ANSWER_CS}\n\n{texts.ORIGINAL_LABEL['pl']}:\n{ANSWER_CS}",
        f"{texts.OFFICIAL_LABEL['pl']}:\nDruhá odpověď.\n\n⚠ {texts.UNTRANSLATED['pl']}",
        texts.CLOSED["pl"],
    ]


async def test_without_a_running_bot_the_official_is_told_and_the_answer_is_kept(
    client: httpx.AsyncClient, office: OfficeServices
) -> None:
    handover_id = add_handover(office, f"telegram-{CHAT_ID}", "de", "Ich möchte mit einem Menschen sprechen.")
    await sign_in(client)
    claimed = await act(client, handover_id, "claim")  # the app runs no Telegram bot here
    page = await client.get(claimed.headers["location"])
    assert "the Telegram bot is not running" in page.text
    await act(client, handover_id, "answer", text=ANSWER_CS)
    assert [m["author"] for m in office.handovers.messages(handover_id)] == ["system", "official"]


async def test_a_chat_telegram_refuses_is_reported(office: OfficeServices, bot: Bot) -> None:
    handover_id = add_handover(office, "telegram-not-a-number", "de", "Frage")
    problems = await office.desk.claim(handover_id, OFFICIAL, bot)
    assert len(problems) == 1 and problems[0].startswith("Telegram did not take the message")
