"""One async handler per command or kind of update (python-telegram-bot 22).

Private chats talk to the assistant; groups get, for each message, one reply with its translations into the
other languages its members read. Every text goes out without a parse mode: user and document text stays text.
"""

import asyncio
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from gateway.assistant import Assistant, RequestedLanguage
from gateway.language import SUPPORTED_LANGUAGES, LanguageCode, LanguageGuesser
from gateway.schemas import MAX_MESSAGE_CHARS, ChatMessage, Source
from gateway.service_errors import ServiceError
from gateway.telegram import texts
from gateway.telegram.languages import ChatLanguages, language_from_code, parse_language
from gateway.translation_client import TranslationClient

log = logging.getLogger(__name__)

SERVICES_KEY = "services"
# Telegram allows 64 bytes of callback data; longer button payloads cannot be buttons.
MAX_CALLBACK_BYTES = 64


@dataclass
class BotServices:
    """What the handlers use; put in application.bot_data[SERVICES_KEY] by build_application."""

    assistant: Assistant
    translation: TranslationClient
    language_guesser: LanguageGuesser
    languages: ChatLanguages


def services_of(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.bot_data[SERVICES_KEY]


def sender_id(chat_id: int) -> str:
    """The Rasa conversation of a Telegram chat."""
    return f"telegram-{chat_id}"


def reader_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> LanguageCode | None:
    """The language a user chose with /lang (in this chat's chat_data), else their Telegram app's language
    when it is cs/de/pl."""
    chat, user = update.effective_chat, update.effective_user
    languages = services_of(context).languages
    if chat is not None and user is not None and chat.type != chat.PRIVATE:
        chosen = languages.member(context.chat_data, user.id)
    else:
        chosen = languages.private(context.chat_data)
    return chosen or language_from_code(user.language_code if user else None)


def ui_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> LanguageCode:
    return reader_language(update, context) or "cs"


def split_for_telegram(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut a long text into messages Telegram accepts, at line or word ends where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def _source_line(source: Source, language: LanguageCode) -> str:
    details = ", ".join(part for part in (source.section, source.date) if part)
    line = f"{texts.SOURCE_LABEL[language]}: {source.title or source.file}"
    if details:
        line += f" ({details})"
    if source.url:
        line += f"\n{source.url}"
    return line


def render_chat_message(message: ChatMessage, language: LanguageCode) -> str:
    lines = [message.text] if message.text else []
    lines += [_source_line(source, language) for source in message.sources]
    return "\n\n".join(lines)


def _keyboard(message: ChatMessage) -> InlineKeyboardMarkup | None:
    buttons = [
        [InlineKeyboardButton(button.title or button.payload, callback_data=button.payload)]
        for button in message.buttons
        if len(button.payload.encode()) <= MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(buttons) if buttons else None


async def _send_typing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is None:
        return
    try:
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    except TelegramError as error:  # only a courtesy: the answer matters, not the indicator
        log.debug("typing indicator failed: %s", error)


async def _reply(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    parts = split_for_telegram(text)
    for index, part in enumerate(parts):
        # The buttons go under the last part, where the user reads on.
        await message.reply_text(part, reply_markup=keyboard if index == len(parts) - 1 else None)


async def _answer_with_assistant(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, text: str
) -> None:
    services = services_of(context)
    chat_id = message.chat_id
    requested: RequestedLanguage = reader_language(update, context) or "auto"
    if len(text) > MAX_MESSAGE_CHARS:
        language = ui_language(update, context)
        await message.reply_text(texts.TEXT_TOO_LONG[language].format(limit=MAX_MESSAGE_CHARS))
        return
    await _send_typing(update, context)
    try:
        reply = await services.assistant.ask(sender_id(chat_id), text, requested)
    except ServiceError as error:
        log.warning("assistant unavailable for a Telegram chat: %s", error)
        fallback = (
            requested if requested != "auto" else services.language_guesser.last_language(sender_id(chat_id))
        )
        await message.reply_text(texts.ASSISTANT_DOWN[fallback])
        return
    if requested != "auto" and reply.lang != requested and context.chat_data is not None:
        # The user asked the assistant to switch language: later messages follow it. (chat_data is looked up
        # again after the await: the entry may have been replaced meanwhile.)
        services.languages.set_private(context.chat_data, reply.lang)
    rendered = [(render_chat_message(item, reply.lang), _keyboard(item)) for item in reply.messages]
    rendered = [(text, keyboard) for text, keyboard in rendered if text]
    if not rendered:
        await message.reply_text(texts.NO_ANSWER[reply.lang])
        return
    for reply_text, keyboard in rendered:
        await _reply(message, reply_text, keyboard)


# --- commands ---------------------------------------------------------------------------------------


async def _send_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.HELP[ui_language(update, context)])


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot does, in the user's language."""
    await _send_help(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: the same explanation as /start."""
    await _send_help(update, context)


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang cs|de|pl: the language of the assistant's answers (private) or of a group member."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    languages = services_of(context).languages
    chosen = parse_language(context.args[0]) if context.args else None
    if chosen is None:
        current = reader_language(update, context)
        language = current or "cs"
        shown = texts.LANGUAGE_NAMES[current] if current else "–"
        await message.reply_text(texts.LANG_USAGE[language].format(current=shown))
        return
    if context.chat_data is None:
        return
    if chat.type == chat.PRIVATE:
        languages.set_private(context.chat_data, chosen)
        await message.reply_text(texts.LANGUAGE_SET[chosen])
    else:
        languages.set_member(context.chat_data, user.id, chosen)
        await message.reply_text(texts.MEMBER_LANGUAGE_SET[chosen].format(name=user.full_name))


async def translate_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/translate de <text>: the text in the target language, from whatever language it is written in."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    services = services_of(context)
    language = ui_language(update, context)
    # Split the raw text, not context.args: the text keeps its line breaks.
    parts = message.text.split(maxsplit=2)
    target = parse_language(parts[1]) if len(parts) > 1 else None
    if target is None or len(parts) < 3 or not parts[2].strip():
        await message.reply_text(texts.TRANSLATE_USAGE[language])
        return
    text = parts[2].strip()
    if len(text) > MAX_MESSAGE_CHARS:
        await message.reply_text(texts.TEXT_TOO_LONG[language].format(limit=MAX_MESSAGE_CHARS))
        return
    source = services.language_guesser.detect(text) or reader_language(update, context) or "cs"
    await _send_typing(update, context)
    try:
        translated = await services.translation.translate(text, source, target)
    except ServiceError as error:
        log.warning("translation unavailable for /translate: %s", error)
        await message.reply_text(texts.TRANSLATION_DOWN[language])
        return
    await _reply(message, translated)


# --- messages ----------------------------------------------------------------------------------------


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await _answer_with_assistant(update, context, message, message.text)


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under an assistant's answer: its payload goes to the assistant like a typed message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if query.data and isinstance(query.message, Message):
        await _answer_with_assistant(update, context, query.message, query.data)


async def private_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.ONLY_TEXT[ui_language(update, context)])


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One reply per message with its translations into the other languages the group's members read."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or not message.text:
        return
    if user.is_bot:
        # Another bot's message (or a translation bot's reply): translating it could start a loop.
        return
    services = services_of(context)
    text = message.text
    present = services.languages.group_languages(context.chat_data)
    source = services.languages.member(context.chat_data, user.id) or services.language_guesser.detect(text)
    if source is None or len(text) > MAX_MESSAGE_CHARS:
        return
    targets = [language for language in SUPPORTED_LANGUAGES if language in present and language != source]
    if not targets:
        return
    results = await asyncio.gather(
        *(services.translation.translate(text, source, target) for target in targets), return_exceptions=True
    )
    lines = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, ServiceError):
            log.warning("group translation %s-%s failed: %s", source, target, result)
            lines.append(f"{texts.LANGUAGE_TAGS[target]}: ⚠ {texts.TRANSLATION_DOWN[target]}")
        elif isinstance(result, BaseException):
            raise result
        else:
            lines.append(f"{texts.LANGUAGE_TAGS[target]}: {result}")
    await _reply(message, "\n\n".join(lines))


async def group_migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup, which has a new chat id: its members' choices move to the new id.
    Telegram tells both chats; the old group's message (migrate_to_chat_id) moves the data."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    context.application.migrate_chat_data(message=message)
    services_of(context).languages.changed = True


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A failing update is logged and skipped; the bot keeps serving the others."""
    log.error("Telegram update failed: %s", context.error, exc_info=context.error)
