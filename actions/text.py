"""Text helpers shared by the matchers: inflection-tolerant word and phrase matching, the user's language.

Folding, word tokens and lemmas come from `textkit`, the project's one text toolkit, so that the actions
compare text exactly as the NLU, the document search and the gateway do.
"""

from __future__ import annotations

from typing import Any

from actions.knowledge import LANGUAGES
from textkit import fold, fold_words, lemma, words

# Shortest stem two inflected forms must share to count as the same word ("pozemek"/"pozemku");
# shorter words must match exactly so that "obec" does not match "obecně".
_MIN_SHARED_STEM = 5
_MIN_SHORT_INFLECTED = 4


def tokens(text: str) -> list[str]:
    """Folded word tokens; punctuation splits words ("Lipo.ink" -> ["lipo", "ink"])."""
    return words(text)


def phrase(text: str) -> str:
    """Folded tokens joined by single spaces, for whole-phrase matching of names."""
    return fold_words(text)


def contains_phrase(haystack_phrase: str, needle: str) -> bool:
    """Whether the words of ``needle`` occur in a row in ``haystack_phrase``, inflection allowed.

    "místní Agendy 21" contains "místní Agenda 21"; short words must match exactly ("Lipo", "ARR").
    """
    needle_words = tokens(needle)
    haystack_words = haystack_phrase.split()
    if not needle_words:
        return False
    width = len(needle_words)
    for start in range(len(haystack_words) - width + 1):
        window = haystack_words[start : start + width]
        if all(same_word(word, wanted) for word, wanted in zip(window, needle_words, strict=True)):
            return True
    return False


def word_forms(text: str, lang: str) -> set[str]:
    """Folded tokens of ``text`` with their lemmas in ``lang`` and in Czech (the documents' language)."""
    # simplemma loads its dictionaries on first use (seconds); the action server warms it up at start.
    forms: set[str] = set()
    for word in words(text, folded=False):
        forms.add(fold(word))
        for lemma_lang in {lang if lang in LANGUAGES else "cs", "cs"}:
            forms.add(lemma(word, lemma_lang))
    return {form for form in forms if form}


def same_word(first: str, second: str) -> bool:
    """Equal, or long enough and sharing a stem (catches inflection and small typos at the end)."""
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    # One inflection letter on a short word: "kraj"/"kraje", "fond"/"fondu"; "obec"/"obecně" stays apart.
    one_letter_longer = len(longer) == len(shorter) + 1 and longer.startswith(shorter)
    if one_letter_longer and len(shorter) >= _MIN_SHORT_INFLECTED:
        return True
    if len(shorter) < _MIN_SHARED_STEM + 1:
        return False
    stem_length = max(_MIN_SHARED_STEM, min(len(first), len(second)) - 2)
    return first[:stem_length] == second[:stem_length]


def keyword_matches(keyword: str, forms: set[str]) -> bool:
    """Whether every word of ``keyword`` occurs among the user's word ``forms``."""
    keyword_words = tokens(keyword)
    return bool(keyword_words) and all(any(same_word(word, form) for form in forms) for word in keyword_words)


def user_language(tracker: Any) -> str:
    """The conversation language: the ``language`` slot, else message metadata, else Czech."""
    slot_value = tracker.get_slot("language")
    if slot_value in LANGUAGES:
        return str(slot_value)
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    metadata_language = metadata.get("language")
    return str(metadata_language) if metadata_language in LANGUAGES else "cs"


def latest_text(tracker: Any) -> str:
    """The user's words; empty for a button payload like ``/ask_grant{...}``, which is not a question."""
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "" if text.startswith("/") else text


def entity_values(tracker: Any, entity: str) -> list[str]:
    """Values of ``entity`` in the latest message, in order, without duplicates."""
    values: list[str] = []
    for item in (tracker.latest_message or {}).get("entities") or []:
        value = item.get("value")
        if item.get("entity") == entity and isinstance(value, str) and value.strip() and value not in values:
            values.append(value.strip())
    return values


def quote_for_reply(text: str, limit: int = 160) -> str:
    """The user's words, shortened for echoing back in a reply."""
    single_line = " ".join(text.split())
    return single_line if len(single_line) <= limit else single_line[: limit - 1].rstrip() + "…"
