"""The JSON contract (``shared/API.md``) as pydantic models: strict, finite, bounded by settings.

Requests are strict (``"1.0"``, ``true`` and ``null`` are not numbers; a JSON integer is accepted
where a float is expected), reject unknown fields and NaN/±Infinity, and are bounded by the
limits in ``app.config``. Responses are documented here but serialised straight from numpy by
orjson, so arrays may hold ``null`` where a value was not finite, counted in ``nonfinite``.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.config import get_settings
from app.engine.activations import ACTIVATIONS
from app.engine.losses import LOSSES
from app.engine.optimizers import OPTIMIZERS
from app.engine.presets import contract_example

S = get_settings()

ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
LossName = Literal[LOSSES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZERS]  # type: ignore[valid-type]
DType = Literal["float64", "float32"]

Width = Annotated[int, Field(ge=1, le=S.max_side)]
Row = Annotated[list[float], Field(min_length=1, max_length=S.max_side)]
Matrix = Annotated[list[Row], Field(min_length=1, max_length=S.max_side)]
Batch = Annotated[list[Row], Field(min_length=1, max_length=S.max_batch)]
Vector = Annotated[list[float], Field(min_length=1, max_length=S.max_side)]
Point = Annotated[list[float], Field(min_length=1, max_length=5)]
Expr = Annotated[str, Field(description="An expression such as `x**2 + 5` or `x1**2 + x2**3 + 1`.")]
Step = Annotated[float, Field(gt=0, le=1, description="Finite-difference step h.")]
Points = Annotated[int, Field(ge=2, le=S.max_points, description="Number of grid points.")]

OutVector = list[float | None]
OutMatrix = list[list[float | None]]


class Request(BaseModel):
    """Base of every request body: strict types, finite numbers, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Response(BaseModel):
    """Base of every documented response (bodies are written by orjson, not by these models)."""


def _rectangular(rows: list[list[float]], name: str) -> None:
    """Reject ragged matrices with a sentence naming the first row that differs."""
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"{name} must be a rectangular matrix: row 0 has {width} numbers, row {i} has "
                f"{len(row)}"
            )


def _range(lo_name: str, hi_name: str) -> Any:
    """A validator on ``hi_name`` requiring ``lo_name < hi_name``; its error names ``hi_name``."""

    def check(cls: type, value: float, info: ValidationInfo) -> float:
        lo = info.data.get(lo_name)
        if lo is not None and not lo < value:
            raise ValueError(f"{lo_name} must be less than {hi_name}")
        return value

    return field_validator(hi_name)(check)


# ---------------------------------------------------------------- meta


class HealthOut(Response):
    status: Literal["ok"]
    version: str


class ActivationInfo(Response):
    name: str
    formula: str = Field(description="LaTeX of f(x).")
    derivative: str = Field(description="LaTeX of f'(x).")
    alpha: float | None = Field(None, description="Default alpha, for activations that take one.")


# ---------------------------------------------------------------- activations


class CurveRequest(Request):
    activation: ActivationName
    x_min: float = -10.0
    x_max: float = 10.0
    num: Points = 2001
    upstream: float = Field(1.0, description="Upstream gradient dL/dy fed to the backward pass.")
    h: Step = 1e-5
    alpha: float | None = Field(None, description="For leaky_relu (default 0.01) and elu (1.0).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "activation": "sigmoid",
                    "x_min": -10,
                    "x_max": 10,
                    "num": 2001,
                    "upstream": 1.0,
                    "h": 1e-5,
                }
            ]
        }
    )

    _check_x_max = _range("x_min", "x_max")


class CurveOut(Response):
    x: OutVector
    y: OutVector
    dy: OutVector = Field(description="Analytic derivative f'(x).")
    dy_numeric: OutVector = Field(description="Central-difference estimate of f'(x).")
    backward: OutVector = Field(description="The layer's backward pass: upstream * f'(x).")
    max_abs_error: float | None = Field(description="max |dy - dy_numeric| away from kinks.")
    nonfinite: int = Field(description="Points sent as null because they were not finite.")


# ---------------------------------------------------------------- network


class AffineLayer(Request):
    type: Literal["affine"]
    W: Matrix | None = Field(None, description="Weights, shape (in, out).")
    b: Vector | None = Field(None, description="Bias, shape (out,).")
    in_: Width | None = Field(None, alias="in", description="Input width (inferred if omitted).")
    out: Width | None = Field(None, description="Output width (needed when W is not given).")
    init: Literal["he", "xavier", "normal"] = "he"
    seed: int | None = Field(0, ge=0, le=2**32 - 1)

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> "AffineLayer":
        if self.W is not None:
            _rectangular(self.W, "W")
        elif self.out is None:
            raise ValueError("an affine layer needs either W or out (its output width)")
        return self

    def spec(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class ActivationLayer(Request):
    type: ActivationName
    alpha: float | None = None

    def spec(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SoftmaxLayer(Request):
    type: Literal["softmax"]

    def spec(self) -> dict[str, Any]:
        return self.model_dump()


Layer = Annotated[AffineLayer | ActivationLayer | SoftmaxLayer, Field(discriminator="type")]

NETWORK_EXAMPLE = {**contract_example(), "gradcheck": True, "h": 1e-5, "dtype": "float64"}


class NetworkRequest(Request):
    x: Batch = Field(description="Input batch, shape (N, D).")
    targets: list[int] | Batch = Field(
        description="Class indices (N ints), or rows shaped like the output (one-hot, "
        "probabilities, or real values for mse)."
    )
    layers: list[Layer] = Field(min_length=1, max_length=S.max_layers)
    loss: LossName = "cross_entropy"
    gradcheck: bool = Field(True, description="Compare every gradient with central differences.")
    h: Step = 1e-5
    dtype: DType = "float64"

    model_config = ConfigDict(json_schema_extra={"examples": [NETWORK_EXAMPLE]})

    @model_validator(mode="after")
    def _check(self) -> "NetworkRequest":
        _rectangular(self.x, "x")
        if self.targets and isinstance(self.targets[0], list):
            _rectangular(self.targets, "targets")  # type: ignore[arg-type]
        if len(self.targets) != len(self.x):
            raise ValueError(
                f"targets has {len(self.targets)} entries but x has {len(self.x)} rows; "
                "give one target per row"
            )
        return self


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


class ParamsItem(Response):
    index: int
    W: OutMatrix
    b: OutVector


class GradcheckItem(Response):
    index: int
    param: str = Field(description="'W', 'b', or 'x' for the network input.")
    max_rel_error: float | None
    passed: bool
    numeric: OutMatrix | OutVector
    rel_error: OutMatrix | OutVector


class NetworkOut(Response):
    loss: float
    forward: list[ForwardItem]
    backward: list[BackwardItem]
    params: list[ParamsItem]
    gradcheck: list[GradcheckItem] | None
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


# ---------------------------------------------------------------- numerical differentiation


class DerivativeRequest(Request):
    expr: Expr
    x0: float = 1.0
    h: Step = 1e-5
    method: Literal["central", "forward", "backward"] = "central"
    x_min: float = -5.0
    x_max: float = 5.0
    num: Points = 1001

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expr": "x**2 + 5",
                    "x0": 1.0,
                    "h": 1e-5,
                    "method": "central",
                    "x_min": -5,
                    "x_max": 5,
                    "num": 1001,
                }
            ]
        }
    )

    _check_x_max = _range("x_min", "x_max")


class Tangent(Response):
    slope: float
    intercept: float


class DerivativeCurve(Response):
    x: OutVector
    y: OutVector
    tangent: OutVector
    dy: OutVector = Field(description="The exact derivative over the curve.")


class DerivativeOut(Response):
    value: float
    derivative: float
    exact: float
    error: float
    tangent: Tangent
    curve: DerivativeCurve
    nonfinite: int
    latex: dict[str, str] | None = Field(None, description="LaTeX of f and of f'.")
    derivative_expr: str | None = Field(None, description="f' as an expression, e.g. `2*x`.")


class GradientRequest(Request):
    expr: Expr
    point: Point
    h: Step = 1e-5

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expr": "x1**2 + x2**3 + 1", "point": [2.0, 3.0]}]}
    )


class GradientOut(Response):
    value: float
    gradient: list[float]
    exact: list[float]


class DescentRequest(Request):
    expr: Expr
    start: Point
    lr: float = Field(0.01, gt=0, le=1e6)
    steps: int = Field(1000, ge=1, le=S.max_steps)
    optimizer: OptimizerName = "sgd"
    h: Step = 1e-5
    tol: float = Field(1e-8, ge=0)
    momentum: float | None = Field(None, ge=0, lt=1, description="momentum, nesterov (0.9).")
    beta1: float | None = Field(None, ge=0, lt=1, description="adam (0.9).")
    beta2: float | None = Field(None, ge=0, lt=1, description="adam (0.999).")
    rho: float | None = Field(None, ge=0, lt=1, description="rmsprop decay (0.99).")
    eps: float | None = Field(
        None, gt=0, le=1, description="adagrad (1e-10), rmsprop and adam (1e-8)."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expr": "x1**2 + x2**3 + 1",
                    "start": [2.0, 3.0],
                    "lr": 0.01,
                    "steps": 1000,
                    "optimizer": "sgd",
                    "h": 1e-5,
                }
            ]
        }
    )

    def options(self) -> dict[str, float]:
        """The optimizer hyper-parameters the request sets."""
        names = ("momentum", "beta1", "beta2", "rho", "eps")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


class DescentOut(Response):
    path: list[OutVector]
    values: OutVector
    grad_norms: OutVector
    final: OutVector
    stopped: Literal["max_steps", "converged", "diverged"]
    steps_taken: int
    nonfinite: int
    lr_limit: float | None = Field(None, description="2/λmax of the Hessian at the start.")
    warning: str | None = None
    options: dict[str, float] = Field(description="The optimizer's hyper-parameters used.")


class StepSweepRequest(Request):
    expr: Expr
    x0: float = 1.0
    h_min: float = Field(1e-16, gt=0, le=1)
    h_max: float = Field(1e-1, gt=0, le=1)
    num: Points = 61
    dtype: DType = "float64"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"expr": "sin(x)", "x0": 1.0, "h_min": 1e-16, "h_max": 1e-1, "num": 61}]
        }
    )

    _check_h_max = _range("h_min", "h_max")


class BestH(Response):
    forward: float | None
    central: float | None


class StepSweepOut(Response):
    h: OutVector
    forward_error: OutVector
    central_error: OutVector
    best_h: BestH
    exact: float
    value: float = Field(description="f(x0).")
    dtype: DType
    nonfinite: int


class GridRequest(Request):
    expr: Expr
    x1_min: float = -3.0
    x1_max: float = 3.0
    x2_min: float = -3.0
    x2_max: float = 3.0
    num: int = Field(81, ge=2, le=int(S.max_points**0.5), description="Points per axis.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expr": "(1 - x1)**2 + 100*(x2 - x1**2)**2",
                    "x1_min": -2,
                    "x1_max": 2,
                    "x2_min": -1,
                    "x2_max": 3,
                    "num": 81,
                }
            ]
        }
    )

    _check_x1_max = _range("x1_min", "x1_max")
    _check_x2_max = _range("x2_min", "x2_max")


class GridOut(Response):
    x1: OutVector
    x2: OutVector
    z: OutMatrix = Field(description="z[i][j] = f(x1[j], x2[i]), Plotly's contour convention.")
    nonfinite: int


# ---------------------------------------------------------------- errors


class ErrorItem(Response):
    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Response):
    detail: list[ErrorItem]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not valid JSON."},
    413: {"model": ErrorOut, "description": "The body is larger than the limit."},
    422: {"model": ErrorOut, "description": "A field is invalid; `msg` says what is wrong."},
}
