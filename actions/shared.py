"""Process-wide matchers built once from the knowledge (the embeddings of the knowledge are computed once)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from actions.knowledge import LANGUAGES, Contact, Knowledge, get_knowledge
from actions.matching import GrantMatcher, ServiceMatcher
from actions.text import word_forms

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_service_matcher: ServiceMatcher | None = None
_grant_matcher: GrantMatcher | None = None


def service_matcher() -> ServiceMatcher:
    global _service_matcher
    with _lock:
        if _service_matcher is None:
            _service_matcher = ServiceMatcher(get_knowledge())
        return _service_matcher


def grant_matcher() -> GrantMatcher:
    global _grant_matcher
    with _lock:
        if _grant_matcher is None:
            _grant_matcher = GrantMatcher(get_knowledge())
        return _grant_matcher


def reset_matchers() -> None:
    """Forget the matchers (tests that swap the knowledge)."""
    global _service_matcher, _grant_matcher
    with _lock:
        _service_matcher = None
        _grant_matcher = None


def warm_up() -> None:
    """Load the lemmatizer dictionaries and embed the knowledge, so that the first question is fast."""
    try:
        for lang in LANGUAGES:
            word_forms("dotace", lang)
        service_matcher().warm()
        grant_matcher().warm()
        logger.info("knowledge embeddings and lemmatizer ready")
    except Exception:  # a failed warm-up only costs speed: the first question retries
        logger.exception("warm-up failed; matchers will load on first use")


def contact_details(contact: Contact, lang: str) -> str:
    """Person, role, e-mail, phones and web of a contact, as the documents give them."""
    parts: list[str] = []
    if contact.person:
        parts.append(f"{contact.person} ({contact.role.get(lang)})" if contact.role else contact.person)
    if contact.email:
        parts.append(contact.email)
    parts.extend(contact.phones)
    if contact.url:
        parts.append(contact.url)
    return ", ".join(parts)


def contact_line(contact: Contact, lang: str) -> str:
    """Where to ask: the contact's name, with its details when the documents give any."""
    name = contact.name.get(lang)
    return f"{name}: {contact_details(contact, lang)}" if contact.has_details else name


def first_source_title(knowledge: Knowledge, files: tuple[str, ...], lang: str) -> str:
    document = knowledge.documents[files[0]]
    return f"{document.title.get(lang)}"


def slot_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
