"""Activation curves: f, the analytic and numerical f', and the backward pass."""

from app.api.routing import api_router
from app.engine.nn.activations import activation_curve
from app.responses import respond
from app.schemas import ERROR_RESPONSES, CurveOut, CurveRequest

router = api_router(prefix="/api/v1/activations", tags=["activations"])


@router.post(
    "/curve",
    name="activation_curve",
    response_model=None,
    responses={200: {"model": CurveOut}, **ERROR_RESPONSES},
    summary="Plot an activation and check its derivative",
    description="Evaluates f on `linspace(x_min, x_max, num)`, its analytic derivative `dy`, a "
    "central-difference estimate `dy_numeric` with step `h`, and the layer's backward pass fed "
    "`upstream` (that is `upstream * dy`). `max_abs_error` is the largest |dy - dy_numeric| "
    "away from kinks (such as relu at 0).",
)
def curve(body: CurveRequest):
    return respond(activation_curve(body.activation, **body.model_dump(exclude={"activation"})))
