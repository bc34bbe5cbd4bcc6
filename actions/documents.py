"""Document questions (``action_answer_document``) and the fallback (``action_fallback``).

Both ask the document index (``docsearch``): the reply is the quote, its citation the message's source card.
German and Polish users also get a machine translation of the quote when the translation service answers, and
always the Czech original. When the documents do not answer, the reply says so plainly, names the question
and says where to ask.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import utter
from actions.text import latest_text, quote_for_reply, user_language
from actions.translation import translate

logger = logging.getLogger(__name__)

DEFAULT_DOCUMENT_INDEX = "var/index.sqlite"
SOURCE_FIELDS = ("title", "file", "section", "date", "url")

_index_override: Any = None
_opened_indexes: dict[str, Any] = {}
_open_lock = threading.Lock()  # searches run in worker threads; open each index once


def set_document_index(index: Any) -> None:
    """Use ``index`` (anything with ``answer(question, lang)``) instead of ``DOCUMENT_INDEX`` (tests)."""
    global _index_override
    _index_override = index


def document_index() -> Any:
    """The document index, opened once per path; None while it is not built or docsearch is missing."""
    if _index_override is not None:
        return _index_override
    path = os.environ.get("DOCUMENT_INDEX", DEFAULT_DOCUMENT_INDEX)
    with _open_lock:
        return _opened_indexes[path] if path in _opened_indexes else _open_index(path)


def _open_index(path: str) -> Any:
    if not Path(path).exists():
        logger.warning("document index %s does not exist (run `python -m docsearch index`)", path)
        return None
    try:
        from docsearch import DocumentIndex
    except ImportError:
        logger.exception("docsearch is not importable; document questions get the no-answer reply")
        return None
    try:
        _opened_indexes[path] = DocumentIndex.open(path, translator=translate_question)
    except Exception:  # a corrupt or foreign file must not take the action server down
        logger.exception("cannot open document index %s", path)
        return None
    return _opened_indexes[path]


# A question is short and the answer waits for its translation: a slow service is not worth waiting for, the
# glossary path answers without it.
QUESTION_TRANSLATION_TIMEOUT_S = 5.0


def translate_question(text: str, source: str, target: str) -> str | None:
    """The German or Polish question in Czech for the document search, or None (no model, service down)."""
    return translate(text, source, target, timeout=QUESTION_TRANSLATION_TIMEOUT_S)


def find_answer(question: str, lang: str) -> Any:
    """docsearch's Answer for ``question`` or None (no index, nothing relevant, or the search failed)."""
    index = document_index()
    if index is None or not question.strip():
        return None
    try:
        return index.answer(question, lang)
    except Exception:
        logger.exception("document search failed for %r", question)
        return None


def _field(item: Any, name: str) -> str:
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, "")
    return "" if value is None else str(value)


def normalized_sources(answer: Any) -> list[dict[str, str]]:
    """The answer's sources in the gateway's shape with every field (the hit alone when none are listed)."""
    raw_sources = list(getattr(answer, "sources", None) or []) or [answer.hit]
    return [{name: _field(source, name) for name in SOURCE_FIELDS} for source in raw_sources]


async def utter_document_answer(dispatcher: CollectingDispatcher, answer: Any, lang: str) -> None:
    quote = str(answer.quote).strip()
    sources = normalized_sources(answer)
    variables = {"quote": quote}
    if lang == "cs":
        utter(dispatcher, "document_answer", lang, json_message={"sources": sources}, **variables)
        return
    # The translation service may take seconds: off the event loop, so other conversations go on meanwhile.
    translated = await asyncio.to_thread(translate, quote, "cs", lang)
    if translated is None:
        utter(
            dispatcher, "document_answer_untranslated", lang, json_message={"sources": sources}, **variables
        )
    else:
        utter(
            dispatcher,
            "document_answer_translated",
            lang,
            json_message={"sources": sources},
            translation=translated,
            **variables,
        )


async def answer_from_documents(dispatcher: CollectingDispatcher, question: str, lang: str) -> bool:
    """Reply with the documents' answer; False (nothing sent) when they have none."""
    answer = await asyncio.to_thread(find_answer, question, lang)
    if answer is None or not str(getattr(answer, "quote", "") or "").strip():
        return False
    await utter_document_answer(dispatcher, answer, lang)
    return True


def utter_no_answer(dispatcher: CollectingDispatcher, question: str, lang: str) -> None:
    utter(dispatcher, "no_answer", lang, question=quote_for_reply(question))


class ActionAnswerDocument(Action):
    def name(self) -> str:
        return "action_answer_document"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = latest_text(tracker)
        lang = user_language(tracker)
        if not await answer_from_documents(dispatcher, question, lang):
            utter_no_answer(dispatcher, question, lang)
        return []


class ActionFallback(ActionAnswerDocument):
    """Low NLU confidence or out of scope: the documents may still answer; else say so and where to ask.

    The same steps as a document question, under the name the fallback classifier and RulePolicy use."""

    def name(self) -> str:
        return "action_fallback"
