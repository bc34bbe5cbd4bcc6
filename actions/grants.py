"""Grant programmes: ``action_answer_grant`` (one turn for a specific question, ``grant_form`` for a generic
one), ``validate_grant_form`` and ``action_list_grants`` (after the form)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import APPLICANT_TYPES, Grant, Knowledge, get_knowledge
from actions.matching import applicant_type_of, grant_topic_words
from actions.replies import utter
from actions.shared import contact_line, first_source_title, grant_matcher, slot_text
from actions.text import entity_values, latest_text, quote_for_reply, tokens, user_language

logger = logging.getLogger(__name__)


def utter_grant(dispatcher: CollectingDispatcher, knowledge: Knowledge, grant: Grant, lang: str) -> None:
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
        utter(dispatcher, "grant_programme_applicants_unknown", lang, json_message=sources, **variables)
    else:
        utter(
            dispatcher,
            "grant_programme",
            lang,
            json_message=sources,
            applicants=grant.applicants.get(lang),
            **variables,
        )


def utter_grants(dispatcher: CollectingDispatcher, grants: Sequence[Grant], lang: str) -> None:
    knowledge = get_knowledge()
    for grant in grants:
        utter_grant(dispatcher, knowledge, grant, lang)


def canonical_applicant_type(value: str) -> str | None:
    """``municipality``/``ngo``/... for an entity value or free answer ("obec", "Verein", "firma")."""
    if value in APPLICANT_TYPES:
        return value
    return applicant_type_of(value)


class ActionAnswerGrant(Action):
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
        matcher = grant_matcher()
        grants = matcher.match(" ".join([question, *named]), lang)
        applicant_type = canonical_applicant_type(slot_text(tracker.get_slot("applicant_type")))
        suitable = matcher.for_applicant(grants, applicant_type)
        if suitable:
            utter_grants(dispatcher, suitable, lang)
        elif grants:
            utter(dispatcher, "grant_other_applicant", lang, topic=quote_for_reply(question))
            utter_grants(dispatcher, grants, lang)
        else:
            logger.info("no grant programme for %r", question)
            utter(dispatcher, "grant_none", lang, topic=quote_for_reply(question))
        # The question is answered; an applicant type taken from it must not leak into a later grant_form.
        return [SlotSet("applicant_type", None), SlotSet("grant_topic", None)]


class ValidateGrantForm(FormValidationAction):
    def name(self) -> str:
        return "validate_grant_form"

    def validate_applicant_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        applicant_type = canonical_applicant_type(slot_text(slot_value))
        if applicant_type is None:
            utter(dispatcher, "applicant_type_not_understood", user_language(tracker))
        return {"applicant_type": applicant_type}

    def validate_grant_topic(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        topic = slot_text(slot_value)
        if not tokens(topic):
            utter(dispatcher, "grant_topic_too_short", user_language(tracker))
            return {"grant_topic": None}
        return {"grant_topic": topic}


class ActionListGrants(Action):
    def name(self) -> str:
        return "action_list_grants"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = user_language(tracker)
        topic = slot_text(tracker.get_slot("grant_topic"))
        applicant_type = canonical_applicant_type(slot_text(tracker.get_slot("applicant_type")))
        matcher = grant_matcher()
        everything = matcher.for_applicant(list(get_knowledge().grants.values()), applicant_type)
        quoted_topic = quote_for_reply(topic)
        if not grant_topic_words(topic):
            # "anything", "alle", "wszystkie": the user wants the whole list.
            utter(dispatcher, "grant_list_all", lang)
            utter_grants(dispatcher, everything, lang)
        else:
            matched = matcher.match(topic, lang)
            suitable = matcher.for_applicant(matched, applicant_type)
            if suitable:
                utter(dispatcher, "grant_list_intro", lang, topic=quoted_topic)
                utter_grants(dispatcher, suitable, lang)
            elif matched:
                # The purpose points to another applicant, but the documents do not say who may apply:
                # show the programme with that caveat rather than hide it.
                utter(dispatcher, "grant_other_applicant", lang, topic=quoted_topic)
                utter_grants(dispatcher, matched, lang)
            else:
                utter(dispatcher, "grant_list_none_for_topic", lang, topic=quoted_topic)
                utter_grants(dispatcher, everything, lang)
        return [SlotSet("applicant_type", None), SlotSet("grant_topic", None)]
