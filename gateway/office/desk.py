"""The official's actions on a handover: claim, answer, close; and how each reaches the resident.

Claiming takes the conversation over: Rasa's tracker gets a ``pause`` event (Rasa 3.6's ConversationPaused),
the resident a notice in their language, and from then on their messages go to the official
(gateway/office/conversations.py). An answer is written in Czech, translated into the resident's language
when the translation service can (else sent with an "untranslated" mark) and stored with its original; the web
chat page fetches it (POST /api/chat/office-messages), a Telegram chat gets it as a bot message. Closing hands
the conversation back: ``resume`` in the tracker, a notice, and the retention period of the contact starts.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from gateway.handovers import HandoverStore
from gateway.office import texts
from gateway.office.conversations import OFFICE_LANGUAGE, resident_language, translate_or_mark
from gateway.rasa_client import RasaClient
from gateway.service_errors import ServiceError
from gateway.telegram.handlers import split_for_telegram
from gateway.translation_client import TranslationClient

log = logging.getLogger(__name__)

TELEGRAM_PREFIX = "telegram-"


@dataclass(frozen=True)
class ResidentView:
    """A message of the office as the resident sees it."""

    id: int
    kind: str  # "official" or "system"
    text: str  # in the resident's language, or the Czech original when untranslated
    original: str | None  # the Czech original beside a translation
    untranslated: bool
    language: str
    created_at: str


def resident_view(message: dict[str, Any], resident_language_code: str) -> ResidentView:
    translated = message["translation"] if message["author"] == "official" else None
    return ResidentView(
        id=message["id"],
        kind=message["author"],
        text=translated or message["text"],
        original=message["text"] if translated else None,
        untranslated=bool(message["translation_failed"]),
        language=message["translated_to"] or message["language"] or resident_language_code,
        created_at=message["created_at"],
    )


def telegram_text(view: ResidentView, language: str) -> str:
    lang = resident_language(language)
    if view.kind != "official":
        return view.text
    parts = [f"{texts.OFFICIAL_LABEL[lang]}:\n{view.text}"]
    if view.original:
        parts.append(f"{texts.ORIGINAL_LABEL[lang]}:\n{view.original}")
    if view.untranslated and texts.UNTRANSLATED[lang]:
        parts.append(f"⚠ {texts.UNTRANSLATED[lang]}")
    return "\n\n".join(parts)


class OfficeDesk:
    def __init__(self, handovers: HandoverStore, translation: TranslationClient, rasa: RasaClient) -> None:
        self._handovers = handovers
        self._translation = translation
        self._rasa = rasa

    async def claim(self, handover_id: int, official: str, bot: Bot | None) -> list[str]:
        """Take the conversation over; the problems the official should know of (e.g. Rasa unreachable).
        Raises HandoverStateError when it is not theirs to claim."""
        before = await asyncio.to_thread(self._handovers.get, handover_id)
        handover = await asyncio.to_thread(self._handovers.claim, handover_id, official)
        if before is not None and before["status"] != "new":
            return []  # claimed by this official already: nothing new to tell anyone
        problems = await self._tell_rasa(handover["sender"], "pause")
        language = resident_language(handover["language"])
        problems += await self._notify(handover, texts.TAKEN_OVER[language], bot)
        return problems

    async def answer(self, handover_id: int, official: str, text: str, bot: Bot | None) -> list[str]:
        handover = await asyncio.to_thread(self._handovers.require_claimed_by, handover_id, official)
        language = resident_language(handover["language"])
        translation, failed = await translate_or_mark(self._translation, text, OFFICE_LANGUAGE, language)
        message = await asyncio.to_thread(
            self._handovers.add_message,
            handover_id,
            "official",
            OFFICE_LANGUAGE,
            text,
            official=official,
            translation=translation,
            translated_to=language if translation is not None else None,
            translation_failed=failed,
        )
        problems = ["the translation service could not translate the answer: sent in Czech"] if failed else []
        return problems + await self._deliver(handover, message, bot)

    async def close(self, handover_id: int, official: str, bot: Bot | None) -> list[str]:
        handover = await asyncio.to_thread(self._handovers.close, handover_id, official)
        problems = await self._tell_rasa(handover["sender"], "resume")
        language = resident_language(handover["language"])
        return problems + await self._notify(handover, texts.CLOSED[language], bot)

    async def _notify(self, handover: dict[str, Any], text: str, bot: Bot | None) -> list[str]:
        language = resident_language(handover["language"])
        message = await asyncio.to_thread(
            self._handovers.add_message, handover["id"], "system", language, text
        )
        return await self._deliver(handover, message, bot)

    async def _deliver(self, handover: dict[str, Any], message: dict[str, Any], bot: Bot | None) -> list[str]:
        """Telegram chats get the message now; the web page fetches it from the thread."""
        sender = str(handover["sender"] or "")
        if not sender.startswith(TELEGRAM_PREFIX):
            return []
        if bot is None:
            return ["the Telegram bot is not running: the message is stored but not sent"]
        view = resident_view(message, handover["language"])
        try:
            for part in split_for_telegram(telegram_text(view, handover["language"])):
                await bot.send_message(int(sender.removeprefix(TELEGRAM_PREFIX)), part)
        except (TelegramError, ValueError) as error:
            log.warning("office message to %s not sent: %s", sender, error)
            return [f"Telegram did not take the message: {error}"]
        return []

    async def _tell_rasa(self, sender: str, event: str) -> list[str]:
        """Record the takeover in Rasa's tracker; the gateway keeps the bot out either way."""
        try:
            await self._rasa.post_event(sender, {"event": event})
        except ServiceError as error:
            log.warning("Rasa's tracker of %s did not get %s: %s", sender, event, error)
            return [f"Rasa's tracker did not record the {event}: {error.reason}"]
        return []

    async def transcript(self, sender: str) -> tuple[list[dict[str, str]], str | None]:
        """The conversation as Rasa's tracker has it (user and bot texts), or the reason it cannot be read."""
        try:
            events = await self._rasa.events(sender)
        except ServiceError as error:
            return [], error.reason
        lines = []
        for event in events:
            kind = event.get("event")
            text = event.get("text")
            if kind in ("user", "bot") and isinstance(text, str) and text:
                lines.append(
                    {"who": "resident" if kind == "user" else "bot", "text": text, "at": _when(event)}
                )
            elif kind in ("pause", "resume"):
                lines.append({"who": "event", "text": kind, "at": _when(event)})
        return lines, None


def _when(event: dict[str, Any]) -> str:
    stamp = event.get("timestamp")
    if not isinstance(stamp, int | float):
        return ""
    return datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat(timespec="seconds")
