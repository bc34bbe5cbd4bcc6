"""Turn a document's raw text into clean passages that know their heading path and where they came from.

The cleaning works on a `MappedText`: a string plus, for each character, its offset in the original text, so
every cleaned unit still knows where it stands in the file as it was read (`Unit.text.span()`).

The cleaned units, one per line, form the document's *normalised text*; passages are slices of it, so that
`normalised[passage.start:passage.end] == passage.text` always holds and the index can show a passage in its
context without re-reading or re-cleaning the file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from textkit import sentence_spans

Replacement = str | int | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class MappedText:
    """Text whose characters remember their offsets in the original document."""

    text: str
    offsets: tuple[int, ...]
    end_offset: int  # original offset just after the last character, for empty texts too

    @classmethod
    def of(cls, text: str, base: int = 0) -> MappedText:
        return cls(text, tuple(range(base, base + len(text))), base + len(text))

    def __len__(self) -> int:
        return len(self.text)

    def sub(self, pattern: re.Pattern[str], replacement: Replacement) -> MappedText:
        """Like re.sub. An int replacement keeps that group with its own offsets (e.g. `**bold**` -> bold);
        string replacements take the offset of the matched text's start."""
        pieces: list[str] = []
        offsets: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            pieces.append(self.text[position : match.start()])
            offsets.extend(self.offsets[position : match.start()])
            if isinstance(replacement, int):
                group_start, group_end = match.span(replacement)
                if group_start >= 0:
                    pieces.append(self.text[group_start:group_end])
                    offsets.extend(self.offsets[group_start:group_end])
            else:
                new_text = replacement if isinstance(replacement, str) else replacement(match)
                anchor = self.offsets[match.start()] if match.start() < len(self.text) else self.end_offset
                pieces.append(new_text)
                offsets.extend([anchor] * len(new_text))
            position = match.end()
        pieces.append(self.text[position:])
        offsets.extend(self.offsets[position:])
        return MappedText("".join(pieces), tuple(offsets), self.end_offset)

    def slice(self, start: int, end: int) -> MappedText:
        end_offset = self.offsets[end] if end < len(self.text) else self.end_offset
        if end > start:
            end_offset = self.offsets[end - 1] + 1
        return MappedText(self.text[start:end], self.offsets[start:end], end_offset)

    def strip(self) -> MappedText:
        left = len(self.text) - len(self.text.lstrip())
        right = len(self.text.rstrip())
        return self.slice(left, max(left, right))

    def span(self) -> tuple[int, int]:
        """(start, end) of this text in the original document."""
        if not self.text:
            return self.end_offset, self.end_offset
        return self.offsets[0], self.offsets[-1] + 1

    def lines(self) -> list[MappedText]:
        result: list[MappedText] = []
        start = 0
        for match in re.finditer(r"\r?\n|\r", self.text):
            result.append(self.slice(start, match.start()))
            start = match.end()
        result.append(self.slice(start, len(self.text)))
        return result

    @staticmethod
    def join(parts: list[MappedText], separator: str = " ") -> MappedText:
        text_parts: list[str] = []
        offsets: list[int] = []
        for index, part in enumerate(parts):
            if index:
                text_parts.append(separator)
                offsets.extend([parts[index - 1].end_offset] * len(separator))
            text_parts.append(part.text)
            offsets.extend(part.offsets)
        end_offset = parts[-1].end_offset if parts else 0
        return MappedText("".join(text_parts), tuple(offsets), end_offset)


# --- HTML documents: whole-file preprocessing into lines before the line cleaner runs -------------------
_HTML_DROP = re.compile(
    r"<(script|style|head|nav|footer)\b.*?</\1\s*>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S | re.I
)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_HTML_CELL = re.compile(r"</t[dh]>\s*<t[dh]\b[^>]*>", re.I)
_HTML_BLOCK = re.compile(r"</?(p|div|br|tr|table|ul|ol|section|article|main|body|html|h[1-6])\b[^>]*>", re.I)
_HTML_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)


def preprocess_html(document: MappedText) -> MappedText:
    """Lay out a full HTML page as lines the line cleaner understands (headings as `#`, cells as tabs)."""
    document = document.sub(_HTML_DROP, "")
    document = document.sub(_HTML_HEADING, lambda m: "\n" + "#" * int(m.group(1)) + " " + m.group(2) + "\n")
    document = document.sub(_HTML_CELL, "\t")
    document = document.sub(_HTML_ITEM, "\n- ")
    return document.sub(_HTML_BLOCK, "\n")


# --- line cleaning -------------------------------------------------------------------------------------
_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2009\u200b\ufeff]")
_INLINE_BULLET = re.compile(r"(?:^|\s)[▪•◦●■□➢►](?=\s)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MD_ITALIC = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")
_STRAY_STARS = re.compile(r"\*{2,}")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
_TABS = re.compile(r"[ ]*\t+[ ]*")
_MULTISPACE = re.compile(r"[ ]{2,}")
_LEADING_BULLET = re.compile(r"^\s*(?:[-–—•▪◦●■*+➢►]|\d{1,2}\))\s+")
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s+")
# "s c h v a l u j e": letter-spaced emphasis in the corpus; joined back so that the word can be found.
_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?=[\s.,;:!?]|$)")
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|span|a|u|sup|sub)\b[^>]*>", re.I)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])(?=\s|$)")
_TOC_LINE = re.compile(r"^\s*\d+(?:\.\d+)*\.?\t.+\t\s*\d+\s*$")


def clean_inline(line: MappedText) -> MappedText:
    """Strip Markdown/HTML markup and odd whitespace from one line, keeping table cells readable."""
    line = line.sub(_ENTITY, lambda m: html.unescape(m.group(0)))
    line = line.sub(_SPACES, " ")
    line = line.sub(_MD_LINK, 1)
    line = line.sub(_MD_BOLD, 1)
    line = line.sub(_STRAY_STARS, "")
    line = line.sub(_MD_ITALIC, 1)
    line = line.sub(_INLINE_TAG, "")
    line = line.sub(_TAG, " ")
    line = line.sub(_EMOJI, "")
    line = line.sub(_INLINE_BULLET, ";")
    line = line.sub(_LETTER_SPACED, lambda m: m.group(0).replace(" ", ""))
    stripped = line.strip()
    # Table cells: a tab-separated row reads as "cell | cell"; empty cells disappear.
    if "\t" in stripped.text:
        cells = [cell.strip() for cell in _split(stripped, _TABS)]
        cells = [cell for cell in cells if cell.text.strip(" ;")]
        stripped = (
            MappedText.join([_tidy_cell(cell) for cell in cells], " | ") if cells else stripped.slice(0, 0)
        )
    stripped = stripped.sub(_MULTISPACE, " ")
    stripped = stripped.sub(_SPACE_BEFORE_PUNCTUATION, 1)
    return stripped.strip()


def _tidy_cell(cell: MappedText) -> MappedText:
    cell = cell.sub(re.compile(r"^[;\s]+|[;\s]+$"), "")
    return cell.sub(re.compile(r"\s*;\s*"), "; ")


def _split(text: MappedText, separator: re.Pattern[str]) -> list[MappedText]:
    parts: list[MappedText] = []
    start = 0
    for match in separator.finditer(text.text):
        parts.append(text.slice(start, match.start()))
        start = match.end()
    parts.append(text.slice(start, len(text)))
    return parts


# --- structure -------------------------------------------------------------------------------------------
@dataclass
class Unit:
    """A piece of body text (a paragraph, a list item or a table row) or a heading."""

    text: MappedText
    kind: str  # "text", "item", "row", "heading"
    level: int = 0


@dataclass
class Passage:
    text: str
    section: str
    start: int  # offsets into the document's normalised text (ParsedDocument.text)
    end: int
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans within `text`


@dataclass
class ParsedDocument:
    title: str
    passages: list[Passage]
    headings: list[str]
    text: str  # the normalised text: passage offsets point into it


_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([^\W\d_].*)$")
_LETTERED = re.compile(r"^[A-Z]\)\s+\S")
_MAX_HEADING_CHARS = 100


def _is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


class _HeadingNumbers:
    """Accepts "5.2." only inside section 5 and a new top-level "7." only after "6.", so that numbered list
    items inside a section ("1. Výroční zpráva") are not mistaken for chapters."""

    def __init__(self) -> None:
        self.top: int | None = None

    def accept(self, number: str) -> bool:
        parts = [int(part) for part in number.split(".")]
        if len(parts) == 1:
            # A chapter sequence starts at 1 (2 after a numbered title line); "3." out of the blue is a
            # list item.
            if (self.top is None and parts[0] <= 2) or (self.top is not None and parts[0] == self.top + 1):
                self.top = parts[0]
                return True
            return False
        if self.top is None or parts[0] == self.top:
            self.top = parts[0]
            return True
        return False


def _units_of_paragraph(lines: list[tuple[MappedText, MappedText]], numbers: _HeadingNumbers) -> list[Unit]:
    """Classify the lines of one blank-line-separated paragraph. Each item is (raw line, cleaned line)."""
    raw_joined = " ".join(raw.text.strip() for raw, _ in lines)
    cleaned_joined = MappedText.join([clean for _, clean in lines if clean.text])
    # A short paragraph entirely in bold (possibly over several lines) is a title.
    if (
        raw_joined.startswith("**")
        and raw_joined.rstrip().endswith("**")
        and raw_joined.count("**") == 2
        and 0 < len(cleaned_joined.text) <= 150
    ):
        return [Unit(cleaned_joined, "heading", 3)]

    units: list[Unit] = []
    pending: list[MappedText] = []

    def flush() -> None:
        if pending:
            units.append(Unit(MappedText.join(pending), "text"))
            pending.clear()

    for raw, clean in lines:
        if not clean.text:
            continue
        raw_text = raw.text
        markdown_heading = _MD_HEADING.match(raw_text)
        if markdown_heading:
            flush()
            units.append(
                Unit(clean.sub(re.compile(r"^#+\s*"), ""), "heading", len(markdown_heading.group(1)))
            )
            continue
        if "\t" in raw_text.strip():
            flush()
            units.append(Unit(clean, "row"))
            continue
        if _LEADING_BULLET.match(raw_text) or raw_text.lstrip().startswith(("▪", "•")):
            flush()
            units.append(Unit(clean.sub(_LEADING_BULLET, ""), "item"))
            continue
        heading_level = _heading_level(raw_text, clean.text, len(lines) == 1, numbers)
        if heading_level:
            flush()
            units.append(Unit(clean, "heading", heading_level))
            continue
        pending.append(clean)
    flush()
    return units


def _heading_level(raw: str, clean: str, standalone: bool, numbers: _HeadingNumbers) -> int:
    ends_like_a_sentence = clean.endswith((".", ",", ";", ":"))
    if len(clean) > _MAX_HEADING_CHARS or (ends_like_a_sentence and not _NUMBERED.match(clean)):
        return 0
    numbered = _NUMBERED.match(clean)
    if numbered and not clean.endswith((",", ";")) and len(clean.split()) <= 14:
        if numbers.accept(numbered.group(1)):
            return numbered.group(1).count(".") + 1
        return 0
    if _LETTERED.match(clean) and len(clean) <= 80:
        return 2
    if clean.endswith((".", ":")):
        return 0
    if _is_all_caps(clean):
        return 3
    stripped_raw = raw.strip()
    if stripped_raw.startswith("**") and stripped_raw.endswith("**") and len(clean) <= 80:
        return 3
    words = clean.split()
    if (
        standalone
        and len(words) <= 8
        and len(clean) <= 70
        and clean[0].isupper()
        and ":" not in clean
        and not clean.endswith(("!", "?"))
    ):
        return 4
    return 0


def document_units(raw_text: str, is_html: bool = False) -> list[Unit]:
    document = MappedText.of(raw_text)
    if is_html:
        document = preprocess_html(document)
    numbers = _HeadingNumbers()
    units: list[Unit] = []
    paragraph: list[tuple[MappedText, MappedText]] = []
    for line in document.lines():
        if _TOC_LINE.match(line.text):
            continue  # a table of contents with page numbers repeats the headings, which count themselves
        if not line.text.strip():
            if paragraph:
                units.extend(_units_of_paragraph(paragraph, numbers))
                paragraph = []
            continue
        paragraph.append((line, clean_inline(line)))
    if paragraph:
        units.extend(_units_of_paragraph(paragraph, numbers))
    return units


# Passages of a few sentences: long enough to answer, short enough to be quoted.
TARGET_PASSAGE_CHARS = 450
MAX_UNIT_CHARS = 350
# Bump when the passages built from the same file change, so that `index` re-indexes unchanged files.
PARSING_VERSION = "1"


def _body_spans(unit: Unit) -> list[tuple[int, int]]:
    """Spans of `unit.text` to place in passages: long paragraphs are cut at sentence ends so that a passage
    never grows far past the target."""
    text = unit.text.text
    if len(text) <= MAX_UNIT_CHARS or unit.kind == "row":
        return [(0, len(text))] if text.strip() else []
    spans: list[tuple[int, int]] = []
    current_start: int | None = None
    current_end = 0
    for start, end in sentence_spans(text):
        if current_start is None:
            current_start = start
        elif end - current_start > MAX_UNIT_CHARS:
            spans.append((current_start, current_end))
            current_start = start
        current_end = end
    if current_start is not None:
        spans.append((current_start, current_end))
    stripped: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if piece.strip():
            left = len(piece) - len(piece.lstrip())
            stripped.append((start + left, start + len(piece.rstrip())))
    return stripped


def build_passages(units: list[Unit]) -> tuple[str, list[Passage]]:
    """The document's normalised text (one cleaned unit per line, headings included) and its passages.

    A passage is a run of consecutive body units (or pieces of one long unit) under one heading path, so its
    text is exactly `normalised[start:end]`: what the index shows is what the offsets point to."""
    lines: list[str] = []
    position = 0
    # Passages as (section, [(start, end) of each piece in the normalised text]); texts are cut out last.
    runs: list[tuple[str, list[tuple[int, int]]]] = []
    path: list[tuple[int, str]] = []
    body: list[tuple[int, int]] = []

    def flush() -> None:
        if body:
            runs.append((" > ".join(title for _, title in path), list(body)))
            body.clear()

    for unit in units:
        unit_start = position
        lines.append(unit.text.text)
        position += len(unit.text.text) + 1
        if unit.kind == "heading":
            flush()
            path = [(level, title) for level, title in path if level < unit.level]
            path.append((unit.level, unit.text.text))
            continue
        for piece_start, piece_end in _body_spans(unit):
            start, end = unit_start + piece_start, unit_start + piece_end
            if body and end - body[0][0] > TARGET_PASSAGE_CHARS:
                flush()
            body.append((start, end))
    flush()

    normalised = "\n".join(lines)
    passages: list[Passage] = []
    for section, pieces in runs:
        start, end = pieces[0][0], pieces[-1][1]
        sentences = [
            (piece_start - start + a, piece_start - start + b)
            for piece_start, piece_end in pieces
            for a, b in sentence_spans(normalised[piece_start:piece_end])
        ]
        passages.append(Passage(normalised[start:end], section, start, end, sentences))
    return normalised, passages


def parse_document(raw_text: str, is_html: bool = False) -> ParsedDocument:
    units = document_units(raw_text, is_html=is_html)
    headings = [unit.text.text for unit in units if unit.kind == "heading"]
    # The first heading of some substance names the document; one-word slide titles ("VIZE") do not.
    title = next((heading for heading in headings if len(heading.split()) >= 3), "")
    normalised, passages = build_passages(units)
    return ParsedDocument(title=title[:160], passages=passages, headings=headings, text=normalised)
