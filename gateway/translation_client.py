"""Client of the translation service (LibreTranslate-compatible API, see docs/architecture.md)."""

from typing import overload

import httpx

from gateway.http_service import request_json
from gateway.service_errors import ServiceBadResponse

SERVICE_NAME = "translation"


class TranslationClient:
    def __init__(self, http_client: httpx.AsyncClient) -> None:
        self._http = http_client

    @classmethod
    def from_url(
        cls, base_url: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> "TranslationClient":
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport))

    async def aclose(self) -> None:
        await self._http.aclose()

    @overload
    async def translate(self, text: str, source: str, target: str) -> str: ...

    @overload
    async def translate(self, text: list[str], source: str, target: str) -> list[str]: ...

    async def translate(self, text: str | list[str], source: str, target: str) -> str | list[str]:
        """Translate one text or a batch (one request; the service keeps the order)."""
        if source == target:
            return text
        body = await request_json(
            self._http,
            SERVICE_NAME,
            "POST",
            "/translate",
            json={"q": text, "source": source, "target": target, "format": "text"},
        )
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(text, str):
            if not isinstance(translated, str):
                raise ServiceBadResponse(SERVICE_NAME, "translatedText is missing or not a string")
            return translated
        if not (
            isinstance(translated, list)
            and len(translated) == len(text)
            and all(isinstance(item, str) for item in translated)
        ):
            raise ServiceBadResponse(SERVICE_NAME, "translatedText is not a list as long as the input")
        return translated
