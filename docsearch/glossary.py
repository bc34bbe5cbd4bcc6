"""Czech words for a German or Polish question: the region's names (knowledge/glossary.yml) and the
corpus's own vocabulary (knowledge/lexicon.yml).

A German question about "Klügere Region" shares no word with the Czech passage on "Chytřejší kraj", and
e5-small does not know that they are the same programme; "Jahresbericht" shares nothing with "výroční
zpráva". The team's trilingual glossary and lexicon do: the Czech forms are added to the question for the
word search and the embedding. This works without the translation service; when the service can translate,
its Czech text is searched as well (docsearch.search).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from textkit import fold

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")
LEXICON_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "lexicon.yml"
# A question's word matches a glossary word that it starts with, less up to this many letters of ending
# ("Aktionsplans", "Arbeitsgruppen"), at least MIN_STEM letters: "Region" must not match "Regionalrat".
ENDING_LETTERS = 3
MIN_STEM = 5


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]  # folded words of one German or Polish form
    czech: str

    def found_at(self, words: list[str], start: int) -> bool:
        return all(_inflection_of(words[start + i], form_word) for i, form_word in enumerate(self.words))


def _inflection_of(word: str, form_word: str) -> bool:
    stem = form_word[: max(MIN_STEM, len(form_word) - ENDING_LETTERS)]
    return word.startswith(stem) and len(word) <= len(form_word) + ENDING_LETTERS + 1


def _entry(form: str, czech: str) -> _Entry | None:
    words = tuple(_WORD.findall(fold(form)))
    # A form spelt like the Czech one needs no help: the word search finds it as it is.
    return _Entry(words, czech) if words and fold(form) != fold(czech) else None


def _longest_first(entries: list[_Entry | None]) -> tuple[_Entry, ...]:
    # "Zdrowy Kraj liberecki" before "Kraj liberecki".
    return tuple(sorted((e for e in entries if e), key=lambda entry: -len(entry.words)))


@functools.cache
def _glossary_entries(language: str) -> tuple[_Entry, ...]:
    try:
        from translation.glossary import load_glossary

        glossary = load_glossary()
    except Exception:  # a missing or broken glossary must not break search: expansion is a bonus
        logger.exception("glossary unavailable; German and Polish questions are searched without it")
        return ()
    return _longest_first(
        [
            _entry(form, term.forms["cs"][0])
            for term in glossary.terms
            if term.forms.get("cs")
            for form in term.forms.get(language, ())
        ]
    )


@functools.cache
def _lexicon_entries(language: str) -> tuple[_Entry, ...]:
    try:
        data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        logger.exception("lexicon %s unreadable; German and Polish questions go without it", LEXICON_FILE)
        return ()
    return _longest_first(
        [
            _entry(str(form), item["cs"])
            for item in data.get("entries") or []
            if isinstance(item, dict) and isinstance(item.get("cs"), str)
            for form in item.get(language) or ()
        ]
    )


def _matches(question: str, entries: tuple[_Entry, ...]) -> tuple[list[str], list[str]]:
    """Czech forms of the entries found in the question, longest entries first, and the question's folded
    words that no entry took; a word that a longer entry took ("plan działania") is not matched again by a
    shorter one ("działania")."""
    words = _WORD.findall(fold(question))
    taken = [False] * len(words)
    found: list[str] = []
    for entry in entries:
        size = len(entry.words)
        for i in range(len(words) - size + 1):
            if not any(taken[i : i + size]) and entry.found_at(words, i):
                taken[i : i + size] = [True] * size
                if entry.czech not in found:
                    found.append(entry.czech)
    return found, [word for word, was_taken in zip(words, taken, strict=True) if not was_taken]


def _found(question: str, entries: tuple[_Entry, ...]) -> list[str]:
    return _matches(question, entries)[0]


def words_without_czech(question: str, language: str) -> list[str]:
    """The folded words of a German or Polish question that neither the glossary nor the lexicon gives a
    Czech word for (all of them for a Czech question: it needs none)."""
    if language == "cs":
        return _WORD.findall(fold(question))
    return _matches(question, _all_entries(language))[1]


def czech_names(question: str, language: str) -> list[str]:
    """The Czech forms of the glossary names that a German or Polish question contains."""
    return [] if language == "cs" else _found(question, _glossary_entries(language))


def czech_words(question: str, language: str) -> list[str]:
    """The Czech words of the lexicon for the German or Polish words of the question."""
    return [] if language == "cs" else _found(question, _lexicon_entries(language))


def czech_terms(question: str, language: str) -> list[str]:
    """The Czech names and words for a German or Polish question, each once."""
    return [] if language == "cs" else _found(question, _all_entries(language))


@functools.cache
def _all_entries(language: str) -> tuple[_Entry, ...]:
    return _longest_first([*_glossary_entries(language), *_lexicon_entries(language)])


def expand(question: str, language: str) -> str:
    """The question with its Czech names and words appended (the question itself when there are none)."""
    terms = czech_terms(question, language)
    return f"{question} ({'; '.join(terms)})" if terms else question
