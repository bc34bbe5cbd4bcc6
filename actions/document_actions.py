"""Document questions (``action_answer_document``) and the fallback (``action_fallback``).

Both ask the document index (actions/documents.py); what the documents do not answer may still name a regional
service ("co je EDIH"), which is then answered from the knowledge; otherwise the reply says plainly that the
documents do not answer and where to ask.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ContextAction
from actions.documents import answer_from_documents, utter_no_answer
from actions.service_replies import utter_named_services
from actions.text import latest_text, user_language


class ActionAnswerDocument(ContextAction):
    def name(self) -> str:
        return "action_answer_document"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = latest_text(tracker)
        lang = user_language(tracker)
        if await answer_from_documents(self.context, dispatcher, question, lang):
            return []
        if not utter_named_services(self.context, dispatcher, question, lang):
            utter_no_answer(self.context, dispatcher, question, lang)
        return []


class ActionFallback(ActionAnswerDocument):
    """Low NLU confidence or out of scope: the documents may still answer; else say so and where to ask.

    The same steps as a document question, under the name the fallback classifier and RulePolicy use."""

    def name(self) -> str:
        return "action_fallback"
