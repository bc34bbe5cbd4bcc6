"""The questions of ``grant_form`` and ``handover_form``: ``action_ask_<slot>``.

Rasa asks for a form's next slot with ``action_ask_<slot>`` when the domain lists one. Asking from here keeps
every text an action sends in ``actions/replies.yml`` and in the conversation's language, also right after a
language switch inside the form. Four small classes rather than one parametrised class: each is registered
under its own name (``actions.registry``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ContextAction
from actions.text import user_language


class _AskAction(ContextAction):
    def ask_for(
        self, slot_name: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Send reply ``ask_<slot_name>`` in the user's language; no events (the form owns its slots)."""
        self.context.replies.utter(dispatcher, f"ask_{slot_name}", user_language(tracker))
        return []


class ActionAskApplicantType(_AskAction):
    def name(self) -> str:
        return "action_ask_applicant_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return self.ask_for("applicant_type", dispatcher, tracker)


class ActionAskGrantTopic(_AskAction):
    def name(self) -> str:
        return "action_ask_grant_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return self.ask_for("grant_topic", dispatcher, tracker)


class ActionAskHandoverQuestion(_AskAction):
    def name(self) -> str:
        return "action_ask_handover_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return self.ask_for("handover_question", dispatcher, tracker)


class ActionAskHandoverContact(_AskAction):
    def name(self) -> str:
        return "action_ask_handover_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return self.ask_for("handover_contact", dispatcher, tracker)
