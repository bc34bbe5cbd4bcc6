"""Replies about a regional service: what it is and where to turn. Shared by ``action_answer_service`` and the
document actions (a question the documents do not answer may still name a service)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import utter_contact
from actions.context import ActionContext
from actions.knowledge import Service
from actions.shared import first_source_title
from docsearch.questions import analyse

MAX_SERVICES_PER_REPLY = 2
# What a service's description does not say: such a question about a named service stays unanswered.
FACTS_NO_DESCRIPTION_GIVES = ("amount", "count", "date", "frequency", "person")


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


def utter_named_services(
    context: ActionContext, dispatcher: CollectingDispatcher, question: str, lang: str
) -> bool:
    """The services the question names by name or alias ("co je EDIH"), with where to turn; False (nothing
    sent) when it names none or asks for a fact the description does not give (how many, how much, when, who).
    For a question the NLU did not take for a service question and the documents do not answer: a name is
    exact evidence, unlike a resemblance of meaning."""
    if analyse(question).asks_for in FACTS_NO_DESCRIPTION_GIVES:
        return False
    named = context.service_matcher.names_in(question)
    for service in named[:MAX_SERVICES_PER_REPLY]:
        utter_service(context, dispatcher, service, lang)
    if named:
        utter_where_to_turn(context, dispatcher, named[0], lang)
    return bool(named)
