"""The long-lived objects of the gateway process, created in the app's lifespan and closed with it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from gateway.assistant import Assistant
from gateway.document_search import DocumentSearch
from gateway.handovers import HandoverStore
from gateway.health import HealthChecker
from gateway.language import LanguageGuesser
from gateway.office.services import OfficeServices, contact_purge_running
from gateway.rasa_client import RasaClient
from gateway.settings import Settings
from gateway.translation_client import TranslationClient


@dataclass
class Services:
    settings: Settings
    language_guesser: LanguageGuesser
    rasa: RasaClient
    translation: TranslationClient
    assistant: Assistant
    health: HealthChecker
    document_search: DocumentSearch
    handovers: HandoverStore
    office: OfficeServices


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    # Loading lingua's models takes about a second; keep the event loop free meanwhile.
    language_guesser = await asyncio.to_thread(LanguageGuesser)
    rasa = RasaClient.from_url(settings.rasa_url, settings.rasa_timeout_s, token=settings.rasa_token)
    translation = TranslationClient.from_url(settings.translation_url, settings.translation_timeout_s)
    probe_client = httpx.AsyncClient()
    document_search = DocumentSearch(settings.document_index, translation)
    handovers = HandoverStore(settings.database_url or settings.handover_db)
    # The office (issue 13): staff accounts, the takeover of conversations, the questions the bot missed.
    office = await asyncio.to_thread(OfficeServices.create, settings, handovers, translation, rasa)
    try:
        async with contact_purge_running(office, settings.office_purge_interval_s):
            yield Services(
                settings=settings,
                language_guesser=language_guesser,
                rasa=rasa,
                translation=translation,
                assistant=Assistant(
                    rasa,
                    language_guesser,
                    hooks=office.conversations,
                    # Replicas (REDIS_URL): another gateway may have served this sender's previous turn.
                    shared_conversations=bool(settings.redis_url),
                ),
                health=HealthChecker.for_settings(probe_client, settings),
                document_search=document_search,
                handovers=handovers,
                office=office,
            )
    finally:
        office.engine.dispose()
        document_search.close()
        await asyncio.gather(rasa.aclose(), translation.aclose(), probe_client.aclose())
