"""Turn a document's raw text into clean passages that know their heading path.

The raw text is cleaned line by line (HTML pages are first laid out as lines) into units: paragraphs, list
items, table rows and headings. The cleaned units, one per line, form the document's *normalised text*;
passages are slices of it, so that `normalised[passage.start:passage.end] == passage.text` always holds and
the index can show a passage in its context without re-reading or re-cleaning the file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from textkit import sentence_spans

# --- HTML documents: whole-file preprocessing into lines before the line cleaner runs -------------------
_HTML_DROP = re.compile(
    r"<(script|style|head|nav|footer)\b.*?</\1\s*>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S | re.I
)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_HTML_CELL = re.compile(r"</t[dh]>\s*<t[dh]\b[^>]*>", re.I)
_HTML_BLOCK = re.compile(r"</?(p|div|br|tr|table|ul|ol|section|article|main|body|html|h[1-6])\b[^>]*>", re.I)
_HTML_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)


def preprocess_html(document: str) -> str:
    """Lay out a full HTML page as lines the line cleaner understands (headings as `#`, cells as tabs)."""
    document = _HTML_DROP.sub("", document)
    document = _HTML_HEADING.sub(lambda m: "\n" + "#" * int(m.group(1)) + " " + m.group(2) + "\n", document)
    document = _HTML_CELL.sub("\t", document)
    document = _HTML_ITEM.sub("\n- ", document)
    return _HTML_BLOCK.sub("\n", document)


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
_CELL_EDGES = re.compile(r"^[;\s]+|[;\s]+$")
_CELL_SEMICOLON = re.compile(r"\s*;\s*")
_HEADING_MARKS = re.compile(r"^#+\s*")
_LINE_BREAK = re.compile(r"\r?\n|\r")


def clean_inline(line: str) -> str:
    """Strip Markdown/HTML markup and odd whitespace from one line, keeping table cells readable."""
    line = _ENTITY.sub(lambda m: html.unescape(m.group(0)), line)
    line = _SPACES.sub(" ", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_BOLD.sub(r"\1", line)
    line = _STRAY_STARS.sub("", line)
    line = _MD_ITALIC.sub(r"\1", line)
    line = _INLINE_TAG.sub("", line)
    line = _TAG.sub(" ", line)
    line = _EMOJI.sub("", line)
    line = _INLINE_BULLET.sub(";", line)
    line = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
    stripped = line.strip()
    # Table cells: a tab-separated row reads as "cell | cell"; empty cells disappear.
    if "\t" in stripped:
        cells = [cell.strip() for cell in _TABS.split(stripped)]
        stripped = " | ".join(_tidy_cell(cell) for cell in cells if cell.strip(" ;"))
    stripped = _MULTISPACE.sub(" ", stripped)
    stripped = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", stripped)
    return stripped.strip()


def _tidy_cell(cell: str) -> str:
    return _CELL_SEMICOLON.sub("; ", _CELL_EDGES.sub("", cell))


# --- structure -------------------------------------------------------------------------------------------
@dataclass
class Unit:
    """A piece of body text (a paragraph, a list item or a table row) or a heading."""

    text: str
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


def _units_of_paragraph(lines: list[tuple[str, str]], numbers: _HeadingNumbers) -> list[Unit]:
    """Classify the lines of one blank-line-separated paragraph. Each item is (raw line, cleaned line)."""
    raw_joined = " ".join(raw.strip() for raw, _ in lines)
    cleaned_joined = " ".join(clean for _, clean in lines if clean)
    # A short paragraph entirely in bold (possibly over several lines) is a title.
    if (
        raw_joined.startswith("**")
        and raw_joined.rstrip().endswith("**")
        and raw_joined.count("**") == 2
        and 0 < len(cleaned_joined) <= 150
    ):
        return [Unit(cleaned_joined, "heading", 3)]

    units: list[Unit] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            units.append(Unit(" ".join(pending), "text"))
            pending.clear()

    for raw, clean in lines:
        if not clean:
            continue
        markdown_heading = _MD_HEADING.match(raw)
        if markdown_heading:
            flush()
            units.append(Unit(_HEADING_MARKS.sub("", clean), "heading", len(markdown_heading.group(1))))
            continue
        if "\t" in raw.strip():
            flush()
            units.append(Unit(clean, "row"))
            continue
        if _LEADING_BULLET.match(raw) or raw.lstrip().startswith(("▪", "•")):
            flush()
            units.append(Unit(_LEADING_BULLET.sub("", clean), "item"))
            continue
        heading_level = _heading_level(raw, clean, len(lines) == 1, numbers)
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
    document = preprocess_html(raw_text) if is_html else raw_text
    numbers = _HeadingNumbers()
    units: list[Unit] = []
    paragraph: list[tuple[str, str]] = []
    # Only \n, \r\n and \r end a line: str.splitlines() would also split at form feeds and other breaks.
    for line in _LINE_BREAK.split(document):
        if _TOC_LINE.match(line):
            continue  # a table of contents with page numbers repeats the headings, which count themselves
        if not line.strip():
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
    text = unit.text
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
        lines.append(unit.text)
        position += len(unit.text) + 1
        if unit.kind == "heading":
            flush()
            path = [(level, title) for level, title in path if level < unit.level]
            path.append((unit.level, unit.text))
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
    headings = [unit.text for unit in units if unit.kind == "heading"]
    # The first heading of some substance names the document; one-word slide titles ("VIZE") do not.
    title = next((heading for heading in headings if len(heading.split()) >= 3), "")
    normalised, passages = build_passages(units)
    return ParsedDocument(title=title[:160], passages=passages, headings=headings, text=normalised)
