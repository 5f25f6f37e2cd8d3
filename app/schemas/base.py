"""Shared pieces of the JSON contract: strict bases, limit-aware types, the error shape.

Requests are strict (``"1.0"``, ``true`` and ``null`` are not numbers; a JSON integer is accepted
where a float is expected), reject unknown fields and NaN/±Infinity, and are bounded by the
:class:`app.engine.limits.Limits` of the app that serves them (see :class:`Limit`). Responses are
documented here but serialised straight from numpy by orjson, so arrays may hold ``null`` where a
value was not finite, counted in ``nonfinite``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.verdicts import VERDICTS

_LIMITS: ContextVar[Limits] = ContextVar("bpx_limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """The limits of the app handling this request (the defaults outside a request)."""
    return _LIMITS.get()


@contextmanager
def limits_in_force(limits: Limits) -> Iterator[None]:
    """Validate (and compute) under ``limits`` inside the ``with`` block."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


EXAMPLE_DIGITS = 4  # significant digits of a computed number in an OpenAPI example


def example_numbers(value: Any) -> Any:
    """``value`` (dicts, lists, numpy arrays) as JSON-ready lists with every float rounded to
    ``EXAMPLE_DIGITS`` significant digits. An example computed by the engine must not carry the
    last digits of the CPU's floating-point kernels into the schema (and the page types generated
    from it): ``tests/ops/test_frontend_tooling.py`` regenerates them under two BLAS kernels."""
    if isinstance(value, dict):
        return {k: example_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [example_numbers(v) for v in value]
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return example_numbers(value.tolist())
    if isinstance(value, float):
        return float(f"{value:.{EXAMPLE_DIGITS}g}")
    return value


class Limit:
    """``Annotated[list[...], Limit("max_side")]``: at most that many items (or, on a number, at
    most that value), read from the limits in force when the request is validated.

    The JSON schema shows the default (``maxItems`` / ``maximum``); an app built with other
    limits enforces its own. The error names the limit and its environment variable.
    """

    def __init__(self, name: str) -> None:
        if name not in Limits.names():
            raise ValueError(f"unknown limit {name!r}")
        self.name = name
        self.env = "BPX_" + name.upper()

    def _check(self, value: Any) -> Any:
        bound = getattr(current_limits(), self.name)
        env = self.env
        if isinstance(value, list | str):
            if len(value) > bound:
                raise PydanticCustomError(
                    "too_long",
                    "List should have at most {bound} items, not {n} (the limit {env})",
                    {"bound": bound, "n": len(value), "env": env},
                )
        elif value > bound:
            raise PydanticCustomError(
                "less_than_equal",
                "Input should be at most {bound} (the limit {env})",
                {"bound": bound, "env": env},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        key = "maxItems" if out.get("type") == "array" else "maximum"
        out[key] = getattr(DEFAULT_LIMITS, self.name)
        return out


DType = Literal["float64", "float32"]

Width = Annotated[int, Field(ge=1), Limit("max_side")]
Row = Annotated[list[float], Field(min_length=1), Limit("max_side")]
Matrix = Annotated[list[Row], Field(min_length=1), Limit("max_side")]
Batch = Annotated[list[Row], Field(min_length=1), Limit("max_batch")]
Vector = Annotated[list[float], Field(min_length=1), Limit("max_side")]
Point = Annotated[list[float], Field(min_length=1), Limit("max_variables")]
Expr = Annotated[str, Field(description="An expression such as `x**2 + 5` or `x1**2 + x2**3 + 1`.")]
Step = Annotated[float, Field(gt=0, le=1, description="Finite-difference step h.")]
Points = Annotated[int, Field(ge=2, description="Number of grid points."), Limit("max_points")]

OutVector = list[float | None]
OutMatrix = list[list[float | None]]


class Request(BaseModel):
    """Base of every request body: strict types, finite numbers, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Response(BaseModel):
    """Base of every documented response (bodies are written by orjson, not by these models)."""


def _rectangular(rows: list[list[float]], name: str) -> None:
    """Reject ragged matrices with a sentence naming the first row that differs (rows counted
    from 1, as the pages number the lines of a pasted matrix)."""
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"{name} must be a rectangular matrix: row 1 has {width} numbers, row {i + 1} "
                f"has {len(row)}"
            )


def _range(lo_name: str, hi_name: str) -> Any:
    """A validator on ``hi_name`` requiring ``lo_name < hi_name``; its error names ``hi_name``."""

    def check(cls: type, value: float, info: ValidationInfo) -> float:
        lo = info.data.get(lo_name)
        if lo is not None and not lo < value:
            raise ValueError(f"{lo_name} must be less than {hi_name}")
        return value

    return field_validator(hi_name)(check)


class ErrorItem(Response):
    type: str
    loc: list[str | int]
    msg: str


Verdict = Literal[VERDICTS]  # type: ignore[valid-type]


class WarningItem(Response):
    code: str = Field(description="A stable name, e.g. `cross_entropy_underflow`, `kink_in_step`.")
    msg: str
    loc: list[str | int] = Field(description="Where in the request it applies, as an error's.")


def warnings_field(codes: str) -> Any:
    """The ``warnings`` list of a response (empty when nothing is fragile), naming its codes."""
    return Field(
        default_factory=list,
        description="Results that are right but fragile, told rather than left silent: " + codes,
    )


class ErrorOut(Response):
    detail: list[ErrorItem]


OVERLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorOut,
        "description": "Every compute slot stayed busy for `BPX_QUEUE_TIMEOUT` seconds "
        "(`type` `overloaded`); retry after the `Retry-After` header's seconds.",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        },
    },
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not valid JSON."},
    413: {"model": ErrorOut, "description": "The body is larger than the limit."},
    422: {"model": ErrorOut, "description": "A field is invalid; `msg` says what is wrong."},
    **OVERLOAD_RESPONSES,
}
