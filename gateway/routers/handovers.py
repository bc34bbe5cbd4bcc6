"""GET /api/handovers: requests to talk to a person, newest first (office only: gateway/office_auth.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from actions import handover_table
from gateway.dependencies import HandoverStoreDep
from gateway.office_auth import require_office_token
from gateway.schemas import ErrorReply, HandoverList

router = APIRouter(prefix="/api", tags=["handovers"])


@router.get(
    "/handovers",
    response_model=HandoverList,
    # Before the store is asked for: a refused request reads nothing.
    dependencies=[Depends(require_office_token)],
    responses={
        401: {"model": ErrorReply, "description": "No or a wrong office bearer token"},
        403: {"model": ErrorReply, "description": "Office access is not configured (no OFFICE_API_TOKEN)"},
    },
)
async def list_handovers(
    store: HandoverStoreDep,
    limit: Annotated[int, Query(ge=1, le=1_000, description="How many of the newest")] = 100,
) -> HandoverList:
    try:
        handovers = await run_in_threadpool(store.newest, limit)
    except handover_table.DATABASE_ERRORS as error:
        raise HTTPException(
            status_code=503, detail=f"the handover database cannot be read: {error}"
        ) from error
    return HandoverList(handovers=handovers)
