"""The action server: rasa_sdk's executor behind a webhook that only Rasa may call.

    .venv-rasa/bin/python -m actions.server [--host HOST] [--port PORT]

What ``rasa run actions`` does, with four differences (rasa_sdk 3.6 has no option for any of them):
- it listens on ``HOST`` (loopback by default), not on every interface;
- ``POST /webhook`` (and ``GET /actions``) need ``Authorization: Bearer <ACTIONS_TOKEN>``, which Rasa sends
  from the ``headers`` of its action endpoint (endpoints.yml); ``GET /health`` stays open for the probes;
- errors never echo the request body (rasa_sdk's 500 reply carries the whole tracker) and say nothing of the
  internals; bodies are limited in size, a deflate-compressed one after inflating too;
- the application context (``actions.context``) is built once before the server listens, and the actions
  are registered as instances made with it (``actions.registry``).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import logging
import zlib
from typing import Any

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.context import ActionContext, StartupError, build_context, warm_up
from actions.registry import all_actions
from actions.settings import ActionsSettings

logger = logging.getLogger(__name__)

APP_NAME = "liberec_actions"
OPEN_PATHS = frozenset({"/health"})


class BodyError(Exception):
    """The webhook body cannot be read: not JSON, not an object, or over the limit."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def authorized(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>``; never with an empty token."""
    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def read_action_call(body: bytes, content_encoding: str | None, max_bytes: int) -> dict[str, Any]:
    """The JSON object of a webhook call (Rasa may deflate it), at most ``max_bytes`` once inflated."""
    if (content_encoding or "").lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error:
            raise BodyError(400, "the body is not deflate data") from None
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise BodyError(413, "the body is over the limit")
    try:
        action_call = json.loads(body)
    except ValueError:
        raise BodyError(400, "the body is not JSON") from None
    if not isinstance(action_call, dict):
        raise BodyError(400, "the body is not a JSON object")
    return action_call


def _error(status: int, message: str, **extra: str) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status)


def create_app(context: ActionContext, actions: list[Any] | None = None) -> Sanic:
    """The Sanic app serving the actions made with ``context`` (all of the domain unless ``actions``)."""
    settings = context.settings
    token = settings.actions_token.get_secret_value()
    if not token:
        logger.warning("ACTIONS_TOKEN is not set: every webhook call will be refused")
    app = Sanic(APP_NAME, configure_logging=False)
    app.config.REQUEST_MAX_SIZE = settings.actions_max_body_bytes
    app.ctx.context = context
    executor = ActionExecutor()
    for action in all_actions(context) if actions is None else actions:
        executor.register_action(action)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorized(request.headers.get("authorization"), token):
            return None
        return response.json(
            {"error": "missing or wrong token"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def list_actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        try:
            action_call = read_action_call(
                request.body, request.headers.get("content-encoding"), settings.actions_max_body_bytes
            )
        except BodyError as error:
            return _error(error.status, error.message)
        utils.check_version_compatibility(action_call.get("version"))
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as rejection:
            # Rasa reads both fields; they come from the action (a form's validation), not from the body.
            logger.debug("action rejected: %s", rejection)
            return _error(400, str(rejection.message), action_name=str(rejection.action_name))
        except ActionNotFoundException:
            logger.error("no action named %.100r", action_call.get("next_action"))
            return _error(404, "no such action")
        return response.json(result)

    @app.exception(Exception)
    async def on_error(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = int(getattr(exception, "status_code", 500) or 500)
            return _error(status, "request refused" if status < 500 else "internal error")
        # The tracker in the body holds the conversation: it is neither logged nor sent back.
        logger.error("the action call failed: %s", type(exception).__name__, exc_info=exception)
        return _error(500, "internal error")

    @app.listener("after_server_start")
    async def start_warm_up(app_: Sanic, _: Any) -> None:
        if settings.actions_warm_up:
            app_.add_task(asyncio.to_thread(warm_up, context))

    @app.listener("after_server_stop")
    async def close_context(_: Sanic, __: Any) -> None:
        context.close()

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", help="where to listen (default: HOST, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ACTIONS_PORT, else 5055)")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = ActionsSettings()
    try:
        context = build_context(settings)
    except StartupError as error:
        logger.critical("%s", error)
        raise SystemExit(str(error)) from error
    host = arguments.host or settings.host
    port = arguments.port or settings.actions_port
    logger.info("action server on http://%s:%s", host, port)
    create_app(context).run(host=host, port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
