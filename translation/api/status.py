"""GET /health and GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter

from translation.api.dependencies import ServiceDep
from translation.registry import MODEL_REGISTRY, SUPPORTED_DIRECTIONS

router = APIRouter()


@router.get("/health")
async def health(service: ServiceDep) -> dict[str, object]:
    installed = service.store.installed()
    missing = [direction for direction in SUPPORTED_DIRECTIONS if direction not in installed]
    return {
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
