"""Exercises: a learner's answers on a graph, seeded practice circuits, predictions."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from app.engine.exercises.answers import MAX_CHARS
from app.engine.exercises.graph_check import DIAGNOSES, QUANTITIES
from app.engine.exercises.predict import KINDS, MAX_SKETCH_POINTS
from app.engine.exercises.random_graph import DEFAULT_OPS, MAX_STEPS, OPS
from app.schemas.base import Expr, Request, Response
from app.schemas.graph import GraphProgram

__all__ = [
    "GraphCheckOut",
    "GraphCheckRequest",
    "GraphRandomOut",
    "GraphRandomRequest",
    "PredictOut",
    "PredictRequest",
]


def _one_error(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """One error in words for an answer that is neither a number nor a short string."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "answer_type",
            "the answer must be a number or a string of at most {most} characters such as "
            "-0.39, -2/3 or 3*-4 + 1",
            {"most": MAX_CHARS},
        ) from None


Answer = Annotated[
    float | Annotated[str, Field(max_length=MAX_CHARS)],
    WrapValidator(_one_error),
    Field(
        description='A JSON number, or the answer as typed: a decimal (`"-0.39"`, accepted '
        "within the precision typed when it has at least two significant digits), a fraction "
        '(`"-2/3"`) or numbers with `+ - * / **` and parentheses (`"3*-4 + 1"`); otherwise '
        "accepted within 1e-6 relative (absolute 1e-9 where the truth is 0)."
    ),
]
Seed = Annotated[
    int, Field(ge=0, le=2**53 - 1, description="Any whole number up to 2**53 - 1 (fits a URL).")
]
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6)]
SketchPoints = Annotated[list[Coordinate], Field(min_length=2, max_length=MAX_SKETCH_POINTS)]

_CS231N = {"expr": "q = x + y\nf = q * z", "values": {"x": -2, "y": 5, "z": -4}}


class GraphCheckRequest(GraphProgram):
    node: int = Field(ge=0, description="The id of the node answered (as `/api/v1/graph` numbers).")
    quantity: Literal[QUANTITIES] = Field(  # type: ignore[valid-type]
        description="`value` (the forward value), `grad` (d output / d node) or `local` "
        "(d node / d its input `input`)."
    )
    input: int | None = Field(
        None, ge=0, description="For `local`: which input edge of the node, from 0."
    )
    answer: Answer
    attempt: int = Field(
        1, ge=1, le=1000, description="1, 2, 3, ...: the hint's level (uses, template, answer)."
    )
    reveal: bool = Field(False, description="Send the expected number back (`expected`).")
    expand: bool = Field(
        False, description="The graph with composite functions staged, as `/api/v1/graph` draws it."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {**_CS231N, "node": 0, "quantity": "grad", "answer": -4.0, "attempt": 1},
                {
                    "expr": "q = x * y\nr = x + z\nf = q + r",
                    "values": {"x": 2, "y": 3, "z": 1},
                    "node": 0,
                    "quantity": "grad",
                    "answer": "3",
                    "attempt": 1,
                },
                {**_CS231N, "node": 4, "quantity": "local", "input": 0, "answer": "-4"},
            ]
        }
    )


class GraphCheckOut(Response):
    correct: bool
    diagnosis: Literal[DIAGNOSES] | None = Field(  # type: ignore[valid-type]
        description="Null when correct; else the first mistake in the order forward_value, "
        "one_path, forgot_upstream, local_swapped, sign whose number the answer matches, or "
        "`other`."
    )
    hint: str = Field(
        description="Words with the numbers: the diagnosis, then the hint of this attempt's "
        "level (1: where to look, 2: the chain-rule template with every number but the answer, "
        "3 and later: the answer); when correct, the computation."
    )
    highlight: list[int] = Field(description="Node ids the hint points at (a node's uses).")
    node: int
    quantity: str
    input: int | None = None
    attempt: int
    expected: float | None = Field(None, description="Only with `reveal`.")


class GraphRandomRequest(Request):
    seed: Seed = 0
    nodes: int = Field(6, ge=1, le=MAX_STEPS, description="Steps of the program, one op each.")
    ops: list[Literal[OPS]] = Field(  # type: ignore[valid-type]
        list(DEFAULT_OPS), min_length=1, max_length=len(OPS), description="Operations to use."
    )
    expr: str | None = Field(
        None,
        description='A program to keep: only new values are drawn for it ("new numbers").',
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"seed": 7, "nodes": 8, "ops": ["add", "mul", "exp", "relu"]},
                {"seed": 3, "expr": "q = x + y\nf = q * z"},
            ]
        }
    )


class GraphRandomOut(Response):
    expr: str = Field(description="A program accepted by `/api/v1/graph`, the last step `f`.")
    values: dict[str, float] = Field(description="Small whole numbers or tenths, never 0.")
    seed: int
    nodes: int | None = None
    ops: list[str] | None = None


class PredictRequest(Request):
    kind: Literal[KINDS] = Field(  # type: ignore[valid-type]
        description="`slope` (f'(x0)), `best_h` (the step size with the smallest error) or "
        "`sketch` (a drawn f' of an activation)."
    )
    expr: Expr | None = Field(None, description="slope, best_h: f(x).")
    x0: Coordinate | None = Field(None, description="slope, best_h: the point.")
    method: Literal["central", "forward"] = Field("central", description="best_h: the formula.")
    answer: Answer | None = Field(None, description="slope, best_h: the prediction.")
    activation: str | None = Field(None, description="sketch: the activation's name.")
    alpha: float | None = Field(None, description="sketch: leaky_relu's or elu's alpha.")
    x: SketchPoints | None = Field(None, description="sketch: increasing x of the drawn points.")
    y: SketchPoints | None = Field(None, description="sketch: the drawn f' at each x.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "slope", "expr": "sin(x)", "x0": 1.0, "answer": 0.5},
                {
                    "kind": "best_h",
                    "expr": "sin(x)",
                    "x0": 1.0,
                    "method": "central",
                    "answer": 1e-5,
                },
                {
                    "kind": "sketch",
                    "activation": "tanh",
                    "x": [-2, -1, 0, 1, 2],
                    "y": [0.1, 0.4, 1, 0.4, 0.1],
                },
            ]
        }
    )


class PredictOut(Response):
    verdict: Literal["close", "near", "far"]
    score: float = Field(description="0 to 1; 1 is the truth.")
    error: float = Field(
        description="What the verdict thresholds (0 is perfect): slope |answer - f'| / max(1, "
        "|f'|); best_h decades off; sketch mean |drawn - f'| / max(1, range of f')."
    )
    thresholds: dict[str, float] = Field(description="`close` and `near` bounds on `error`.")
    expected: float | list[float | None] = Field(
        description="The truth: f'(x0), the best h, or f' at each sketched x."
    )
    worst_x: float | None = Field(description="sketch: where the drawing is furthest off.")
    answer: float | None = None
    kink: dict[str, float] | None = Field(
        None, description="slope at a kink: the one-sided derivatives (any between is right)."
    )
    rule_of_thumb: float | None = Field(
        None, description="best_h: eps**(1/3) (central) or sqrt(eps) (forward)."
    )
    worst_error: float | None = None
    kinks: list[float] | None = Field(None, description="sketch: kinks inside the range.")
