"""The Telegram bot: the assistant in private chats, translations in groups (python-telegram-bot 22)."""

from gateway.telegram.bot import build_application, telegram_bot_running
from gateway.telegram.handlers import BotServices
from gateway.telegram.languages import ChatLanguages
from gateway.telegram.webhook import router

__all__ = ["BotServices", "ChatLanguages", "build_application", "router", "telegram_bot_running"]
