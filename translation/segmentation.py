"""Sentence splitting that keeps paragraphs, line breaks and spacing exactly: textkit's `split_segments`.

A text becomes a list of segments; every segment is either whitespace/markup-free filler that is copied
as it is, or a sentence that gets translated. Joining the segments gives back the original text. The
splitting itself (sentencex with two repairs, one for the whole project) lives in textkit/splitting.py.
"""

from __future__ import annotations

from textkit import Segment, split_segments

__all__ = ["Segment", "split_segments"]
