"""A scripted fake Rasa for httpx.MockTransport: records requests, answers in the language slot set."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class FakeRasa:
    """Records the requests a client sends and answers the webhook with `reply(message, language)`."""

    reply: Callable[[str, str], list[dict[str, Any]]]
    requests: list[httpx.Request] = field(default_factory=list)
    language_by_sender: dict[str, str] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/tracker/events"):
            event = json.loads(request.content)
            sender = request.url.path.split("/")[2]
            self.language_by_sender[sender] = event["value"]
            return httpx.Response(200, json={"sender_id": sender, "slots": {"language": event["value"]}})
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            language = self.language_by_sender.get(body["sender"], "cs")
            return httpx.Response(200, json=self.reply(body["message"], language))
        return httpx.Response(404, json={"error": "not found"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def echo_reply(message: str, language: str) -> list[dict[str, Any]]:
    return [{"recipient_id": "x", "text": f"[{language}] {message}"}]
