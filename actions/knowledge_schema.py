"""The knowledge schema (``knowledge/*.yml``) as pydantic models: one definition for actions and docsearch.

Written against the pydantic 1 API: ``.venv-rasa`` has pydantic 1 (Rasa 3.6 pins it) and ``.venv-app`` has
pydantic 2, whose ``pydantic.v1`` namespace is the same API. docsearch reads ``documents.yml`` with
:class:`DocumentMetadata` in the app environment, so this module imports nothing of Rasa or rasa_sdk.

The models check one entry each (types, required fields, patterns, the languages of every text); what needs
more than one file (a contact id, a source file) is checked by ``actions.knowledge``. A failed check becomes a
:class:`KnowledgeError` that names the file, the entry and the field (:func:`describe_error`).
"""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar, Optional

try:  # pydantic 2 (app environment)
    from pydantic.v1 import BaseModel, Extra, PydanticValueError, ValidationError, root_validator, validator
except ImportError:  # pydantic 1 (Rasa environment)
    from pydantic import (  # type: ignore[no-redef]
        BaseModel,
        Extra,
        PydanticValueError,
        ValidationError,
        root_validator,
        validator,
    )

LANGUAGES: tuple[str, ...] = ("cs", "de", "pl")
APPLICANT_TYPES: tuple[str, ...] = ("municipality", "ngo", "business", "household", "school", "other")

_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{4}$")
_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_PATTERN = re.compile(r"^\+?[\d ]{9,17}$")


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or has a wrong field; the message says where."""


class FieldProblem(PydanticValueError):
    """A problem of one (nested) field found by a check of the whole entry; ``field`` names it."""

    code = "knowledge.field"
    msg_template = "{problem}"


def _text(value: Any) -> str:
    """A non-empty text; numbers become text (``code: 2.6``), dates their ISO form, anything else fails."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a non-empty text, got {value!r}")
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty text, got {value!r}")
    return value.strip()


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"expected a list of texts, got {type(value).__name__}")
    return tuple(value)


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number >= 0 or null, got {value!r}")
    return value


class _Entry(BaseModel):
    class Config:
        extra = Extra.forbid
        frozen = True


class Localized(_Entry):
    """A text in Czech, German and Polish (runs of white space become one space)."""

    cs: str
    de: str
    pl: str

    @validator("cs", "de", "pl", pre=True)
    def _one_line(cls, value: Any) -> str:
        return " ".join(_text(value).split())

    def get(self, lang: str) -> str:
        """The text in ``lang``; Czech for a language we do not have."""
        return str(getattr(self, lang)) if lang in LANGUAGES else self.cs

    def all(self) -> list[str]:
        return [self.cs, self.de, self.pl]


class LocalizedLists(_Entry):
    """A non-empty list of texts (keywords) per language; ``keywords["de"]`` reads one."""

    cs: tuple[str, ...]
    de: tuple[str, ...]
    pl: tuple[str, ...]

    @validator("cs", "de", "pl", pre=True)
    def _non_empty(cls, value: Any) -> tuple[str, ...]:
        items = _texts(value)
        if not items:
            raise ValueError("expected a non-empty list")
        return tuple(_text(item) for item in items)

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        return tuple(getattr(self, lang if lang in LANGUAGES else "cs"))


def _dated(value: Any) -> str:
    text = _text(value)
    if not _DATE_PATTERN.match(text):
        raise ValueError(f"expected YYYY-MM-DD or YYYY-YYYY, got {text!r}")
    return text


def _identifier(value: Any) -> str:
    text = _text(value)
    if not _ID_PATTERN.match(text):
        raise ValueError(f"expected lower-case letters, digits and '_', got {text!r}")
    return text


def _web_address(value: Any) -> str | None:
    if value is None:
        return None
    text = _text(value)
    if not text.startswith(("http://", "https://")):
        raise ValueError(f"expected an http(s) address, got {text!r}")
    return text


def _non_empty_texts(value: Any) -> tuple[str, ...]:
    items = _texts(value)
    if not items:
        raise ValueError("expected at least one item")
    return items


class DocumentMetadata(_Entry):
    """What ``documents.yml`` says about one file, as docsearch reads it (a summary is optional there)."""

    file: str
    title: Localized
    date: str
    summary: Optional[Localized] = None

    _file = validator("file", pre=True, allow_reuse=True)(_text)
    _date = validator("date", pre=True, allow_reuse=True)(_dated)


class Document(DocumentMetadata):
    """A document of ``documents.yml`` as the actions cite it: with its summary."""

    summary: Localized


class Contact(_Entry):
    id: str
    name: Localized
    aliases: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    as_of: str
    sources: tuple[str, ...]
    person: Optional[str] = None
    role: Optional[Localized] = None
    email: Optional[str] = None
    url: Optional[str] = None

    _id = validator("id", pre=True, allow_reuse=True)(_identifier)
    _lists = validator("aliases", "phones", pre=True, allow_reuse=True)(_texts)
    _sources = validator("sources", pre=True, allow_reuse=True)(_non_empty_texts)
    _items = validator("aliases", "phones", "sources", pre=True, each_item=True, allow_reuse=True)(_text)
    _person = validator("person", pre=True, allow_reuse=True)(_text)
    _as_of = validator("as_of", pre=True, allow_reuse=True)(_dated)
    _url = validator("url", pre=True, allow_reuse=True)(_web_address)

    @validator("email", pre=True)
    def _email(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = _text(value)
        if not _EMAIL_PATTERN.match(text):
            raise ValueError(f"not an e-mail address: {text!r}")
        return text

    @validator("phones", each_item=True)
    def _phone(cls, value: str) -> str:
        if not _PHONE_PATTERN.match(value):
            raise ValueError(f"not a phone number: {value!r}")
        return value

    @property
    def has_details(self) -> bool:
        """Whether the documents give any way to reach this contact directly."""
        return bool(self.email or self.phones or self.url)


class Service(_Entry):
    id: str
    name: Localized
    aliases: tuple[str, ...]
    description: Localized
    keywords: LocalizedLists
    contact: str
    sources: tuple[str, ...]
    url: Optional[str] = None

    _ids = validator("id", "contact", pre=True, allow_reuse=True)(_identifier)
    _lists = validator("aliases", "sources", pre=True, allow_reuse=True)(_non_empty_texts)
    _items = validator("aliases", "sources", pre=True, each_item=True, allow_reuse=True)(_text)
    _url = validator("url", pre=True, allow_reuse=True)(_web_address)


class Grant(_Entry):
    # The figures that the spoken facts must carry, so that the two never tell different stories.
    FIGURES: ClassVar[tuple[str, ...]] = ("allocation_czk", "projects_supported", "awarded_czk", "year")

    id: str
    code: str
    fund: Localized
    name: Localized
    purpose: Localized
    applicants: Optional[Localized] = None
    applicant_types: tuple[str, ...] = ()
    keywords: LocalizedLists
    year: Optional[int] = None
    allocation_czk: Optional[int] = None
    projects_supported: Optional[int] = None
    awarded_czk: Optional[int] = None
    facts: Localized
    contact: str
    sources: tuple[str, ...]

    _ids = validator("id", "contact", pre=True, allow_reuse=True)(_identifier)
    _code = validator("code", pre=True, allow_reuse=True)(_text)
    _applicant_types = validator("applicant_types", pre=True, allow_reuse=True)(_texts)
    _sources = validator("sources", pre=True, allow_reuse=True)(_non_empty_texts)
    _items = validator("sources", pre=True, each_item=True, allow_reuse=True)(_text)
    _counts = validator(*FIGURES, pre=True, allow_reuse=True)(_count)

    @validator("applicant_types", each_item=True)
    def _applicant_type(cls, value: str) -> str:
        if value not in APPLICANT_TYPES:
            raise ValueError(f"{value!r} is not one of {APPLICANT_TYPES}")
        return value

    @validator("year")
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is not None and not 1990 <= value <= 2100:
            raise ValueError(f"implausible year {value}")
        return value

    @root_validator(skip_on_failure=True)
    def _facts_carry_the_figures(cls, values: dict[str, Any]) -> dict[str, Any]:
        facts: Localized = values["facts"]
        for lang in LANGUAGES:
            digits_in_facts = re.sub(r"[^\d]", "", facts.get(lang))
            for name in cls.FIGURES:
                amount = values.get(name)
                if amount is not None and str(amount) not in digits_in_facts:
                    raise FieldProblem(field=f"facts.{lang}", problem=f"does not mention {name} = {amount}")
        return values


def _field_path(location: tuple[Any, ...]) -> str:
    """``("phones", 0)`` -> ``phones[0]``, ``("purpose", "pl")`` -> ``purpose.pl``."""
    path = ""
    for part in location:
        if part == "__root__":
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _allowed_fields(model: type[BaseModel], location: tuple[Any, ...]) -> list[str]:
    """The field names of the (nested) model that an unknown field at ``location`` was found in."""
    for part in location[:-1]:
        field = model.__fields__.get(str(part)) if isinstance(part, str) else None
        if field is None or not (isinstance(field.type_, type) and issubclass(field.type_, BaseModel)):
            continue
        model = field.type_
    return sorted(model.__fields__)


def describe_error(model: type[BaseModel], error: ValidationError) -> tuple[str, str]:
    """(field, problem) of the first problem of ``error``, in the words of the knowledge files' errors."""
    first = error.errors()[0]
    location = tuple(first["loc"])
    field = str((first.get("ctx") or {}).get("field") or _field_path(location))
    kind, message = first["type"], str(first["msg"])
    if kind == "value_error.extra":
        allowed = _allowed_fields(model, location)
        if set(allowed) == set(LANGUAGES):
            return field, "unknown language (allowed: cs, de, pl)"
        return field, f"unknown field (allowed: {', '.join(allowed)})"
    if kind == "value_error.missing":
        return field, "missing"
    if kind.startswith("type_error.dict") or kind == "type_error.mapping":
        return field, "expected a mapping"
    return field, message


__all__ = [
    "APPLICANT_TYPES",
    "LANGUAGES",
    "Contact",
    "Document",
    "DocumentMetadata",
    "Grant",
    "KnowledgeError",
    "Localized",
    "LocalizedLists",
    "Service",
    "ValidationError",
    "describe_error",
]
