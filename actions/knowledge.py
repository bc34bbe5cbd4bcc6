"""Structured knowledge of services, grants, contacts and documents (``knowledge/*.yml``), checked at load.

Every entry is validated by its model (``actions.knowledge_schema``), then the files are cross-checked
(every contact id and source file exists). A wrong or missing field raises :class:`KnowledgeError` whose
message names the file, the entry and the field, so a typo stops ``python -m actions.knowledge check`` (run
before training) and the action server start instead of surfacing as a strange reply weeks later.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from actions.knowledge_schema import (
    APPLICANT_TYPES,
    LANGUAGES,
    Contact,
    Document,
    Grant,
    KnowledgeError,
    Localized,
    Service,
    ValidationError,
    describe_error,
)

DOCUMENTS_FILE = "documents.yml"
CONTACTS_FILE = "contacts.yml"
SERVICES_FILE = "services.yml"
GRANTS_FILE = "grants.yml"


@dataclass(frozen=True)
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


EntryModel = TypeVar("EntryModel", Document, Contact, Service, Grant)


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


def _label(index: int, raw: Any) -> str:
    identifier = (raw.get("id") or raw.get("file")) if isinstance(raw, dict) else None
    return f"entry #{index + 1} ({identifier})" if isinstance(identifier, str) else f"entry #{index + 1}"


def _fail(file_name: str, label: str, field_name: str, problem: str) -> KnowledgeError:
    return KnowledgeError(f"{file_name}: {label}: field '{field_name}': {problem}")


@dataclass(frozen=True)
class _Parsed:
    """The entries of one file by key (id or file name), with the label each error names them by."""

    file_name: str
    entries: dict[str, Any]
    labels: dict[str, str]


def _parse_file(directory: Path, file_name: str, model: type[EntryModel], key: str) -> _Parsed:
    """Every entry of ``file_name`` validated by ``model``, by ``key``; a duplicate key is an error."""
    entries: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for index, raw in enumerate(_read_entries(directory, file_name)):
        label = _label(index, raw)
        if not isinstance(raw, dict):
            raise KnowledgeError(
                f"{file_name}: {label}: expected a mapping of fields, got {type(raw).__name__}"
            )
        try:
            entry = model.parse_obj(raw)
        except ValidationError as error:
            raise _fail(file_name, label, *describe_error(model, error)) from None
        name = str(getattr(entry, key))
        if name in entries:
            raise KnowledgeError(f"{file_name}: {label}: duplicate '{name}'")
        entries[name], labels[name] = entry, label
    return _Parsed(file_name, entries, labels)


def _cross_check(parsed: _Parsed, documents: dict[str, Any], contacts: dict[str, Any] | None) -> None:
    """Every source is a file of documents.yml; every contact (``contacts`` given) an id of contacts.yml."""
    for name, entry in parsed.entries.items():
        label = parsed.labels[name]
        for position, source in enumerate(entry.sources):
            if source not in documents:
                raise _fail(
                    parsed.file_name,
                    label,
                    f"sources[{position}]",
                    f"'{source}' is not a file listed in {DOCUMENTS_FILE}",
                )
        if contacts is not None and entry.contact not in contacts:
            raise _fail(
                parsed.file_name, label, "contact", f"'{entry.contact}' is not an id in {CONTACTS_FILE}"
            )


def load_knowledge(directory: str | os.PathLike[str]) -> Knowledge:
    """Load and cross-check every knowledge file of ``directory``; raises :class:`KnowledgeError`."""
    path = Path(directory)
    if not path.is_dir():
        raise KnowledgeError(f"{path}: knowledge directory does not exist")
    documents = _parse_file(path, DOCUMENTS_FILE, Document, "file").entries
    contacts = _parse_file(path, CONTACTS_FILE, Contact, "id")
    _cross_check(contacts, documents, None)
    services = _parse_file(path, SERVICES_FILE, Service, "id")
    _cross_check(services, documents, contacts.entries)
    grants = _parse_file(path, GRANTS_FILE, Grant, "id")
    _cross_check(grants, documents, contacts.entries)
    return Knowledge(
        documents=documents, contacts=contacts.entries, services=services.entries, grants=grants.entries
    )


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
        "--dir",
        default=os.environ.get("KNOWLEDGE_DIR", "knowledge"),
        help="knowledge directory (default: KNOWLEDGE_DIR)",
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


__all__ = [
    "APPLICANT_TYPES",
    "LANGUAGES",
    "Contact",
    "Document",
    "Grant",
    "Knowledge",
    "KnowledgeError",
    "Localized",
    "Service",
    "load_knowledge",
    "main",
]


if __name__ == "__main__":
    sys.exit(main())
