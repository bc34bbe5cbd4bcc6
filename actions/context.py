"""The action server's long-lived objects, made once at start-up (``build_context``), handed to every action.

Like the gateway's ``open_services``: nothing is loaded at import time and no module keeps state. The server
(``actions.server``) builds one :class:`ActionContext` from the settings before it listens and registers the
actions with it (``actions.registry``); a test builds its own and constructs the actions with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasa_sdk import Action

from actions.document_search import DocumentSearch
from actions.handover_store import HandoverStore
from actions.knowledge import Knowledge, KnowledgeError, load_knowledge
from actions.knowledge_schema import LANGUAGES
from actions.matching import GrantMatcher, ServiceMatcher
from actions.replies import Replies, RepliesError
from actions.settings import ActionsSettings
from actions.text import word_forms
from actions.translation import TranslationClient

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The knowledge or the replies cannot be loaded: the server must not start with half of them."""


@dataclass(frozen=True)
class ActionContext:
    settings: ActionsSettings
    knowledge: Knowledge
    replies: Replies
    service_matcher: ServiceMatcher
    grant_matcher: GrantMatcher
    translation: TranslationClient
    documents: DocumentSearch
    handovers: HandoverStore

    def close(self) -> None:
        self.documents.close()


def build_context(settings: ActionsSettings) -> ActionContext:
    """Load and check the knowledge and the replies, and make the services the actions use (blocking: file
    reads; the knowledge embeddings are computed on first use or by :func:`warm_up`).

    A broken knowledge file (or actions/replies.yml) raises :class:`StartupError` naming the file, entry and
    field, instead of the server answering with half the knowledge or failing mid-conversation.
    """
    try:
        knowledge = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as error:
        raise StartupError(f"knowledge check failed: {error}") from error
    try:
        replies = Replies.load(settings.replies_file)
    except RepliesError as error:
        raise StartupError(f"replies check failed: {error}") from error
    translation = TranslationClient(
        settings.translation_url, settings.translation_timeout_s, settings.question_translation_timeout_s
    )
    context = ActionContext(
        settings=settings,
        knowledge=knowledge,
        replies=replies,
        service_matcher=ServiceMatcher(knowledge),
        grant_matcher=GrantMatcher(knowledge),
        translation=translation,
        documents=DocumentSearch(settings.document_index, translator=translation.translate_question),
        handovers=HandoverStore(
            settings.database_url or settings.handover_db, settings.handover_db_busy_timeout_s
        ),
    )
    logger.info(
        "knowledge loaded: %d services, %d grants, %d contacts, %d documents",
        len(knowledge.services),
        len(knowledge.grants),
        len(knowledge.contacts),
        len(knowledge.documents),
    )
    return context


def warm_up(context: ActionContext) -> None:
    """Load the lemmatizer dictionaries and embed the knowledge, so that the first question is fast
    (blocking: the server runs it in a worker thread after it has started listening)."""
    try:
        for lang in LANGUAGES:
            word_forms("dotace", lang)
        context.service_matcher.warm()
        context.grant_matcher.warm()
        logger.info("knowledge embeddings and lemmatizer ready")
    except Exception:  # a failed warm-up only costs speed: the first question retries
        logger.exception("warm-up failed; matchers will load on first use")


class ContextAction(Action):
    """An action made with the application context (rasa_sdk registers instances as well as classes)."""

    def __init__(self, context: ActionContext) -> None:
        super().__init__()
        self.context = context
