"""A fake Telegram Bot API server on loopback: enough of getMe, getUpdates, sendMessage & co. for
python-telegram-bot's real Application to poll it (the bot's base_url points here).

Tests queue updates with `push`, and read what the bot sent from `calls`.
"""

import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.app import loopback

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trojzemí", "username": "trojzemi_test_bot"}
# Long polls are answered at least this often, so that stopping the bot never waits for a full timeout.
MAX_POLL_WAIT_S = 0.3


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]


def _decode(value: str) -> Any:
    # python-telegram-bot sends form fields; objects (reply_markup, allowed_updates) are JSON inside them.
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.calls: list[ApiCall] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(10_000)
        self._condition = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # --- what tests use -----------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is set here) for the bot's next getUpdates."""
        with self._condition:
            update_id = next(self._update_ids)
            self._updates.append({**update, "update_id": update_id})
            self._condition.notify_all()
        return update_id

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._condition:
            return [
                call.params
                for call in self.calls
                if call.method == method
                and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [params["text"] for params in self.sent("sendMessage", chat_id)]

    # --- the API ----------------------------------------------------------------------------------

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "chat"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        wait_s = min(float(params.get("timeout", 0) or 0), MAX_POLL_WAIT_S)
        limit = int(params.get("limit", 100) or 100)
        deadline = time.monotonic() + wait_s
        with self._condition:
            # An offset confirms every update before it: Telegram forgets them.
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._condition.wait(deadline - time.monotonic())
            return self._updates[:limit]

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        if method != "getUpdates":
            with self._condition:
                self.calls.append(ApiCall(method, params))
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            return self._message(params)
        if method in {
            "deleteWebhook",
            "setWebhook",
            "setMyCommands",
            "sendChatAction",
            "answerCallbackQuery",
        }:
            return True
        raise KeyError(method)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet tests
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                method = self.path[len(prefix) :]
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = {key: _decode(value) for key, value in parse_qsl(body)}
                try:
                    result = fake.handle(method, params)
                except KeyError:
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found: method"})
                    return
                self._send(200, {"ok": True, "result": result})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The bot drops a pending long poll when it stops; nobody is left to read the answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        return Handler

    def __enter__(self) -> "FakeBotApi":
        self._server = loopback.serve(self.port, self._handler())
        return self

    def __exit__(self, *_exc: object) -> None:
        loopback.stop(self._server)


# --- updates as Telegram sends them ----------------------------------------------------------------------

_message_numbers: Iterator[int] = itertools.count(1)


def user(user_id: int, first_name: str, language_code: str | None = "cs") -> dict[str, Any]:
    person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        person["language_code"] = language_code
    return person


def message_update(
    chat: dict[str, Any], sender: dict[str, Any], text: str | None = None, **extra: Any
) -> dict[str, Any]:
    """An update with a message; a leading /command gets its bot_command entity, as Telegram marks it."""
    message: dict[str, Any] = {
        "message_id": next(_message_numbers),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": message}


def private_chat(person: dict[str, Any]) -> dict[str, Any]:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def group_chat(chat_id: int, title: str = "Trojzemí partneři") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}
