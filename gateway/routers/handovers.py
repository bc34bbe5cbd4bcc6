"""GET /api/handovers: requests to talk to a person, newest first."""

import sqlite3
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from gateway.dependencies import HandoverStoreDep
from gateway.schemas import HandoverList

router = APIRouter(prefix="/api", tags=["handovers"])


@router.get("/handovers", response_model=HandoverList)
async def list_handovers(
    store: HandoverStoreDep,
    limit: Annotated[int, Query(ge=1, le=1_000, description="How many of the newest")] = 100,
) -> HandoverList:
    try:
        handovers = await run_in_threadpool(store.newest, limit)
    except sqlite3.Error as error:
        raise HTTPException(
            status_code=503, detail=f"the handover database cannot be read: {error}"
        ) from error
    return HandoverList(handovers=handovers)
