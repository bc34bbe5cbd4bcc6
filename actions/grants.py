"""Grant programmes: ``action_answer_grant`` (one turn for a specific question, ``grant_form`` for a generic
one), ``validate_grant_form`` and ``action_list_grants`` (after the form)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ActionContext, ContextAction
from actions.documents import answer_from_documents
from actions.grant_words import applicant_type_of, grant_topic_words
from actions.knowledge import APPLICANT_TYPES, Grant
from actions.shared import contact_line, first_source_title, slot_text
from actions.text import entity_values, latest_text, quote_for_reply, tokens, user_language

logger = logging.getLogger(__name__)


def utter_grant(context: ActionContext, dispatcher: CollectingDispatcher, grant: Grant, lang: str) -> None:
    knowledge = context.knowledge
    variables = {
        "name": grant.name.get(lang),
        "fund": grant.fund.get(lang),
        "purpose": grant.purpose.get(lang),
        "facts": grant.facts.get(lang),
        "ask_at": contact_line(knowledge.contacts[grant.contact], lang),
        "source": first_source_title(knowledge, grant.sources, lang),
    }
    sources = {"sources": knowledge.sources(grant.sources, lang)}
    if grant.applicants is None:
        context.replies.utter(
            dispatcher, "grant_programme_applicants_unknown", lang, json_message=sources, **variables
        )
    else:
        context.replies.utter(
            dispatcher,
            "grant_programme",
            lang,
            json_message=sources,
            applicants=grant.applicants.get(lang),
            **variables,
        )


def utter_grants(
    context: ActionContext, dispatcher: CollectingDispatcher, grants: Sequence[Grant], lang: str
) -> None:
    for grant in grants:
        utter_grant(context, dispatcher, grant, lang)


def canonical_applicant_type(value: str) -> str | None:
    """``municipality``/``ngo``/... for an entity value or free answer ("obec", "Verein", "firma")."""
    if value in APPLICANT_TYPES:
        return value
    return applicant_type_of(value)


class ActionAnswerGrant(ContextAction):
    def name(self) -> str:
        return "action_answer_grant"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        question = latest_text(tracker)
        named = [*entity_values(tracker, "programme"), *entity_values(tracker, "topic")]
        specific = bool(named) or bool(grant_topic_words(question))
        if not specific:
            # "What grants are there?": ask who applies and what for, then list (action_list_grants).
            events: list[dict[str, Any]] = []
            applicant_type = applicant_type_of(question)
            if applicant_type and not tracker.get_slot("applicant_type"):
                events.append(SlotSet("applicant_type", applicant_type))
            return [*events, FollowupAction("grant_form")]
        replies, matcher = self.context.replies, self.context.grant_matcher
        # The lemmatizer and e5 block: the matching runs in a worker thread.
        grants = await asyncio.to_thread(matcher.match, " ".join([question, *named]), lang)
        applicant_type = canonical_applicant_type(slot_text(tracker.get_slot("applicant_type")))
        suitable = matcher.for_applicant(grants, applicant_type)
        if suitable:
            utter_grants(self.context, dispatcher, suitable, lang)
        elif grants:
            replies.utter(dispatcher, "grant_other_applicant", lang, topic=quote_for_reply(question))
            utter_grants(self.context, dispatcher, grants, lang)
        elif not await answer_from_documents(self.context, dispatcher, question, lang):
            # No programme fits: the strategy documents may still answer ("what is programme 2.8 for?"),
            # and only when they do not is the reply that no grant is known.
            logger.info("no grant programme for the question (%s)", lang)
            replies.utter(dispatcher, "grant_none", lang, topic=quote_for_reply(question))
        # The question is answered; an applicant type taken from it must not leak into a later grant_form.
        return [SlotSet("applicant_type", None), SlotSet("grant_topic", None)]


class ValidateGrantForm(ContextAction, FormValidationAction):
    def name(self) -> str:
        return "validate_grant_form"

    def validate_applicant_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        applicant_type = canonical_applicant_type(slot_text(slot_value))
        if applicant_type is None:
            self.context.replies.utter(dispatcher, "applicant_type_not_understood", user_language(tracker))
        return {"applicant_type": applicant_type}

    def validate_grant_topic(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        topic = slot_text(slot_value)
        if not tokens(topic):
            self.context.replies.utter(dispatcher, "grant_topic_too_short", user_language(tracker))
            return {"grant_topic": None}
        return {"grant_topic": topic}


class ActionListGrants(ContextAction):
    def name(self) -> str:
        return "action_list_grants"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        topic = slot_text(tracker.get_slot("grant_topic"))
        applicant_type = canonical_applicant_type(slot_text(tracker.get_slot("applicant_type")))
        replies, matcher = self.context.replies, self.context.grant_matcher
        everything = matcher.for_applicant(list(self.context.knowledge.grants.values()), applicant_type)
        quoted_topic = quote_for_reply(topic)
        if not grant_topic_words(topic):
            # "anything", "alle", "wszystkie": the user wants the whole list.
            replies.utter(dispatcher, "grant_list_all", lang)
            utter_grants(self.context, dispatcher, everything, lang)
        else:
            matched = await asyncio.to_thread(matcher.match, topic, lang)
            suitable = matcher.for_applicant(matched, applicant_type)
            if suitable:
                replies.utter(dispatcher, "grant_list_intro", lang, topic=quoted_topic)
                utter_grants(self.context, dispatcher, suitable, lang)
            elif matched:
                # The purpose points to another applicant, but the documents do not say who may apply:
                # show the programme with that caveat rather than hide it.
                replies.utter(dispatcher, "grant_other_applicant", lang, topic=quoted_topic)
                utter_grants(self.context, dispatcher, matched, lang)
            else:
                replies.utter(dispatcher, "grant_list_none_for_topic", lang, topic=quoted_topic)
                utter_grants(self.context, dispatcher, everything, lang)
        return [SlotSet("applicant_type", None), SlotSet("grant_topic", None)]
