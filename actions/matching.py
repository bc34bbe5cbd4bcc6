"""Matching a user's question to the knowledge: services (embeddings + names + keywords) and grant programmes.

Service matching combines three signals, because each alone fails on real questions:
- names and aliases ("Lipo.ink", "ARR") are certain when present, whatever the language around them;
- keywords with lemmas catch the words people actually use ("pozemek", "Grundstück", "działka");
- multilingual e5 embeddings of the question against name + description in cs/de/pl catch paraphrases and the
  other two languages.
Below the threshold nothing is returned and the caller falls back to document search.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from actions.grant_words import applicant_type_of, grant_topic_words
from actions.knowledge import APPLICANT_TYPES, LANGUAGES, Contact, Grant, Knowledge, Service
from actions.text import contains_phrase, keyword_matches, phrase, same_word, tokens, word_forms
from docsearch import embeddings

EmbedFunction = Callable[[Sequence[str]], np.ndarray]

# Calibrated by `python -m actions.calibrate_matching` on the dev split of the project's own labelled
# questions (actions/calibration/matching_questions.yml, cs/de/pl; the test split only reports): the values
# and the dev and test accuracy are in actions/calibration/matching.json. A match on meaning alone needs more
# than one that a keyword confirms.
SERVICE_EMBEDDING_THRESHOLD = 0.815
SERVICE_MEANING_ONLY_THRESHOLD = 0.845
KEYWORD_BONUS = 0.04
MAX_KEYWORD_BONUS = 0.08
# A second service is reported too only when it is nearly as good as the best one.
RUNNER_UP_MARGIN = 0.015
GRANT_EMBEDDING_THRESHOLD = 0.885  # same calibration (actions/calibration/matching.json)


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """e5 query vectors through docsearch.embeddings: its lock guards the process-wide model, and its cache
    serves the document search that often embeds the same question right after."""
    return np.atleast_2d(np.stack([embeddings.embed_query(text) for text in texts]))


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    return np.atleast_2d(embeddings.embed_passages(list(texts)))


@dataclass(frozen=True)
class ServiceMatch:
    service: Service
    score: float
    reason: str  # "name", "keywords" or "meaning": why it matched, for logs and tests


class _PassageIndex:
    """Embeddings of passages, computed once on first use (or by :meth:`warm` in a background thread)."""

    def __init__(self, passages: list[tuple[str, str]], embed_passages: EmbedFunction) -> None:
        self._passages = passages  # (owner id, text)
        self._embed_passages = embed_passages
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def matrix(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                self._matrix = self._embed_passages([text for _, text in self._passages])
            return self._matrix

    def best_per_owner(self, query_vector: np.ndarray) -> dict[str, float]:
        similarities = self.matrix() @ query_vector
        best: dict[str, float] = {}
        for (owner, _), similarity in zip(self._passages, similarities, strict=True):
            best[owner] = max(best.get(owner, -1.0), float(similarity))
        return best


class ServiceMatcher:
    """Finds the services a question is about."""

    def __init__(
        self,
        knowledge: Knowledge,
        embed_query: EmbedFunction = embed_queries,
        embed_passages: EmbedFunction = embed_passages,
        threshold: float = SERVICE_EMBEDDING_THRESHOLD,
        meaning_only_threshold: float = SERVICE_MEANING_ONLY_THRESHOLD,
    ) -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self.meaning_only_threshold = meaning_only_threshold
        self._embed_query = embed_query
        passages: list[tuple[str, str]] = []
        for service in knowledge.services.values():
            for lang in LANGUAGES:
                passages.append((service.id, f"{service.name.get(lang)}. {service.description.get(lang)}"))
                passages.append(
                    (service.id, f"{service.name.get(lang)}: {', '.join(service.keywords[lang])}")
                )
        self._index = _PassageIndex(passages, embed_passages)

    def warm(self) -> None:
        """Compute the passage embeddings now instead of on the first question."""
        self._index.matrix()

    def names_in(self, text: str) -> list[Service]:
        """Services whose name or alias occurs in ``text`` (an organisation entity or the question)."""
        text_phrase = phrase(text)
        found: list[Service] = []
        for service in self.knowledge.services.values():
            names = [*service.aliases, *service.name.all()]
            if any(contains_phrase(text_phrase, name) for name in names):
                found.append(service)
        return found

    def keyword_hits(self, service: Service, forms: set[str]) -> int:
        return sum(
            1 for lang in LANGUAGES for keyword in service.keywords[lang] if keyword_matches(keyword, forms)
        )

    def match(self, question: str, lang: str, organisations: Sequence[str] = ()) -> list[ServiceMatch]:
        """Services for ``question``, best first; empty when nothing passes the threshold."""
        for organisation in organisations:
            named = self.names_in(organisation)
            if named:
                return [ServiceMatch(service, 1.0, "name") for service in named]
        named = self.names_in(question)
        if named:
            return [ServiceMatch(service, 1.0, "name") for service in named]
        if not tokens(question):
            return []
        forms = word_forms(question, lang)
        query_vector = self._embed_query([question])[0]
        similarities = self._index.best_per_owner(query_vector)
        scored: list[ServiceMatch] = []
        for service in self.knowledge.services.values():
            hits = self.keyword_hits(service, forms)
            score = similarities.get(service.id, 0.0) + min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * hits)
            if score >= (self.threshold if hits else self.meaning_only_threshold):
                scored.append(ServiceMatch(service, score, "keywords" if hits else "meaning"))
        scored.sort(key=lambda item: item.score, reverse=True)
        if not scored:
            return []
        best = scored[0].score
        return [item for item in scored if item.score >= best - RUNNER_UP_MARGIN][:2]


def find_contacts(knowledge: Knowledge, text: str) -> list[Contact]:
    """Contacts whose name, alias or person occurs in ``text``."""
    text_phrase = phrase(text)
    found: list[Contact] = []
    for contact in knowledge.contacts.values():
        names = [*contact.aliases, *contact.name.all(), *([contact.person] if contact.person else [])]
        if any(contains_phrase(text_phrase, name) for name in names):
            found.append(contact)
    return found


_PROGRAMME_CODE = re.compile(r"\b(\d{1,2}\.\d{1,2})\b")


class GrantMatcher:
    """Finds grant programmes for a topic: programme code, keywords with lemmas, then meaning."""

    def __init__(
        self,
        knowledge: Knowledge,
        embed_query: EmbedFunction = embed_queries,
        embed_passages: EmbedFunction = embed_passages,
        threshold: float = GRANT_EMBEDDING_THRESHOLD,
    ) -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self._embed_query = embed_query
        passages = [
            (grant.id, f"{grant.name.get(lang)}. {grant.purpose.get(lang)}")
            for grant in knowledge.grants.values()
            for lang in LANGUAGES
        ]
        self._index = _PassageIndex(passages, embed_passages)

    def warm(self) -> None:
        self._index.matrix()

    def match(self, topic: str, lang: str) -> list[Grant]:
        codes = set(_PROGRAMME_CODE.findall(topic))
        by_code = [grant for grant in self.knowledge.grants.values() if grant.code in codes]
        if by_code:
            return by_code
        forms = word_forms(topic, lang)
        by_keyword = [
            grant
            for grant in self.knowledge.grants.values()
            if any(
                keyword_matches(keyword, forms) for lang_ in LANGUAGES for keyword in grant.keywords[lang_]
            )
        ]
        if by_keyword:
            return by_keyword
        if not grant_topic_words(topic):
            return []
        similarities = self._index.best_per_owner(self._embed_query([topic])[0])
        ranked = sorted(similarities.items(), key=lambda item: item[1], reverse=True)
        return [self.knowledge.grants[grant_id] for grant_id, score in ranked if score >= self.threshold]

    def for_applicant(self, grants: Sequence[Grant], applicant_type: str | None) -> list[Grant]:
        """Drop programmes whose purpose clearly targets another kind of applicant.

        The documents do not say who may apply, so a programme without ``applicant_types`` stays for everyone.
        """
        if applicant_type not in APPLICANT_TYPES or applicant_type == "other":
            return list(grants)
        return [
            grant for grant in grants if not grant.applicant_types or applicant_type in grant.applicant_types
        ]


__all__ = [
    "GrantMatcher",
    "ServiceMatch",
    "ServiceMatcher",
    "applicant_type_of",
    "embed_passages",
    "embed_queries",
    "find_contacts",
    "grant_topic_words",
    "same_word",
]
