"""Language detection among cs/de/pl (lingua)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_CODES = {Language.CZECH: "cs", Language.GERMAN: "de", Language.POLISH: "pl"}


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float  # 0-100, as LibreTranslate reports it


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def detect_language(text: str) -> list[Detection]:
    """Candidates, most likely first. Text without letters is reported as Czech with confidence 0."""
    if not any(character.isalpha() for character in text):
        return [Detection("cs", 0.0)]
    values = _detector().compute_language_confidence_values(text)
    return [Detection(_CODES[value.language], round(value.value * 100, 1)) for value in values]
