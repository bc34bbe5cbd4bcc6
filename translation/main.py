"""The translation service app: `uvicorn translation.main:app --port 8001`. Only assembles the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gateway.body_limit import BodyLimitMiddleware
from translation.api import frontend, status, translate
from translation.api.dependencies import ApiError
from translation.api.schemas import error_responses
from translation.service import TranslationService
from translation.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Models load lazily on first use: startup is instant and works with no model installed.
    app.state.translation_service = TranslationService(get_settings())
    yield
    await app.state.translation_service.close()


@lru_cache
def max_body_bytes() -> int:
    """TRANSLATION_MAX_BODY_BYTES, read on the first request (not at import)."""
    return get_settings().max_body_bytes


def error_body(status_code: int, reason: str, limit: int) -> dict[str, Any]:
    """The body limit's answers in LibreTranslate's error shape."""
    return {"error": reason, "limit": limit} if status_code == 413 else {"error": reason}


app = FastAPI(
    title="Translation service (MarianMT, LibreTranslate-compatible)",
    lifespan=lifespan,
    # Every route: the body limit sits in front of all of them, and errors have one shape.
    responses=error_responses(413, 422),
)
# Bodies are cut off while they stream in, before read_body or the form parser holds them.
app.add_middleware(BodyLimitMiddleware, limit_for=lambda path: max_body_bytes(), error_body=error_body)
app.include_router(translate.router)
app.include_router(status.router)
app.include_router(frontend.router)


def _count_error(request: Request, status_code: int) -> None:
    service = getattr(request.app.state, "translation_service", None)
    if service is not None:
        service.metrics.record_error(status_code)


@app.exception_handler(ApiError)
async def api_error_handler(request: Request, error: ApiError) -> JSONResponse:
    _count_error(request, error.status_code)
    return JSONResponse(
        {"error": error.message, **error.extra}, status_code=error.status_code, headers=error.headers
    )


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, error: RequestValidationError) -> JSONResponse:
    _count_error(request, 422)
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    return JSONResponse({"error": f"invalid request {where}: {first['msg']}"}, status_code=422)
