"""GET /health: the gateway and each service it depends on."""

from fastapi import APIRouter

from gateway.dependencies import HealthCheckerDep
from gateway.schemas import HealthReport

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthReport)
async def health(checker: HealthCheckerDep) -> HealthReport:
    return await checker.check()
