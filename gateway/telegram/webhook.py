"""`POST /telegram/webhook`: Telegram delivers updates here in webhook mode (TELEGRAM_MODE=webhook)."""

import hmac
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Request
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

router = APIRouter(tags=["telegram"])


def _running_bot(request: Request) -> Application:
    application = getattr(request.app.state, "telegram", None)
    if application is None or application.updater is not None:
        raise HTTPException(status_code=404, detail="the Telegram bot does not run in webhook mode here")
    return application


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(
    request: Request,
    update_json: Annotated[dict[str, Any], Body()],
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> dict[str, bool]:
    application = _running_bot(request)
    expected: str = request.app.state.telegram_webhook_secret
    # Constant-time comparison: the secret is what keeps strangers from posting fake updates.
    if not expected or secret is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="wrong or missing X-Telegram-Bot-Api-Secret-Token")
    update = Update.de_json(update_json, application.bot)
    if update is None:
        raise HTTPException(status_code=400, detail="not a Telegram update")
    # Queued, not handled here: Telegram gets its 200 at once and retries nothing.
    await application.update_queue.put(update)
    return {"ok": True}
