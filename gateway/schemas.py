"""Request and response bodies of the gateway's HTTP API (shapes fixed in docs/architecture.md)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from gateway.language import LanguageCode

MAX_MESSAGE_CHARS = 5_000


def _lowercase_text(value: Any) -> Any:
    # "DE" or " de " from a hand-written client means de; anything else is left to the Literal check.
    return value.strip().lower() if isinstance(value, str) else value


RequestedLanguage = Annotated[Literal["cs", "de", "pl", "auto"], BeforeValidator(_lowercase_text)]


class ChatRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    sender: str = Field(min_length=1, max_length=128, description="Conversation id; one per user.")
    message: str = Field(max_length=MAX_MESSAGE_CHARS)
    lang: RequestedLanguage = "auto"

    @field_validator("message")
    @classmethod
    def message_must_have_text(cls, message: str) -> str:
        if not message:
            raise ValueError("message must not be empty")
        return message


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
    lang: LanguageCode
    messages: list[ChatMessage]


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, Literal["up", "down"]]


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
