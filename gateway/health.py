"""Checks the gateway's dependencies concurrently, each with a short timeout."""

import asyncio

import httpx

from gateway.http_service import is_reachable
from gateway.schemas import HealthReport
from gateway.settings import Settings


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

    async def check(self) -> HealthReport:
        names = list(self._probe_urls)
        results = await asyncio.gather(
            *(is_reachable(self._http, self._probe_urls[name], self._timeout_s) for name in names)
        )
        services: dict[str, str] = {"gateway": "up"}
        services.update({name: "up" if is_up else "down" for name, is_up in zip(names, results, strict=True)})
        status = "ok" if all(results) else "degraded"
        return HealthReport.model_validate({"status": status, "services": services})
