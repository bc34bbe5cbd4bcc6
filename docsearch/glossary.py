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
# A question's word matches a glossary word that it starts with, less up to this many letters of ending
# ("Aktionsplans", "Arbeitsgruppen"), at least MIN_STEM letters: "Region" must not match "Regionalrat".
ENDING_LETTERS = 3
MIN_STEM = 5


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]  # folded words of one form
    czech: str

    def found_at(self, words: list[str], start: int) -> bool:
        return all(
            _inflection_of(words[start + i], form_word) for i, form_word in enumerate(self.words)
        )


def _inflection_of(word: str, form_word: str) -> bool:
    stem = form_word[: max(MIN_STEM, len(form_word) - ENDING_LETTERS)]
    return word.startswith(stem) and len(word) <= len(form_word) + ENDING_LETTERS + 1


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
            words = tuple(_WORD.findall(fold(form)))
            if words and fold(form) != fold(czech_forms[0]):
                entries.append(_Entry(words, czech_forms[0]))
    # Longest first: "Zdrowy Kraj liberecki" before "Kraj liberecki".
    return tuple(sorted(entries, key=lambda entry: -len(entry.words)))


def czech_names(question: str, language: str) -> list[str]:
    """The Czech forms of the glossary names that a German or Polish question contains, in glossary order."""
    if language == "cs":
        return []
    words = _WORD.findall(fold(question))
    found: list[str] = []
    for entry in _entries(language):
        present = any(entry.found_at(words, i) for i in range(len(words) - len(entry.words) + 1))
        if present and entry.czech not in found:
            found.append(entry.czech)
    return found


def expand(question: str, language: str) -> str:
    """The question with the Czech names it mentions appended (the question itself when there are none)."""
    names = czech_names(question, language)
    return f"{question} ({'; '.join(names)})" if names else question
