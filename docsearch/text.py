"""Kept until docsearch/index.py is split; remove then: the text helpers now live in `textkit`."""

from textkit import (
    DASHES,
    STOPWORDS,
    SUPPORTED_LANGUAGES,
    fold,
    search_terms,
    sentence_spans,
    stem,
    stems,
    tokens,
)

__all__ = [
    "DASHES",
    "STOPWORDS",
    "SUPPORTED_LANGUAGES",
    "fold",
    "search_terms",
    "sentence_spans",
    "stem",
    "stems",
    "tokens",
]
