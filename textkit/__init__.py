"""The project's one text toolkit: folding, tokens, lemmas, stop words and sentences for cs/de/pl.

Plain Python 3.10+ (simplemma, stopwordsiso, sentencex; no pydantic), so both environments import it: the
Rasa side (actions, NLU components) and the app side (gateway, translation, docsearch, evaluation). Every
module that compares or splits text goes through here, so that the index and the queries, the classifier's
training and prediction, and the tests all see text the same way.
"""

from textkit.folding import DASHES, fold, fold_words, words
from textkit.splitting import Segment, sentence_spans, sentences, split_segments
from textkit.stoplists import CHAT_WORDS, QUESTION_WORDS, STOPWORDS, TOPICAL, stopwords
from textkit.terms import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    lemma,
    search_terms,
    stem,
    stems,
    supported_language,
    tokens,
)

__all__ = [
    "CHAT_WORDS",
    "DASHES",
    "DEFAULT_LANGUAGE",
    "QUESTION_WORDS",
    "STOPWORDS",
    "SUPPORTED_LANGUAGES",
    "TOPICAL",
    "Segment",
    "fold",
    "fold_words",
    "lemma",
    "search_terms",
    "sentence_spans",
    "sentences",
    "split_segments",
    "stem",
    "stems",
    "stopwords",
    "supported_language",
    "tokens",
    "words",
]
