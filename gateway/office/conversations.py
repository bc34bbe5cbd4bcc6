"""The office's part of every conversation turn (gateway.assistant.ConversationHooks).

Before the bot: a conversation that an official holds does not reach Rasa; the resident's message goes into
the handover's thread (with a Czech translation for the official) and the bot says where it went, in the
resident's language. After the bot: a reply that says the documents have no answer, an empty reply, or a
handover is recorded as a question the documents miss.
"""

import asyncio
import logging

from gateway.handovers import HandoverStore
from gateway.language import SUPPORTED_LANGUAGES, LanguageCode
from gateway.office import texts
from gateway.office.missed import MissedQuestions, channel_of
from gateway.schemas import ChatMessage, ChatReply
from gateway.service_errors import ServiceError
from gateway.translation_client import TranslationClient

log = logging.getLogger(__name__)

OFFICE_LANGUAGE: LanguageCode = "cs"


def resident_language(value: object) -> LanguageCode:
    return value if value in SUPPORTED_LANGUAGES else OFFICE_LANGUAGE  # type: ignore[return-value]


class OfficeConversations:
    def __init__(
        self, handovers: HandoverStore, missed: MissedQuestions, translation: TranslationClient
    ) -> None:
        self._handovers = handovers
        self._missed = missed
        self._translation = translation

    async def intercept(self, sender: str, message: str) -> ChatReply | None:
        """The reply when an official holds ``sender``'s conversation (the message is theirs); else None."""
        handover = await asyncio.to_thread(self._handovers.taken_over, sender)
        if handover is None:
            return None
        language = resident_language(handover["language"])
        translation, failed = await translate_or_mark(self._translation, message, language, OFFICE_LANGUAGE)
        await asyncio.to_thread(
            self._handovers.add_message,
            handover["id"],
            "resident",
            language,
            message,
            translation=translation,
            translated_to=OFFICE_LANGUAGE if translation is not None else None,
            translation_failed=failed,
        )
        return ChatReply(lang=language, messages=[ChatMessage(text=texts.FORWARDED[language])])

    async def answered(
        self, sender: str, message: str, reply: ChatReply, outcome: dict[str, object] | None
    ) -> None:
        kind = outcome.get("outcome") if outcome else None
        if kind not in ("no_answer", "handover") and reply.messages:
            return
        question = outcome.get("question") if outcome else None
        await self._missed.record(
            question if isinstance(question, str) and question.strip() else message,
            reply.lang,
            channel_of(sender),
            str(kind or "empty"),
        )


async def translate_or_mark(
    translation: TranslationClient, text: str, source: LanguageCode, target: LanguageCode
) -> tuple[str | None, bool]:
    """(the translation, False); (None, False) when no translation is needed; (None, True) when it failed."""
    if source == target:
        return None, False
    try:
        return await translation.translate(text, source, target), False
    except ServiceError as error:
        log.warning("office message %s-%s left untranslated: %s", source, target, error)
        return None, True
