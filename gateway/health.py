"""Checks the gateway's dependencies concurrently, each with a short timeout, and says what they say.

A service is "up" when it answers with a success status, "down" when it cannot be reached or fails, and
"degraded" when it answers but reports `"status": "degraded"` itself, whatever the status code: the
translation service answers 503 with its JSON body when directions are missing, so that a load balancer
can act on it, and that body (which directions, how to install them) is passed on in `details`. Reporting
such a service as "up" (as the gateway did) hid that every translation would fail.
"""

import asyncio
from typing import Any

import httpx

from gateway.schemas import HealthReport, ServiceDetail, ServiceState
from gateway.settings import Settings

# A dependency's report is passed on, not trusted: a few short fields only.
_MAX_LISTED = 20
_MAX_TEXT = 200


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _detail_of(body: dict[str, Any]) -> ServiceDetail:
    missing = body.get("missing")
    install = body.get("install")
    return ServiceDetail(
        status="degraded",
        missing=[str(item)[:_MAX_TEXT] for item in missing[:_MAX_LISTED]]
        if isinstance(missing, list)
        else [],
        install=str(install)[:_MAX_TEXT] if install else None,
    )


class HealthChecker:
    def __init__(self, http_client: httpx.AsyncClient, probe_urls: dict[str, str], timeout_s: float) -> None:
        self._http = http_client
        self._probe_urls = probe_urls
        self._timeout_s = timeout_s

    @classmethod
    def for_settings(cls, http_client: httpx.AsyncClient, settings: Settings) -> "HealthChecker":
        probe_urls = {
            "rasa": f"{settings.rasa_url.rstrip('/')}/",
            "actions": f"{settings.actions_url.rstrip('/')}/health",
            "translation": f"{settings.translation_url.rstrip('/')}/health",
        }
        return cls(http_client, probe_urls, settings.health_timeout_s)

    async def probe(self, url: str) -> tuple[ServiceState, ServiceDetail | None]:
        try:
            response = await self._http.get(url, timeout=self._timeout_s)
        except httpx.HTTPError:
            return "down", None
        body = _json_object(response)
        if body is not None and body.get("status") == "degraded":
            return "degraded", _detail_of(body)
        return ("up" if response.is_success else "down"), None

    async def check(self) -> HealthReport:
        names = list(self._probe_urls)
        results = await asyncio.gather(*(self.probe(self._probe_urls[name]) for name in names))
        services: dict[str, ServiceState] = {"gateway": "up"}
        details: dict[str, ServiceDetail] = {}
        for name, (state, detail) in zip(names, results, strict=True):
            services[name] = state
            if detail is not None:
                details[name] = detail
        status = "ok" if all(state == "up" for state in services.values()) else "degraded"
        return HealthReport(status=status, services=services, details=details or None)
