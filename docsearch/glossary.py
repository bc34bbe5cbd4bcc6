"""Czech names for the region's names in a German or Polish question (knowledge/glossary.yml).

A German question about "Klügere Region" shares no word with the Czech passage on "Chytřejší kraj", and
e5-small
does not know that they are the same programme. The team's trilingual glossary does: the Czech form is added
to the question for the word search and the embedding. This works without the translation service; when the
service can translate, its Czech text is searched as well (docsearch.search).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from textkit import fold

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")
# Words match by their first letters so that inflected forms count ("Aktionsplans", "grupie roboczej").
STEM_LETTERS = 5


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]  # folded stems of one form's words
    czech: str


def _stem(word: str) -> str:
    return word[:STEM_LETTERS]


@functools.cache
def _entries(language: str) -> tuple[_Entry, ...]:
    try:
        from translation.glossary import load_glossary

        glossary = load_glossary()
    except Exception:  # a missing or broken glossary must not break search: expansion is a bonus
        logger.exception("glossary unavailable; German and Polish questions are searched without it")
        return ()
    entries: list[_Entry] = []
    for term in glossary.terms:
        czech_forms = term.forms.get("cs")
        if not czech_forms:
            continue
        for form in term.forms.get(language, ()):
            words = tuple(_stem(word) for word in _WORD.findall(fold(form)))
            if words and fold(form) != fold(czech_forms[0]):
                entries.append(_Entry(words, czech_forms[0]))
    # Longest first: "Zdrowy Kraj liberecki" before "Kraj liberecki".
    return tuple(sorted(entries, key=lambda entry: -len(entry.words)))


def czech_names(question: str, language: str) -> list[str]:
    """The Czech forms of the glossary names that a German or Polish question contains, in glossary order."""
    if language == "cs":
        return []
    stems = [_stem(word) for word in _WORD.findall(fold(question))]
    found: list[str] = []
    for entry in _entries(language):
        size = len(entry.words)
        present = any(tuple(stems[i : i + size]) == entry.words for i in range(len(stems) - size + 1))
        if present and entry.czech not in found:
            found.append(entry.czech)
    return found


def expand(question: str, language: str) -> str:
    """The question with the Czech names it mentions appended (the question itself when there are none)."""
    names = czech_names(question, language)
    return f"{question} ({'; '.join(names)})" if names else question
