"""Builds the Telegram Application and runs it for the gateway's lifespan (polling or webhook)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from gateway.settings import Settings
from gateway.telegram import handlers
from gateway.telegram.handlers import BotServices
from gateway.telegram.state import chat_state, keep_state_saved

log = logging.getLogger(__name__)

# Updates handled at once: a slow assistant answer in one chat must not hold up the others. The Assistant
# keeps one conversation turn at a time per chat.
CONCURRENT_UPDATES = 8
# The commands the Telegram clients offer in their menu.
COMMANDS = [
    ("help", "cs/de/pl: nápověda · Hilfe · pomoc"),
    ("lang", "cs|de|pl"),
    ("translate", "de <text>"),
]


def build_application(
    token: str,
    services: BotServices,
    base_url: str = "",
    with_updater: bool = True,
    state_file: Path | None = None,
) -> Application:
    """The bot with every handler registered. with_updater=False for webhook mode (updates come from the
    gateway's route instead of getUpdates). state_file: where chat_data (the language choices) is kept across
    restarts; None keeps it in memory only."""
    builder = Application.builder().token(token).concurrent_updates(CONCURRENT_UPDATES)
    if base_url:
        builder = builder.base_url(base_url)
    if not with_updater:
        builder = builder.updater(None)
    if state_file is not None:
        builder = builder.persistence(chat_state(state_file))
    application = builder.build()
    application.bot_data[handlers.SERVICES_KEY] = services

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("start", handlers.start_command))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("lang", handlers.lang_command))
    application.add_handler(CommandHandler("translate", handlers.translate_command))
    application.add_handler(CallbackQueryHandler(handlers.button_pressed))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.group_migrated))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, handlers.private_text))
    application.add_handler(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, handlers.group_text))
    # Stickers, photos, voice in a private chat get a polite word; in a group the bot stays quiet.
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.private_non_text)
    )
    application.add_error_handler(handlers.log_error)
    return application


@asynccontextmanager
async def telegram_bot_running(
    settings: Settings, services: BotServices
) -> AsyncIterator[Application | None]:
    """Run the bot while the gateway runs. None when no token is set, or when Telegram cannot be reached at
    start: the rest of the gateway serves either way."""
    if not settings.telegram_bot_token:
        log.info("Telegram bot off (TELEGRAM_BOT_TOKEN is not set)")
        yield None
        return
    webhook = settings.telegram_mode == "webhook"
    if webhook and not settings.telegram_webhook_secret:
        log.warning("TELEGRAM_MODE=webhook without TELEGRAM_WEBHOOK_SECRET: every webhook update is refused")
    application = build_application(
        settings.telegram_bot_token,
        services,
        settings.telegram_base_url,
        with_updater=not webhook,
        state_file=settings.telegram_state_file,
    )
    try:
        await application.initialize()
        await application.bot.set_my_commands(COMMANDS)
        if webhook:
            if settings.telegram_webhook_url:
                await application.bot.set_webhook(
                    settings.telegram_webhook_url,
                    secret_token=settings.telegram_webhook_secret or None,
                    allowed_updates=Update.ALL_TYPES,
                )
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await application.start()
    except TelegramError as error:
        log.error("Telegram bot not started: %s", error)
        yield None
        return
    log.info("Telegram bot running (%s) as @%s", settings.telegram_mode, application.bot.username)
    saver = asyncio.create_task(keep_state_saved(application, services.languages), name="telegram-state")
    try:
        yield application
    finally:
        saver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await saver
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        try:
            # Hands the last changed chats to the persistence and writes the state file (its flush()).
            await application.shutdown()
        except OSError as error:
            log.error("Telegram state not written at shutdown: %s", error)
