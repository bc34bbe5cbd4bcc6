"""Answers from the documents, for the document actions (actions/document_actions.py) and the others that
ask the documents before saying nothing is known.

They ask the document index (``ActionContext.documents``): the reply is the quote, its citation the message's
source card. German and Polish users also get a machine translation of the quote when the translation service
answers, and always the Czech original. When the documents do not answer, the reply says so plainly, names
the question and says where to ask.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext
from actions.text import quote_for_reply

SOURCE_FIELDS = ("title", "file", "section", "date", "url")


def _field(item: Any, name: str) -> str:
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, "")
    return "" if value is None else str(value)


def normalized_sources(answer: Any) -> list[dict[str, str]]:
    """The answer's sources in the gateway's shape with every field (the hit alone when none are listed)."""
    raw_sources = list(getattr(answer, "sources", None) or []) or [answer.hit]
    return [{name: _field(source, name) for name in SOURCE_FIELDS} for source in raw_sources]


async def utter_document_answer(
    context: ActionContext, dispatcher: CollectingDispatcher, answer: Any, lang: str
) -> None:
    quote = str(answer.quote).strip()
    sources = {"sources": normalized_sources(answer)}
    if lang == "cs":
        context.replies.utter(dispatcher, "document_answer", lang, json_message=sources, quote=quote)
        return
    # The translation service may take seconds: off the event loop, so other conversations go on meanwhile.
    translated = await asyncio.to_thread(context.translation.translate, quote, "cs", lang)
    if translated is None:
        context.replies.utter(
            dispatcher, "document_answer_untranslated", lang, json_message=sources, quote=quote
        )
    else:
        context.replies.utter(
            dispatcher,
            "document_answer_translated",
            lang,
            json_message=sources,
            translation=translated,
            quote=quote,
        )


async def answer_from_documents(
    context: ActionContext, dispatcher: CollectingDispatcher, question: str, lang: str
) -> bool:
    """Reply with the documents' answer; False (nothing sent) when they have none."""
    # SQLite, e5 and the lemmatizer block: the search runs in a worker thread.
    answer = await asyncio.to_thread(context.documents.answer, question, lang)
    if answer is None or not str(getattr(answer, "quote", "") or "").strip():
        return False
    await utter_document_answer(context, dispatcher, answer, lang)
    return True


def utter_no_answer(
    context: ActionContext, dispatcher: CollectingDispatcher, question: str, lang: str
) -> None:
    # The mark tells the gateway that the documents miss this question (the office's list, issue 13).
    context.replies.utter(
        dispatcher,
        "no_answer",
        lang,
        json_message={"outcome": "no_answer"},
        question=quote_for_reply(question),
    )
