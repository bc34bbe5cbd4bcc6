"""Helpers of the action tests: trackers, running actions, rendered replies, a fake document index."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext
from actions.document_search import DocumentSearch
from actions.handover_store import HandoverStore
from actions.knowledge import LANGUAGES
from actions.replies import load_replies
from actions.settings import DEFAULT_REPLIES_FILE

REPO_ROOT = Path(__file__).resolve().parents[2]

CORPUS_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared")) / "corpus"
_VARIABLE = re.compile(r"{[^\n{}]+?}")


def make_tracker(
    text: str,
    *,
    intent: str = "ask_service",
    lang: str = "cs",
    entities: list[tuple[str, str]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = "test-user",
) -> Tracker:
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [{"entity": name, "value": value} for name, value in entities or []],
        "metadata": {"language": lang},
    }
    return Tracker(
        sender,
        {"language": lang, **(slots or {})},
        latest_message,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def with_documents(context: ActionContext, index: Any) -> ActionContext:
    """``context`` whose document search asks ``index`` (anything with ``answer(question, lang)``)."""
    return dataclasses.replace(
        context, documents=DocumentSearch(context.settings.document_index, index=index)
    )


def with_handover_db(context: ActionContext, path: Path) -> ActionContext:
    """``context`` whose handovers are written to the database at ``path``."""
    return dataclasses.replace(context, handovers=HandoverStore(path))


def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, dispatcher


def texts_of(dispatcher: CollectingDispatcher) -> list[str]:
    """The texts a user would read."""
    return [str(message["text"]) for message in dispatcher.messages if message.get("text")]


def reply_name(text: str) -> str:
    """Which reply of actions/replies.yml (any language) ``text`` was rendered from; "" when none.

    Where several templates fit ("{name}: {description}" also fits a text with a web line), the one with
    the most fixed text wins.
    """
    best_name, best_literal = "", -1
    for name, variations in load_replies(str(DEFAULT_REPLIES_FILE)).items():
        for lang in LANGUAGES:
            template = variations[lang].text
            literal_parts = _VARIABLE.split(template)
            pattern = "(?:.+?)".join(re.escape(part) for part in literal_parts)
            literal_length = sum(len(part) for part in literal_parts)
            if re.fullmatch(pattern, text, flags=re.DOTALL) and literal_length > best_literal:
                best_name, best_literal = name, literal_length
    return best_name


def replies_of(dispatcher: CollectingDispatcher) -> list[str]:
    """The reply names of the dispatched messages, in order."""
    return [reply_name(str(message.get("text") or "")) for message in dispatcher.messages]


def sources_of(dispatcher: CollectingDispatcher) -> list[dict[str, str]]:
    return [source for message in dispatcher.messages for source in message["custom"].get("sources", [])]


@dataclass
class FakeHit:
    title: str
    file: str
    section: str
    date: str


@dataclass
class FakeAnswer:
    quote: str
    hit: FakeHit
    sources: list[dict[str, str]]


@dataclass
class FakeDocumentIndex:
    """Same interface as docsearch.DocumentIndex: ``answer(question, lang)`` -> Answer or None."""

    answers: dict[str, FakeAnswer] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def answer(self, question: str, lang: str) -> FakeAnswer | None:
        self.calls.append((question, lang))
        for needle, answer in self.answers.items():
            if needle.lower() in question.lower():
                return answer
        return None


def sample_answer() -> FakeAnswer:
    """A made-up passage of a made-up document: the tests check how an answer is shown, not what it says."""
    hit = FakeHit(
        title="Zkušební řád krajských zahrad",
        file="2001-01-01_zkusebni-rad-zahrad.txt",
        section="3. Péče o záhony",
        date="2001-01-01",
    )
    return FakeAnswer(
        quote="Záhony se okopávají každé úterý a konev se vrací do kůlny.",
        hit=hit,
        sources=[{"title": hit.title, "file": hit.file, "section": hit.section, "date": hit.date, "url": ""}],
    )
