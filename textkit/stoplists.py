"""Stop words (no topic) and question words (ask *for* something) of Czech, German and Polish.

The stop words come from stopwords-iso (`stopwordsiso`), a maintained list, rather than from lists in our
code; they are folded, because they are compared after folding. Those lists were made for web search and
hold words that are topics here ("zpráva" of a monitoring report, "telefon", "Jahr", "Mittel", "zł"), so
`TOPICAL` takes them back out: dropping them would make a question about the annual report lose its topic.
"""

from __future__ import annotations

import functools

import stopwordsiso

from textkit.folding import fold

_LANGUAGES = ("cs", "de", "pl")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(fold(word) for word in text.split())


# Words of the stopwords-iso lists that name a topic in the region's documents and questions.
TOPICAL: frozenset[str] = _word_set(
    """
    clanek clanku clanky design den dobry email nove novy nové nový prvni první strana tema téma tipy tisic
    tisíc tisice tisíce vecer večer zpravy zprávy
    ende gott jahr jahre jahren mann mensch menschen mittel morgen ordnung recht rechte rechten sache
    startseite tag tage tagen teil uhr zeit
    kierunku lat pan pana pani roku sposób tel ul zł
    """
)
# Function words the stopwords-iso lists lack: the Czech particle "-li" ("chcete-li") and "bych".
_MISSING: frozenset[str] = _word_set("li bych bychom")

# Words of a question that ask *for* something rather than name its topic ("Kolik stál…", "Wann gibt es…",
# "Ile kosztuje…"), as folded lemmas: the search must not require a passage to contain them.
QUESTION_WORDS: frozenset[str] = _word_set(
    """
    kolik jaky jaka jake kdo kdy kde co ktery ktera ktere proc jak mit byt existovat wie viel viele
    welch welcher welche welches wann wer wo warum was gibt geben haben sein ile jaki jaka jakie kto
    kiedy gdzie dlaczego co czy byc miec
    """
)
# Greetings and courtesy that open a chat message ("Dobrý den, …", "Guten Tag, …", "Dzień dobry, …"): not a
# question's topic either, though "den"/"Tag" can be one in a document.
CHAT_WORDS: frozenset[str] = _word_set(
    """
    ahoj dobry den dobrý prosim prosím dekuji děkuji hallo guten tag bitte danke dzien dzień dobry prosze
    proszę dziekuje dziękuję czesc cześć witam
    """
)


@functools.cache
def stopwords(lang: str) -> frozenset[str]:
    """Folded stop words of `lang` (cs, de or pl): stopwords-iso without `TOPICAL`, plus a few it lacks."""
    if lang not in _LANGUAGES:
        raise ValueError(f"no stop words for language {lang!r}; known: {', '.join(_LANGUAGES)}")
    return frozenset(fold(word) for word in stopwordsiso.stopwords(lang)) - TOPICAL | _MISSING


# All three languages together: documents and questions mix them (a German question, Czech documents), and
# the index and the queries must drop the same words whatever the language.
STOPWORDS: frozenset[str] = frozenset().union(*(stopwords(lang) for lang in _LANGUAGES)) | QUESTION_WORDS
