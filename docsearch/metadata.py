"""Document titles and dates: from knowledge/documents.yml when it describes the file, else from the file."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_MONTHS = {
    # Czech month names in the nominative and genitive ("listopad", "26. února 2019").
    "leden": 1, "ledna": 1, "unor": 2, "unora": 2, "brezen": 3, "brezna": 3, "duben": 4, "dubna": 4,
    "kveten": 5, "kvetna": 5, "cerven": 6, "cervna": 6, "cervenec": 7, "cervence": 7, "srpen": 8, "srpna": 8,
    "zari": 9, "rijen": 10, "rijna": 10, "listopad": 11, "listopadu": 11, "prosinec": 12, "prosince": 12,
}  # fmt: skip
_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?=[_\-.]|$)")
_NAME_PERIOD = re.compile(r"^(\d{4})-(\d{4})(?=[_\-.]|$)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})(?!\d)")
_WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s+([^\W\d_]+)\s+((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class DocumentInfo:
    """What documents.yml says about one file: titles per language, date, summaries."""

    titles: dict[str, str] = field(default_factory=dict)
    date: str = ""
    summaries: dict[str, str] = field(default_factory=dict)


def load_documents_yml(knowledge_dir: Path) -> dict[str, DocumentInfo]:
    """Entries of knowledge/documents.yml keyed by file name; an absent or broken file means no entries, an
    entry that does not fit the schema is left out with a warning.

    Each entry is read with the knowledge schema's own model (`actions/knowledge_schema.py`, pydantic's v1
    API in either environment), so the actions and the index never read one file two ways."""
    from actions.knowledge_schema import DocumentMetadata, ValidationError

    path = knowledge_dir / "documents.yml"
    if not path.is_file():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        print(f"warning: {path} ignored: {error}", file=sys.stderr)
        return {}
    if not isinstance(entries, list):
        print(f"warning: {path} ignored: expected a list of entries", file=sys.stderr)
        return {}
    result: dict[str, DocumentInfo] = {}
    for position, entry in enumerate(entries, start=1):
        try:
            document = DocumentMetadata.parse_obj(entry)
        except ValidationError as error:
            print(f"warning: {path}: entry #{position} ignored: {error}", file=sys.stderr)
            continue
        result[document.file] = DocumentInfo(
            titles=document.title.dict(),
            date=document.date,
            summaries=document.summary.dict() if document.summary else {},
        )
    return result


def date_from_file_name(name: str) -> str:
    """`2019-02-26_x.txt` -> "2019-02-26"; `2024-2026_x.txt` -> "2024-2026" (a period); else ""."""
    match = _NAME_DATE.match(name)
    if match:
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    period = _NAME_PERIOD.match(name)
    if period and int(period.group(1)) <= int(period.group(2)):
        return f"{period.group(1)}-{period.group(2)}"
    return ""


def date_from_text(text: str) -> str:
    """The first plausible date near the top of a document ("26.02.2019", "24. listopad 2022")."""
    from textkit import fold

    head = text[:3000]
    candidates: list[tuple[int, str]] = []
    for match in _NUMERIC_DATE.finditer(head):
        day, month, year = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            candidates.append((match.start(), f"{year:04d}-{month:02d}-{day:02d}"))
    for match in _WORD_DATE.finditer(head):
        month_number = _MONTHS.get(fold(match.group(2)))
        day = int(match.group(1))
        if month_number and 1 <= day <= 31:
            candidates.append((match.start(), f"{int(match.group(3)):04d}-{month_number:02d}-{day:02d}"))
    return min(candidates)[1] if candidates else ""


def title_from_file_name(name: str) -> str:
    stem = Path(name).stem
    stem = re.sub(r"^\d{4}-\d{2}(?:-\d{2})?_|^\d{4}-\d{4}_", "", stem)
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else name
