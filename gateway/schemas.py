"""Request and response bodies of the gateway's HTTP API (shapes fixed in docs/architecture.md)."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from gateway import conversation_ids
from gateway.language import LanguageCode
from textkit.sanitize import sanitize_text

MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
# "Has a character that is not white space". The pattern is in the schema, so the schema says what the API
# accepts: a fuzzer (or a client generator) sending "   " learns it is invalid, not that it was refused.
# Checked by Python's re, whose \s is str.isspace(), exactly what str.strip() removes.
HAS_TEXT = r"\S"


def _lowercase_text(value: Any) -> Any:
    # "DE" or " de " from a hand-written client means de; anything else is left to the Literal check.
    return value.strip().lower() if isinstance(value, str) else value


def _clean_message(message: str) -> str:
    # After the length and pattern checks (which see the text as sent, as the schema describes it): NFC,
    # runs of combining marks capped, then the ends stripped, before Rasa, lingua or anything else sees it.
    # 4,999 combining marks cost 31 CPU-seconds in the NLU pipeline; capped, they cost nothing.
    return sanitize_text(message).strip()


RequestedLanguage = Annotated[Literal["cs", "de", "pl", "auto"], BeforeValidator(_lowercase_text)]

# The schema shows the shape of an issued id; the model checks only that it is a non-blank string of
# bounded length, so that a forged or expired id gets the route's readable 403 rather than a pattern error.
WebSender = Annotated[
    str,
    Field(min_length=1, max_length=MAX_SENDER_CHARS, pattern=HAS_TEXT),
    AfterValidator(str.strip),
    WithJsonSchema({"type": "string", "maxLength": MAX_SENDER_CHARS, "pattern": conversation_ids.PATTERN}),
]


class ChatRequest(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")

    # Optional: without it a conversation starts and the reply carries its id. With it, it must be an id
    # this gateway issued (checked in routers/chat.py: 403 otherwise).
    sender: WebSender | None = Field(
        default=None,
        description=(
            "Conversation id the server issued (the `sender` of an earlier reply); "
            "omit it to start a new conversation."
        ),
    )
    message: Annotated[str, AfterValidator(_clean_message)] = Field(
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        pattern=HAS_TEXT,
        description="The user's text; normalised (NFC, at most 3 combining marks in a row) before use.",
    )
    lang: RequestedLanguage = "auto"


class ErrorReply(BaseModel):
    """Every error the gateway's HTTP API answers: a reason people can read, nothing of its internals."""

    detail: str
    # 422 only: one entry per invalid field (pydantic's `loc`, `msg`, `type`), without the rejected input.
    errors: list[dict[str, Any]] | None = None
    # 502/503 only: which dependency failed.
    service: str | None = None
    # 413 only: the endpoint's body limit in bytes.
    limit: int | None = None


class Button(BaseModel):
    title: str
    payload: str


class Source(BaseModel):
    title: str = ""
    file: str = ""
    section: str = ""
    date: str = ""
    url: str = ""
    # Optional extra: the cited passage itself, when the action sends it (the page shows it on click).
    passage: str | None = None


class ChatMessage(BaseModel):
    text: str = ""
    buttons: list[Button] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)


class ChatReply(BaseModel):
    # The conversation id to send with the next message (POST /api/chat always sets it; other channels,
    # which call Assistant.ask in-process, have their own ids and leave it empty).
    sender: str | None = None
    lang: LanguageCode
    messages: list[ChatMessage]


# "degraded": the service answers but says itself that part of it does not work (see `details`).
ServiceState = Literal["up", "degraded", "down"]


class ServiceDetail(BaseModel):
    """What a degraded service says about itself, e.g. the translation directions whose model is missing."""

    status: Literal["degraded"]
    missing: list[str] = Field(default_factory=list)
    install: str | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, ServiceState]
    # Only services that reported something; absent when every service is simply up or down.
    details: dict[str, ServiceDetail] | None = None


class DocumentHit(BaseModel):
    text: str
    score: float
    title: str
    file: str
    section: str
    date: str
    start: int | None
    end: int | None


class DocumentSearchResponse(BaseModel):
    query: str
    answered: bool
    results: list[DocumentHit]


class Handover(BaseModel):
    id: int
    created_at: str
    sender: str
    language: str
    question: str
    contact: str
    status: str


class HandoverList(BaseModel):
    handovers: list[Handover]
