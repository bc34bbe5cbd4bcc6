"""How the office pages show handovers and messages (shared by the HTML pages and their live JSON)."""

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from gateway.office.missed import channel_of
from gateway.routers.page import CHAT_PAGE_HEADERS

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
STATIC_DIR = Path(__file__).resolve().parent / "static"

# The chat page's policy, and never cached: contacts must not stay in a shared machine's cache.
OFFICE_HEADERS = {**CHAT_PAGE_HEADERS, "Cache-Control": "no-store"}

STATUSES = {"new": "nová", "claimed": "převzatá", "answered": "zodpovězená", "closed": "uzavřená"}
AUTHORS = {"resident": "Občan", "official": "Úřad", "system": "Oznámení"}
KINDS = {"no_answer": "bez odpovědi", "empty": "prázdná odpověď", "handover": "předání"}


def handover_row(handover: dict[str, Any]) -> dict[str, Any]:
    return {
        **handover,
        "channel": channel_of(str(handover.get("sender") or "")),
        "status_text": STATUSES.get(handover["status"], handover["status"]),
    }
