"""Health and the list of activations."""

from fastapi import APIRouter

from app import __version__
from app.engine.nn.activations import ACTIVATIONS
from app.schemas import ActivationInfo, HealthOut

router = APIRouter(prefix="/api/v1", tags=["meta"])


@router.get(
    "/health",
    response_model=HealthOut,
    summary="Is the service up?",
    description="Answers `ok` and the package version; used by load balancers and probes. It "
    "needs no compute slot and runs on the event loop, so it answers while every slot is busy.",
)
async def health() -> dict:
    return {"status": "ok", "version": __version__}


@router.get(
    "/activations",
    response_model=list[ActivationInfo],
    summary="Activations and their formulas",
    description="Every activation the engine knows, with f and f' as LaTeX, and the default "
    "alpha where it takes one.",
)
def activations() -> list[dict]:
    return [
        {"name": a.name, "formula": a.formula, "derivative": a.derivative, "alpha": a.default_alpha}
        for a in ACTIVATIONS.values()
    ]
