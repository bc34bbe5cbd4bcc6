"""The web chat page: static HTML, CSS and JavaScript, no build step."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

CHAT_PAGE_DIR = Path(__file__).resolve().parent.parent / "static" / "chat"

# The page renders all text with textContent; the policy is a second line of defence: no inline or foreign
# script can run even if some markup slipped through. no-cache: a new version shows right after a deploy.
CHAT_PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(tags=["page"])


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return FileResponse(CHAT_PAGE_DIR / "index.html", headers=CHAT_PAGE_HEADERS)
