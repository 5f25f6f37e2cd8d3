"""Run a stack of layers forward and backward, with a gradient check; the network presets."""

from fastapi import APIRouter

from app.api.deps import LimitsDep
from app.engine.presets import PRESETS, TITLES
from app.engine.stack import run_network
from app.responses import respond
from app.schemas import ERROR_RESPONSES, NetworkOut, NetworkRequest, PresetsOut

router = APIRouter(prefix="/api/v1/network", tags=["network"])


@router.post(
    "/run",
    name="run_network",
    response_model=None,
    responses={200: {"model": NetworkOut}, **ERROR_RESPONSES},
    summary="Forward, backward and gradient check of a layer stack",
    description="Runs `x` through `layers`, computes `loss` against `targets`, then runs the "
    "backward pass. `forward[i].output` is layer i's output, `backward[i].grad_input` is "
    "dLoss/d(input of layer i), `grads` holds dLoss/dW and dLoss/db. With `gradcheck`, every "
    "gradient is compared with central differences (PyTorch's tolerances: atol 1e-5, rtol 1e-3).",
)
def run(body: NetworkRequest, limits: LimitsDep):
    return respond(
        run_network(
            body.x,
            body.targets,
            [layer.spec() for layer in body.layers],
            body.loss,
            gradcheck=body.gradcheck,
            h=body.h,
            dtype=body.dtype,
            gradcheck_budget=limits.gradcheck_budget,
        )
    )


@router.get(
    "/presets",
    name="network_presets",
    response_model=None,
    responses={200: {"model": PresetsOut}},
    summary="Ready-made networks",
    description="Example inputs for `/network/run`: the seed notebook's example (1000 points, "
    "4 classes, Affine → Sigmoid → Softmax → cross-entropy) and a small 2-D toy set.",
)
def presets():
    presets = [{"name": name, "title": TITLES[name], **make()} for name, make in PRESETS.items()]
    return respond({"presets": presets})
