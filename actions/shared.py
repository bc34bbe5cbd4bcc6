"""Small reply helpers shared by the actions: contact details, source titles, slot text."""

from __future__ import annotations

from typing import Any

from actions.knowledge import Contact, Knowledge


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
