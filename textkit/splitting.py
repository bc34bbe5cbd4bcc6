"""Sentence boundaries of Czech, German and Polish text, as spans into the text and as joinable segments.

The boundaries come from sentencex (Wikimedia's splitter, with abbreviation lists per language, Czech
included). Measured on the region's documents (../shared/corpus) it keeps "např.", "tj.", "odst.", "Ing.",
"č. 260", "26. 2. 2019" and "1. Juni" together and, unlike a rule-based splitter of ours, ends sentences at
a year ("…2019. V návaznosti…"). pysbd has no Czech (its Slovak splits "26. 2. 2019" into three). sentencex
still splits before a lower-case word ("26. | února 2019", "r. | o godz.") and around bare numbers ("3. | 5. |
2026", a numbered heading "2. | Metodologický postup"); two rules without any word list repair that:
- a sentence never starts with a lower-case letter: such a piece belongs to the one before;
- a bare number ("2.", "5.1.", "IV.") is never a sentence: at the start of a line it labels what follows,
  elsewhere it ends the piece before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

from textkit.terms import supported_language

_BARE_NUMBER = re.compile(r"^[(\[]?(?:\d+\.)*\d+\.?[)\]]?$|^[IVXLC]+\.$")
_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_OPENING = "\"'„“«‚(["


def _starts_lower_case(piece: str) -> bool:
    first = piece.lstrip(_OPENING)[:1]
    return first.isalpha() and first.islower()


def sentence_spans(text: str, lang: str = "cs") -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of `text`, without the whitespace around them.

    `text[start:end]` is a sentence; the text between spans is whitespace only. A line break ends a sentence
    unless the next line goes on in lower case (a hard-wrapped line).
    """
    language = supported_language(lang)
    pieces: list[tuple[int, int]] = []
    line_offset = 0
    for line in text.split("\n"):  # sentencex may run a piece across a line break; lines come first
        for boundary in sentencex.get_sentence_boundaries(language, line):
            start, end = line_offset + boundary["start_index"], line_offset + boundary["end_index"]
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                pieces.append((start, end))
        line_offset += len(line) + 1
    spans: list[tuple[int, int]] = []
    label_start: int | None = None  # a bare number at the start of a line, waiting for its text
    for start, end in pieces:
        piece = text[start:end]
        line_start = not spans or "\n" in text[spans[-1][1] : start]
        if label_start is not None:
            start, label_start = label_start, None
        elif spans and not line_start and (_starts_lower_case(piece) or _BARE_NUMBER.match(piece)):
            spans[-1] = (spans[-1][0], end)
            continue
        elif _BARE_NUMBER.match(piece) and line_start:
            label_start = start
            continue
        spans.append((start, end))
    if label_start is not None:
        spans.append((label_start, len(text.rstrip())))
    return spans


def sentences(text: str, lang: str = "cs") -> list[str]:
    """The sentences of `text`, stripped."""
    return [text[start:end] for start, end in sentence_spans(text, lang)]


@dataclass(frozen=True)
class Segment:
    """A piece of a text: a sentence to translate, or filler (whitespace, a bare number) copied as it is."""

    text: str
    translate: bool


def split_segments(text: str, lang: str = "cs") -> list[Segment]:
    """Segments of `text`, line breaks and spacing kept: "".join(s.text for s in segments) == text.

    Lines are split first (a line break always ends a sentence for translation); a sentence with no letter
    (a bullet, a page number) is filler that needs no model.
    """
    segments: list[Segment] = []
    for part in _LINE_BREAKS.split(text):
        if not part:
            continue
        if not part.strip():
            segments.append(Segment(part, translate=False))
            continue
        position = 0
        for start, end in sentence_spans(part, lang):
            if start > position:
                segments.append(Segment(part[position:start], translate=False))
            sentence = part[start:end]
            segments.append(Segment(sentence, translate=any(character.isalpha() for character in sentence)))
            position = end
        if position < len(part):
            segments.append(Segment(part[position:], translate=False))
    return segments
