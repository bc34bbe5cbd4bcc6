"""``action_answer_service``: what a regional organisation, portal or programme is and where to turn."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contacts import utter_contact
from actions.context import ActionContext, ContextAction
from actions.documents import answer_from_documents, utter_no_answer
from actions.knowledge import Service
from actions.matching import find_contacts
from actions.shared import first_source_title
from actions.text import entity_values, latest_text, user_language

logger = logging.getLogger(__name__)

MAX_SERVICES_PER_REPLY = 2


def utter_service(
    context: ActionContext, dispatcher: CollectingDispatcher, service: Service, lang: str
) -> None:
    knowledge = context.knowledge
    variables = {
        "name": service.name.get(lang),
        "description": service.description.get(lang),
        "source": first_source_title(knowledge, service.sources, lang),
    }
    sources = {"sources": knowledge.sources(service.sources, lang)}
    if service.url:
        context.replies.utter(
            dispatcher, "service_answer_with_url", lang, json_message=sources, url=service.url, **variables
        )
    else:
        context.replies.utter(dispatcher, "service_answer", lang, json_message=sources, **variables)


def utter_where_to_turn(
    context: ActionContext, dispatcher: CollectingDispatcher, service: Service, lang: str
) -> None:
    """The service's contact when the documents give one, otherwise that they do not and whom to ask."""
    contact = context.knowledge.contacts[service.contact]
    utter_contact(context, dispatcher, contact, lang, subject_name=service.name.get(lang))


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
