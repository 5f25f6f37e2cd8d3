"""The computational graph of a typed expression or small program."""

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from app.engine.expr.graph import MAX_NAMES
from app.schemas.base import Request, Response, Step, Verdict, WarningItem, warnings_field
from app.schemas.numdiff import KINK_CODES

Value = Annotated[float, Field(ge=-1e6, le=1e6)]


class GraphProgram(Request):
    """A program and the values of its variables: what every graph endpoint starts from."""

    expr: str = Field(
        description="An expression such as `(x + y) * z`, or a program: lines (or `;`-separated "
        "statements) `name = expression` or `name += expression` (also `-=`, `*=`, `/=`), the "
        "last line an expression or a name, which is the output."
    )
    values: dict[str, Value] = Field(
        min_length=1,
        max_length=MAX_NAMES,
        description=f"The variables and their values: 1 to {MAX_NAMES} names of 1 to 8 "
        "characters (a lowercase letter, then lowercase letters, digits or `_`), none of them a "
        "function or constant name; values within ±1e6.",
    )

    @field_validator("values", mode="before")
    @classmethod
    def _how_many(cls, v: Any) -> Any:
        """Too few or too many variables, said in a learner's words (not pydantic's "items")."""
        if isinstance(v, dict) and not v:
            raise ValueError(
                "the expression reads no variable: it needs at least 1, as in x * 2 (exp, sin and "
                "the like are functions; pi and e are constants)"
            )
        if isinstance(v, dict) and len(v) > MAX_NAMES:
            raise ValueError(
                f"at most {MAX_NAMES} variables, not {len(v)}: assign some in the program or "
                "write them as numbers"
            )
        return v


class GraphRequest(GraphProgram):
    expand: bool = Field(
        False, description="Stage composite functions in primitives: sigmoid(u) as 1/(1 + exp(-u))."
    )
    h: Step = 1e-5

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expr": "(x + y) * z", "values": {"x": -2, "y": 5, "z": -4}},
                {"expr": "q = x + y\nf = q * z", "values": {"x": -2, "y": 5, "z": -4}},
                {
                    "expr": "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
                    "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
                },
            ]
        }
    )


class GraphNodeOut(Response):
    id: int
    op: str = Field(
        description='"var", "const", "add", "sub", "mul", "div", "pow", "neg" or a function name.'
    )
    label: str
    inputs: list[int] = Field(description="Ids of the nodes this one computes from, in order.")
    value: float | None = Field(description="The forward value (null if not finite).")
    grad: float | None = Field(description="d(output)/d(this node), from the reverse pass.")
    local: list[float | None] = Field(
        description="local[k] = d(this node)/d(inputs[k]) at the forward values."
    )
    name: str | None = Field(
        None, description='The step that assigns it: "q", or "q (2)" when q is assigned again.'
    )


class GraphOut(Response):
    output: float
    output_id: int = Field(description="The id of the output node.")
    nodes: list[GraphNodeOut]
    forward_order: list[int] = Field(description="The order the forward pass fills in values.")
    backward_order: list[int] = Field(
        description="The order the backward pass completes gradients, the output first (nodes "
        "that do not lead to the output are left out; their grad is 0)."
    )
    gradients: dict[str, float | None] = Field(description="Reverse mode, per variable.")
    exact: dict[str, float | None] = Field(description="The symbolic derivative, per variable.")
    numeric: dict[str, float | None] = Field(description="Central differences with step h.")
    nonfinite: int = Field(description="How many numbers above are null (not finite).")
    expand: bool
    h: float
    verdict: Verdict = Field(
        description="The reverse-mode `gradients` judged against the central differences "
        "`numeric` by the gradient check's rule (GET /api/v1/meta `verdict_rules`); `kink` "
        "where the variables that disagree have a kink or pole within ±h."
    )
    warnings: list[WarningItem] = warnings_field(
        KINK_CODES + ", `expand_precision` (a staging that loses digits, with both values), "
        "`shadowed_constant` (a step rebinds `e` or `pi`)."
    )
