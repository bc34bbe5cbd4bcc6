"""``action_answer_contact``: how to reach an office or organisation, only as far as the documents say."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ActionContext, ContextAction
from actions.documents import answer_from_documents
from actions.knowledge import Contact
from actions.matching import find_contacts
from actions.shared import contact_details
from actions.text import entity_values, latest_text, quote_for_reply, user_language


def utter_contact(
    context: ActionContext,
    dispatcher: CollectingDispatcher,
    contact: Contact,
    lang: str,
    sources: list[dict[str, str]] | None = None,
    subject_name: str | None = None,
) -> None:
    """The contact's details when the documents give them; otherwise that they do not, naming `subject_name`
    (the service asked about) or the contact itself."""
    if contact.has_details:
        context.replies.utter(
            dispatcher,
            "contact_details",
            lang,
            json_message={"sources": sources} if sources else None,
            name=contact.name.get(lang),
            details=contact_details(contact, lang),
            as_of=contact.as_of,
        )
    else:
        name = subject_name or contact.name.get(lang)
        context.replies.utter(dispatcher, "contact_not_in_documents", lang, name=name)


class ActionAnswerContact(ContextAction):
    def name(self) -> str:
        return "action_answer_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        question = latest_text(tracker)
        knowledge = self.context.knowledge
        organisations = entity_values(tracker, "organisation")
        # A named contact first ("ARR", "Hujerová"), then the contact of the service the question is about.
        contacts: list[Contact] = []
        for text in [*organisations, question]:
            contacts = find_contacts(knowledge, text)
            if contacts:
                break
        if not contacts:
            matches = await asyncio.to_thread(
                self.context.service_matcher.match, question, lang, organisations
            )
            contacts = [knowledge.contacts[matches[0].service.contact]] if matches else []
        # Prefer a contact the documents give details for; the others only say whom to ask.
        contacts.sort(key=lambda contact: not contact.has_details)
        # "Who led the meeting as facilitator?" is a question for the documents, not the contact list; only
        # when they do not answer is the reply that no contact (or no detail) is known.
        without_details = not contacts or not contacts[0].has_details
        if without_details and await answer_from_documents(self.context, dispatcher, question, lang):
            return []
        if not contacts:
            self.context.replies.utter(
                dispatcher, "contact_no_match", lang, question=quote_for_reply(question)
            )
            return []
        contact = contacts[0]
        utter_contact(self.context, dispatcher, contact, lang, knowledge.sources(contact.sources, lang))
        return []
