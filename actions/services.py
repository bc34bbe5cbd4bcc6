"""``action_answer_service``: what a regional organisation, portal or programme is and where to turn."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contacts import utter_contact
from actions.context import ContextAction
from actions.documents import answer_from_documents, utter_no_answer
from actions.matching import find_contacts
from actions.service_replies import MAX_SERVICES_PER_REPLY, utter_service, utter_where_to_turn
from actions.text import entity_values, latest_text, user_language

logger = logging.getLogger(__name__)

class ActionAnswerService(ContextAction):
    def name(self) -> str:
        return "action_answer_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        question = latest_text(tracker)
        knowledge = self.context.knowledge
        organisations = entity_values(tracker, "organisation")
        # e5 and the lemmatizer block: the matching runs in a worker thread.
        matches = await asyncio.to_thread(self.context.service_matcher.match, question, lang, organisations)
        if not matches:
            # "Who is Ivana Hujerová?": a person or office named in the contacts, not a service.
            contacts = [
                contact for text in [*organisations, question] for contact in find_contacts(knowledge, text)
            ]
            if contacts:
                sources = knowledge.sources(contacts[0].sources, lang)
                utter_contact(self.context, dispatcher, contacts[0], lang, sources)
                return []
            logger.info("no service above the threshold for %r; asking the documents", question)
            if not await answer_from_documents(self.context, dispatcher, question, lang):
                utter_no_answer(self.context, dispatcher, question, lang)
            return []
        for match in matches[:MAX_SERVICES_PER_REPLY]:
            utter_service(self.context, dispatcher, match.service, lang)
        utter_where_to_turn(self.context, dispatcher, matches[0].service, lang)
        return []
