"""Run a stack of layers forward and backward with a gradient check; nudge one entry; presets."""

from app.api.compute import network_us, run_sized
from app.api.deps import LimitsDep
from app.api.routing import api_router
from app.engine.nn.hunt import bugs_for_run
from app.engine.nn.network import run_network
from app.engine.nn.nudge import nudge as nudge_entry
from app.engine.nn.presets import PRESETS, TITLES
from app.responses import respond
from app.schemas import (
    ERROR_RESPONSES,
    OVERLOAD_RESPONSES,
    NetworkOut,
    NetworkRequest,
    NudgeOut,
    NudgeRequest,
    PresetsOut,
)

router = api_router(prefix="/api/v1/network", tags=["network"])


@router.post(
    "/run",
    name="run_network",
    response_model=None,
    responses={200: {"model": NetworkOut}, **ERROR_RESPONSES},
    summary="Forward, backward and gradient check of a layer stack",
    description="Runs `x` through `layers`, computes `loss` against `targets`, then runs the "
    "backward pass. `forward[i].output` is layer i's output, `backward[i].grad_input` is "
    "dLoss/d(input of layer i), `grads` holds dLoss/dW and dLoss/db. With `gradcheck`, every "
    "gradient is compared with central differences and judged by one rule (`verdict`; its bounds "
    "per dtype in `/api/v1/meta` `verdict_rules`). "
    "A layer's `bug` (the loss's `loss_bug`) runs that planted bug's wrong code (`/meta` lists "
    "them); `challenge` runs a bug hunt's network with its hidden bug planted.",
)
async def run(body: NetworkRequest, limits: LimitsDep):
    def work():
        types = [layer.type for layer in body.layers]
        bugs = bugs_for_run(body.challenge, **body.planted(), layer_types=types, loss=body.loss)
        result = run_network(
            **body.network(),
            gradcheck=body.gradcheck,
            h=body.h,
            limits=limits,
            include=body.include,
            rows=body.window(),
            **bugs,
        )
        return respond(body.select(result))

    return await run_sized(network_us(body), work)


@router.post(
    "/nudge",
    response_model=None,
    responses={200: {"model": NudgeOut}, **ERROR_RESPONSES},
    summary="Nudge one parameter entry: the actual loss change against the gradient's prediction",
    description="Moves entry `entry` of parameter `param` of layer `index` (or of the input, "
    '`param: "x"`) by each Δ, re-runs the forward pass, and returns the actual change '
    "L(w + Δ) − L(w) beside the first-order prediction dL/dw · Δ. Where the loss is smooth the "
    "gap shrinks like Δ² (`order` ≈ 2); nudges that move a relu-like input across its kink are "
    "flagged in `crossed_kink` and a warning. With a bug hunt's `challenge`, its hidden bug is "
    "planted.",
)
def nudge(body: NudgeRequest, limits: LimitsDep):
    where = {"index": body.index, "param": body.param, "entry": body.entry}
    types = [layer.type for layer in body.layers]
    bugs = bugs_for_run(body.challenge, {}, None, layer_types=types, loss=body.loss)
    return respond(
        nudge_entry(**body.network(), **where, deltas=body.delta_values(), limits=limits, **bugs)
    )


@router.get(
    "/presets",
    name="network_presets",
    response_model=None,
    responses={200: {"model": PresetsOut}, **OVERLOAD_RESPONSES},
    summary="Ready-made networks",
    description="Example inputs for `/network/run`: the seed notebook's example (1000 points, "
    "4 classes, Affine → Sigmoid → Softmax → cross-entropy) and a small 2-D toy set.",
)
def presets():
    presets = [{"name": name, "title": TITLES[name], **make()} for name, make in PRESETS.items()]
    return respond({"presets": presets})
