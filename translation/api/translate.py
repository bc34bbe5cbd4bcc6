"""POST /translate, POST /detect, GET /languages (LibreTranslate-compatible)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from translation.api.dependencies import ApiError, BodyDep, ServiceDep
from translation.model_store import ModelNotInstalledError
from translation.registry import LANGUAGES, SUPPORTED_DIRECTIONS
from translation.service import TranslationFailedError, UnsupportedPairError

router = APIRouter()


def _first_error(error: ValidationError) -> str:
    details = error.errors()[0]
    field = ".".join(str(part) for part in details["loc"]) or "body"
    return f"invalid parameter {field}: {details['msg']}"


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # api_key, alternatives ... of LibreTranslate clients

    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"

    @field_validator("source", "target")
    @classmethod
    def normalise_language(cls, value: str) -> str:
        return value.strip().lower()


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: str


@router.post("/translate")
async def translate(body: BodyDep, service: ServiceDep) -> dict[str, object]:
    try:
        request = TranslateRequest.model_validate(body)
    except ValidationError as error:
        raise ApiError(400, _first_error(error)) from error
    texts = [request.q] if isinstance(request.q, str) else request.q
    if not texts:
        raise ApiError(400, "q is an empty list")
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
    except TranslationFailedError as error:
        raise ApiError(500, str(error)) from error
    response["translatedText"] = translated[0] if isinstance(request.q, str) else translated
    return response


@router.post("/detect")
async def detect(body: BodyDep, service: ServiceDep) -> list[dict[str, object]]:
    try:
        request = DetectRequest.model_validate(body)
    except ValidationError as error:
        raise ApiError(400, _first_error(error)) from error
    if not request.q.strip():
        raise ApiError(400, "q is empty")
    if len(request.q) > service.settings.max_chars:
        raise ApiError(413, f"text too long: the limit is {service.settings.max_chars} characters")
    return [{"confidence": item.confidence, "language": item.language} for item in service.detect(request.q)]


@router.get("/languages")
async def languages() -> list[dict[str, object]]:
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
