"""Dependencies shared by the routers (tests replace them through app.dependency_overrides)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request

from gateway.rate_limit import RateLimiter, client_key
from translation.service import TranslationService
from translation.settings import Settings, get_settings


class ApiError(Exception):
    """An error answer: `{"error": message, **extra}` with the status code (LibreTranslate's shape)."""

    def __init__(
        self, status_code: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers
        self.extra = extra


def get_service(request: Request) -> TranslationService:
    service = getattr(request.app.state, "translation_service", None)
    if service is None:  # first request without the lifespan having run (e.g. a bare TestClient)
        service = TranslationService(get_settings())
        request.app.state.translation_service = service
    return service


ServiceDep = Annotated[TranslationService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@lru_cache
def get_rate_limiter() -> RateLimiter:
    """One limiter for the process (its counters are the state); tests override it with a strict one."""
    return RateLimiter(get_settings().rate_limit)


def enforce_rate_limit(request: Request, limiter: Annotated[RateLimiter, Depends(get_rate_limiter)]) -> None:
    """429 with Retry-After once a client address is over TRANSLATION_RATE_LIMIT (before any model runs)."""
    retry_after = limiter.hit(client_key(request.client.host if request.client else None))
    if retry_after is not None:
        raise ApiError(
            429,
            f"too many requests from this address; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


RateLimited = Depends(enforce_rate_limit)


def _single_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


async def read_body(request: Request) -> dict[str, Any]:
    """The request's parameters from the query string and a JSON body or a form (urlencoded or multipart),
    like LibreTranslate: deep-translator sends every parameter in the query string of an empty POST. A
    parameter in both places takes the body's value."""
    query = request.query_params
    parameters: dict[str, Any] = {key: _single_or_list(query.getlist(key)) for key in query}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form:
            values = [value for value in form.getlist(key) if isinstance(value, str)]
            parameters[key] = _single_or_list(values)
        return parameters
    # No size check here: BodyLimitMiddleware (translation.main) has cut an oversized body off already.
    raw = await request.body()
    if not raw.strip():
        if parameters:
            return parameters
        raise ApiError(400, "empty request body: send JSON, form fields or query parameters")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        # The decoder's position only; its message can quote the body back.
        decoded = isinstance(error, json.JSONDecodeError)
        where = f" (line {error.lineno}, column {error.colno})" if decoded else ""
        raise ApiError(400, f"request body is not valid JSON{where}") from error
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return {**parameters, **body}


BodyDep = Annotated[dict[str, Any], Depends(read_body)]
