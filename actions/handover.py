"""Handover to a person: ``validate_handover_form`` and ``action_submit_handover``.

The action server writes the record to SQLite (``HANDOVER_DB``, table ``handovers`` as in
docs/architecture.md); the gateway reads it. A record is committed before the user is told it was passed
on, and nothing here ever deletes or rewrites a record.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import utter
from actions.shared import slot_text
from actions.text import quote_for_reply, tokens, user_language

logger = logging.getLogger(__name__)

DEFAULT_HANDOVER_DB = "var/handovers.sqlite"
MAX_QUESTION_CHARS = 5000
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().\-/]{7,}\d")
_MIN_PHONE_DIGITS = 9
_MAX_PHONE_DIGITS = 15

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS handovers (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    sender TEXT,
    language TEXT,
    question TEXT,
    contact TEXT,
    status TEXT DEFAULT 'new'
)
"""


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


class HandoverStore:
    """Append-only access to the handover table."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path or os.environ.get("HANDOVER_DB", DEFAULT_HANDOVER_DB))

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(CREATE_TABLE)
        return connection

    def add(self, sender: str, language: str, question: str, contact: str) -> int:
        """Store one request and return its id; the row is committed when this returns."""
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as connection, connection:
            cursor = connection.execute(
                "INSERT INTO handovers (created_at, sender, language, question, contact, status) "
                "VALUES (?, ?, ?, ?, ?, 'new')",
                (created_at, sender, language, question[:MAX_QUESTION_CHARS], contact),
            )
            row_id = cursor.lastrowid
        if row_id is None:
            raise sqlite3.DatabaseError("insert returned no row id")
        return int(row_id)

    def all(self) -> list[dict[str, Any]]:
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute("SELECT * FROM handovers ORDER BY id")]


class ValidateHandoverForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handover_form"

    def validate_handover_question(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        question = slot_text(slot_value)
        if len(tokens(question)) < 2:
            utter(dispatcher, "handover_question_too_short", user_language(tracker))
            return {"handover_question": None}
        return {"handover_question": question}

    def validate_handover_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Two extractors (DIET and the regexes) may both find the address: the slot then holds a list.
        values = slot_value if isinstance(slot_value, list) else [slot_value]
        contact = next((found for value in values if (found := extract_contact(slot_text(value)))), None)
        if contact is None:
            utter(
                dispatcher,
                "handover_contact_invalid",
                user_language(tracker),
                contact=quote_for_reply(" ".join(slot_text(value) for value in values), 60),
            )
        return {"handover_contact": contact}


class ActionSubmitHandover(Action):
    def name(self) -> str:
        return "action_submit_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = slot_text(tracker.get_slot("handover_question"))
        contact = slot_text(tracker.get_slot("handover_contact"))
        lang = user_language(tracker)
        try:
            handover_id = HandoverStore().add(tracker.sender_id, lang, question, contact)
        except (sqlite3.Error, OSError):
            logger.exception("could not store the handover request of %s", tracker.sender_id)
            utter(dispatcher, "handover_failed", lang)
        else:
            logger.info("handover %s stored for %s", handover_id, tracker.sender_id)
            utter(dispatcher, "handover_submitted", lang, handover_id=handover_id, contact=contact)
        return [SlotSet("handover_question", None), SlotSet("handover_contact", None)]
