"""Placeholders for what must come out exactly: glossary terms, URLs, e-mails, dates, amounts, numbers.

Before translation each protected span becomes a placeholder `ZQX<n>` (latin letters and digits, which
Marian models copy through); after translation each placeholder is replaced by the span (or by the glossary's
target-language form). A placeholder the model dropped is appended to the sentence, so nothing is lost, and
counted so that /metrics shows how often that happens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from translation.glossary import Glossary

_URL = r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_DATE = r"\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}"
_CURRENCY = r"(?:Kč|CZK|EUR|€|zł|PLN)"
_AMOUNT = (
    rf"\d{{1,3}}(?:[ \u00a0]\d{{3}})+(?:,\d+)?(?:[ \u00a0]?{_CURRENCY})?|\d+(?:[.,]\d+)?[ \u00a0]?{_CURRENCY}"
)
# Numbers with inner dots/commas (programme 2.6, 3,5 %), then plain integers.
_NUMBER = r"\d+(?:[.,]\d+)+|\d+"
_PATTERN_SOURCES = (_URL, _EMAIL, _DATE, _AMOUNT, _NUMBER)

PLACEHOLDER_PREFIX = "ZQX"
# Tolerant on the way back: models and detokenisers may put spaces inside or change the case.
_PLACEHOLDER_BACK = re.compile(r"Z\s?Q\s?X\s?(\d+)", re.IGNORECASE)


@dataclass
class ProtectedText:
    text: str
    replacements: list[str] = field(default_factory=list)


class Protector:
    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self._patterns: dict[tuple[str, str], re.Pattern[str]] = {}

    def _pattern(self, source: str, target: str) -> tuple[re.Pattern[str], dict[str, str]]:
        pairs = self.glossary.source_forms(source, target)
        forms = {form.casefold(): target_form for form, target_form in pairs}
        key = (source, target)
        if key not in self._patterns:
            term_alternatives = [re.escape(form) for form, _ in pairs]
            # Text that already looks like a placeholder is protected too, or restore() would replace it.
            alternatives = [r"(?i:Z\s?Q\s?X\s?\d+)"]
            if term_alternatives:
                alternatives.append(rf"(?<!\w)(?:{'|'.join(term_alternatives)})(?!\w)")
            alternatives += [rf"(?<![\w.]){source_pattern}(?!\w)" for source_pattern in _PATTERN_SOURCES[:-1]]
            alternatives.append(rf"(?<![\w]){_NUMBER}(?![\w])")
            self._patterns[key] = re.compile("|".join(f"(?:{a})" for a in alternatives))
        return self._patterns[key], forms

    def protect(self, sentence: str, source: str, target: str) -> ProtectedText:
        pattern, glossary_forms = self._pattern(source, target)
        replacements: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            span = match.group(0)
            replacements.append(glossary_forms.get(span.casefold(), span))
            return f"{PLACEHOLDER_PREFIX}{len(replacements) - 1}"

        return ProtectedText(pattern.sub(substitute, sentence), replacements)

    @staticmethod
    def restore(translated: str, protected: ProtectedText) -> tuple[str, int]:
        """The translation with every placeholder replaced; returns (text, number of placeholders lost)."""
        seen: set[int] = set()

        def substitute(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(protected.replacements):
                return match.group(0)  # not ours: the model invented it; leave the text alone
            seen.add(index)
            return protected.replacements[index]

        restored = _PLACEHOLDER_BACK.sub(substitute, translated)
        lost = [value for index, value in enumerate(protected.replacements) if index not in seen]
        if lost:
            restored = " ".join([restored.rstrip(), *lost]).strip()
        return restored, len(lost)
