"""POST /translate, POST /detect, GET /languages (LibreTranslate-compatible).

The bodies are read by `read_body` (JSON or a form, as LibreTranslate clients send them), so FastAPI cannot
see their shape; `openapi_extra` describes them from the same pydantic models that validate them, and the
answers are documented per status code, so the schema says what the API does (the fuzz test holds both to
it: tests/app/test_schemathesis.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from translation.api.dependencies import ApiError, BodyDep, RateLimited, ServiceDep
from translation.api.schemas import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_ITEMS,
    HAS_TEXT,
    MAX_ALTERNATIVES,
    DetectedLanguage,
    LanguageInfo,
    TranslateResponse,
    error_responses,
    request_body,
)
from translation.batching import QueueFullError
from translation.model_store import ModelNotInstalledError
from translation.registry import LANGUAGES, SUPPORTED_DIRECTIONS
from translation.service import TranslationFailedError, UnsupportedPairError

router = APIRouter()


def _first_error(error: ValidationError) -> str:
    details = error.errors()[0]
    field = ".".join(str(part) for part in details["loc"]) or "body"
    if details["type"] == "string_pattern_mismatch":  # HAS_TEXT, the only pattern
        return f"{field} is empty"
    return f"invalid parameter {field}: {details['msg']}"


# In the schema the languages are an enum; the model takes any string so that an unknown one gets the
# LibreTranslate answer (400 with the supported pairs) instead of a bare validation error.
_SOURCES = [*LANGUAGES, "auto"]
_TARGETS = list(LANGUAGES)
# The sizes are in the schema only: the route checks them against the settings and answers 413.
Text = Annotated[str, Field(json_schema_extra={"maxLength": DEFAULT_MAX_CHARS})]
TextList = Annotated[list[Text], Field(min_length=1, json_schema_extra={"maxItems": DEFAULT_MAX_ITEMS})]


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # api_key, alternatives ... of LibreTranslate clients

    q: Text | TextList = Field(description=f"a text or a list; at most {DEFAULT_MAX_CHARS} characters in all")
    source: str = Field("auto", json_schema_extra={"enum": _SOURCES})
    target: str = Field(json_schema_extra={"enum": _TARGETS})
    format: Literal["text", "html"] = "text"
    # LibreTranslate's alternative translations: the service has none, and says so with [] per text.
    alternatives: int = Field(0, ge=0, le=MAX_ALTERNATIVES)

    @field_validator("source", "target")
    @classmethod
    def normalise_language(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("alternatives", mode="before")
    @classmethod
    def refuse_booleans(cls, value: object) -> object:
        # Lax mode would read JSON true as 1; forms and query strings still send "2" as text.
        if isinstance(value, bool):
            raise ValueError("must be an integer")
        return value


DetectText = Annotated[str, Field(pattern=HAS_TEXT, json_schema_extra={"maxLength": DEFAULT_MAX_CHARS})]


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", regex_engine="python-re")

    q: DetectText | Annotated[list[DetectText], Field(min_length=1)] = Field(
        description="a text, or a list of texts (one list of candidates each)"
    )


@router.post(
    "/translate",
    dependencies=[RateLimited],
    response_model=None,
    openapi_extra=request_body(TranslateRequest),
    responses={
        200: {"model": TranslateResponse, "description": "The translation, in the shape of `q`"},
        **error_responses(400, 413, 429, 500, 503),
    },
)
async def translate(body: BodyDep, service: ServiceDep) -> dict[str, object]:
    # Every limit is checked before any detection or model work: a refused request costs next to nothing.
    try:
        request = TranslateRequest.model_validate(body)
    except ValidationError as error:
        raise ApiError(400, _first_error(error)) from error
    texts = [request.q] if isinstance(request.q, str) else request.q
    if len(texts) > service.settings.max_items:
        raise ApiError(
            413,
            f"too many texts in q: {len(texts)}, the limit is {service.settings.max_items}",
            limit=service.settings.max_items,
        )
    total_characters = sum(len(text) for text in texts)
    if total_characters > service.settings.max_chars:
        raise ApiError(
            413,
            f"text too long: {total_characters} characters, the limit is {service.settings.max_chars}",
            limit=service.settings.max_chars,
        )
    response: dict[str, object] = {}
    source = request.source
    if source == "auto":
        best = service.detect("\n".join(texts))[0]
        source = best.language
        response["detectedLanguage"] = {"language": best.language, "confidence": best.confidence}
    if source not in LANGUAGES or request.target not in LANGUAGES:
        unknown = source if source not in LANGUAGES else request.target
        raise ApiError(
            400,
            f"unsupported language {unknown!r}; supported pairs: {', '.join(SUPPORTED_DIRECTIONS)}",
            supported=list(SUPPORTED_DIRECTIONS),
        )
    try:
        if source != request.target:
            service.check_direction(source, request.target)
        translated = await service.translate(texts, source, request.target, request.format)
    except UnsupportedPairError as error:
        raise ApiError(400, str(error), supported=list(SUPPORTED_DIRECTIONS)) from error
    except ModelNotInstalledError as error:
        raise ApiError(503, str(error), direction=error.direction, install="make models") from error
    except QueueFullError as error:
        raise ApiError(
            503,
            f"{error}; try again in {error.retry_after_s} s",
            headers={"Retry-After": str(error.retry_after_s)},
            retry_after=error.retry_after_s,
        ) from error
    except TranslationFailedError as error:
        raise ApiError(500, str(error)) from error
    response["translatedText"] = translated[0] if isinstance(request.q, str) else translated
    if request.alternatives:
        response["alternatives"] = [] if isinstance(request.q, str) else [[] for _ in texts]
    return response


Candidates = list[dict[str, object]]


@router.post(
    "/detect",
    dependencies=[RateLimited],
    response_model=None,
    openapi_extra=request_body(DetectRequest),
    responses={
        200: {
            "model": list[DetectedLanguage] | list[list[DetectedLanguage]],
            "description": "Candidates, most likely first (a list of them per text when `q` is a list)",
        },
        **error_responses(400, 413, 429),
    },
)
async def detect(body: BodyDep, service: ServiceDep) -> Candidates | list[Candidates]:
    try:
        request = DetectRequest.model_validate(body)
    except ValidationError as error:
        raise ApiError(400, _first_error(error)) from error
    texts = [request.q] if isinstance(request.q, str) else request.q
    if len(texts) > service.settings.max_items:
        raise ApiError(413, f"too many texts in q: the limit is {service.settings.max_items}")
    if sum(len(text) for text in texts) > service.settings.max_chars:
        raise ApiError(413, f"text too long: the limit is {service.settings.max_chars} characters")
    candidates = [
        [{"confidence": item.confidence, "language": item.language} for item in service.detect(text)]
        for text in texts
    ]
    return candidates[0] if isinstance(request.q, str) else candidates


@router.get("/languages", response_model=list[LanguageInfo])
async def languages() -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": name,
            "targets": [
                direction.split("-")[1] for direction in SUPPORTED_DIRECTIONS if direction.startswith(code)
            ],
        }
        for code, name in LANGUAGES.items()
    ]
