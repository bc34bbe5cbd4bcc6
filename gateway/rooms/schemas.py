"""Request and response bodies of the rooms API and the validation shared by HTTP and WebSocket input."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.schemas import HAS_TEXT

RoomLanguage = Literal["cs", "de", "pl"]
ROOM_LANGUAGES: tuple[RoomLanguage, ...] = ("cs", "de", "pl")
MAX_ROOM_MESSAGE_CHARS = 2_000
MAX_NAME_CHARS = 40
MAX_TITLE_CHARS = 100
# Room ids are token_urlsafe(12): 16 characters of [A-Za-z0-9_-]. Checked before touching the database.
ROOM_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
# The id a client makes for a message it sends (the page: a UUID), so that a retry is recognised.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


def _must_not_be_blank(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


class RoomCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(default="", max_length=MAX_TITLE_CHARS)


class RoomInfo(BaseModel):
    id: str
    title: str
    created_at: str
    url: str
    websocket: str
    languages: list[RoomLanguage]
    participants: list["Participant"]


class Participant(BaseModel):
    name: str
    lang: RoomLanguage


class Author(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=HAS_TEXT)
    lang: RoomLanguage

    @field_validator("name")
    @classmethod
    def name_must_have_text(cls, name: str) -> str:
        return _must_not_be_blank(name, "name")


class JoinRequest(Author):
    """What a participant sends first on the WebSocket: who they are, which language they read and, when
    reconnecting, the newest message id they have (the history then starts after it)."""

    after: int | None = Field(default=None, ge=0)


class MessageText(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=MAX_ROOM_MESSAGE_CHARS, pattern=HAS_TEXT)
    client_id: str | None = Field(
        default=None,
        pattern=CLIENT_ID_PATTERN,
        description="an id the client made for this message; sending it again returns the stored message",
    )

    @field_validator("text")
    @classmethod
    def text_must_have_content(cls, text: str) -> str:
        return _must_not_be_blank(text, "text")


class MessagePost(Author, MessageText):
    """A message sent over plain HTTP (for clients without a WebSocket)."""


class RenderedMessage(BaseModel):
    """One message as a reader of `shown_lang` sees it.

    status: `original` (written in the reader's language), `translated`, or `pending` (translation not
    available yet: `text` is the original and an update follows when the translation service is back).
    """

    id: int
    author: str
    lang: RoomLanguage
    original: str
    text: str
    shown_lang: RoomLanguage
    status: Literal["original", "translated", "pending"]
    created_at: str


class MessageHistory(BaseModel):
    room: str
    lang: RoomLanguage
    messages: list[RenderedMessage]


RoomInfo.model_rebuild()
