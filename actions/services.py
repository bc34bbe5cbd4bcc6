"""``action_answer_service``: what a regional organisation, portal or programme is and where to turn."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contacts import utter_contact
from actions.documents import answer_from_documents, utter_no_answer
from actions.knowledge import Knowledge, Service, get_knowledge
from actions.matching import find_contacts
from actions.replies import utter
from actions.shared import first_source_title, service_matcher
from actions.text import entity_values, latest_text, user_language

logger = logging.getLogger(__name__)

MAX_SERVICES_PER_REPLY = 2


def utter_service(
    dispatcher: CollectingDispatcher, knowledge: Knowledge, service: Service, lang: str
) -> None:
    variables = {
        "name": service.name.get(lang),
        "description": service.description.get(lang),
        "source": first_source_title(knowledge, service.sources, lang),
    }
    sources = {"sources": knowledge.sources(service.sources, lang)}
    if service.url:
        utter(dispatcher, "service_answer_with_url", lang, json_message=sources, url=service.url, **variables)
    else:
        utter(dispatcher, "service_answer", lang, json_message=sources, **variables)


def utter_where_to_turn(
    dispatcher: CollectingDispatcher, knowledge: Knowledge, service: Service, lang: str
) -> None:
    """The service's contact when the documents give one, otherwise that they do not and whom to ask."""
    utter_contact(dispatcher, knowledge.contacts[service.contact], lang, subject_name=service.name.get(lang))


class ActionAnswerService(Action):
    def name(self) -> str:
        return "action_answer_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        question = latest_text(tracker)
        knowledge = get_knowledge()
        matches = service_matcher().match(question, lang, entity_values(tracker, "organisation"))
        if not matches:
            # "Who is Ivana Hujerová?": a person or office named in the contacts, not a service.
            contacts = [
                contact
                for text in [*entity_values(tracker, "organisation"), question]
                for contact in find_contacts(knowledge, text)
            ]
            if contacts:
                utter_contact(dispatcher, contacts[0], lang, knowledge.sources(contacts[0].sources, lang))
                return []
            logger.info("no service above the threshold for %r; asking the documents", question)
            if not await answer_from_documents(dispatcher, question, lang):
                utter_no_answer(dispatcher, question, lang)
            return []
        for match in matches[:MAX_SERVICES_PER_REPLY]:
            utter_service(dispatcher, knowledge, match.service, lang)
        utter_where_to_turn(dispatcher, knowledge, matches[0].service, lang)
        return []
