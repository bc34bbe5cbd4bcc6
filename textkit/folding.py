"""One folding for the whole project: the form in which texts are compared, whoever compares them.

The index and the queries, the intent classifier's features, the language markers of the gateway, the grant
matcher and the evaluation all compare text "without case and diacritics". They used to do it five ways that
disagreed on ß and ł (neither has a Unicode decomposition, so NFKD alone keeps them) and on dashes; a word
folded one way at indexing time and another at query time silently never matches. So there is one `fold`.
"""

from __future__ import annotations

import re
import unicodedata

# Dash variants of real documents (hyphen, non-breaking hyphen, figure dash, en/em dash, bar, minus): all
# become "-", so "CZ–DE–PL" and "CZ-DE-PL" are the same words.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# Letters without a decomposition that people still type without their hook or as two letters.
_LETTERS = {"ß": "ss", "ẞ": "ss", "ł": "l", "Ł": "l"}
_TABLE = str.maketrans({**dict.fromkeys(DASHES, "-"), **_LETTERS})
_SPACES = re.compile(r"\s+")
# Word tokens after folding: letters and digits; any other character (".", "-", "'") splits words.
_WORD = re.compile(r"[^\W_]+")


def fold(text: str, *, collapse_whitespace: bool = False) -> str:
    """Lower case, no diacritics (NFKD without combining marks), ß→ss, ł→l, every dash "-".

    NFKD also turns non-breaking and other special spaces into plain spaces. With `collapse_whitespace`,
    every run of whitespace becomes one space (for substring checks of replies against expected strings).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TABLE).lower())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", folded) if collapse_whitespace else folded


def words(text: str, *, folded: bool = True) -> list[str]:
    """Letter-and-digit runs of `text`, folded unless `folded=False` (then only lower-cased).

    Every other character splits words ("Lipo.ink" -> ["lipo", "ink"]): for matching names and keywords.
    """
    return _WORD.findall(fold(text) if folded else text.lower())


def fold_words(text: str) -> str:
    """The folded words of `text` joined by single spaces, punctuation dropped: "Lipo.ink – ARR!" -> "lipo ink
    arr". For whole-phrase comparison of names, where punctuation and spacing must not matter."""
    return " ".join(words(text))
