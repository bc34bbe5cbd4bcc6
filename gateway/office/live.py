"""The office pages' live data (JSON, polled by static/office/office.js): staff only, like the pages."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from gateway.office import views
from gateway.office.auth import OfficialApi
from gateway.office.dependencies import OfficeDep

router = APIRouter(prefix="/office/api", include_in_schema=False)


@router.get("/handovers")
async def live_handovers(
    official: OfficialApi, office: OfficeDep, closed: Annotated[bool, Query()] = False
) -> dict[str, object]:
    rows = await asyncio.to_thread(office.handovers.listing, closed)
    fields = (
        "id",
        "created_at",
        "when",
        "status",
        "status_text",
        "language",
        "channel",
        "question",
        "contact",
    )
    return {
        "handovers": [
            {**{name: row[name] for name in fields}, "claimed_by": row["claimed_by"]}
            for row in map(views.handover_row, rows)
        ]
    }


@router.get("/handovers/{handover_id}/messages")
async def live_thread(
    handover_id: views.HandoverId, official: OfficialApi, office: OfficeDep
) -> dict[str, object]:
    handover = await asyncio.to_thread(office.handovers.get, handover_id)
    if handover is None:
        raise HTTPException(status_code=404, detail=f"there is no handover {handover_id}")
    messages = await asyncio.to_thread(office.handovers.messages, handover_id)
    return {
        "status": handover["status"],
        "status_text": views.STATUSES.get(handover["status"], handover["status"]),
        "messages": [views.thread_message(message) for message in messages],
    }
