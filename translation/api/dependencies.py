"""Dependencies shared by the routers (tests replace them through app.dependency_overrides)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from translation.service import TranslationService
from translation.settings import Settings, get_settings


class ApiError(Exception):
    """An error answer: `{"error": message, **extra}` with the status code (LibreTranslate's shape)."""

    def __init__(self, status_code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.extra = extra


def get_service(request: Request) -> TranslationService:
    service = getattr(request.app.state, "translation_service", None)
    if service is None:  # first request without the lifespan having run (e.g. a bare TestClient)
        service = TranslationService(get_settings())
        request.app.state.translation_service = service
    return service


ServiceDep = Annotated[TranslationService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def read_body(request: Request) -> dict[str, Any]:
    """The request's parameters from a JSON body or a form (urlencoded or multipart), like LibreTranslate."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        parameters: dict[str, Any] = {}
        for key in form:
            values = [value for value in form.getlist(key) if isinstance(value, str)]
            parameters[key] = values[0] if len(values) == 1 else values
        return parameters
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "empty request body: send JSON or form fields")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"request body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


BodyDep = Annotated[dict[str, Any], Depends(read_body)]
