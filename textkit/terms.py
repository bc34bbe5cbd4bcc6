"""Tokens, lemmas and search terms: what the document index stores and every query is turned into.

Everything the index stores for word search goes through `search_terms`, and every query goes through the
same function, so the two sides always agree on diacritics, case, dashes, stop words and lemmas.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import simplemma

from textkit.folding import DASHES, fold
from textkit.stoplists import STOPWORDS

SUPPORTED_LANGUAGES = ("cs", "de", "pl")
DEFAULT_LANGUAGE = "cs"

_DASH_TABLE = str.maketrans(dict.fromkeys(DASHES, "-"))
# Numbers keep their decimal part ("2.6", "1,5"); words keep inner dots ("Lipo.ink"), dashes split them.
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:\.[^\W\d_]+)*", re.UNICODE)


def supported_language(lang: str | None) -> str:
    """`lang` when it is cs/de/pl, else Czech (the documents' language)."""
    return lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def tokens(text: str) -> list[str]:
    """Word and number tokens of `text` in their original spelling (case and diacritics kept)."""
    return _TOKEN.findall(text.translate(_DASH_TABLE))


@functools.lru_cache(maxsize=200_000)
def lemma(word: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The folded lemma of `word` in `lang` (simplemma; it knows the lower-case form best).

    Unknown words, proper names among them, come back as their folded self. simplemma loads a language's
    dictionary on first use (about a second), so long-running processes warm it up at start.
    """
    return fold(simplemma.lemmatize(word.lower(), lang=supported_language(lang)))


def search_terms(text: str, lang: str = DEFAULT_LANGUAGE, keep_stopwords: bool = False) -> list[str]:
    """Folded lemmas of the words of `text` in language `lang` (numbers are kept, "," as ".")."""
    language = supported_language(lang)
    terms: list[str] = []
    for token in tokens(text):
        if token[0].isdigit():
            terms.append(token.replace(",", "."))
            continue
        if not keep_stopwords and fold(token) in STOPWORDS:
            continue
        term = lemma(token, language)
        if not keep_stopwords and term in STOPWORDS:
            continue
        terms.append(term)
    return terms


def stem(term: str, length: int = 5) -> str:
    """A crude prefix stem: catches inflections simplemma misses and small typos at the end of a word."""
    return term[:length]


def stems(terms: Iterable[str]) -> list[str]:
    """Stems of the word terms (numbers have no stem and are left out)."""
    return [stem(term) for term in terms if not term[0].isdigit()]
