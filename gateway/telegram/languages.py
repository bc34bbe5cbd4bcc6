"""Who reads which language: the choice of each private chat and of each member of a group.

The choices live in python-telegram-bot's own chat_data, which the Application persists
(gateway/telegram/state.py), so a restart keeps them:

* a private chat: chat_data["language"] = "de"
* a group: chat_data["languages"] = {user_id: "de", ...}, the members who chose with /lang
* both: chat_data["chosen_at"], when a language was last chosen there (time.time()), to drop the oldest first

ChatLanguages holds no choices itself: only the limits that keep the state bounded, and whether a choice
changed since the state file was last written.
"""

import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from telegram.ext import Application

from gateway.language import SUPPORTED_LANGUAGES, LanguageCode

LANGUAGE_KEY = "language"
MEMBERS_KEY = "languages"
CHOSEN_AT_KEY = "chosen_at"

# A group remembers this many members' choices; beyond, the member who chose longest ago is forgotten (their
# messages are still translated: their language is detected). A supergroup may have 200,000 members, and every
# one of them could send /lang: without a cap one group could fill the state file.
MAX_MEMBERS_PER_GROUP = 500
# The state as a whole: one entry per chat plus one per remembered group member, about 20 bytes each in the
# state file and a few hundred in memory. Telegram does not bound the number of chats: every Telegram account
# may open a private chat with the bot and add it to groups, and python-telegram-bot keeps a chat_data entry
# for every chat that sends an update. So the oldest chats are dropped instead (those without any choice
# first, then by chosen_at); a dropped chat falls back to its users' Telegram language and to detection, as a
# new chat does.
MAX_STATE_ENTRIES = 50_000
# Dropping goes down to this share of MAX_STATE_ENTRIES, so that it runs seldom and not on every new chat.
KEEP_AFTER_DROPPING = 0.9

ChatData = MutableMapping[Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def language_from_code(code: str | None) -> LanguageCode | None:
    """cs/de/pl from a Telegram language_code ("de", "de-AT", "pl-PL"), None for any other language."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in SUPPORTED_LANGUAGES else None  # type: ignore[return-value]


def parse_language(word: str) -> LanguageCode | None:
    """A language argument of /lang or /translate: cs/de/pl, case and a leading slash ignored."""
    return language_from_code(word.lstrip("/"))


def _members(chat_data: Mapping[Any, Any] | None) -> dict[int, LanguageCode]:
    members = chat_data.get(MEMBERS_KEY) if chat_data is not None else None
    return members if isinstance(members, dict) else {}


def _entries(chat_data: Mapping[Any, Any]) -> int:
    """What a chat costs in the state: itself and its remembered members."""
    return 1 + len(_members(chat_data))


def _has_choice(chat_data: Mapping[Any, Any]) -> bool:
    return LANGUAGE_KEY in chat_data or bool(_members(chat_data))


class ChatLanguages:
    def __init__(
        self, max_members_per_group: int = MAX_MEMBERS_PER_GROUP, max_entries: int = MAX_STATE_ENTRIES
    ) -> None:
        self.max_members_per_group = max_members_per_group
        self.max_entries = max_entries
        # Set by every change; the state saver writes the file when it is set, and clears it.
        self.changed = False

    # --- private chats --------------------------------------------------------------------------------

    def set_private(self, chat_data: ChatData, lang: LanguageCode) -> None:
        chat_data[LANGUAGE_KEY] = lang
        chat_data[CHOSEN_AT_KEY] = time.time()
        self.changed = True

    def private(self, chat_data: Mapping[Any, Any] | None) -> LanguageCode | None:
        lang = chat_data.get(LANGUAGE_KEY) if chat_data is not None else None
        return lang if lang in SUPPORTED_LANGUAGES else None

    # --- groups ---------------------------------------------------------------------------------------

    def set_member(self, chat_data: ChatData, user_id: int, lang: LanguageCode) -> None:
        members = _members(chat_data)
        members.pop(user_id, None)  # re-inserted at the end: the dict keeps the order of choosing
        members[user_id] = lang
        while len(members) > self.max_members_per_group:
            del members[next(iter(members))]
        chat_data[MEMBERS_KEY] = members
        chat_data[CHOSEN_AT_KEY] = time.time()
        self.changed = True

    def member(self, chat_data: Mapping[Any, Any] | None, user_id: int) -> LanguageCode | None:
        return _members(chat_data).get(user_id)

    def group_languages(self, chat_data: Mapping[Any, Any] | None) -> set[LanguageCode]:
        """The languages present in a group: those its members chose with /lang."""
        return set(_members(chat_data).values())

    # --- keeping it bounded -----------------------------------------------------------------------------

    def forget_old_chats(self, application: AnyApplication) -> int:
        """Drop chats from the Application's chat_data (and its persistence) while the state is over
        max_entries: those without a choice first, then those whose last choice is oldest.
        Returns how many were dropped."""
        chats = application.chat_data
        total = sum(_entries(data) for data in chats.values())
        if total <= self.max_entries:
            return 0
        keep = int(self.max_entries * KEEP_AFTER_DROPPING)
        oldest_first = sorted(
            chats.items(), key=lambda item: (_has_choice(item[1]), item[1].get(CHOSEN_AT_KEY, 0.0))
        )
        dropped = 0
        for chat_id, data in oldest_first:
            if total <= keep:
                break
            total -= _entries(data)
            application.drop_chat_data(chat_id)
            dropped += 1
        self.changed = True
        return dropped
