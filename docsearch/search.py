"""Search in two stages: a hybrid first stage finds candidates, a re-ranker orders them by finer evidence.

First stage: BM25 (FTS5) over folded lemmas and prefix stems, which handles Czech inflection and missing
diacritics, united with the nearest passages by multilingual e5 cosine, which finds a Czech passage for a
German or Polish question. A German or Polish question is searched as itself, with the Czech names and
words that the glossary and the lexicon give for it appended, and as its Czech translation when the
translation service can make one.

Second stage, over the candidate pool: a logistic model over a handful of features (passage cosine, best
sentence cosine, topic-word coverage of the passage, of its best sentence and of its headings, BM25 rank, the
question's numbers in the passage, whether the passage and its nearest sentence hold what the question asks
for). A second logistic model says whether the best candidate answers at all. Both are fitted on the
project's dev questions (`python -m docsearch.calibrate`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from docsearch import embeddings
from docsearch.config import SearchSettings
from docsearch.glossary import czech_terms, words_without_czech
from docsearch.questions import TYPE_EVIDENCE, QuestionKind, analyse, holds_kind, number_overlap
from docsearch.store import Store, TermCounts
from textkit import QUESTION_WORDS, SUPPORTED_LANGUAGES, fold, search_terms, stems
from textkit.language import guess_language

FEATURES = (
    "dense", "dense_rank", "sentence", "coverage", "sentence_coverage", "heading", "lexical", "numbers",
    "kind", "sentence_kind", "foreign", "weighted_coverage", "weighted_sentence_coverage", "kind_sentence",
)  # fmt: skip
# (text, source language, target language) -> translation or None; the callers own the HTTP client.
Translator = Callable[[str, str, str], "str | None"]


@dataclass(frozen=True)
class Hit:
    text: str
    score: float  # the re-ranker's probability that this passage answers
    title: str
    file: str
    section: str
    date: str
    start: int
    end: int
    passage_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "score": round(self.score, 4), "title": self.title, "file": self.file,
            "section": self.section, "date": self.date, "start": self.start, "end": self.end,
        }  # fmt: skip

    def source(self) -> dict[str, str]:
        """The gateway's source shape."""
        return {"title": self.title, "file": self.file, "section": self.section, "date": self.date, "url": ""}


@dataclass(frozen=True)
class QueryVariant:
    text: str  # what e5 embeds
    terms: tuple[str, ...]  # topic lemmas for the word search and the coverage features
    translated: bool = False  # the translation service's Czech for a German or Polish question


@dataclass(frozen=True)
class _WeightedTerms:
    """A variant's topic terms with their inverse passage frequencies (see `Store.term_counts`)."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    total: float


@dataclass
class Candidate:
    row: dict[str, Any]
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


@dataclass
class Ranking:
    language: str
    kind: QuestionKind
    variants: list[QueryVariant]
    candidates: list[Candidate]  # best first
    unknown: float = 0.0  # share of a Czech question's topic words that no passage uses
    answerable: float = 0.0  # probability that the best candidate answers (see answerability)


def topic_terms(text: str, language: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in search_terms(text, language) if t not in QUESTION_WORDS))


def query_variants(query: str, language: str, translator: Translator | None) -> list[QueryVariant]:
    variants = [QueryVariant(query, topic_terms(query, language))]
    names = czech_terms(query, language)
    if names:
        joined = "; ".join(names)
        variants.append(QueryVariant(f"{query} ({joined})", variants[0].terms + topic_terms(joined, "cs")))
    if translator is not None and language != "cs":
        czech = translator(query, language, "cs")
        if czech and czech.strip():
            variants.append(QueryVariant(czech, topic_terms(czech, "cs"), translated=True))
    return variants


def coverage(terms: Sequence[str], words: set[str]) -> float:
    """The share of the topic terms found among `words`, by lemma or 5-letter stem."""
    return _coverage(terms, words, {word[:5] for word in words})


def _coverage(terms: Sequence[str], words: AbstractSet[str], word_stems: AbstractSet[str]) -> float:
    """`coverage` with the 5-letter stems of `words` already made (a passage's are made once, see
    `_passage_view`)."""
    if not terms:
        return 0.0
    return sum(1 for t in terms if t in words or (len(t) >= 5 and t[:5] in word_stems)) / len(terms)


def _weighted_coverage(
    weighted: _WeightedTerms, words: AbstractSet[str], word_stems: AbstractSet[str]
) -> float:
    """`coverage` with each term counted by how rare it is among the passages: finding "RVVI" in a sentence
    is evidence, finding "kraj" hardly is."""
    if not weighted.total:
        return 0.0
    found = sum(
        w for t, w in zip(weighted.terms, weighted.weights, strict=True)
        if t in words or (len(t) >= 5 and t[:5] in word_stems)
    )  # fmt: skip
    return found / weighted.total


@dataclass(frozen=True)
class _WordSet:
    words: frozenset[str]
    stems: frozenset[str]  # their 5-letter prefixes, what `coverage` compares long terms with


def _word_set(words: Iterable[str]) -> _WordSet:
    frozen = frozenset(words)
    return _WordSet(frozen, frozenset(word[:5] for word in frozen))


@dataclass(frozen=True)
class _PassageView:
    """What the re-ranker's features need of a passage that does not depend on the question: its lemmas, its
    headings' lemmas, its folded text, its sentences (spans, folded text, lemmas)."""

    words: _WordSet
    heading: _WordSet
    folded_text: str
    spans: tuple[tuple[int, int], ...]
    sentence_words: tuple[_WordSet, ...]
    folded_sentences: tuple[str, ...]


@functools.lru_cache(maxsize=8192)
def _passage_view(text: str, terms: str, section: str, titles: str, sentences: str) -> _PassageView:
    """A passage's question-independent part of the features, made once per passage text and kept (the same
    passages are candidates for many questions; lemmatising every sentence of every candidate was about a
    third of a document question's time). Keyed by the stored strings themselves, so a re-indexed passage
    gets a new view."""
    spans = tuple((int(a), int(b)) for a, b in json.loads(sentences))
    return _PassageView(
        words=_word_set(terms.split()),
        heading=_word_set(search_terms(section + " " + json.loads(titles).get("cs", ""))),
        folded_text=fold(text),
        spans=spans,
        sentence_words=tuple(_word_set(search_terms(text[a:b])) for a, b in spans),
        folded_sentences=tuple(fold(text[a:b]) for a, b in spans),
    )


def _unknown_share(query: str, language: str, terms: Sequence[str], counts: TermCounts) -> float:
    """The share of the question's topic words that no passage uses: a Czech question's lemmas missing from
    the index ("Ústecký"), a German or Polish question's words that the glossary and the lexicon have no
    Czech word for and that are not spelt as in Czech ("pogoda", "Karkonosze")."""
    own = [t for t in terms if not t[:1].isdigit()]
    if not own:
        return 0.0
    if language == "cs":
        return sum(1 for t in own if not counts.knows(t)) / len(own)
    bare = {fold(word) for word in words_without_czech(query, language)}
    # A word the lexicon did not take that is no lemma of the passages either: nothing in Czech to look for.
    missing = [
        t for t in own if not counts.knows(t) and (t in bare or any(w.startswith(t[:5]) for w in bare))
    ]  # fmt: skip
    return len(missing) / len(own)


def _weigh(terms: Sequence[str], counts: TermCounts) -> _WeightedTerms:
    weights = tuple(counts.weight(t) for t in terms)
    return _WeightedTerms(tuple(terms), weights, sum(weights))


def _fts_query(terms: Sequence[str]) -> str:
    # Each term quoted: FTS5 syntax characters in user input cannot break the query.
    return " OR ".join('"' + term.replace('"', "") + '"' for term in dict.fromkeys(terms) if term)


ANSWER_FEATURES = ("score", "unknown", "foreign")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def logit(features: dict[str, float], settings: SearchSettings) -> float:
    return settings.bias + sum(settings.weights.get(name, 0.0) * features.get(name, 0.0) for name in FEATURES)


def score(features: dict[str, float], settings: SearchSettings) -> float:
    return _sigmoid(logit(features, settings))


def answer_features(best: Candidate | None, unknown: float, settings: SearchSettings) -> dict[str, float]:
    if best is None:
        return {}
    return {"score": logit(best.features, settings), "unknown": unknown, "foreign": best.features["foreign"]}


def answerability(features: dict[str, float], settings: SearchSettings) -> float:
    """The probability that the best candidate answers; 0 without candidates. A question naming things the
    documents never mention ("v Ústeckém kraji") is less likely answered, however close its best passage."""
    if not features:
        return 0.0
    weights = settings.answer_weights
    z = settings.answer_bias + sum(weights.get(n, 0.0) * features.get(n, 0.0) for n in ANSWER_FEATURES)
    return _sigmoid(z)


class Searcher:
    def __init__(self, store: Store, settings: SearchSettings, translator: Translator | None = None) -> None:
        self.store = store
        self.settings = settings
        self.translator = translator

    def rank(self, query: str, lang: str | None = None) -> Ranking:
        """Every candidate of the pool with its features and re-ranker score, best first."""
        query = (query or "").strip()
        language = lang if lang in SUPPORTED_LANGUAGES else guess_language(query)
        kind = analyse(query)
        if not query:
            return Ranking(language, kind, [], [])
        variants = query_variants(query, language, self.translator)
        vectors = [embeddings.embed_query(v.text) for v in variants]
        pool = self.settings.pool
        with self.store.lock:
            dense = self.store.dense_matrix()
            if not len(dense.ids):
                return Ranking(language, kind, variants, [])
            similarities = [dense.vectors @ vector for vector in vectors]
            baselines = [float(np.median(s)) for s in similarities]
            chosen: set[int] = set()
            for sims in similarities:
                top = np.argpartition(-sims, min(pool, len(sims)) - 1)[:pool]
                chosen.update(int(dense.ids[row]) for row in top)
            lexical: list[dict[int, int]] = []
            for variant in variants:
                ranks: dict[int, int] = {}
                if variant.terms:
                    lemma_query, stem_query = _fts_query(variant.terms), _fts_query(stems(variant.terms))
                    match = f"lemmas : ({lemma_query}) OR stems : ({stem_query})"
                    ranks = self.store.lexical_ranks(match, pool)
                lexical.append(ranks)
                chosen.update(ranks)
            rows = self.store.passage_rows(chosen)
            sentence_vectors = self.store.sentence_vectors(rows)
            row_of = {int(pid): i for i, pid in enumerate(dense.ids)}
            term_counts = self.store.term_counts()
        weighted = [_weigh(v.terms, term_counts) for v in variants]
        candidates: list[Candidate] = []
        for pid, row in rows.items():
            features = self._features(
                row, kind, language, variants, weighted, vectors, [s[row_of[pid]] for s in similarities],
                baselines, [ranks.get(pid) for ranks in lexical], sentence_vectors.get(pid),
            )  # fmt: skip
            candidates.append(Candidate(row, features))
        # The place among the pool by meaning: robust where raw cosines of two questions are not comparable.
        for rank, candidate in enumerate(sorted(candidates, key=lambda c: -c.features["dense"])):
            candidate.features["dense_rank"] = 1.0 / (1.0 + rank)
        for candidate in candidates:
            candidate.score = score(candidate.features, self.settings)
        candidates.sort(key=lambda c: (-c.score, -c.features["dense"]))
        # With a machine translation, what the documents never mention is judged on its Czech words.
        asked = next((v for v in variants if v.translated), None)
        asked = asked or variants[0]
        unknown_language = "cs" if asked.translated else language
        unknown = _unknown_share(asked.text, unknown_language, asked.terms, term_counts)
        ranking = Ranking(language, kind, variants, candidates, unknown)
        best = candidates[0] if candidates else None
        ranking.answerable = answerability(answer_features(best, unknown, self.settings), self.settings)
        if self._declined(unknown_language, asked.text, unknown, best):
            # Much of what the question is about occurs in no document ("pogoda", "Karkonosze"): however
            # close the nearest passage, it is about something else. The dev questions are too few of this
            # kind for the logistic model to learn it (their words are the documents' words by design).
            ranking.answerable = 0.0
        return ranking

    def _declined(self, language: str, asked: str, unknown: float, best: Candidate | None) -> bool:
        settings = self.settings
        # Czech typed without diacritics ("kolik penez slo") is lemmatised less well: its words count as
        # unknown more often, as German and Polish words do.
        with_diacritics = any(not ch.isascii() for ch in asked)
        czech = language == "cs" and with_diacritics
        limit = settings.czech_unknown_limit if czech else settings.unknown_limit
        probability = best.score if best is not None else 0.0
        if probability >= settings.sure_probability:
            return False
        weak = unknown >= settings.weak_unknown and probability < settings.weak_probability
        return unknown >= limit or weak

    @staticmethod
    def _features(
        row: dict[str, Any],
        kind: QuestionKind,
        language: str,
        variants: list[QueryVariant],
        weighted: list[_WeightedTerms],
        vectors: list[np.ndarray],
        cosines: list[float],
        baselines: list[float],
        lexical_ranks: list[int | None],
        sentence_vectors: np.ndarray | None,
    ) -> dict[str, float]:
        view = _passage_view(row["text"], row["terms"], row["section"], row["titles"], row["sentences"])
        folded_text = view.folded_text
        dense = max(c - b for c, b in zip(cosines, baselines, strict=True))
        sentence, sentence_kind = dense, 0.0
        spans = view.spans
        if sentence_vectors is not None and len(sentence_vectors) == len(spans) and spans:
            per_sentence = np.max(
                np.stack([sentence_vectors @ v - b for v, b in zip(vectors, baselines, strict=True)]), axis=0
            )
            best = int(np.argmax(per_sentence))
            sentence = float(per_sentence[best])
            # Whether the sentence closest to the question holds what it asks for (a date for "when").
            best_text = row["text"][spans[best][0] : spans[best][1]]
            sentence_kind = 1.0 if holds_kind(kind, view.folded_sentences[best], best_text) else 0.0
        ranks = [r for r in lexical_ranks if r is not None]
        # Topic words close together: the best share of them that one sentence of the passage holds.
        sentence_coverage = max(
            (_coverage(v.terms, of.words, of.stems) for v in variants for of in view.sentence_words),
            default=0.0,
        )
        # The rare topic words together with what the question asks for, in one sentence: "Projednal: Rada
        # kraje dne 5. 2. 2019" for "when did the council discuss it".
        weighted_sentence_coverage = kind_sentence = 0.0
        evidence_pattern = TYPE_EVIDENCE.get(kind.asks_for)
        for i, of in enumerate(view.sentence_words):
            share = max(_weighted_coverage(w, of.words, of.stems) for w in weighted)
            weighted_sentence_coverage = max(weighted_sentence_coverage, share)
            if (
                evidence_pattern is not None
                and share > kind_sentence
                and evidence_pattern.search(view.folded_sentences[i])
            ):
                kind_sentence = share
        return {
            "weighted_coverage": max(
                _weighted_coverage(w, view.words.words, view.words.stems) for w in weighted
            ),
            "weighted_sentence_coverage": weighted_sentence_coverage,
            "kind_sentence": kind_sentence,
            "dense": dense,
            "sentence": sentence,
            "coverage": max(_coverage(v.terms, view.words.words, view.words.stems) for v in variants),
            "sentence_coverage": sentence_coverage,
            "heading": max(_coverage(v.terms, view.heading.words, view.heading.stems) for v in variants),
            "lexical": 1.0 / (1.0 + min(ranks)) if ranks else 0.0,
            "numbers": number_overlap(kind, folded_text),
            "kind": 1.0 if holds_kind(kind, folded_text, row["text"]) else 0.0,
            "sentence_kind": sentence_kind,
            "foreign": 0.0 if language == "cs" else 1.0,
        }

    def hit(self, candidate: Candidate, language: str) -> Hit:
        row = candidate.row
        titles = json.loads(row["titles"])
        return Hit(
            text=row["text"], score=candidate.score,
            title=titles.get(language) or titles.get("cs", row["file"]),
            file=row["file"], section=row["section"], date=row["date"], start=row["start"], end=row["end"],
            passage_id=row["id"],
        )  # fmt: skip

    def search(self, query: str, lang: str | None = None, k: int = 5) -> list[Hit]:
        if k <= 0:
            return []
        ranking = self.rank(query, lang)
        return [self.hit(c, ranking.language) for c in ranking.candidates[:k]]
