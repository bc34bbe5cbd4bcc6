"""Error responses with a readable reason: `{"detail": "<what is wrong>", "errors": [...]}` for bad input."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gateway.schemas import HAS_TEXT
from gateway.service_errors import ServiceError, ServiceUnavailable

# The schema says "minLength 1" and "pattern \\S" so that it describes what is accepted; people read this.
_EMPTY_TEXT_ERRORS = {("string_too_short", "min_length", 1), ("string_pattern_mismatch", "pattern", HAS_TEXT)}


def _is_empty_text_error(error: dict[str, Any]) -> bool:
    ctx = error.get("ctx") or {}
    return any(error.get("type") == kind and ctx.get(key) == value for kind, key, value in _EMPTY_TEXT_ERRORS)


def describe_validation_errors(exc: RequestValidationError) -> str:
    """One line per problem, e.g. "body.message: String should have at most 5000 characters"."""
    parts = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            # The location of a JSON syntax error is a character offset, which reads badly as a field name.
            location = ""
            decoder_message = (error.get("ctx") or {}).get("error", "")
            message = f"the request body is not valid JSON ({decoder_message})".replace(" ()", "")
        elif location == "body" and error.get("type") in ("missing", "model_attributes_type", "dict_type"):
            message = "send a JSON object (Content-Type: application/json) with the fields of this endpoint"
        elif error.get("type") == "missing":
            message = "this field is required"
        elif _is_empty_text_error(error):
            message = f"{error['loc'][-1]} must not be empty"
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) or "invalid request"


async def _validation_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
    # The raw input of a huge message would be echoed back, and the links point into pydantic's manual.
    for error in errors:
        error.pop("input", None)
        error.pop("url", None)
    return JSONResponse(
        status_code=422, content={"detail": describe_validation_errors(exc), "errors": errors}
    )


async def _service_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    if isinstance(exc, ServiceUnavailable):
        status_code = 503
        detail = f"The {exc.service} service is not available right now ({exc.reason}). Try again later."
    else:
        status_code = 502
        detail = f"The {exc.service} service gave an unusable answer ({exc.reason})."
    return JSONResponse(status_code=status_code, content={"detail": detail, "service": exc.service})


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> set[str]:
    """Every method some route serves at this path. Starlette's 405 names only the first route it tried,
    so `OPTIONS /api/rooms/{id}/messages` said `Allow: GET` although POST is served there too. Asked
    through `matches()` with each method, the routes' one public interface (FastAPI nests included
    routers in objects of its own)."""
    routes = request.app.router.routes
    return {
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    }


async def _http_error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    methods = allowed_methods(request) if exc.status_code == 405 else set()
    if methods:  # empty inside a mounted app (static files), whose own answer is kept
        allow = ", ".join(sorted(methods))
        return JSONResponse({"detail": exc.detail}, status_code=405, headers={"Allow": allow})
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error_response)
    app.add_exception_handler(StarletteHTTPException, _http_error_response)
    # ServiceUnavailable (503) and ServiceBadResponse (502) are handled through their base class.
    app.add_exception_handler(ServiceError, _service_error_response)
