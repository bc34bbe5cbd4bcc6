"""Terminology glossary: terms that map between cs/de/pl and must survive translation unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from translation.registry import LANGUAGES

# One glossary of the region's names, written by the team beside the other knowledge files: the translation
# service protects its terms, docsearch uses it to find Czech passages for German and Polish names.
DEFAULT_GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "glossary.yml"


class GlossaryError(ValueError):
    """The glossary file is malformed."""


@dataclass(frozen=True)
class GlossaryTerm:
    """One concept with its forms per language; the first form of a language is its canonical one."""

    forms: dict[str, tuple[str, ...]]

    def target_form(self, target: str) -> str | None:
        forms = self.forms.get(target)
        return forms[0] if forms else None


@dataclass(frozen=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...]

    def source_forms(self, source: str, target: str) -> list[tuple[str, str]]:
        """(source form, target form) pairs, longest source form first so that
        "Zdravý Liberecký kraj" wins over "Liberecký kraj"."""
        pairs: list[tuple[str, str]] = []
        for term in self.terms:
            target_form = term.target_form(target)
            if target_form is None:
                continue
            pairs.extend((form, target_form) for form in term.forms.get(source, ()))
        return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def load_glossary(path: Path = DEFAULT_GLOSSARY_PATH) -> Glossary:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GlossaryError(f"cannot read glossary {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise GlossaryError(f"glossary {path} needs a top-level 'terms' list")
    terms: list[GlossaryTerm] = []
    for index, entry in enumerate(data["terms"]):
        if not isinstance(entry, dict) or not entry:
            raise GlossaryError(f"glossary {path}: entry {index} is not a mapping of language to forms")
        forms: dict[str, tuple[str, ...]] = {}
        for language, language_forms in entry.items():
            if language not in LANGUAGES:
                raise GlossaryError(f"glossary {path}: entry {index} has unknown language {language!r}")
            if isinstance(language_forms, str):
                language_forms = [language_forms]
            if not isinstance(language_forms, list) or not all(isinstance(f, str) for f in language_forms):
                raise GlossaryError(f"glossary {path}: entry {index}, {language}: forms must be strings")
            forms[language] = tuple(form.strip() for form in language_forms if form.strip())
        terms.append(GlossaryTerm(forms=forms))
    return Glossary(terms=tuple(terms))
