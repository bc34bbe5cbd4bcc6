"""Which of cs, de, pl a short text is in, for lemmatising a question of unknown language."""

from __future__ import annotations

import simplemma

from textkit.terms import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES


def guess_language(text: str) -> str:
    """cs, de or pl by simplemma's word lists; Czech (the documents' language) when nothing is recognised."""
    try:
        ranked = simplemma.langdetect(text, lang=SUPPORTED_LANGUAGES)
    except (ValueError, KeyError):
        return DEFAULT_LANGUAGE
    best = next(((lang, score) for lang, score in ranked if lang in SUPPORTED_LANGUAGES), None)
    return best[0] if best and best[1] > 0 else DEFAULT_LANGUAGE
