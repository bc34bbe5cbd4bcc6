"""POST /api/chat/office-messages: what the office wrote into a web conversation, for the chat page to show.

The chat page asks every few seconds with its conversation id (the signed id the gateway issued, so nobody
reads another resident's answers) and the last message id it has; it gets the official's answers (translated,
with the Czech original, or marked untranslated) and the notices (taken over, closed). A page opened later
with the same conversation id asks from 0 and shows everything the office wrote.
"""

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from gateway.dependencies import ConversationIdsDep, HandoverStoreDep
from gateway.office.desk import resident_view
from gateway.routers.chat import UNKNOWN_SENDER
from gateway.schemas import ErrorReply, WebSender

router = APIRouter(prefix="/api/chat", tags=["chat"])


class OfficeMessagesRequest(BaseModel):
    sender: WebSender
    after: Annotated[int, Field(ge=0, le=2**53, description="The last message id the page has (0: all)")] = 0


class OfficeMessage(BaseModel):
    id: int
    kind: str = Field(description="`official` (an answer) or `system` (taken over, closed)")
    text: str = Field(description="In the resident's language; the Czech original when `untranslated`")
    original: str | None = Field(default=None, description="The Czech original beside a translation")
    untranslated: bool
    language: str
    created_at: str


class OfficeMessages(BaseModel):
    taken_over: bool = Field(description="An official holds the conversation: messages go to them")
    messages: list[OfficeMessage]


@router.post(
    "/office-messages",
    response_model=OfficeMessages,
    responses={403: {"model": ErrorReply, "description": "`sender` is not an id this server issued"}},
)
async def office_messages(
    request_body: OfficeMessagesRequest, conversation_ids: ConversationIdsDep, handovers: HandoverStoreDep
) -> OfficeMessages:
    if not conversation_ids.is_valid(request_body.sender):
        raise HTTPException(status_code=403, detail=UNKNOWN_SENDER)
    sender = request_body.sender
    rows = await asyncio.to_thread(handovers.messages_to_resident, sender, request_body.after)
    held = await asyncio.to_thread(handovers.taken_over, sender)
    return OfficeMessages(
        taken_over=held is not None,
        messages=[OfficeMessage(**vars(resident_view(row, row["language"]))) for row in rows],
    )
