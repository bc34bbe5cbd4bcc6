"""Sentence splitting that keeps paragraphs, line breaks and spacing exactly.

A text becomes a list of segments; every segment is either whitespace/markup-free filler that is copied
as it is, or a sentence that gets translated. Joining the segments gives back the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words after which a full stop does not end a sentence (cs/de/pl abbreviations seen in official text).
_ABBREVIATIONS = {
    "např",
    "tj",
    "tzv",
    "resp",
    "apod",
    "atd",
    "mj",
    "čp",
    "č",
    "ul",
    "odst",
    "písm",
    "sb",
    "kč",
    "tel",
    "ing",
    "mgr",
    "bc",
    "judr",
    "mudr",
    "phdr",
    "rndr",
    "doc",
    "prof",
    "dr",
    "st",
    "hod",
    "min",
    "max",
    "z",
    "b",
    "bzw",
    "ca",
    "usw",
    "vgl",
    "nr",
    "str",
    "abs",
    "evtl",
    "ggf",
    "inkl",
    "zzgl",
    "u",
    "a",
    "d",
    "h",
    "np",
    "tzn",
    "ok",
    "m",
    "in",
    "itd",
    "itp",
    "pkt",
    "ust",
    "godz",
    "r",
    "wg",
    "zob",
}
# A sentence ends at . ! ? … (possibly followed by closing quotes/brackets) before whitespace and an
# upper-case letter, a digit or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'»“”)\]]*)(\s+)(?=[\"„«(\[]?[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽÄÖÜĄĆĘŁŃŚŹŻ0-9])")
_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_WORD_BEFORE = re.compile(r"(\w+)\.$")
# "1. června", "15. 6. 2026": a one- or two-digit number with a dot is an ordinal or part of a date;
# "2.6." or "2026." still end a sentence.
_ORDINAL_BEFORE = re.compile(r"(?<![\d.])\d{1,2}\.$")


@dataclass(frozen=True)
class Segment:
    text: str
    translate: bool


def _split_line(line: str) -> list[str]:
    """Sentences of one line; the whitespace between them is kept at the end of each sentence."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end_of_sentence = match.start(2)
        candidate = line[start:end_of_sentence]
        word = _WORD_BEFORE.search(candidate)
        if (word and word.group(1).lower() in _ABBREVIATIONS) or _ORDINAL_BEFORE.search(candidate):
            continue  # "např. Liberec", "1. Juni": not a sentence end
        pieces.append(line[start : match.end(2)])
        start = match.end(2)
    pieces.append(line[start:])
    return [piece for piece in pieces if piece]


def split_segments(text: str) -> list[Segment]:
    """Segments of `text`; "".join(s.text for s in segments) == text."""
    segments: list[Segment] = []
    for part in _LINE_BREAKS.split(text):
        if not part:
            continue
        if not part.strip():
            segments.append(Segment(part, translate=False))
            continue
        for piece in _split_line(part):
            stripped = piece.strip()
            leading = piece[: len(piece) - len(piece.lstrip())]
            trailing = piece[len(piece.rstrip()) :]
            if leading:
                segments.append(Segment(leading, translate=False))
            # Pure punctuation/number lines (list bullets, page numbers) need no model.
            segments.append(Segment(stripped, translate=any(character.isalpha() for character in stripped)))
            if trailing:
                segments.append(Segment(trailing, translate=False))
    return segments
