"""FastAPI dependencies: each route asks for what it needs; tests swap them via app.dependency_overrides."""

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from gateway.assistant import Assistant
from gateway.conversation_ids import ConversationIds
from gateway.document_search import DocumentSearch
from gateway.handovers import HandoverStore
from gateway.health import HealthChecker
from gateway.language import LanguageGuesser
from gateway.rate_limit import RateLimiter, client_key
from gateway.services import Services
from gateway.settings import Settings, get_settings
from gateway.translation_client import TranslationClient


def get_services(request: Request) -> Services:
    services = getattr(request.app.state, "services", None)
    if services is None:
        # Only when the app runs without its lifespan (a misconfigured test or server).
        raise HTTPException(status_code=503, detail="the gateway is still starting up")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_assistant(services: ServicesDep) -> Assistant:
    return services.assistant


def get_language_guesser(services: ServicesDep) -> LanguageGuesser:
    return services.language_guesser


def get_translation_client(services: ServicesDep) -> TranslationClient:
    return services.translation


def get_health_checker(services: ServicesDep) -> HealthChecker:
    return services.health


def get_document_search(services: ServicesDep) -> DocumentSearch:
    return services.document_search


def get_handover_store(services: ServicesDep) -> HandoverStore:
    return services.handovers


@lru_cache
def get_conversation_ids() -> ConversationIds:
    """One signer per process (not on `services`, so it works before the lifespan and in the fuzz tests)."""
    return ConversationIds.from_setting(get_settings().conversation_secret)


def rate_limited(get_limiter: Callable[[], RateLimiter], too_many: str) -> Callable[..., None]:
    """A dependency counting each request against `get_limiter()`'s limit per client address: over it, 429
    with Retry-After. As a dependency it runs before the route: a refused request costs one counter update."""

    def enforce(request: Request, limiter: Annotated[RateLimiter, Depends(get_limiter)]) -> None:
        retry_after = limiter.hit(client_key(request.client.host if request.client else None))
        if retry_after is not None:
            raise HTTPException(
                status_code=429,
                detail=f"{too_many}; try again in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )

    return enforce


SettingsDep = Annotated[Settings, Depends(get_settings)]
ConversationIdsDep = Annotated[ConversationIds, Depends(get_conversation_ids)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
LanguageGuesserDep = Annotated[LanguageGuesser, Depends(get_language_guesser)]
TranslationClientDep = Annotated[TranslationClient, Depends(get_translation_client)]
HealthCheckerDep = Annotated[HealthChecker, Depends(get_health_checker)]
DocumentSearchDep = Annotated[DocumentSearch, Depends(get_document_search)]
HandoverStoreDep = Annotated[HandoverStore, Depends(get_handover_store)]
