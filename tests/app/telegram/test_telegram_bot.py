"""The real python-telegram-bot Application, polling a fake Bot API server: private chats with the assistant,
/lang, /translate, a cs/de/pl group, updates without text, a flood of updates, and webhook mode."""

import asyncio
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from telegram.ext import Application

from gateway.settings import Settings
from gateway.telegram import BotServices, router, telegram_bot_running, texts
from tests.app.gateway.fake_rasa import FakeRasa
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.telegram.conftest import TOKEN, replies, wait_for
from tests.app.telegram.fake_bot_api import FakeBotApi, group_chat, message_update, private_chat, user

# --- private chat --------------------------------------------------------------------------------------


async def test_private_chat_answers_in_the_telegram_language(
    polling_bot: Application, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    jens = user(501, "Jens", "de-AT")
    bot_api.push(message_update(private_chat(jens), jens, "Wo finde ich Förderungen?"))

    [answer] = await replies(bot_api, 501, 1)
    assert answer.startswith("[de] Wo finde ich Förderungen?")
    assert "Quelle: Akční plán (2 Cíle, 2024)" in answer
    assert fake_rasa.language_by_sender["telegram-501"] == "de"
    [sent] = bot_api.sent(chat_id=501)
    assert sent["reply_markup"] == {"inline_keyboard": [[{"text": "Více", "callback_data": "/more"}]]}
    assert "parse_mode" not in sent  # plain text: nothing a user or document wrote becomes markup
    assert bot_api.sent("sendChatAction", chat_id=501)  # the typing indicator


async def test_a_user_without_a_supported_language_code_is_detected(
    polling_bot: Application, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    ola = user(502, "Ola", "en")
    bot_api.push(message_update(private_chat(ola), ola, "Dzień dobry, gdzie znajdę dotacje dla szkół?"))
    await replies(bot_api, 502, 1)
    assert fake_rasa.language_by_sender["telegram-502"] == "pl"


async def test_a_button_press_goes_to_the_assistant(
    polling_bot: Application, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    jana = user(503, "Jana", "cs")
    bot_api.push(message_update(private_chat(jana), jana, "Jaké jsou dotace?"))
    await replies(bot_api, 503, 1)
    answered = {"message_id": 77, "date": int(time.time()), "chat": private_chat(jana), "text": "…"}
    bot_api.push(
        {
            "callback_query": {
                "id": "cb1",
                "from": jana,
                "chat_instance": "1",
                "data": "/more",
                "message": answered,
            }
        }
    )
    texts_sent = await replies(bot_api, 503, 2)
    assert texts_sent[1].startswith("[cs] /more")
    assert bot_api.sent("answerCallbackQuery")


async def test_lang_changes_the_language_of_answers(
    polling_bot: Application, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    jana = user(504, "Jana", "cs")
    chat = private_chat(jana)
    bot_api.push(message_update(chat, jana, "/lang pl"))
    assert (await replies(bot_api, 504, 1))[0] == texts.LANGUAGE_SET["pl"]
    bot_api.push(message_update(chat, jana, "Kde najdu úřad?"))
    assert (await replies(bot_api, 504, 2))[1].startswith("[pl] Kde najdu úřad?")
    assert fake_rasa.language_by_sender["telegram-504"] == "pl"

    bot_api.push(message_update(chat, jana, "/lang fr"))
    usage = (await replies(bot_api, 504, 3))[2]
    assert usage == texts.LANG_USAGE["pl"].format(current="polski")


async def test_help_and_start_explain_both_uses(polling_bot: Application, bot_api: FakeBotApi) -> None:
    jens = user(505, "Jens", "de")
    bot_api.push(message_update(private_chat(jens), jens, "/start"))
    bot_api.push(message_update(private_chat(jens), jens, "/help"))
    sent = await replies(bot_api, 505, 2)
    assert sent == [texts.HELP["de"], texts.HELP["de"]]
    assert "/translate" in sent[0] and "/lang" in sent[0]


# --- /translate ----------------------------------------------------------------------------------------


async def test_translate_command(
    polling_bot: Application, bot_api: FakeBotApi, translation_server: FakeTranslationServer
) -> None:
    jana = user(506, "Jana", "cs")
    chat = private_chat(jana)
    bot_api.push(message_update(chat, jana, "/translate de Dobrý den,\nkdy máte otevřeno?"))
    assert (await replies(bot_api, 506, 1))[0] == "[de] Dobrý den,\nkdy máte otevřeno?"
    assert translation_server.translated[("cs", "de", "Dobrý den,\nkdy máte otevřeno?")] == 1

    bot_api.push(message_update(chat, jana, "/translate"))
    bot_api.push(message_update(chat, jana, "/translate xx Ahoj"))
    sent = await replies(bot_api, 506, 3)
    assert sent[1:] == [texts.TRANSLATE_USAGE["cs"]] * 2

    translation_server.stop()
    bot_api.push(message_update(chat, jana, "/translate pl Dobrý den"))
    assert (await replies(bot_api, 506, 4))[3] == texts.TRANSLATION_DOWN["cs"]


# --- groups -----------------------------------------------------------------------------------------


async def test_group_gets_one_reply_with_the_other_languages(
    polling_bot: Application, bot_api: FakeBotApi
) -> None:
    group = group_chat(-1001)
    jana, jens, ola = user(601, "Jana", "cs"), user(602, "Jens", "de"), user(603, "Ola", "pl")
    for member, lang in ((jana, "cs"), (jens, "de"), (ola, "pl")):
        bot_api.push(message_update(group, member, f"/lang@trojzemi_test_bot {lang}"))
    confirmations = await replies(bot_api, -1001, 3)
    # Updates are handled concurrently: the confirmations may come in any order.
    assert sorted(confirmations) == sorted(
        [
            texts.MEMBER_LANGUAGE_SET["cs"].format(name="Jana"),
            texts.MEMBER_LANGUAGE_SET["de"].format(name="Jens"),
            texts.MEMBER_LANGUAGE_SET["pl"].format(name="Ola"),
        ]
    )

    czech = message_update(group, jana, "Sejdeme se v Žitavě v deset.")
    bot_api.push(czech)
    reply = (await replies(bot_api, -1001, 4))[3]
    assert reply == (
        f"{texts.LANGUAGE_TAGS['de']}: [de] Sejdeme se v Žitavě v deset.\n\n"
        f"{texts.LANGUAGE_TAGS['pl']}: [pl] Sejdeme se v Žitavě v deset."
    )
    sent = bot_api.sent(chat_id=-1001)[3]
    assert str(czech["message"]["message_id"]) in str(
        sent.get("reply_parameters", sent.get("reply_to_message_id"))
    )

    other_bot = {**user(699, "Echo", None), "is_bot": True}
    bot_api.push(message_update(group, other_bot, "Ich bin ein anderer Bot."))  # never translated
    bot_api.push(message_update(group, jens, "Gut, bis dann."))
    reply = (await replies(bot_api, -1001, 5))[4]
    assert "[cs] Gut, bis dann." in reply and "[pl] Gut, bis dann." in reply and "[de]" not in reply
    await asyncio.sleep(0.3)
    assert not any("anderer Bot" in text for text in bot_api.texts(-1001))


async def test_group_with_one_language_gets_no_translation(
    polling_bot: Application, bot_api: FakeBotApi
) -> None:
    group = group_chat(-1002)
    jana, petr = user(611, "Jana", "cs"), user(612, "Petr", "cs")
    bot_api.push(message_update(group, jana, "/lang cs"))
    await replies(bot_api, -1002, 1)
    bot_api.push(message_update(group, petr, "Ahoj, jak se máš?"))
    bot_api.push(message_update(group, jana, "/lang@trojzemi_test_bot"))  # a marker: it is answered after
    await replies(bot_api, -1002, 2)
    await asyncio.sleep(0.3)
    assert len(bot_api.texts(-1002)) == 2


# --- odd updates and a flood ----------------------------------------------------------------------------


async def test_updates_without_text(polling_bot: Application, bot_api: FakeBotApi) -> None:
    jens = user(701, "Jens", "de")
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    bot_api.push(message_update(private_chat(jens), jens, sticker=sticker))
    assert (await replies(bot_api, 701, 1)) == [texts.ONLY_TEXT["de"]]

    group = group_chat(-1003)
    photo = [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]
    bot_api.push(message_update(group, jens, "/lang de"))
    bot_api.push(message_update(group, jens, photo=photo))
    bot_api.push(message_update(group, jens, new_chat_members=[user(702, "Ola", "pl")]))
    bot_api.push({"edited_message": message_update(group, jens, "Korrektur")["message"]})
    bot_api.push(message_update(group, jens, "/lang"))  # answered after the others were handled
    await replies(bot_api, -1003, 2)
    await asyncio.sleep(0.3)
    assert len(bot_api.texts(-1003)) == 2  # no reply to the photo, the join or the edit


async def test_a_flood_of_updates_is_answered_completely(
    polling_bot: Application, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    people = [user(800 + number, f"User {number}", "cs") for number in range(20)]
    for round_number in range(10):
        for person in people:
            bot_api.push(message_update(private_chat(person), person, f"Otázka číslo {round_number}"))
    await wait_for(lambda: len(bot_api.texts()) >= 200, timeout_s=60)
    for person in people:
        answers = bot_api.texts(person["id"])
        assert sorted(answer.split("\n")[0] for answer in answers) == sorted(
            f"[cs] Otázka číslo {number}" for number in range(10)
        )
    assert len(bot_api.texts()) == 200


# --- lifecycle and webhook ---------------------------------------------------------------------------------


async def test_without_a_token_the_bot_does_not_run(bot_services: BotServices, state_file: Path) -> None:
    settings = Settings(telegram_bot_token="", telegram_state_file=state_file)
    async with telegram_bot_running(settings, bot_services) as application:
        assert application is None


async def test_an_unreachable_bot_api_leaves_the_gateway_running(
    bot_services: BotServices, state_file: Path
) -> None:
    settings = Settings(
        telegram_bot_token=TOKEN, telegram_base_url="http://127.0.0.1:9/bot", telegram_state_file=state_file
    )
    async with telegram_bot_running(settings, bot_services) as application:
        assert application is None


def webhook_app(settings: Settings, services: BotServices) -> FastAPI:
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with telegram_bot_running(settings, services) as bot:
            app.state.telegram = bot
            app.state.telegram_webhook_secret = settings.telegram_webhook_secret
            yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


@pytest.mark.parametrize("mode", ["webhook"])
async def test_webhook_mode_checks_the_secret_token(
    mode: str, bot_api: FakeBotApi, bot_services: BotServices, state_file: Path
) -> None:
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_state_file=state_file,
        telegram_base_url=bot_api.base_url,
        telegram_mode=mode,
        telegram_webhook_secret="s3cret-token",
        telegram_webhook_url="https://example.test/telegram/webhook",
    )
    jens = user(901, "Jens", "de")
    update = {"update_id": 1, **message_update(private_chat(jens), jens, "/help")}

    def exercise() -> None:
        with TestClient(webhook_app(settings, bot_services)) as client:
            assert client.post("/telegram/webhook", json=update).status_code == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert client.post("/telegram/webhook", json=update, headers=wrong).status_code == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            assert client.post("/telegram/webhook", json=[1, 2], headers=right).status_code == 422
            assert client.post("/telegram/webhook", json=update, headers=right).status_code == 200
            deadline = time.monotonic() + 10
            while not bot_api.texts(901) and time.monotonic() < deadline:
                time.sleep(0.02)

    await asyncio.to_thread(exercise)
    assert bot_api.texts(901) == [texts.HELP["de"]]
    [registered] = bot_api.sent("setWebhook")
    assert registered["url"] == "https://example.test/telegram/webhook"
    assert registered["secret_token"] == "s3cret-token"
    assert not bot_api.sent("getUpdates")
