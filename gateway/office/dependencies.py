"""Dependencies of the office routes (tests override them through app.dependency_overrides)."""

from typing import Annotated

from fastapi import Depends, Request
from telegram import Bot

from gateway.dependencies import ServicesDep
from gateway.office.services import OfficeServices


def get_office(services: ServicesDep) -> OfficeServices:
    return services.office


def get_telegram_bot(request: Request) -> Bot | None:
    """The running bot's Bot (answers to Telegram chats go out through it); None when it does not run."""
    application = getattr(request.app.state, "telegram", None)
    return application.bot if application is not None else None


OfficeDep = Annotated[OfficeServices, Depends(get_office)]
TelegramBotDep = Annotated[Bot | None, Depends(get_telegram_bot)]
