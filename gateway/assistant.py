"""The chat logic shared by every channel (web API, Telegram): language, Rasa round trip, reply shaping."""

import asyncio
import logging
import weakref
from typing import Any, Literal, Protocol

from gateway.language import SUPPORTED_LANGUAGES, LanguageCode, LanguageGuesser
from gateway.payloads import OfferedPayloads, looks_like_payload
from gateway.rasa_client import RasaClient
from gateway.schemas import Button, ChatMessage, ChatReply, Source
from gateway.service_errors import ServiceError
from textkit.sanitize import sanitize_text

logger = logging.getLogger(__name__)

RequestedLanguage = Literal["cs", "de", "pl", "auto"]

_SOURCE_TEXT_FIELDS = ("title", "file", "section", "date", "url")


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _parse_buttons(raw_buttons: Any) -> list[Button]:
    if not isinstance(raw_buttons, list):
        return []
    return [
        Button(title=_as_text(button.get("title")), payload=_as_text(button.get("payload")))
        for button in raw_buttons
        if isinstance(button, dict) and button.get("payload") is not None
    ]


def _parse_sources(raw_sources: Any) -> list[Source]:
    if not isinstance(raw_sources, list):
        return []
    sources = []
    for raw in raw_sources:
        if not isinstance(raw, dict):
            continue
        fields = {name: _as_text(raw.get(name)) for name in _SOURCE_TEXT_FIELDS}
        passage = raw.get("passage")
        sources.append(Source(**fields, passage=passage if isinstance(passage, str) and passage else None))
    return sources


def build_reply(rasa_messages: list[dict[str, Any]], language: LanguageCode) -> ChatReply:
    """Turn Rasa's REST output into the API's reply.

    The REST channel splits `utter_message(text=..., json_message={"sources": [...]})` into a text message
    and a `custom` message; the sources go back onto the message before them. `custom.lang` (sent after a
    language switch) becomes the reply's language.
    """
    reply_language = language
    messages: list[ChatMessage] = []
    for raw in rasa_messages:
        text = _as_text(raw.get("text"))
        buttons = _parse_buttons(raw.get("buttons"))
        if text or buttons:
            messages.append(ChatMessage(text=text, buttons=buttons))
        custom = raw.get("custom")
        if not isinstance(custom, dict):
            continue
        if custom.get("lang") in SUPPORTED_LANGUAGES:
            reply_language = custom["lang"]
        sources = _parse_sources(custom.get("sources"))
        if sources:
            if messages:
                messages[-1].sources.extend(sources)
            else:
                messages.append(ChatMessage(sources=sources))
    return ChatReply(lang=reply_language, messages=messages)


def reply_outcome(rasa_messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The action server's mark on a reply (`custom.outcome`: "no_answer", "handover"), with its data."""
    for raw in rasa_messages:
        custom = raw.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("outcome"), str):
            return custom
    return None


class ConversationHooks(Protocol):
    """The office's part of a turn (gateway/office/conversations.py)."""

    async def intercept(self, sender: str, message: str) -> ChatReply | None:
        """A reply instead of the bot's (an official holds the conversation), or None."""

    async def answered(
        self, sender: str, message: str, reply: ChatReply, outcome: dict[str, Any] | None
    ) -> None:
        """Called after each bot reply (records the questions the bot could not answer)."""


class Assistant:
    """`ask` is what every channel calls; it raises gateway.service_errors.ServiceError when Rasa fails."""

    def __init__(
        self,
        rasa: RasaClient,
        language_guesser: LanguageGuesser,
        offered_payloads: OfferedPayloads | None = None,
        hooks: ConversationHooks | None = None,
        shared_conversations: bool = False,
    ) -> None:
        """`shared_conversations`: other gateway replicas serve the same conversations (issue 12), so this
        one's memory of a sender's last reply may be missing or stale; see `_recall`."""
        self._shared = shared_conversations
        self._rasa = rasa
        self._hooks = hooks
        self._languages = language_guesser
        # The buttons of each conversation's last reply: only those payloads reach Rasa as "/intent" text
        # (gateway/payloads.py says why and how other "/..." text is defused).
        self._payloads = offered_payloads if offered_payloads is not None else OfferedPayloads()
        # One conversation at a time per sender: setting the slot and sending the message must not interleave
        # with another request of the same sender. Weak values drop the lock once nobody waits on it.
        self._sender_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def choose_language(self, sender: str, message: str, lang: RequestedLanguage) -> LanguageCode:
        if lang != "auto":
            return lang
        if looks_like_payload(message):
            # A button payload such as /affirm says nothing about the language.
            return self._languages.last_language(sender)
        return self._languages.resolve(sender, message)

    async def ask(self, sender: str, message: str, lang: RequestedLanguage = "auto") -> ChatReply:
        # Every channel (web chat, Telegram) passes here: no text reaches the NLU with long runs of marks.
        message = sanitize_text(message)
        lock = self._sender_locks.get(sender)
        if lock is None:
            lock = asyncio.Lock()
            self._sender_locks[sender] = lock
        async with lock:
            taken_over = await self._intercepted(sender, message)
            if taken_over is not None:
                # An official holds this conversation (issue 13): the message is theirs, not the bot's.
                return taken_over
            if self._shared and looks_like_payload(message):
                await self._recall(sender)
            # Under the lock: the payloads offered are those of this sender's reply before this message.
            text = self._payloads.text_for_rasa(sender, message)
            language = self.choose_language(sender, text, lang)
            await self._rasa.set_language(sender, language)
            rasa_messages = await self._rasa.send_message(sender, text, language)
            reply = build_reply(rasa_messages, language)
            self._payloads.remember(
                sender, (button.payload for item in reply.messages for button in item.buttons)
            )
        self._languages.remember(sender, reply.lang)
        logger.debug("sender=%s lang=%s messages=%d", sender, reply.lang, len(reply.messages))
        if self._hooks is not None:
            await self._hooks.answered(sender, text, reply, reply_outcome(rasa_messages))
        return reply

    async def _recall(self, sender: str) -> None:
        """The buttons of the sender's last reply and their language, from Rasa's tracker (shared by every
        replica) instead of this process's memory: the previous turn may have gone through another gateway.
        Only for a message that looks like a payload, the one case where that memory decides anything."""
        try:
            events = await self._rasa.events(sender)
        except ServiceError as error:
            logger.info("tracker of %s unreadable (%s); using this gateway's memory", sender, error)
            return
        offered: list[str] = []
        language: str | None = None
        for event in events:
            kind = event.get("event")
            if kind == "user":
                offered = []
            elif kind == "bot":
                data = event.get("data")
                buttons = data.get("buttons") if isinstance(data, dict) else None
                offered += [button.payload for button in _parse_buttons(buttons)]
            elif kind == "slot" and event.get("name") == "language":
                language = event.get("value")
        self._payloads.remember(sender, offered)
        if language in SUPPORTED_LANGUAGES:
            self._languages.remember(sender, language)  # type: ignore[arg-type]

    async def _intercepted(self, sender: str, message: str) -> ChatReply | None:
        if self._hooks is None:
            return None
        try:
            return await self._hooks.intercept(sender, message)
        except Exception:  # the handover database unreadable: the bot answers rather than nobody
            logger.exception("the takeover check of %s failed; the bot answers", sender)
            return None
