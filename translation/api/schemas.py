"""The translation API's documented shapes: answers, errors and the request bodies `read_body` parses.

Only documentation and validation shapes live here; the routes decide. The limits in the schema are the
defaults of translation.settings (a deployment that changes them serves a schema with the defaults).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from translation.settings import Settings

DEFAULT_MAX_CHARS: int = Settings.model_fields["max_chars"].default
DEFAULT_MAX_ITEMS: int = Settings.model_fields["max_items"].default
MAX_ALTERNATIVES = 10  # `alternatives` asked for: a bound on the parameter (none are produced)
# "Has a character that is not white space", checked by Python's re (whose \s is str.isspace(), what
# str.strip() removes), so the schema's pattern and the API agree on "   ".
HAS_TEXT = r"\S"


class ApiErrorBody(BaseModel):
    """Every error: LibreTranslate's `{"error": reason}`, plus fields that help (`supported`, `direction`,
    `install`, `limit`, `retry_after`) where they apply."""

    model_config = ConfigDict(extra="allow")

    error: str


class DetectedLanguage(BaseModel):
    language: str
    confidence: float


class TranslateResponse(BaseModel):
    translatedText: str | list[str]  # LibreTranslate's names
    detectedLanguage: DetectedLanguage | None = None  # only with source "auto"
    alternatives: list[str] | list[list[str]] | None = None  # only when asked for; always empty here


class LanguageInfo(BaseModel):
    code: str
    name: str
    targets: list[str]


class DirectionHealth(BaseModel):
    installed: bool
    model: str
    backend: str | None


class HealthBody(BaseModel):
    status: str
    backend: str
    directions: dict[str, DirectionHealth]
    missing: list[str]
    install: str | None


_ERROR_DESCRIPTIONS = {
    400: "Malformed body, unknown language or unsupported pair (with `supported`)",
    413: "Body, text or q list over the limit (with `limit`)",
    422: "Invalid query parameters",
    429: "Too many requests from this address (see Retry-After)",
    500: "The model failed",
    503: "The direction's model is not installed (with `direction` and `install`), or the translation "
    "queue is full (with `retry_after`, see Retry-After)",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these error statuses, all with the `{"error": ...}` body."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status_code in status_codes:
        entry: dict[str, Any] = {"model": ApiErrorBody, "description": _ERROR_DESCRIPTIONS[status_code]}
        if status_code in (429, 503):
            entry["headers"] = _RETRY_AFTER
        responses[status_code] = entry
    return responses


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra=` describing a JSON body by `model` (forms with the same fields work too)."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "description": "JSON, or the same fields as a form (urlencoded or multipart)",
            "content": {"application/json": {"schema": schema}},
        }
    }
