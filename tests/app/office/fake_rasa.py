"""A fake Rasa for the office tests (httpx.MockTransport): the REST webhook, tracker events in and out.

It keeps each conversation's events as Rasa would list them (user, bot, slot, pause, resume), so the office's
transcript and the takeover's pause/resume can be checked, and it counts the messages that reached the bot.
"""

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

NO_ANSWER_DE = "Leider geben die mir vorliegenden Dokumente keine Antwort auf die Frage."
HANDOVER = {
    "cs": "Váš dotaz č. {id} jsem předal krajskému úřadu.",
    "de": "Ich habe Ihre Anfrage Nr. {id} an das Kreisamt weitergegeben.",
    "pl": "Przekazałem Twoje zapytanie nr {id} do urzędu.",
}
HANDOVER_DE = HANDOVER["de"]
ASKS_FOR_A_PERSON = ("Mensch", "člověk", "człowiek")
NO_ANSWER_WORDS = ("Fähre", "trajekt", "promem")


def scripted_reply(message: str, language: str) -> list[dict[str, Any]]:
    """A handover for "Mensch"/"člověk"/"człowiek" (text with an {id} to fill), a marked no-answer for
    "Fähre"/"trajekt"/"promem", an echo otherwise."""
    if any(word in message for word in ASKS_FOR_A_PERSON):
        return [
            {"text": HANDOVER.get(language, HANDOVER_DE)},
            {"custom": {"outcome": "handover", "question": message}},
        ]
    if any(word in message for word in NO_ANSWER_WORDS):
        return [{"text": NO_ANSWER_DE}, {"custom": {"outcome": "no_answer"}}]
    return [{"text": f"[{language}] {message}"}]


# (sender, language, question) -> the handover's id: what the action server's handover form stores.
HandoverWriter = Callable[[str, str, str], int]


@dataclass
class FakeRasa:
    reply: Callable[[str, str], list[dict[str, Any]]] = scripted_reply
    events: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    webhook_messages: list[tuple[str, str]] = field(default_factory=list)
    language_by_sender: dict[str, str] = field(default_factory=dict)
    # Stores a handover like the action server (the browser tests); without it the reply says Nr. 1.
    store_handover: HandoverWriter | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/":  # Rasa's status page, which the gateway's health check reads
            return httpx.Response(200, json={"version": "fake"})
        if path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            sender, text = body["sender"], body["message"]
            self.webhook_messages.append((sender, text))
            language = self.language_by_sender.get(sender, "cs")
            reply = self._numbered(sender, language, text, self.reply(text, language))
            self.events[sender].append({"event": "user", "text": text, "timestamp": time.time()})
            self.events[sender] += [
                {"event": "bot", "text": item["text"], "timestamp": time.time()}
                for item in reply
                if "text" in item
            ]
            return httpx.Response(200, json=reply)
        parts = path.split("/")
        if len(parts) >= 4 and parts[1] == "conversations":
            sender = unquote(parts[2])
            if path.endswith("/tracker/events") and request.method == "POST":
                event = json.loads(request.content)
                if event.get("event") == "slot" and event.get("name") == "language":
                    self.language_by_sender[sender] = event["value"]
                self.events[sender].append({**event, "timestamp": time.time()})
                return httpx.Response(200, json={"sender_id": sender, "latest_message": {"text": "x"}})
            if path.endswith("/tracker") and request.method == "GET":
                return httpx.Response(200, json={"sender_id": sender, "events": self.events[sender]})
        return httpx.Response(404, json={"error": "not found"})

    def _numbered(
        self, sender: str, language: str, text: str, reply: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if not any((item.get("custom") or {}).get("outcome") == "handover" for item in reply):
            return reply
        number = self.store_handover(sender, language, text) if self.store_handover else 1
        return [
            {**item, "text": item["text"].format(id=number)} if "text" in item else item for item in reply
        ]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def kinds(self, sender: str) -> list[str]:
        return [event["event"] for event in self.events[sender] if event["event"] != "slot"]
