"""Untrusted text made cheap to process: NFC, and no long runs of combining marks.

A message of 4,999 combining characters ("Zalgo" text) took 31 s and 32 CPU-seconds in the NLU pipeline,
and four of them at once stalled every other user: character n-grams, tokenisers and the language detector
all grow with the length of such a run while no real word needs it. Czech, German and Polish need no
combining mark at all after NFC (every letter they use has a precomposed form); scripts that do (Vietnamese,
Devanagari) stack at most two or three. So text is normalised to NFC, and any run of marks longer than
`max_marks` is cut to its first `max_marks`, before anything else looks at it.

Import it as `from textkit.sanitize import sanitize_text` (the package itself does not re-export it).
"""

from __future__ import annotations

import unicodedata

# Enough for every real script (a base letter with two or three stacked marks); Zalgo text stacks dozens.
MAX_COMBINING_MARKS = 3


def is_combining_mark(char: str) -> bool:
    """Nonspacing (Mn), spacing (Mc) or enclosing (Me) marks: the characters that stack on a base letter.

    The Unicode category, not `unicodedata.combining`: many marks have combining class 0 and still stack.
    """
    return unicodedata.category(char).startswith("M")


def cap_combining_marks(text: str, max_marks: int = MAX_COMBINING_MARKS) -> str:
    """`text` with every run of more than `max_marks` combining marks cut to its first `max_marks`."""
    if max_marks < 0:
        raise ValueError("max_marks must not be negative")
    if text.isascii():  # no ASCII character is a mark; most messages end here at C speed
        return text
    # About 0.7 µs a character: a few milliseconds for the longest message the chat accepts.
    kept: list[str] = []
    run = 0
    for char in text:
        if is_combining_mark(char):
            run += 1
            if run > max_marks:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept) if len(kept) != len(text) else text


def sanitize_text(text: str, max_marks: int = MAX_COMBINING_MARKS) -> str:
    """NFC first (so "e" + U+0301 becomes one "é" and is not counted as a mark), then the runs capped."""
    return cap_combining_marks(unicodedata.normalize("NFC", text), max_marks)
