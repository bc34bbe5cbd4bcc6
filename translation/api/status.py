"""GET /health, GET /health/live and GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from translation.api.dependencies import ServiceDep
from translation.api.schemas import HealthBody
from translation.registry import MODEL_REGISTRY, SUPPORTED_DIRECTIONS

router = APIRouter()


@router.get(
    "/health",
    response_model=None,
    responses={
        200: {"model": HealthBody, "description": "Every direction has its model"},
        503: {"model": HealthBody, "description": "Directions are missing (`status` is `degraded`)"},
    },
)
async def health(service: ServiceDep) -> JSONResponse:
    """503 while any direction lacks its model, so that a load balancer or supervisor sees it without
    parsing the body; the body says which directions are missing either way (the gateway passes it on)."""
    installed = service.store.installed()
    missing = [direction for direction in SUPPORTED_DIRECTIONS if direction not in installed]
    body = {
        "status": "ok" if not missing else "degraded",
        "backend": service.settings.backend,
        "directions": {
            direction: {
                "installed": direction in installed,
                "model": MODEL_REGISTRY[direction].hf_id,
                "backend": service.store.backend_for(installed[direction])
                if direction in installed
                else None,
            }
            for direction in SUPPORTED_DIRECTIONS
        },
        "missing": missing,
        "install": "make models" if missing else None,
    }
    return JSONResponse(body, status_code=503 if missing else 200)


@router.get("/health/live")
async def live() -> dict[str, str]:
    """200 whenever the process answers, models or not: for a supervisor that only restarts dead processes
    (the stack launcher waits for this kind of "started", not for every model being installed)."""
    return {"status": "alive"}


@router.get("/metrics")
async def metrics(service: ServiceDep) -> dict[str, object]:
    snapshot = service.metrics.snapshot()
    snapshot["cache"] = {**snapshot["cache"], "entries": len(service.cache)}  # type: ignore[dict-item]
    snapshot["models"] = {
        "loaded": [key for key, _ in service.store.loaded_keys()],
        "max_loaded": service.store.max_loaded,
        "loads": service.store.loads,
        "evictions": service.store.evictions,
    }
    return snapshot
