"""Text helpers shared by ingestion and search: folding, tokens, lemmas, sentences.

Everything the index stores for word search goes through `search_terms`, and every query goes through the
same function, so the two sides always agree on diacritics, case, dash variants and lemmas.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import simplemma

SUPPORTED_LANGUAGES = ("cs", "de", "pl")

# Words that carry no topic. Folded (no diacritics, lower case), because they are compared after folding.
STOPWORDS: frozenset[str] = frozenset(
    """
    a aby ale ani ano asi az bez by byl byla byli bylo byt co coz cz da do ho i jak jaka jake jaky jako
    je jeho jej jeji jejich jen jenz jsem jsme jsou jste k kam kde kdo kdy kdyz ke ktera ktere ktery
    kteri li ma mate me mezi mi mit mne mu my na nad nam nas ne nebo neni nez nic o od on ona oni ono
    pak po pod podle pokud pro proc proto pri s se si sve svuj ta tak take tam te tedy ten tento teto
    tim to tom tu ty u uz v ve vsak z za ze zda aber als am an auch auf aus bei bin bis bist da dann das
    dass dem den der des die dies diese dieser du durch ein eine einem einen einer es fur gibt hat haben
    ich ihr im in ist ja kann mit nach nicht noch oder sein sich sie sind so uber um und uns von vor war
    was welche welcher welches wer wie wird wo zu zum zur werden wurde wurden gab es ale bo byc czy dla
    go jak jaki jakie jest jego ich juz ktora ktore ktory mi na nie od oraz po przez sa sie tak tam to w
    we z za ze co kto kiedy gdzie
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_TABLE = str.maketrans(dict.fromkeys(DASHES, "-"))
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:\.[^\W\d_]+)*", re.UNICODE)

# Czech abbreviations after which a full stop does not end a sentence (folded, lower case).
_ABBREVIATIONS = frozenset(
    """
    mgr ing bc dr phdr rndr judr mudr doc prof tj tzn napr atd apod resp c s r o spol str tel viz cca
    odst pism zb sb mil tis kc
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'“”»)]*\s+")


def fold(text: str) -> str:
    """Lower case, no diacritics, one kind of dash: the form both the index and queries are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DASH_TABLE).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Word and number tokens of `text` in their original spelling (case and diacritics kept)."""
    return _TOKEN.findall(text.translate(_DASH_TABLE))


@functools.lru_cache(maxsize=200_000)
def _lemma(token: str, lang: str) -> str:
    # simplemma knows the lemma of the lower-case form best; proper names survive as their folded self.
    return simplemma.lemmatize(token.lower(), lang=lang)


def search_terms(text: str, lang: str = "cs", keep_stopwords: bool = False) -> list[str]:
    """Folded lemmas of the words of `text` in language `lang` (numbers are kept as they are)."""
    language = lang if lang in SUPPORTED_LANGUAGES else "cs"
    terms: list[str] = []
    for token in tokens(text):
        if token[0].isdigit():
            terms.append(token.replace(",", "."))
            continue
        folded_token = fold(token)
        if not keep_stopwords and folded_token in STOPWORDS:
            continue
        lemma = fold(_lemma(token, language))
        if not keep_stopwords and lemma in STOPWORDS:
            continue
        terms.append(lemma)
    return terms


def stem(term: str, length: int = 5) -> str:
    """A crude prefix stem: catches inflections simplemma misses and small typos at the end of a word."""
    return term[:length]


def stems(terms: Iterable[str]) -> list[str]:
    return [stem(term) for term in terms if not term[0].isdigit()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, not splitting after abbreviations, initials or ordinals."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        before = text[start : match.start()]
        last_word = re.split(r"[\s(]+", before)[-1] if before else ""
        following = text[end : end + 1]
        if not following or not (following.isupper() or following in '„"“'):
            continue  # "26. 2. 2019", "č. 260": the next word does not start a sentence
        if fold(last_word.rstrip(".")) in _ABBREVIATIONS or len(last_word.rstrip(".")) <= 1:
            continue
        if last_word.isdigit():
            continue  # "5. Implementační proces" style ordinal
        spans.append((start, match.start() + len(match.group(0).rstrip())))
        start = end
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans
