"""Talks to the Rasa server: sets the conversation's language slot and sends user messages (REST channel)."""

from typing import Any
from urllib.parse import quote

import httpx

from gateway.http_service import request_json
from gateway.service_errors import ServiceBadResponse

SERVICE_NAME = "rasa"


class RasaClient:
    """Thin async client of the Rasa HTTP API (`--enable-api --auth-token`) and its REST webhook."""

    def __init__(self, http_client: httpx.AsyncClient, token: str = "") -> None:
        # The client carries base_url and timeout, so tests can hand in one built on httpx.MockTransport.
        self._http = http_client
        # Rasa 3.6 checks the HTTP API's token in the `token` query parameter only (rasa/server.py,
        # `requires_auth`: `request.args.get("token")`; 401 NotAuthenticated without it). The REST webhook
        # is a channel, not the API: it takes no token.
        self._api_params = {"token": token} if token else {}

    @classmethod
    def from_url(
        cls,
        base_url: str,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
        token: str = "",
    ) -> "RasaClient":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport), token)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def set_language(self, sender: str, language: str) -> None:
        """Set the `language` slot so that Rasa picks the response variation of that language."""
        state = await self._post_language(sender, language)
        latest = state.get("latest_message") if isinstance(state, dict) else None
        if isinstance(latest, dict) and not latest.get("text"):
            # A conversation Rasa did not know yet. Rasa 3.6 reads the posted event (stamped with the time it
            # was read) before it starts the new session (`update_conversation_with_events`), so the slot's
            # timestamp precedes `session_started`; the SQL tracker store loads only events stamped at or
            # after the latest session start (`SQLTrackerStore._event_query`), and the slot would be gone by
            # the next message. Set once more, now inside the session.
            await self._post_language(sender, language)

    async def _post_language(self, sender: str, language: str) -> Any:
        return await self.post_event(sender, {"event": "slot", "name": "language", "value": language})

    async def post_event(self, sender: str, event: dict[str, Any]) -> Any:
        """Append one event to the conversation's tracker (a slot, the office's `pause`/`resume`)."""
        path = f"/conversations/{quote(sender, safe='')}/tracker/events"
        return await request_json(
            self._http,
            SERVICE_NAME,
            "POST",
            path,
            # NONE: the answer is the tracker's state without its events (all of them by default).
            params={**self._api_params, "include_events": "NONE"},
            json=event,
        )

    async def events(self, sender: str) -> list[dict[str, Any]]:
        """Every event of the conversation's tracker (the office reads the transcript from it)."""
        body = await request_json(
            self._http,
            SERVICE_NAME,
            "GET",
            f"/conversations/{quote(sender, safe='')}/tracker",
            params={**self._api_params, "include_events": "ALL"},
        )
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise ServiceBadResponse(SERVICE_NAME, "the tracker has no list of events")
        return [event for event in events if isinstance(event, dict)]

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
