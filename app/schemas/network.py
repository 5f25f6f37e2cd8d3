"""The network run, the nudge test, the presets and the softmax Jacobian."""

import math
from typing import Annotated, Any, Literal, Union

from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from app.engine.cost import PARTS
from app.engine.nn.bugs import BUGS
from app.engine.nn.layers import INITS, LAYER_KINDS, LayerSpec, spec_from_dict
from app.engine.nn.losses import LOSSES
from app.engine.nn.presets import contract_example
from app.schemas.activations import ActivationName
from app.schemas.base import (
    Batch,
    DType,
    Limit,
    Matrix,
    OutMatrix,
    OutVector,
    Request,
    Response,
    Step,
    Vector,
    Verdict,
    WarningItem,
    Width,
    _range,
    _rectangular,
)

LossName = Literal[tuple(LOSSES)]  # type: ignore[valid-type]


class LayerRequest(Request):
    """A layer of the request; the engine's :func:`spec_from_dict` is the one mapping from
    its fields (by their JSON names) to the engine's spec."""

    def spec(self) -> LayerSpec:
        return spec_from_dict(self.model_dump(by_alias=True))


class AffineLayer(LayerRequest):
    type: Literal["affine"]
    W: Matrix | None = Field(None, description="Weights, shape (in, out).")
    b: Vector | None = Field(None, description="Bias, shape (out,).")
    in_: Width | None = Field(None, alias="in", description="Input width (inferred if omitted).")
    out: Width | None = Field(None, description="Output width (needed when W is not given).")
    init: Literal[INITS] = "he"  # type: ignore[valid-type]
    seed: int | None = Field(0, ge=0, le=2**32 - 1)

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> "AffineLayer":
        if self.W is not None:
            _rectangular(self.W, "W")
        elif self.out is None:
            raise ValueError("an affine layer needs either W or out (its output width)")
        return self


class ActivationLayer(LayerRequest):
    type: ActivationName
    alpha: float | None = None


class SoftmaxLayer(LayerRequest):
    type: Literal["softmax"]


class LayerNormLayer(LayerRequest):
    type: Literal["layernorm"]
    gamma: Vector | None = Field(None, description="Scale per feature (default ones).")
    beta: Vector | None = Field(None, description="Shift per feature (default zeros).")
    eps: float = Field(1e-5, gt=0, le=1, description="Added to the variance.")


class BatchNormLayer(LayerRequest):
    type: Literal["batchnorm"]
    gamma: Vector | None = Field(None, description="Scale per column (default ones).")
    beta: Vector | None = Field(None, description="Shift per column (default zeros).")
    running_mean: Vector | None = Field(None, description="Running mean (default zeros).")
    running_var: Vector | None = Field(None, description="Running variance (default ones).")
    eps: float = Field(1e-5, gt=0, le=1, description="Added to the variance (PyTorch's 1e-5).")
    momentum: float = Field(
        0.1, gt=0, le=1, description="Weight of a batch in the running statistics (PyTorch's)."
    )
    training: bool = Field(
        True,
        description="Normalise by the batch's statistics (true; needs at least 2 rows) or by "
        "the running ones (false, as in evaluation).",
    )


# Every layer's request model, once: the contract's union and /network/run's (with `bug`).
LAYER_MODELS = (AffineLayer, ActivationLayer, SoftmaxLayer, LayerNormLayer, BatchNormLayer)
Layer = Annotated[Union[LAYER_MODELS], Field(discriminator="type")]  # noqa: UP007

BugName = Literal[tuple(BUGS)]  # type: ignore[valid-type]


def _with_bug(model: type) -> type:
    """``model`` with an optional ``bug``: only /network/run's layers take one (elsewhere the
    field is unknown, so a request naming it gets a 422 at that field)."""
    return create_model(
        f"{model.__name__}WithBug",
        __base__=model,
        bug=(
            BugName | None,
            Field(None, description="Run this planted bug's wrong code here (see /meta bugs)."),
        ),
    )


BuggableLayer = Annotated[
    Union[tuple(_with_bug(m) for m in LAYER_MODELS)],  # noqa: UP007
    Field(discriminator="type"),
]

NETWORK_EXAMPLE = {**contract_example(), "gradcheck": True, "h": 1e-5, "dtype": "float64"}


class NetworkBody(Request):
    """What every network endpoint takes: the data, the stack and the loss."""

    x: Batch = Field(description="Input batch, shape (N, D).")
    targets: list[int] | Batch = Field(
        description="Class indices (N ints), or rows shaped like the output (one-hot, "
        "probabilities, or real values for mse)."
    )
    layers: Annotated[list[Layer], Field(min_length=1), Limit("max_layers")]
    loss: LossName = "cross_entropy"
    dtype: DType = "float64"

    @field_validator("x")
    @classmethod
    def _x_rectangular(cls, x: list[list[float]]) -> list[list[float]]:
        _rectangular(x, "x")  # at loc x: the page shows it beside the x box
        return x

    @field_validator("targets")
    @classmethod
    def _targets_rectangular(cls, t: list[int] | list[list[float]]) -> Any:
        if t and isinstance(t[0], list):
            _rectangular(t, "targets")  # type: ignore[arg-type]
        return t  # one target per row is the engine's check (as_targets), at loc targets

    def network(self) -> dict[str, Any]:
        """The engine's arguments: x, targets, layer specs, loss and dtype."""
        return {
            "x": self.x,
            "targets": self.targets,
            "layers": [layer.spec() for layer in self.layers],
            "loss": self.loss,
            "dtype": self.dtype,
        }


Part = Literal[PARTS]  # type: ignore[valid-type]  # forward, backward, params, seed, ...


def _rows_of_x(check: dict[str, Any], cut: slice) -> dict[str, Any]:
    """A gradient-check item with the input's per-row arrays cut to the window."""
    if check.get("param") != "x":
        return check
    return {k: v[cut] if k in ("numeric", "rel_error", "at_kink") else v for k, v in check.items()}


class NetworkRequest(NetworkBody):
    layers: Annotated[list[BuggableLayer], Field(min_length=1), Limit("max_layers")]
    loss_bug: BugName | None = Field(
        None, description="Run this planted bug's wrong code as the loss (see /meta bugs)."
    )
    challenge: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A bug hunt's challenge (/exercises/hunt): runs with its bug planted.",
    )
    gradcheck: bool = Field(True, description="Compare every gradient with central differences.")
    h: Step = 1e-5
    # The default is a tuple, used as it is; a list default is deep-copied for every request.
    include: list[Part] = Field(
        PARTS,  # type: ignore[assignment]
        max_length=len(PARTS),
        description="The parts of the response to send (all by default): `forward`, `backward` "
        "and `params` are the tensors; `gradcheck_arrays` the per-entry `numeric`, `rel_error` "
        "and `at_kink` of each check. `loss`, `warnings` and each check's verdict always come. "
        "A client that wants only the loss and the verdicts sends `[]` and gets a few hundred "
        "bytes instead of every tensor.",
    )
    rows: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)] | None = (
        Field(
            None,
            description="`[start, stop)`: send only these rows of every tensor with a row per "
            "input row (each layer's `output` and `grad_input`, the `seed`, the input's "
            "gradient-check arrays), as the Network page's row window shows them; all by "
            "default. The answer's size is estimated from it.",
        )
    )

    @field_validator("rows")
    @classmethod
    def _window(cls, rows: list[int] | None, info: ValidationInfo) -> list[int] | None:
        n = len(info.data.get("x") or [])
        if rows is not None and not rows[0] < rows[1] <= n:
            raise ValueError(
                f"rows must be [start, stop) with start < stop <= {n} (the rows of x), "
                f"got [{rows[0]}, {rows[1]}]"
            )
        return rows

    def window(self) -> tuple[int, int] | None:
        return None if self.rows is None else (self.rows[0], self.rows[1])

    def planted(self) -> dict[str, Any]:
        """The engine's ``bugs`` and ``loss_bug``, as the body names them."""
        bugs = {i: layer.bug for i, layer in enumerate(self.layers) if layer.bug is not None}
        return {"bugs": bugs, "loss_bug": self.loss_bug}

    def select(self, result: dict[str, Any]) -> dict[str, Any]:
        """``result`` with only the requested parts and rows (the engine computes them all)."""
        out = {k: v for k, v in result.items() if k not in PARTS or k in self.include}
        if out.get("gradcheck") and "gradcheck_arrays" not in self.include:
            arrays = ("numeric", "rel_error", "at_kink")
            out["gradcheck"] = [
                {k: v for k, v in c.items() if k not in arrays} for c in out["gradcheck"]
            ]
        if self.rows is not None:
            cut = slice(*self.rows)
            rowwise = {"forward": ("output",), "backward": ("grad_input",)}
            for part, keys in rowwise.items():
                if part in out:
                    out[part] = [{k: v[cut] if k in keys else v for k, v in item.items()}
                                 for item in out[part]]  # fmt: skip
            if "seed" in out:
                out["seed"] = out["seed"][cut]
            if out.get("gradcheck"):
                out["gradcheck"] = [_rows_of_x(c, cut) for c in out["gradcheck"]]
        return out

    model_config = ConfigDict(json_schema_extra={"examples": [NETWORK_EXAMPLE]})


NUDGE_EXAMPLE = {
    **contract_example(),
    "index": 2,
    "param": "W",
    "entry": [1, 0],
    "delta_min": 1e-6,
    "delta_max": 1.0,
    "num": 13,
}


class NudgeRequest(NetworkBody):
    index: int = Field(0, ge=0, description="The layer whose parameter is nudged.")
    param: str = Field(
        "W", pattern=r"^[A-Za-z_]{1,16}$", description="Its name (W, b, gamma, beta) or x."
    )
    entry: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, max_length=2, description="The entry's position, e.g. [row, column]."
    )
    deltas: Annotated[list[float], Field(min_length=1), Limit("max_points")] | None = Field(
        None, description="The nudges Δ; if absent, `num` of them from delta_min to delta_max."
    )
    challenge: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A bug hunt's challenge (/exercises/hunt): nudges its network with its bug "
        "planted.",
    )
    delta_min: float = Field(1e-6, gt=0, le=1e3)
    delta_max: float = Field(1.0, gt=0, le=1e3)
    num: Annotated[int, Field(ge=2), Limit("max_points")] = 13
    sign: Literal[1, -1] = Field(1, description="Nudge up (1) or down (-1) when deltas is absent.")

    model_config = ConfigDict(json_schema_extra={"examples": [NUDGE_EXAMPLE]})

    _check_delta_max = _range("delta_min", "delta_max")

    def delta_values(self) -> list[float]:
        """The nudges: as given, or ``sign · logspace(delta_min, delta_max, num)``."""
        if self.deltas is not None:
            return self.deltas
        lo, hi = math.log10(self.delta_min), math.log10(self.delta_max)
        return [self.sign * 10 ** (lo + (hi - lo) * k / (self.num - 1)) for k in range(self.num)]


class NudgeOut(Response):
    loss: float
    grad: float = Field(description="dL/dw at the entry, from the backward pass.")
    deltas: OutVector
    actual: OutVector = Field(description="L(w + Δ) − L(w), from re-running the forward pass.")
    predicted: OutVector = Field(description="The first-order prediction dL/dw · Δ.")
    gap: OutVector = Field(description="|actual − predicted|: shrinks like Δ² where smooth.")
    crossed_kink: list[bool] = Field(description="Did the nudge move a relu-like input across 0.")
    order: float | None = Field(description="Slope of log gap against log |Δ| where smooth.")
    warnings: list[WarningItem]
    nonfinite: int = 0


class ForwardItem(Response):
    index: int
    type: str
    output: OutMatrix


class BackwardItem(Response):
    index: int
    type: str
    grad_input: OutMatrix = Field(description="dLoss/d(input of this layer).")
    grads: dict[str, OutMatrix | OutVector] | None = Field(
        None, description="dLoss/dparameter, for layers with parameters."
    )


# The parameters a layer used, by name (W and b for affine, gamma and beta for layernorm, ...):
# a field per parameter name of the layer records.
ParamsItem = create_model(
    "ParamsItem",
    __base__=Response,
    __doc__="The parameters a layer used (and the buffers it carries), by name.",
    index=(int, ...),
    **{
        name: ((OutMatrix if name == "W" else OutVector) | None, None)
        for name in dict.fromkeys(n for k in LAYER_KINDS.values() for n in k.params)
    },
)


class GradcheckItem(Response):
    index: int
    param: str = Field(description="'W', 'b', or 'x' for the network input.")
    max_rel_error: float | None = Field(
        description="The largest rel_error over the entries not at a kink (CS231n's measure)."
    )
    passed: bool = Field(description="True exactly when `verdict` is good, acceptable or kink.")
    verdict: Verdict = Field(
        description="The server's one rule (GET /api/v1/meta `verdict_rules`): each entry's "
        "|a - n| over the tensor's `scale`; `kink` only where every disagreeing entry has a "
        "kink within ±h."
    )
    scale: float = Field(
        description="max(largest |analytic|, largest |numeric| away from kinks, the dtype's floor)."
    )
    max_scaled_error: float = Field(description="The largest |a - n| / scale the verdict judged.")
    numeric: OutMatrix | OutVector | None = Field(None, description="With gradcheck_arrays.")
    rel_error: OutMatrix | OutVector | None = Field(None, description="With gradcheck_arrays.")
    kinks: int = Field(
        0, description="Entries whose ±h step crosses a relu-like kink (see `verdict`)."
    )
    at_kink: list[list[bool]] | list[bool] | None = Field(
        None, description="Which entries those are (present only when `kinks` > 0)."
    )


class NetworkOut(Response):
    loss: float
    forward: list[ForwardItem] | None = Field(None, description="Absent unless included.")
    backward: list[BackwardItem] | None = Field(None, description="Absent unless included.")
    params: list[ParamsItem] | None = Field(None, description="Absent unless included.")
    seed: OutMatrix | None = Field(
        None,
        description="∂L/∂y, the gradient of the loss with respect to the last layer's output: "
        "the seed the backward pass starts from (absent unless included).",
    )
    gradcheck: list[GradcheckItem] | None
    warnings: list[WarningItem] = Field(
        default_factory=list,
        description="Results that are right but numerically fragile (e.g. an underflowed "
        "cross-entropy, a kink inside ±h of the gradient check), said rather than hidden.",
    )
    nonfinite: int = 0


class NetworkPreset(Response):
    name: str
    title: str
    x: OutMatrix
    targets: list[int] | OutMatrix
    layers: list[dict[str, Any]]
    loss: str


class PresetsOut(Response):
    presets: list[NetworkPreset]


class JacobianRequest(Request):
    x: Vector = Field(description="One vector of logits.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"x": [1.0, 2.0, 3.0]}]})


class JacobianOut(Response):
    y: OutVector
    jacobian: OutMatrix = Field(description="diag(y) - y yᵀ")
