"""POST /api/chat: one user message in, the assistant's messages out."""

from functools import lru_cache

from fastapi import APIRouter, Depends, HTTPException

from gateway.dependencies import AssistantDep, ConversationIdsDep, rate_limited
from gateway.rate_limit import RateLimiter
from gateway.schemas import ChatReply, ChatRequest, ErrorReply
from gateway.settings import get_settings

router = APIRouter(prefix="/api", tags=["chat"])

UNKNOWN_SENDER = (
    "sender is not a conversation id issued by this server (it may be from before a restart); "
    "send the message without sender to start a new conversation"
)


@lru_cache
def get_chat_rate_limiter() -> RateLimiter:
    """One limiter for the process (its counters are the state); tests override it with a strict one."""
    settings = get_settings()
    return RateLimiter(settings.chat_rate_limit, settings.redis_url, namespace="chat")


enforce_chat_rate_limit = rate_limited(get_chat_rate_limiter, "too many messages from this address")


@router.post(
    "/chat",
    response_model=ChatReply,
    response_model_exclude_none=True,
    # The body's size is limited before this route runs (gateway/body_limit.py, 413 documented app-wide).
    dependencies=[Depends(enforce_chat_rate_limit)],
    responses={
        403: {
            "model": ErrorReply,
            "description": "`sender` is not an id this server issued (forged, or from before a restart)",
        },
        429: {"model": ErrorReply, "description": "Too many messages from this address (see Retry-After)"},
        502: {"model": ErrorReply, "description": "Rasa answered with an error"},
        503: {"model": ErrorReply, "description": "Rasa is not reachable"},
    },
)
async def chat(
    request_body: ChatRequest, assistant: AssistantDep, conversation_ids: ConversationIdsDep
) -> ChatReply:
    # The server names web conversations (gateway/conversation_ids.py): no client can write into another
    # channel's conversation (telegram-1) or another resident's.
    sender = request_body.sender
    if sender is None:
        sender = conversation_ids.issue()
    elif not conversation_ids.is_valid(sender):
        raise HTTPException(status_code=403, detail=UNKNOWN_SENDER)
    # request_body.message is already NFC with combining-mark runs capped (ChatRequest, textkit.sanitize).
    reply = await assistant.ask(sender, request_body.message, request_body.lang)
    return reply.model_copy(update={"sender": sender})
