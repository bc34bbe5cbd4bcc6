"""The office's long-lived objects, made with the gateway's services, and the contact purge beside them."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from docsearch.embeddings import embed_queries
from gateway.handovers import HandoverStore
from gateway.office.accounts import AccountStore
from gateway.office.conversations import OfficeConversations
from gateway.office.database import open_engine
from gateway.office.desk import OfficeDesk
from gateway.office.missed import MissedQuestions
from gateway.rasa_client import RasaClient
from gateway.settings import Settings
from gateway.translation_client import TranslationClient

log = logging.getLogger(__name__)


@dataclass
class OfficeServices:
    engine: Engine
    accounts: AccountStore
    missed: MissedQuestions
    conversations: OfficeConversations
    desk: OfficeDesk
    handovers: HandoverStore
    contact_retention: timedelta

    @classmethod
    def create(
        cls, settings: Settings, handovers: HandoverStore, translation: TranslationClient, rasa: RasaClient
    ) -> "OfficeServices":
        """Blocking (opens the database, creates missing tables): call it in a worker thread."""
        engine = open_engine(settings.office_database)
        missed = MissedQuestions(engine, embed_queries)
        return cls(
            engine=engine,
            accounts=AccountStore(engine),
            missed=missed,
            conversations=OfficeConversations(handovers, missed, translation),
            desk=OfficeDesk(handovers, translation, rasa),
            handovers=handovers,
            contact_retention=timedelta(days=settings.office_contact_retention_days),
        )

    def purge_contacts(self) -> int:
        deleted = self.handovers.purge_contacts(self.contact_retention)
        if deleted:
            log.info(
                "deleted the contacts of %d handovers closed over %s ago", deleted, self.contact_retention
            )
        return deleted


@asynccontextmanager
async def contact_purge_running(office: OfficeServices, interval_s: float) -> AsyncIterator[None]:
    """Purge expired contacts at start-up and then every `interval_s` while the gateway runs."""

    async def purge_forever() -> None:
        while True:
            try:
                await asyncio.to_thread(office.purge_contacts)
            except Exception:  # a locked or broken database: tried again next interval
                log.exception("the contact purge failed")
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(purge_forever(), name="office-contact-purge")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
