"""Numerical differentiation of typed expressions."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, create_model, field_validator

from app.engine.numdiff import METHODS
from app.engine.optimizers import HYPERS, OPTIMIZERS
from app.schemas.base import (
    DType,
    Expr,
    Limit,
    OutMatrix,
    OutVector,
    Point,
    Points,
    Request,
    Response,
    Step,
    Verdict,
    WarningItem,
    _range,
    current_limits,
    warnings_field,
)

KINK_CODES = (
    "`not_differentiable`, `kink_in_step`, `singularity_in_step` (a kink or pole of the "
    "expression at the point or within the step: never missed, rarely reported where none "
    "lies), `cancellation` (more than half the digits cancel)"
)

OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]


class DerivativeRequest(Request):
    expr: Expr
    x0: float = 1.0
    h: Step = 1e-5
    method: Literal[METHODS] = "central"  # type: ignore[valid-type]
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
    verdict: Verdict = Field(
        description="The server's judgement of `derivative` against `exact` (the gradient "
        "check's rule, GET /api/v1/meta `verdict_rules`; `kink` where a kink or pole lies "
        "within the step)."
    )
    warnings: list[WarningItem] = warnings_field(
        KINK_CODES + ", `no_signal` (f is exactly 0 at x0 and x0 ± h), `step_rounded` (x0 ± h "
        "rounds: h is near the spacing of floats at x0)."
    )
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
    verdict: Verdict = Field(description="`gradient` judged against `exact` (as the derivative's).")
    warnings: list[WarningItem] = warnings_field(KINK_CODES + ".")


def _hyper_field(name: str) -> tuple[Any, Any]:
    """An optional request field for the hyper-parameter ``name``, from its record: its range,
    and which optimizers take it with what default (PyTorch's)."""
    h = HYPERS[name]
    users = ", ".join(
        f"{o.name} ({o.defaults[name]:g})" for o in OPTIMIZERS.values() if name in o.defaults
    )
    bounds = {"gt" if h.lo_open else "ge": h.lo, "le" if h.hi_closed else "lt": h.hi}
    return float | None, Field(None, **bounds, description=f"{h.meaning}; {users}.")


# Every hyper-parameter some optimizer record takes.
_HYPER: tuple[str, ...] = tuple(
    k for k in HYPERS if any(k in o.defaults for o in OPTIMIZERS.values())
)


class _Options(Request):
    def optimizer_options(self) -> dict[str, float]:
        """The hyper-parameters the request sets, for the optimizer record's ``options``."""
        return {n: getattr(self, n) for n in _HYPER if getattr(self, n) is not None}


# The optimizers' hyper-parameters, each optional (left out: PyTorch's default), generated
# from the optimizer records: a record with a new hyper-parameter needs no edit here.
OptimizerOptions = create_model(
    "OptimizerOptions",
    __base__=_Options,
    __doc__="The optimizers' hyper-parameters, each optional (left out: PyTorch's default).",
    **{name: _hyper_field(name) for name in _HYPER},
)


class DescentRequest(OptimizerOptions):
    expr: Expr
    start: Point
    lr: float = Field(0.01, gt=0, le=1e6)
    steps: Annotated[int, Field(ge=1), Limit("max_steps")] = 1000
    optimizer: OptimizerName = "sgd"
    h: Step = 1e-5
    tol: float = Field(1e-8, ge=0)

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

    def engine_args(self) -> dict:
        """The arguments of :func:`app.engine.numdiff.descent`: the optimizer hyper-parameters
        the request sets go into ``options``."""
        return {**self.model_dump(exclude=set(_HYPER)), "options": self.optimizer_options()}


class DescentOut(Response):
    path: list[OutVector]
    values: OutVector
    grad_norms: OutVector
    final: OutVector
    stopped: Literal["max_steps", "converged", "diverged"]
    steps_taken: int
    nonfinite: int
    lr_limit: float | None = Field(None, description="2/λmax of the Hessian at the start.")
    warning: str | None = Field(None, description="The lr warning alone (also in `warnings`).")
    warnings: list[WarningItem] = warnings_field(KINK_CODES + "; `lr_above_stability_bound`.")
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
    warnings: list[WarningItem] = warnings_field(KINK_CODES + ".")


class GridRequest(Request):
    expr: Expr
    x1_min: float = -3.0
    x1_max: float = 3.0
    x2_min: float = -3.0
    x2_max: float = 3.0
    num: int = Field(81, ge=2, description="Points per axis (num² at most the point limit).")

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

    @field_validator("num")
    @classmethod
    def _check_grid(cls, num: int) -> int:
        limit = current_limits().max_points
        if num * num > limit:
            raise ValueError(
                f"a {num} × {num} grid has {num**2} points; the limit is {limit} "
                f"(BPX_MAX_POINTS), so at most {int(limit**0.5)} per side"
            )
        return num

    _check_x2_max = _range("x2_min", "x2_max")


class GridOut(Response):
    x1: OutVector
    x2: OutVector
    z: OutMatrix = Field(description="z[i][j] = f(x1[j], x2[i]), Plotly's contour convention.")
    nonfinite: int
