"""Who reads which language: the choice of each private chat and of each member of a group.

Kept in memory for the process's life (a lost choice costs one /lang; the Telegram language_code covers the
private chats meanwhile). Bounded, so that a flood of chats cannot grow memory without limit.
"""

from collections import OrderedDict

from gateway.language import SUPPORTED_LANGUAGES, LanguageCode


def language_from_code(code: str | None) -> LanguageCode | None:
    """cs/de/pl from a Telegram language_code ("de", "de-AT", "pl-PL"), None for any other language."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in SUPPORTED_LANGUAGES else None  # type: ignore[return-value]


def parse_language(word: str) -> LanguageCode | None:
    """A language argument of /lang or /translate: cs/de/pl, case and a leading slash ignored."""
    return language_from_code(word.lstrip("/"))


class ChatLanguages:
    def __init__(self, max_chats: int = 10_000) -> None:
        self._private: OrderedDict[int, LanguageCode] = OrderedDict()
        self._groups: OrderedDict[int, dict[int, LanguageCode]] = OrderedDict()
        self._max_chats = max_chats

    def _trim(self, table: OrderedDict) -> None:  # type: ignore[type-arg]
        while len(table) > self._max_chats:
            table.popitem(last=False)

    def set_private(self, chat_id: int, lang: LanguageCode) -> None:
        self._private[chat_id] = lang
        self._private.move_to_end(chat_id)
        self._trim(self._private)

    def private(self, chat_id: int) -> LanguageCode | None:
        return self._private.get(chat_id)

    def set_member(self, chat_id: int, user_id: int, lang: LanguageCode) -> None:
        members = self._groups.setdefault(chat_id, {})
        members[user_id] = lang
        self._groups.move_to_end(chat_id)
        self._trim(self._groups)

    def member(self, chat_id: int, user_id: int) -> LanguageCode | None:
        return self._groups.get(chat_id, {}).get(user_id)

    def group_languages(self, chat_id: int) -> set[LanguageCode]:
        """The languages present in a group: those its members chose with /lang."""
        return set(self._groups.get(chat_id, {}).values())
