"""POST /api/chat: one user message in, the assistant's messages out."""

from fastapi import APIRouter, Depends, HTTPException, Request

from gateway.dependencies import AssistantDep
from gateway.schemas import MAX_MESSAGE_CHARS, ChatReply, ChatRequest

router = APIRouter(prefix="/api", tags=["chat"])

# Generous for 5,000 characters even when every one is a \uXXXX escape; larger bodies are refused unread.
MAX_CHAT_BODY_BYTES = MAX_MESSAGE_CHARS * 12 + 4_096


def refuse_oversized_body(request: Request) -> None:
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > MAX_CHAT_BODY_BYTES:
        raise HTTPException(
            status_code=413,
            detail=f"the request body is too large; a message has at most {MAX_MESSAGE_CHARS} characters",
        )


@router.post(
    "/chat",
    response_model=ChatReply,
    response_model_exclude_none=True,
    dependencies=[Depends(refuse_oversized_body)],
    responses={
        413: {"description": "Body too large"},
        422: {"description": "Malformed body, empty or too long message, unknown lang"},
        502: {"description": "Rasa answered with an error"},
        503: {"description": "Rasa is not reachable"},
    },
)
async def chat(request_body: ChatRequest, assistant: AssistantDep) -> ChatReply:
    return await assistant.ask(request_body.sender, request_body.message, request_body.lang)
