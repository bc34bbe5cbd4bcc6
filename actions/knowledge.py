"""Structured knowledge of services, grants, contacts and documents (``knowledge/*.yml``), checked at load.

Every entry is validated field by field; a wrong or missing field raises :class:`KnowledgeError` whose message
names the file, the entry and the field, so a typo stops ``python -m actions.knowledge check`` (run before
training) and the action server start instead of surfacing as a strange reply weeks later.

Hand-written validation on plain dataclasses: the Rasa environment ships pydantic 1 through rasa and this
module must not depend on that.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("cs", "de", "pl")
APPLICANT_TYPES: tuple[str, ...] = ("municipality", "ngo", "business", "household", "school", "other")

DOCUMENTS_FILE = "documents.yml"
CONTACTS_FILE = "contacts.yml"
SERVICES_FILE = "services.yml"
GRANTS_FILE = "grants.yml"

_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{4}$")
_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_PATTERN = re.compile(r"^\+?[\d ]{9,17}$")


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or has a wrong field; the message says where."""


@dataclass(frozen=True)
class Localized:
    """A text in Czech, German and Polish."""

    cs: str
    de: str
    pl: str

    def get(self, lang: str) -> str:
        """The text in ``lang``; Czech for a language we do not have."""
        return getattr(self, lang) if lang in LANGUAGES else self.cs

    def all(self) -> list[str]:
        return [self.cs, self.de, self.pl]


@dataclass(frozen=True)
class Document:
    file: str
    title: Localized
    date: str
    summary: Localized


@dataclass(frozen=True)
class Contact:
    id: str
    name: Localized
    aliases: tuple[str, ...]
    phones: tuple[str, ...]
    as_of: str
    sources: tuple[str, ...]
    person: str | None = None
    role: Localized | None = None
    email: str | None = None
    url: str | None = None

    @property
    def has_details(self) -> bool:
        """Whether the documents give any way to reach this contact directly."""
        return bool(self.email or self.phones or self.url)


@dataclass(frozen=True)
class Service:
    id: str
    name: Localized
    aliases: tuple[str, ...]
    description: Localized
    keywords: dict[str, tuple[str, ...]]
    contact: str
    sources: tuple[str, ...]
    url: str | None = None


@dataclass(frozen=True)
class Grant:
    id: str
    code: str
    fund: Localized
    name: Localized
    purpose: Localized
    applicants: Localized | None
    applicant_types: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]]
    year: int | None
    allocation_czk: int | None
    projects_supported: int | None
    awarded_czk: int | None
    facts: Localized
    contact: str
    sources: tuple[str, ...]


@dataclass
class Knowledge:
    """All knowledge files of one directory, cross-checked (every contact id and source file exists)."""

    documents: dict[str, Document] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)

    def source(self, file_name: str, lang: str, section: str = "") -> dict[str, str]:
        """A citation in the shape the gateway expects: ``{title, file, section, date, url}``."""
        document = self.documents[file_name]
        return {
            "title": document.title.get(lang),
            "file": document.file,
            "section": section,
            "date": document.date,
            "url": "",
        }

    def sources(self, file_names: Iterable[str], lang: str) -> list[dict[str, str]]:
        return [self.source(file_name, lang) for file_name in file_names]


class _Entry:
    """Reads the fields of one YAML entry and raises errors that name the file, the entry and the field."""

    def __init__(self, file_name: str, index: int, raw: Any, allowed_fields: set[str]) -> None:
        self.file_name = file_name
        self.label = f"entry #{index + 1}"
        if not isinstance(raw, dict):
            raise KnowledgeError(
                f"{file_name}: {self.label}: expected a mapping of fields, got {type(raw).__name__}"
            )
        self.raw: dict[str, Any] = raw
        identifier = raw.get("id") or raw.get("file")
        if isinstance(identifier, str):
            self.label = f"entry #{index + 1} ({identifier})"
        unknown = sorted(set(raw) - allowed_fields)
        if unknown:
            self.fail(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed_fields))})")

    def fail(self, field_name: str, problem: str) -> None:
        raise KnowledgeError(f"{self.file_name}: {self.label}: field '{field_name}': {problem}")

    def text(self, name: str, *, optional: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if optional:
                return None
            self.fail(name, "missing")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"expected a non-empty text, got {value!r}")
        return value.strip()

    def required_text(self, name: str) -> str:
        value = self.text(name)
        assert value is not None  # text() raised otherwise
        return value

    def identifier(self, name: str = "id") -> str:
        value = self.required_text(name)
        if not _ID_PATTERN.match(value):
            self.fail(name, f"expected lower-case letters, digits and '_', got {value!r}")
        return value

    def localized(self, name: str, *, optional: bool = False) -> Localized | None:
        value = self.raw.get(name)
        if value is None:
            if optional:
                return None
            self.fail(name, "missing (expected cs, de and pl texts)")
        if not isinstance(value, dict):
            self.fail(name, f"expected a mapping with cs, de and pl, got {type(value).__name__}")
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.fail(f"{name}.{lang}", "missing or empty")
            texts[lang] = " ".join(text.split())
        extra = sorted(set(value) - set(LANGUAGES))
        if extra:
            self.fail(f"{name}.{extra[0]}", "unknown language (allowed: cs, de, pl)")
        return Localized(**texts)

    def required_localized(self, name: str) -> Localized:
        value = self.localized(name)
        assert value is not None
        return value

    def text_list(self, name: str, *, allow_empty: bool = True) -> tuple[str, ...]:
        value = self.raw.get(name)
        if value is None:
            value = []
        if not isinstance(value, list):
            self.fail(name, f"expected a list of texts, got {type(value).__name__}")
        items: list[str] = []
        for position, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{name}[{position}]", f"expected a non-empty text, got {item!r}")
            items.append(item.strip())
        if not items and not allow_empty:
            self.fail(name, "expected at least one item")
        return tuple(items)

    def localized_lists(self, name: str) -> dict[str, tuple[str, ...]]:
        value = self.raw.get(name)
        if not isinstance(value, dict):
            self.fail(name, "missing or not a mapping of cs, de and pl lists")
        lists: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            items = value.get(lang)
            if not isinstance(items, list) or not items:
                self.fail(f"{name}.{lang}", "expected a non-empty list")
            for position, item in enumerate(items):
                if not isinstance(item, str) or not item.strip():
                    self.fail(f"{name}.{lang}[{position}]", f"expected a non-empty text, got {item!r}")
            lists[lang] = tuple(item.strip() for item in items)
        return lists

    def count(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(name, f"expected a whole number >= 0 or null, got {value!r}")
        return value

    def date(self, name: str) -> str:
        value = self.required_text(name)
        if not _DATE_PATTERN.match(value):
            self.fail(name, f"expected YYYY-MM-DD or YYYY-YYYY, got {value!r}")
        return value

    def url(self, name: str) -> str | None:
        value = self.text(name, optional=True)
        if value is not None and not value.startswith(("http://", "https://")):
            self.fail(name, f"expected an http(s) address, got {value!r}")
        return value


def _read_entries(directory: Path, file_name: str) -> list[Any]:
    path = directory / file_name
    if not path.is_file():
        raise KnowledgeError(f"{path}: knowledge file is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{file_name}: not valid YAML: {error}") from error
    if not isinstance(data, list) or not data:
        raise KnowledgeError(f"{file_name}: expected a non-empty list of entries at the top level")
    return data


def _unique(file_name: str, seen: dict[str, Any], key: str, label: str) -> None:
    if key in seen:
        raise KnowledgeError(f"{file_name}: {label}: duplicate '{key}'")


def _parse_documents(directory: Path) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for index, raw in enumerate(_read_entries(directory, DOCUMENTS_FILE)):
        entry = _Entry(DOCUMENTS_FILE, index, raw, {"file", "title", "date", "summary"})
        file_name = entry.required_text("file")
        _unique(DOCUMENTS_FILE, documents, file_name, entry.label)
        documents[file_name] = Document(
            file=file_name,
            title=entry.required_localized("title"),
            date=entry.date("date"),
            summary=entry.required_localized("summary"),
        )
    return documents


def _check_sources(entry: _Entry, sources: tuple[str, ...], documents: dict[str, Document]) -> None:
    for position, source in enumerate(sources):
        if source not in documents:
            entry.fail(f"sources[{position}]", f"'{source}' is not a file listed in {DOCUMENTS_FILE}")


def _parse_contacts(directory: Path, documents: dict[str, Document]) -> dict[str, Contact]:
    contacts: dict[str, Contact] = {}
    allowed = {"id", "name", "aliases", "person", "role", "email", "phones", "url", "as_of", "sources"}
    for index, raw in enumerate(_read_entries(directory, CONTACTS_FILE)):
        entry = _Entry(CONTACTS_FILE, index, raw, allowed)
        contact_id = entry.identifier()
        _unique(CONTACTS_FILE, contacts, contact_id, entry.label)
        email = entry.text("email", optional=True)
        if email is not None and not _EMAIL_PATTERN.match(email):
            entry.fail("email", f"not an e-mail address: {email!r}")
        phones = entry.text_list("phones")
        for position, phone in enumerate(phones):
            if not _PHONE_PATTERN.match(phone):
                entry.fail(f"phones[{position}]", f"not a phone number: {phone!r}")
        sources = entry.text_list("sources", allow_empty=False)
        _check_sources(entry, sources, documents)
        contacts[contact_id] = Contact(
            id=contact_id,
            name=entry.required_localized("name"),
            aliases=entry.text_list("aliases"),
            phones=phones,
            as_of=entry.date("as_of"),
            sources=sources,
            person=entry.text("person", optional=True),
            role=entry.localized("role", optional=True),
            email=email,
            url=entry.url("url"),
        )
    return contacts


def _check_contact(entry: _Entry, contacts: dict[str, Contact]) -> str:
    contact_id = entry.identifier("contact")
    if contact_id not in contacts:
        entry.fail("contact", f"'{contact_id}' is not an id in {CONTACTS_FILE}")
    return contact_id


def _parse_services(
    directory: Path, documents: dict[str, Document], contacts: dict[str, Contact]
) -> dict[str, Service]:
    services: dict[str, Service] = {}
    allowed = {"id", "name", "aliases", "description", "keywords", "url", "contact", "sources"}
    for index, raw in enumerate(_read_entries(directory, SERVICES_FILE)):
        entry = _Entry(SERVICES_FILE, index, raw, allowed)
        service_id = entry.identifier()
        _unique(SERVICES_FILE, services, service_id, entry.label)
        sources = entry.text_list("sources", allow_empty=False)
        _check_sources(entry, sources, documents)
        services[service_id] = Service(
            id=service_id,
            name=entry.required_localized("name"),
            aliases=entry.text_list("aliases", allow_empty=False),
            description=entry.required_localized("description"),
            keywords=entry.localized_lists("keywords"),
            contact=_check_contact(entry, contacts),
            sources=sources,
            url=entry.url("url"),
        )
    return services


def _parse_grants(
    directory: Path, documents: dict[str, Document], contacts: dict[str, Contact]
) -> dict[str, Grant]:
    grants: dict[str, Grant] = {}
    allowed = {
        "id",
        "code",
        "fund",
        "name",
        "purpose",
        "applicants",
        "applicant_types",
        "keywords",
        "year",
        "allocation_czk",
        "projects_supported",
        "awarded_czk",
        "facts",
        "contact",
        "sources",
    }
    for index, raw in enumerate(_read_entries(directory, GRANTS_FILE)):
        entry = _Entry(GRANTS_FILE, index, raw, allowed)
        grant_id = entry.identifier()
        _unique(GRANTS_FILE, grants, grant_id, entry.label)
        applicant_types = entry.text_list("applicant_types")
        for position, applicant_type in enumerate(applicant_types):
            if applicant_type not in APPLICANT_TYPES:
                entry.fail(
                    f"applicant_types[{position}]", f"{applicant_type!r} is not one of {APPLICANT_TYPES}"
                )
        year = entry.count("year")
        if year is not None and not 1990 <= year <= 2100:
            entry.fail("year", f"implausible year {year}")
        facts = entry.required_localized("facts")
        amounts = {
            name: entry.count(name)
            for name in ("allocation_czk", "projects_supported", "awarded_czk", "year")
        }
        # The spoken facts must carry the structured figures, so that the two never tell different stories.
        for lang in LANGUAGES:
            digits_in_facts = re.sub(r"[^\d]", "", facts.get(lang))
            for name, amount in amounts.items():
                if amount is not None and str(amount) not in digits_in_facts:
                    entry.fail(f"facts.{lang}", f"does not mention {name} = {amount}")
        sources = entry.text_list("sources", allow_empty=False)
        _check_sources(entry, sources, documents)
        grants[grant_id] = Grant(
            id=grant_id,
            code=entry.required_text("code"),
            fund=entry.required_localized("fund"),
            name=entry.required_localized("name"),
            purpose=entry.required_localized("purpose"),
            applicants=entry.localized("applicants", optional=True),
            applicant_types=applicant_types,
            keywords=entry.localized_lists("keywords"),
            year=year,
            allocation_czk=amounts["allocation_czk"],
            projects_supported=amounts["projects_supported"],
            awarded_czk=amounts["awarded_czk"],
            facts=facts,
            contact=_check_contact(entry, contacts),
            sources=sources,
        )
    return grants


def load_knowledge(directory: str | os.PathLike[str]) -> Knowledge:
    """Load and cross-check every knowledge file of ``directory``; raises :class:`KnowledgeError`."""
    path = Path(directory)
    if not path.is_dir():
        raise KnowledgeError(f"{path}: knowledge directory does not exist")
    documents = _parse_documents(path)
    contacts = _parse_contacts(path, documents)
    return Knowledge(
        documents=documents,
        contacts=contacts,
        services=_parse_services(path, documents, contacts),
        grants=_parse_grants(path, documents, contacts),
    )


def knowledge_dir() -> Path:
    return Path(os.environ.get("KNOWLEDGE_DIR", "knowledge"))


_cached_knowledge: Knowledge | None = None


def get_knowledge() -> Knowledge:
    """The knowledge of ``KNOWLEDGE_DIR``, loaded once per process."""
    global _cached_knowledge
    if _cached_knowledge is None:
        _cached_knowledge = load_knowledge(knowledge_dir())
    return _cached_knowledge


def set_knowledge(knowledge: Knowledge | None) -> None:
    """Replace the process-wide knowledge (tests; ``None`` reloads from disk on next use)."""
    global _cached_knowledge
    _cached_knowledge = knowledge


def _missing_corpus_titles(knowledge: Knowledge, corpus_dir: Path) -> list[str]:
    if not corpus_dir.is_dir():
        return []
    return sorted(
        path.name
        for path in corpus_dir.iterdir()
        if path.is_file() and path.name.lower() != "readme.md" and path.name not in knowledge.documents
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.knowledge", description=__doc__.splitlines()[0])
    subcommands = parser.add_subparsers(dest="command", required=True)
    check = subcommands.add_parser(
        "check", help="validate the knowledge files; exit 1 naming file, entry, field"
    )
    check.add_argument(
        "--dir", default=str(knowledge_dir()), help="knowledge directory (default: KNOWLEDGE_DIR)"
    )
    check.add_argument(
        "--corpus",
        default=os.environ.get("DOCUMENTS_DIR", "../shared/corpus"),
        help="document folder whose files should each have a documents.yml entry (warning only)",
    )
    arguments = parser.parse_args(argv)
    try:
        knowledge = load_knowledge(arguments.dir)
    except KnowledgeError as error:
        print(f"knowledge check FAILED: {error}", file=sys.stderr)
        return 1
    for file_name in _missing_corpus_titles(knowledge, Path(arguments.corpus)):
        print(f"warning: {file_name} in {arguments.corpus} has no entry in {DOCUMENTS_FILE}", file=sys.stderr)
    print(
        f"knowledge OK ({arguments.dir}): {len(knowledge.documents)} documents, "
        f"{len(knowledge.services)} services, "
        f"{len(knowledge.grants)} grants, {len(knowledge.contacts)} contacts"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
