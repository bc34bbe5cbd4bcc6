"""The questions of ``grant_form`` and ``handover_form``: ``action_ask_<slot>``.

Rasa asks for a form's next slot with ``action_ask_<slot>`` when the domain lists one. Asking from here keeps
every text an action sends in ``actions/replies.yml`` and in the conversation's language, also right after a
language switch inside the form. Four small classes rather than one parametrised base class: rasa_sdk
registers every concrete ``Action`` subclass it finds, a base class included.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import utter
from actions.text import user_language


def ask_for(slot_name: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Send reply ``ask_<slot_name>`` in the user's language; no events (the form owns its slots)."""
    utter(dispatcher, f"ask_{slot_name}", user_language(tracker))
    return []


class ActionAskApplicantType(Action):
    def name(self) -> str:
        return "action_ask_applicant_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return ask_for("applicant_type", dispatcher, tracker)


class ActionAskGrantTopic(Action):
    def name(self) -> str:
        return "action_ask_grant_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return ask_for("grant_topic", dispatcher, tracker)


class ActionAskHandoverQuestion(Action):
    def name(self) -> str:
        return "action_ask_handover_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return ask_for("handover_question", dispatcher, tracker)


class ActionAskHandoverContact(Action):
    def name(self) -> str:
        return "action_ask_handover_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return ask_for("handover_contact", dispatcher, tracker)
