"""``POST /api/v1/exercises/backward``: a learner's array expression for one gradient."""

from typing import Literal

from pydantic import ConfigDict, Field

from app.engine.exercises.backward import DIAGNOSES, VERDICTS
from app.schemas.base import OutMatrix, OutVector, Request, Response, WarningItem
from app.schemas.network import NETWORK_EXAMPLE, NetworkRequest

__all__ = ["BackwardExerciseOut", "BackwardExerciseRequest", "BackwardTarget"]

BACKWARD_EXAMPLE = {
    "network": {k: v for k, v in NETWORK_EXAMPLE.items() if k not in ("gradcheck", "h")},
    "target": {"index": 0, "tensor": "W"},
    "answer": "x.T @ dy",
    "reveal": False,
}


class BackwardTarget(Request):
    """Which gradient the answer is for."""

    index: int | None = Field(
        ge=0,
        description="The layer's index; for `seed`, the loss's (the last layer's index + 1) "
        "or null.",
    )
    tensor: str = Field(
        min_length=1,
        max_length=16,
        description="`x` (the layer's input gradient), a parameter of the layer (`W`, `b`, "
        "`gamma`, `beta`), or `seed` (the loss's dL/dy).",
    )


class BackwardExerciseRequest(Request):
    network: NetworkRequest = Field(
        description="A `/network/run` body (its `gradcheck`, `h` and `include` are ignored)."
    )
    target: BackwardTarget
    answer: str = Field(
        max_length=100_000,
        description="An array expression over the layer's names, or lines `name = expression` "
        "whose last line is the answer. Names: `x`, `y`, the layer's parameters and options "
        "(`eps`, `alpha`), `dy` (the gradient arriving at the layer's output), `N`; for `seed`: "
        "`y` (the network's output), `t` (targets as N×C rows, one-hot for class indices), "
        "`N`. Allowed: numbers, `+ - * / **`, unary minus, `@`, `.T`, comparisons (1 or 0), "
        "broadcasting, `sum`/`mean`/`max` with the keywords `axis` and `keepdims`, `where(c, "
        "a, b)`, `softmax(a, axis)`, `ones_like`, `zeros_like` and the elementwise functions "
        "of the expression language (`exp`, `log`, `sqrt`, `tanh`, `sigmoid`, ...). Every "
        "intermediate is bounded before it runs.",
    )
    reveal: bool = Field(
        False, description="Also send the engine's gradient (`expected`) and a reference answer."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [BACKWARD_EXAMPLE]})


class BackwardExerciseOut(Response):
    verdict: Literal[VERDICTS] = Field(  # type: ignore[valid-type]
        description="`exact` (bit for bit), `close` (within the gradient check's atol and rtol, "
        "atol scaled to the tensor), `wrong`, or `shape` (the answer's shape is not the "
        "gradient's)."
    )
    shape: list[int] = Field(description="The answer's shape.")
    expected_shape: list[int] = Field(description="The gradient's shape.")
    max_abs_diff: float | None = Field(
        description="Largest |answer − gradient| (null for a shape mismatch or a non-finite "
        "answer)."
    )
    wrong_cells: list[list[bool]] | list[bool] | None = Field(
        description="Which entries are outside the tolerance, on the gradient's grid (null for "
        "a shape mismatch)."
    )
    diagnosis: Literal[DIAGNOSES] | None = Field(  # type: ignore[valid-type]
        description="The mistake, when it is one of the usual ones."
    )
    hint: str = Field(description="The verdict and the diagnosis in words, with the numbers.")
    names: dict[str, list[int]] = Field(description="The names the answer may use: their shapes.")
    warnings: list[WarningItem] = Field(
        default_factory=list,
        description="The network's fragile results (e.g. an underflowed cross-entropy, whose "
        "capped seed the textbook formula does not reproduce), said rather than hidden.",
    )
    expected: OutMatrix | OutVector | None = Field(None, description="Only with `reveal`.")
    reference: str | None = Field(None, description="An accepted answer; only with `reveal`.")
    nonfinite: int = 0
