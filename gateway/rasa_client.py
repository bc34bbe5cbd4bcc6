"""Talks to the Rasa server: sets the conversation's language slot and sends user messages (REST channel)."""

from typing import Any
from urllib.parse import quote

import httpx

from gateway.http_service import request_json
from gateway.service_errors import ServiceBadResponse

SERVICE_NAME = "rasa"


class RasaClient:
    """Thin async client of the Rasa HTTP API (`--enable-api`) and its REST webhook."""

    def __init__(self, http_client: httpx.AsyncClient) -> None:
        # The client carries base_url and timeout, so tests can hand in one built on httpx.MockTransport.
        self._http = http_client

    @classmethod
    def from_url(
        cls, base_url: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> "RasaClient":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def set_language(self, sender: str, language: str) -> None:
        """Set the `language` slot so that Rasa picks the response variation of that language."""
        path = f"/conversations/{quote(sender, safe='')}/tracker/events"
        await request_json(
            self._http,
            SERVICE_NAME,
            "POST",
            path,
            json={"event": "slot", "name": "language", "value": language},
        )

    async def send_message(self, sender: str, text: str, language: str) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's REST output (a list of {text, buttons, custom, ...})."""
        body = await request_json(
            self._http,
            SERVICE_NAME,
            "POST",
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"language": language}},
        )
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise ServiceBadResponse(SERVICE_NAME, "the REST webhook did not return a list of messages")
        return body
