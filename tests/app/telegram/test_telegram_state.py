"""The bot's chat state across restarts: /lang choices in chat_data, kept by PicklePersistence in
TELEGRAM_STATE_FILE; the Application is built twice against the same fake Bot API and state file."""

import dataclasses
import pickle
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from gateway.settings import Settings
from gateway.telegram import BotServices, ChatLanguages, state, telegram_bot_running, texts
from gateway.telegram.languages import CHOSEN_AT_KEY, LANGUAGE_KEY, MEMBERS_KEY
from tests.app.gateway.fake_rasa import FakeRasa
from tests.app.telegram.conftest import TOKEN, replies, wait_for
from tests.app.telegram.fake_bot_api import FakeBotApi, group_chat, message_update, private_chat, user


def fresh(services: BotServices) -> BotServices:
    """The same services with a new ChatLanguages: nothing of the first run's objects is carried over."""
    return dataclasses.replace(services, languages=ChatLanguages())


def saved_chat_data(path: Path) -> dict[int, dict[str, Any]]:
    with path.open("rb") as file:
        return pickle.load(file)["chat_data"] or {}


async def test_a_lang_choice_survives_a_restart(
    bot_settings: Settings, bot_services: BotServices, bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    jana = user(521, "Jana", "cs")
    chat = private_chat(jana)
    async with telegram_bot_running(bot_settings, bot_services) as application:
        assert application is not None
        bot_api.push(message_update(chat, jana, "/lang pl"))
        assert (await replies(bot_api, 521, 1))[0] == texts.LANGUAGE_SET["pl"]
    # The shutdown wrote the state file.
    assert saved_chat_data(bot_settings.telegram_state_file)[521][LANGUAGE_KEY] == "pl"

    async with telegram_bot_running(bot_settings, fresh(bot_services)) as application:
        assert application is not None
        assert application.chat_data[521][LANGUAGE_KEY] == "pl"
        bot_api.push(message_update(chat, jana, "Kde najdu úřad?"))
        assert (await replies(bot_api, 521, 2))[1].startswith("[pl] Kde najdu úřad?")
        assert fake_rasa.language_by_sender["telegram-521"] == "pl"
        bot_api.push(message_update(chat, jana, "/lang"))
        assert (await replies(bot_api, 521, 3))[2] == texts.LANG_USAGE["pl"].format(current="polski")


async def test_a_group_members_choice_survives_a_restart(
    bot_settings: Settings, bot_services: BotServices, bot_api: FakeBotApi
) -> None:
    group = group_chat(-1021)
    jana, jens, ola = user(621, "Jana", "cs"), user(622, "Jens", "de"), user(623, "Ola", "pl")
    async with telegram_bot_running(bot_settings, bot_services) as application:
        assert application is not None
        bot_api.push(message_update(group, jens, "/lang de"))
        bot_api.push(message_update(group, ola, "/lang@trojzemi_test_bot pl"))
        await replies(bot_api, -1021, 2)
    assert saved_chat_data(bot_settings.telegram_state_file)[-1021][MEMBERS_KEY] == {622: "de", 623: "pl"}

    async with telegram_bot_running(bot_settings, fresh(bot_services)) as application:
        assert application is not None
        bot_api.push(message_update(group, jana, "Sejdeme se v Žitavě v deset."))
        reply = (await replies(bot_api, -1021, 3))[2]
        assert reply == (
            f"{texts.LANGUAGE_TAGS['de']}: [de] Sejdeme se v Žitavě v deset.\n\n"
            f"{texts.LANGUAGE_TAGS['pl']}: [pl] Sejdeme se v Žitavě v deset."
        )
        bot_api.push(message_update(group, jens, "/lang"))
        assert (await replies(bot_api, -1021, 4))[3] == texts.LANG_USAGE["de"].format(current="Deutsch")


async def test_a_group_keeps_its_choices_when_it_becomes_a_supergroup(
    polling_bot: Application, bot_api: FakeBotApi
) -> None:
    old_group = {"id": -1041, "type": "group", "title": "Trojzemí"}
    supergroup = group_chat(-1001041)
    jana, jens = user(641, "Jana", "cs"), user(642, "Jens", "de")
    bot_api.push(message_update(old_group, jens, "/lang de"))
    await replies(bot_api, -1041, 1)
    bot_api.push(message_update(old_group, jens, migrate_to_chat_id=-1001041))
    bot_api.push(message_update(supergroup, jens, migrate_from_chat_id=-1041))
    await wait_for(lambda: MEMBERS_KEY in polling_bot.chat_data.get(-1001041, {}))
    assert MEMBERS_KEY not in polling_bot.chat_data.get(-1041, {})

    bot_api.push(message_update(supergroup, jana, "Sejdeme se v Žitavě v deset."))
    assert (await replies(bot_api, -1001041, 1)) == [
        f"{texts.LANGUAGE_TAGS['de']}: [de] Sejdeme se v Žitavě v deset."
    ]


async def test_the_state_file_is_written_while_the_bot_runs(
    bot_settings: Settings, bot_services: BotServices, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash (no shutdown) loses at most the last save interval."""
    monkeypatch.setattr(state, "STATE_SAVE_INTERVAL_S", 0.05)
    path = bot_settings.telegram_state_file
    jens = user(531, "Jens", "cs")
    async with telegram_bot_running(bot_settings, bot_services) as application:
        assert application is not None
        bot_api.push(message_update(private_chat(jens), jens, "/lang de"))
        await replies(bot_api, 531, 1)
        await wait_for(lambda: path.exists() and saved_chat_data(path).get(531, {}).get(LANGUAGE_KEY) == "de")
        assert not bot_services.languages.changed


async def test_an_unreadable_state_file_is_moved_aside(
    bot_settings: Settings, bot_services: BotServices, bot_api: FakeBotApi
) -> None:
    path = bot_settings.telegram_state_file
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05torn in the middle of a wri")
    jens = user(541, "Jens", "cs")
    async with telegram_bot_running(bot_settings, bot_services) as application:
        assert application is not None
        bot_api.push(message_update(private_chat(jens), jens, "/lang de"))
        assert (await replies(bot_api, 541, 1)) == [texts.LANGUAGE_SET["de"]]
    assert path.with_name(path.name + ".broken").read_bytes().startswith(b"\x80\x05torn")
    assert saved_chat_data(path)[541][LANGUAGE_KEY] == "de"


# --- bounded -------------------------------------------------------------------------------------------


def test_a_group_remembers_at_most_its_cap_of_members() -> None:
    languages = ChatLanguages(max_members_per_group=3)
    chat_data: dict[Any, Any] = {}
    for user_id, lang in ((1, "cs"), (2, "de"), (3, "pl"), (1, "de"), (4, "pl")):
        languages.set_member(chat_data, user_id, lang)  # type: ignore[arg-type]
    # 2 chose longest ago (1 chose again, and moved to the end): 2 is forgotten.
    assert chat_data[MEMBERS_KEY] == {3: "pl", 1: "de", 4: "pl"}
    assert languages.group_languages(chat_data) == {"pl", "de"}
    assert languages.member(chat_data, 2) is None and languages.changed


def test_old_chats_are_dropped_when_the_state_is_over_its_bound() -> None:
    application = Application.builder().token(TOKEN).updater(None).build()
    languages = ChatLanguages(max_entries=10)
    chat_data = application.chat_data  # a read-only view; a missing chat is made on lookup, as PTB does
    for chat_id in range(1, 5):
        chat_data[chat_id]  # chats that wrote but chose nothing
    for chat_id, chosen_at in ((10, 300.0), (11, 100.0), (12, 200.0)):
        languages.set_private(chat_data[chat_id], "de")
        chat_data[chat_id][CHOSEN_AT_KEY] = chosen_at
    assert languages.forget_old_chats(application) == 0  # 7 entries: within the bound
    for user_id in range(6):
        languages.set_member(chat_data[-20], user_id, "pl")
    chat_data[-20][CHOSEN_AT_KEY] = 400.0
    languages.changed = False

    # 14 entries (8 chats, 6 members) over a bound of 10: down to 9, the chats without a choice go first, then
    # the oldest choice (chat 11).
    assert languages.forget_old_chats(application) == 5
    assert set(application.chat_data) == {10, 12, -20}
    assert languages.changed
