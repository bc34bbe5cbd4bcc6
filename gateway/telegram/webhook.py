"""`POST /telegram/webhook`: Telegram delivers updates here in webhook mode (TELEGRAM_MODE=webhook)."""

import hmac
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
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
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> dict[str, bool]:
    application = _running_bot(request)
    expected: str = request.app.state.telegram_webhook_secret
    # Constant-time comparison: the secret is what keeps strangers from posting fake updates.
    if not expected or secret is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="wrong or missing X-Telegram-Bot-Api-Secret-Token")
    # The body is read only now, after the secret check (a stranger's body is never parsed), and no
    # further than TELEGRAM_WEBHOOK_BODY_LIMIT_BYTES (gateway/body_limit.py cuts it off while it streams).
    try:
        update_json = json.loads(await request.body())
    except ValueError as error:
        raise HTTPException(status_code=422, detail="the request body is not valid JSON") from error
    if not isinstance(update_json, dict):
        raise HTTPException(status_code=422, detail="send a JSON object (a Telegram update)")
    update = Update.de_json(update_json, application.bot)
    if update is None:
        raise HTTPException(status_code=400, detail="not a Telegram update")
    # Queued, not handled here: Telegram gets its 200 at once and retries nothing.
    await application.update_queue.put(update)
    return {"ok": True}
