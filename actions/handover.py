"""Handover to a person: ``validate_handover_form`` and ``action_submit_handover``.

The action server writes the record to SQLite (``HANDOVER_DB``, table ``handovers`` defined once in
``actions.handover_table``); the gateway reads it and runs its lifecycle (the office claims, answers and
closes it; the contact is deleted after the retention period). A record is committed before the user is told
it was passed on; the action server only ever adds records.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handover_table
from actions.context import ContextAction
from actions.shared import slot_text
from actions.text import quote_for_reply, tokens, user_language

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().\-/]{7,}\d")
_MIN_PHONE_DIGITS = 9
_MAX_PHONE_DIGITS = 15


def extract_contact(text: str) -> str | None:
    """The e-mail address or phone number in ``text`` (normalised), or None when there is neither."""
    email = _EMAIL.search(text)
    if email:
        return email.group(0)
    for candidate in _PHONE_CANDIDATE.findall(text):
        digits = re.sub(r"\D", "", candidate)
        if _MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS:
            return ("+" if candidate.lstrip().startswith("+") else "") + " ".join(
                candidate.replace("+", "").split()
            )
    return None


class ValidateHandoverForm(ContextAction, FormValidationAction):
    def name(self) -> str:
        return "validate_handover_form"

    def validate_handover_question(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        question = slot_text(slot_value)
        if len(tokens(question)) < 2:
            self.context.replies.utter(dispatcher, "handover_question_too_short", user_language(tracker))
            return {"handover_question": None}
        return {"handover_question": question}

    def validate_handover_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Two extractors (DIET and the regexes) may both find the address: the slot then holds a list.
        values = slot_value if isinstance(slot_value, list) else [slot_value]
        contact = next((found for value in values if (found := extract_contact(slot_text(value)))), None)
        if contact is None:
            self.context.replies.utter(
                dispatcher,
                "handover_contact_invalid",
                user_language(tracker),
                contact=quote_for_reply(" ".join(slot_text(value) for value in values), 60),
            )
        return {"handover_contact": contact}


class ActionSubmitHandover(ContextAction):
    def name(self) -> str:
        return "action_submit_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = slot_text(tracker.get_slot("handover_question"))
        contact = slot_text(tracker.get_slot("handover_contact"))
        lang = user_language(tracker)
        replies = self.context.replies
        try:
            # The database blocks (SQLite may wait for the gateway's read lock): off the event loop.
            handover_id = await asyncio.to_thread(
                self.context.handovers.add, tracker.sender_id, lang, question, contact
            )
        except (*handover_table.DATABASE_ERRORS, OSError):
            logger.exception("could not store the handover request of %s", tracker.sender_id)
            replies.utter(dispatcher, "handover_failed", lang)
        else:
            logger.info("handover %s stored for %s", handover_id, tracker.sender_id)
            replies.utter(
                dispatcher,
                "handover_submitted",
                lang,
                # The gateway counts it among the questions the documents miss (issue 13).
                json_message={"outcome": "handover", "question": question},
                handover_id=handover_id,
                contact=contact,
            )
        return [SlotSet("handover_question", None), SlotSet("handover_contact", None)]
