"""How the office pages show handovers and messages (shared by the HTML pages and their live JSON)."""

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Path as PathParameter
from fastapi.templating import Jinja2Templates

from gateway.office.missed import channel_of
from gateway.routers.page import CHAT_PAGE_HEADERS

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
STATIC_DIR = Path(__file__).resolve().parent / "static"

# The chat page's policy, and never cached: contacts must not stay in a shared machine's cache.
OFFICE_HEADERS = {**CHAT_PAGE_HEADERS, "Cache-Control": "no-store"}

# A handover's number in a URL: SQLite's integers end at 2**63 - 1 (beyond it: 422, not an overflow).
HandoverId = Annotated[int, PathParameter(ge=1, le=2**63 - 1, description="The handover's number")]

STATUSES = {"new": "nová", "claimed": "převzatá", "answered": "zodpovězená", "closed": "uzavřená"}
AUTHORS = {"resident": "Občan", "official": "Úřad", "system": "Oznámení"}
KINDS = {"no_answer": "bez odpovědi", "empty": "prázdná odpověď", "handover": "předání"}


def when(stamp: object) -> str:
    """An ISO time as the office reads it: "7. 12. 2026 04:56 UTC" ("" for none, the text when not a time)."""
    if not isinstance(stamp, str) or not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    offset = moment.utcoffset()
    zone = "" if offset is None else "UTC" if not offset else moment.strftime("%z")
    return f"{moment.day}. {moment.month}. {moment.year} {moment:%H:%M} {zone}".rstrip()


TEMPLATES.env.filters["when"] = when


def handover_row(handover: dict[str, Any]) -> dict[str, Any]:
    return {
        **handover,
        "when": when(handover.get("created_at")),
        "channel": channel_of(str(handover.get("sender") or "")),
        "status_text": STATUSES.get(handover["status"], handover["status"]),
    }


def thread_message(message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "when": when(message.get("created_at")), "author_text": AUTHORS[message["author"]]}
