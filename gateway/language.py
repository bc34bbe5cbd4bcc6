"""Which of Czech, German and Polish a message is written in, remembering each sender's last language.

lingua decides most messages. Two gaps are filled here: text typed without diacritics ("Dobry den" scores as
Polish) and very short or neutral messages ("ok", "2.6"), where the sender's previous language is kept.
"""

import re
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from textkit import fold

LanguageCode = Literal["cs", "de", "pl"]
SUPPORTED_LANGUAGES: tuple[LanguageCode, ...] = ("cs", "de", "pl")
DEFAULT_LANGUAGE: LanguageCode = "cs"

_LINGUA_TO_CODE: dict[Language, LanguageCode] = {
    Language.CZECH: "cs",
    Language.GERMAN: "de",
    Language.POLISH: "pl",
}


def _word_set(space_separated_words: str) -> frozenset[str]:
    return frozenset(space_separated_words.split())


# Frequent words that belong to one of the three languages only, written without diacritics (the text is
# folded before lookup). They decide when lingua is unsure, mostly for text typed without diacritics.
_MARKER_WORDS: dict[LanguageCode, frozenset[str]] = {
    "cs": _word_set(
        "je jsou jake jaky jaka jakou kolik kde kdy proc prosim dekuji diky den dobry dobre chci muzu mohu "
        "potrebuji hledam ktery ktera ktere ahoj ano nebo jsem mate muzete rok roce kraj kraje "
        "zastupitelstvo dotace dotaci urad uradu"
    ),
    "de": _word_set(
        "ist sind was wie wo wann warum der die das und ich bitte danke guten tag hallo gibt es fur fuer "
        "ein eine einen wer welche welcher kann konnen koennen mochte moechte nein mit von zu im"
    ),
    "pl": _word_set(
        "jest sa jakie jaki jaka ile gdzie kiedy dlaczego prosze dziekuje dzien dzieki chce moge potrzebuje "
        "szukam ktory ktora ktore czesc czy albo jestem mozna mozecie roku urzad urzedu "
        "dotacje dotacji"
    ),
}

_WORD_PATTERN = re.compile(r"[^\W\d_]+")
# lingua's confidence needed to trust it without marker words, and its lead over the runner-up.
_CERTAIN_CONFIDENCE = 0.9
_LIKELY_CONFIDENCE = 0.6
_LIKELY_MARGIN = 0.25
_MIN_LETTERS = 2


@lru_cache(maxsize=1)
def shared_detector() -> LanguageDetector:
    """lingua restricted to cs/de/pl, built once per process: loading its models takes about a second."""
    return LanguageDetectorBuilder.from_languages(*_LINGUA_TO_CODE).with_preloaded_language_models().build()


class LanguageGuesser:
    """Detects cs/de/pl and remembers the last language of each sender."""

    def __init__(self, memory_size: int = 10_000) -> None:
        self._detector = shared_detector()
        # Bounded so that a flood of new senders cannot grow memory without limit.
        self._last_language: OrderedDict[str, LanguageCode] = OrderedDict()
        self._memory_size = memory_size
        self._lock = threading.Lock()

    def detect(self, text: str) -> LanguageCode | None:
        """The language of `text`, or None when the text is too short or too ambiguous to tell."""
        words = _WORD_PATTERN.findall(text)
        if sum(len(word) for word in words) < _MIN_LETTERS:
            return None
        confidences = self._detector.compute_language_confidence_values(text)
        ranked = [(_LINGUA_TO_CODE[item.language], item.value) for item in confidences]
        best_code, best_confidence = ranked[0]
        if best_confidence >= _CERTAIN_CONFIDENCE:
            return best_code
        marker_hits = {code: 0 for code in SUPPORTED_LANGUAGES}
        for word in {fold(word) for word in words}:
            for code, markers in _MARKER_WORDS.items():
                if word in markers:
                    marker_hits[code] += 1
        most_hits = max(marker_hits.values())
        leaders = [code for code, hits in marker_hits.items() if hits == most_hits]
        if most_hits > 0 and len(leaders) == 1:
            return leaders[0]
        runner_up_confidence = ranked[1][1] if len(ranked) > 1 else 0.0
        if best_confidence >= _LIKELY_CONFIDENCE and best_confidence - runner_up_confidence >= _LIKELY_MARGIN:
            return best_code
        return None

    def last_language(self, sender: str) -> LanguageCode:
        with self._lock:
            return self._last_language.get(sender, DEFAULT_LANGUAGE)

    def remember(self, sender: str, language: LanguageCode) -> None:
        with self._lock:
            self._last_language[sender] = language
            self._last_language.move_to_end(sender)
            while len(self._last_language) > self._memory_size:
                self._last_language.popitem(last=False)

    def resolve(self, sender: str, text: str) -> LanguageCode:
        """The detected language, or the sender's last one (default cs) when the text does not tell."""
        return self.detect(text) or self.last_language(sender)
