"""Read supported files into text. The text returned is what passage offsets point into.

For .txt/.md/.html that is the file's own text; for .pdf and .docx (binary formats) it is the extracted
text, which the index stores so a passage can still be shown in its context.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docsearch.errors import ReadError

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
__all__ = ["SUPPORTED_SUFFIXES", "ReadError", "SourceText", "read_source"]


@dataclass(frozen=True)
class SourceText:
    text: str
    is_html: bool
    title_hint: str  # a title the file format itself carries (<title>, docx core properties), or ""


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path}: not UTF-8 or Windows-1250 text")


def _read_pdf(path: Path) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ReadError(f"{path}: not a readable PDF ({error})") from error
    text = "\n\n".join(page.strip() for page in pages)
    if not text.strip():
        raise ReadError(f"{path}: the PDF has no extractable text (a scan needs OCR first)")
    return SourceText(text, False, str(metadata_title).strip())


def _read_docx(path: Path) -> SourceText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ReadError(f"{path}: not a readable .docx file ({error})") from error
    lines: list[str] = []
    # Paragraph styles carry the structure in Word; they become Markdown headings the parser knows.
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(block, document)
            text = paragraph.text.strip()
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            heading = re.match(r"Heading (\d)", style)
            level = int(heading.group(1)) if heading else (1 if style == "Title" else 0)
            if level and text:
                lines.extend(["", "#" * level + " " + text, ""])
            elif text:
                prefix = "- " if "List" in style else ""
                lines.extend([prefix + text, ""])
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for row in table.rows:
                lines.append("\t".join(cell.text.strip() for cell in row.cells))
            lines.append("")
    text = "\n".join(lines).strip() + "\n"
    if not text.strip():
        raise ReadError(f"{path}: the .docx file has no text")
    return SourceText(text, False, (document.core_properties.title or "").strip())


def read_source(path: Path) -> SourceText:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            f"{path}: unsupported file type {suffix!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    try:
        if suffix == ".pdf":
            return _read_pdf(path)
        if suffix == ".docx":
            return _read_docx(path)
        text = _decode(path.read_bytes(), path)
    except OSError as error:
        raise ReadError(f"{path}: cannot be read ({error.strerror or error})") from error
    if "\x00" in text:
        raise ReadError(f"{path}: looks like a binary file, not text")
    if suffix in (".html", ".htm"):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
        title_hint = ""
        if title:
            from bs4 import BeautifulSoup

            title_hint = BeautifulSoup(title.group(1), "html.parser").get_text(" ", strip=True)
        return SourceText(text, True, title_hint)
    return SourceText(text, False, "")
