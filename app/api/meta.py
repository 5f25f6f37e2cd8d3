"""Health, the list of activations, and the engine's constants the pages show (``/meta``)."""

import math

from fastapi import Response

from app import __version__
from app.api.routing import api_router
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.bugs import BUGS
from app.engine.nn.gradcheck import REL_FLOOR
from app.engine.nn.layers import INITS, LAYER_KINDS
from app.engine.nn.losses import LOSSES
from app.engine.optimizers import HYPERS, OPTIMIZERS
from app.engine.presets import DERIVATIVE_PRESETS, DESCENT_PRESETS
from app.engine.verdicts import REL_ERROR_BANDS, VERDICT_RULES
from app.schemas import ActivationInfo, HealthOut, MetaOut

router = api_router(prefix="/api/v1", tags=["meta"])


@router.get(
    "/health",
    response_model=HealthOut,
    summary="Is the service up?",
    description="Answers `ok` and the package version; used by load balancers and probes. It "
    "needs no compute slot and runs on the event loop, so it answers while every slot is busy.",
)
async def health() -> dict:
    return {"status": "ok", "version": __version__}


def _activation(a) -> dict:
    return {
        "name": a.name,
        "formula": a.formula,
        "derivative": a.derivative,
        "alpha": a.default_alpha,
    }


@router.get(
    "/activations",
    response_model=list[ActivationInfo],
    summary="Activations and their formulas",
    description="Every activation the engine knows, with f and f' as LaTeX, and the default "
    "alpha where it takes one.",
)
def list_activations() -> list[dict]:
    return [_activation(a) for a in ACTIVATIONS.values()]


def _meta() -> dict:
    return {
        "version": __version__,
        "gradcheck": {"rel_floor": REL_FLOOR},
        "rel_error_bands": [
            {
                "name": b.name,
                "below": None if math.isinf(b.below) else b.below,
                "label": b.label,
                "meaning": b.meaning,
            }
            for b in REL_ERROR_BANDS
        ],
        "verdict_rules": [vars(r) for r in VERDICT_RULES.values()],
        "losses": [
            {
                "name": loss.name,
                "label": loss.label or loss.name,
                "expects": loss.expects,
                "formula": loss.formula,
                "gradient": loss.gradient,
            }
            for loss in LOSSES.values()
        ],
        "inits": list(INITS),
        "optimizers": [_optimizer(o) for o in OPTIMIZERS.values()],
        "activations": [
            {
                **_activation(a),
                "label": a.label or a.name,
                "init": a.init,
                "nonsmooth": sorted({*a.kinks, *a.alpha_kinks, *a.smooth_breaks}),
            }
            for a in ACTIVATIONS.values()
        ],
        "bugs": [bug.record() for bug in BUGS.values()],
        "layers": [
            {
                "name": k.name,
                "label": k.label,
                "formula": k.formula,
                "backward": k.backward,
                "params": list(k.params),
                "step": k.step,
                "init": k.init,
                "gives": k.gives,
            }
            for k in LAYER_KINDS.values()
        ],
        "presets": {
            "derivative": [p.record() for p in DERIVATIVE_PRESETS.values()],
            "descent": [p.record() for p in DESCENT_PRESETS.values()],
        },
    }


def _optimizer(o) -> dict:
    hyper = [
        {
            "name": n,
            "symbol": HYPERS[n].symbol,
            "glyph": HYPERS[n].glyph,
            "meaning": HYPERS[n].meaning,
            "default": d,
        }
        for n, d in o.defaults.items()
    ]
    return {
        "name": o.name,
        "label": o.label or o.name,
        "defaults": dict(o.defaults),
        "hyper": hyper,
        "rule": o.latex,
        "note": o.note,
    }


@router.get(
    "/meta",
    response_model=MetaOut,
    summary="The engine's constants, for clients to show",
    description="Everything a client needs to label and judge results without copying the "
    "engine: the gradient check's verdict rule, the relative-error floor and bands, each loss's "
    "label, what it expects, its formula and seed gradient, the affine initialisations, each "
    "optimizer's update rule and hyper-parameters with their defaults, each activation with its "
    "formulas, default initialisation and the points where it is not smooth, each layer kind's "
    "formulas, parameters and how step mode explains it, the registry of planted bugs, and the "
    "ready-made views (presets) of the derivative and descent pages, with each landscape's "
    "known minima. "
    "Changes only with the version.",
)
def meta(response: Response) -> dict:
    response.headers["Cache-Control"] = "public, max-age=600"
    return _meta()
