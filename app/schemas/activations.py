"""Activation curves."""

from typing import Literal

from pydantic import ConfigDict, Field

from app.engine.nn.activations import ACTIVATIONS
from app.schemas.base import OutVector, Points, Request, Response, Step, Verdict, _range

ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]


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
    verdict: Verdict = Field(
        description="dy judged against dy_numeric by the gradient check's rule (GET "
        "/api/v1/meta `verdict_rules`); `kink` where they differ only within 2h of a kink."
    )
    nonfinite: int = Field(description="Points sent as null because they were not finite.")
