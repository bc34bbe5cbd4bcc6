"""GET /health: the gateway and each service it depends on."""

from fastapi import APIRouter

from gateway.dependencies import HealthCheckerDep
from gateway.schemas import HealthReport

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthReport,
    response_model_exclude_none=True,
    description=(
        "200 whenever the gateway itself answers, also when `status` is `degraded`: the chat keeps working "
        "without translation, so a load balancer should keep sending traffic here. Which dependency is "
        "down or degraded (and why, in `details`) is in the body."
    ),
)
async def health(checker: HealthCheckerDep) -> HealthReport:
    return await checker.check()
