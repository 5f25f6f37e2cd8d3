"""The training playground: the request, and the NDJSON lines the stream sends."""

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    RootModel,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from app.engine.nn.datasets import CSV, DATASETS, make_data
from app.engine.nn.layers import LAYER_KINDS
from app.engine.nn.train import Resume, prepare
from app.schemas.base import (
    Limit,
    Matrix,
    OutMatrix,
    OutVector,
    Request,
    Response,
    Vector,
    WarningItem,
    _rectangular,
    example_numbers,
    warnings_field,
)
from app.schemas.network import Layer, LossName, ParamsItem
from app.schemas.numdiff import OptimizerName, OptimizerOptions

DatasetName = Literal[(*DATASETS, CSV)]  # type: ignore[valid-type]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Tensor = Matrix | Vector
MAX_STEP = 2**53  # counts of optimizer steps stay exact in a float64 (and in JavaScript)

TRAIN_LAYERS = [
    {"type": "affine", "in": 2, "out": 8, "init": "xavier", "seed": 0},
    {"type": "tanh"},
    {"type": "affine", "out": 8, "init": "xavier", "seed": 1},
    {"type": "tanh"},
    {"type": "affine", "out": 2, "init": "xavier", "seed": 2},
]
TRAIN_EXAMPLE = {
    "dataset": {"name": "xor", "n": 400, "noise": 0.1, "classes": 2, "seed": 0},
    "layers": TRAIN_LAYERS,
    "loss": "softmax_cross_entropy",
    "optimizer": "adam",
    "lr": 0.01,
    "batch_size": 32,
    "epochs": 200,
    "l2": 0.0,
    "report_every": 10,
    "seed": 0,
}


class DatasetIn(Request):
    name: DatasetName = Field("xor", description="A generated set, or `csv` for `csv` below.")
    n: Annotated[int, Field(ge=2, description="Points in all."), Limit("max_train_points")] = 400
    noise: float = Field(0.1, ge=0, le=10, description="Standard deviation of the noise.")
    classes: int = Field(
        2, ge=1, le=5, description="2 for xor and moons, 2-5 for the others; ignored by sine."
    )
    seed: Seed = 0
    test_fraction: float = Field(0.5, gt=0, lt=1, description="Share of the points held out.")
    csv: str | None = Field(
        None,
        description="For `name: csv`: rows `x1,x2,label` (header optional, labels 0-9), at most "
        "`BPX_MAX_TRAIN_POINTS` rows.",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [TRAIN_EXAMPLE["dataset"]]})

    def engine_args(self) -> dict[str, Any]:
        return self.model_dump()


class _Params(Request):
    index: int = Field(ge=0, description="The layer these belong to.")

    @model_validator(mode="after")
    def _check(self) -> "_Params":
        if getattr(self, "W", None) is not None:
            _rectangular(self.W, "W")  # type: ignore[attr-defined]
        return self


def _param_field(name: str) -> tuple[Any, Any]:
    """An optional field for parameter ``name`` (a matrix for W, else one entry per column),
    described by the layer kinds that have it."""
    kinds = ", ".join(k.name for k in LAYER_KINDS.values() if name in k.params)
    return (Matrix if name == "W" else Vector) | None, Field(None, description=kinds)


# One layer's trained parameters (and carried buffers), as a stream's last line gives them:
# a field per parameter name of the layer records.
ParamsIn = create_model(
    "ParamsIn",
    __base__=_Params,
    __doc__="One layer's trained parameters, as a stream's last line gives them.",
    **{
        name: _param_field(name)
        for name in dict.fromkeys(n for k in LAYER_KINDS.values() for n in k.params)
    },
)


class ResumeIn(Request):
    """Where a paused run stands, as the last line (or a report's `resume`) returned it."""

    params: Annotated[list[ParamsIn], Field(min_length=1), Limit("max_layers")]
    optimizer_state: Annotated[
        dict[str, Annotated[list[Tensor], Limit("max_layers")]], Field(max_length=4)
    ] = Field(
        description="Per slot (`m`, `v`, ...), one tensor per parameter tensor, in layer order; "
        "`{}` starts the optimizer afresh (after a change of optimizer, say)."
    )
    epoch: Annotated[int, Field(ge=0, description="Epochs done."), Limit("max_epochs")]
    step: int | None = Field(
        None,
        ge=0,
        le=MAX_STEP,
        description="Optimizer steps done (Adam's t); at most 2^53, far more than the limits "
        "let a run take.",
    )

    def engine(self) -> Resume:
        params = [p.model_dump(exclude_none=True) for p in self.params]
        return Resume(params, self.optimizer_state, self.epoch, self.step)


class TrainRequest(OptimizerOptions):
    dataset: DatasetIn = Field(default_factory=DatasetIn)
    layers: Annotated[list[Layer], Field(min_length=1), Limit("max_layers")]
    loss: LossName = "softmax_cross_entropy"
    optimizer: OptimizerName = "adam"
    lr: float = Field(0.01, gt=0, le=100, description="Learning rate.")
    batch_size: Annotated[int, Field(ge=1), Limit("max_batch")] = 32
    epochs: Annotated[
        int,
        Field(
            ge=0,
            description="Epochs in all (a resumed run goes on counting); 0: only the report "
            "of the initial network.",
        ),
        Limit("max_epochs"),
    ] = 200
    l2: float = Field(0.0, ge=0, le=100, description="Adds (l2/2)·Σ‖W‖² (weights, not biases).")
    report_every: int = Field(1, ge=1, description="Report every k epochs (and the first, last).")
    boundary_every: int = Field(
        10,
        ge=0,
        description="Decision boundary every k epochs (0: never); a multiple of report_every.",
    )
    grid: Annotated[int, Field(ge=2, description="Boundary grid side."), Limit("max_grid")] = 64
    seed: Seed = Field(0, description="Seed of the mini-batch shuffle.")
    checkpoint: bool = Field(False, description="Put what a resume needs in every report.")
    resume: ResumeIn | None = Field(
        None,
        description="Go on from a checkpoint (a report's `resume`, the last line's state). With "
        "`epochs` equal to its `epoch` the stream reports that state once (a link reopening it).",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [TRAIN_EXAMPLE]})

    @field_validator("boundary_every")
    @classmethod
    def _with_a_report(cls, value: int, info: ValidationInfo) -> int:
        every = info.data.get("report_every")
        if every and value % every:
            raise ValueError(
                f"boundary_every ({value}) must be a multiple of report_every ({every}): the "
                "boundary comes with a report"
            )
        return value

    def engine_args(self) -> dict[str, Any]:
        """The arguments of :func:`app.engine.nn.train.prepare`, the data set left out."""
        return {
            "layers": [layer.spec() for layer in self.layers],
            "loss": self.loss,
            "optimizer": self.optimizer,
            "options": self.optimizer_options(),
            "resume": self.resume.engine() if self.resume else None,
        } | self.model_dump(
            include={"lr", "batch_size", "epochs", "l2", "report_every", "boundary_every"}
            | {"grid", "seed", "checkpoint"}
        )


@cache
def script_example() -> dict[str, Any]:
    """``/train/script``'s example: a short run of the training example, with the weights and
    the optimizer state its last line gave as ``resume`` (computed once, when first asked), its
    numbers rounded (:func:`app.schemas.base.example_numbers`)."""
    body = TRAIN_EXAMPLE | {"dataset": TRAIN_EXAMPLE["dataset"] | {"n": 40}, "epochs": 3}
    data = make_data(**body["dataset"])
    *_, done = prepare(data, body["layers"], epochs=3, boundary_every=0).stream()
    resume = {k: done[k] for k in ("params", "optimizer_state", "epoch", "step")}
    return body | {"resume": example_numbers(resume)}


class ScriptRequest(TrainRequest):
    """A training request with the trained weights, for ``/train/script``."""

    resume: ResumeIn = Field(  # type: ignore[assignment]
        description="Where the run ended: `params` are the weights the script writes out."
    )

    model_config = ConfigDict(
        json_schema_extra=lambda schema: schema.update(examples=[script_example()])
    )


# ------------------------------------------------------------------------ the stream's lines


class Boundary(Response):
    x1: OutVector
    x2: OutVector
    probs: list[OutMatrix] = Field(
        description="`probs[i][j]`: the class probabilities at x1[j], x2[i]."
    )


class Curve(Response):
    x: OutVector
    y: OutVector = Field(description="The network's output at x (regression sets).")


class ResumeOut(Response):
    params: list[ParamsItem]
    optimizer_state: dict[str, list[OutMatrix | OutVector]]
    epoch: int
    step: int


class TrainReport(Response):
    """One reported epoch."""

    epoch: int
    train_loss: float | None = Field(description="Mean loss on the training rows (no L2 term).")
    test_loss: float | None
    train_accuracy: float | None = Field(description="null for a regression set.")
    test_accuracy: float | None
    grad_norms: OutVector = Field(
        description="‖dL/dθ‖ over the training rows for every parameter tensor in layer order "
        "(W then b of an affine layer, gamma then beta of a layernorm)."
    )
    update_ratios: list[float | None] | None = Field(
        description="‖ΔW‖/‖W‖ of each affine layer at the epoch's last step (null at epoch 0)."
    )
    boundary: Boundary | None = Field(None, description="Every `boundary_every` epochs.")
    curve: Curve | None = Field(None, description="Instead of `boundary` for regression sets.")
    resume: ResumeOut | None = Field(None, description="With `checkpoint: true`.")
    warnings: list[WarningItem] = warnings_field(
        "`loss_grew` (the training loss has grown several times over its value where the stream "
        "started), `loss_not_finite`, `update_ratio_large` (one step moved a layer's weights by "
        "a tenth of their size or more). The run goes on; each says to lower `lr`."
    )


class TrainDone(Response):
    """The last line."""

    done: Literal[True]
    reason: Literal["max_epochs", "time_limit", "size_limit", "diverged"] = Field(
        description="`time_limit` (`BPX_MAX_TRAIN_SECONDS`) and `size_limit` (the stream's "
        "`BPX_MAX_STREAM_BYTES`) carry a resume: send the request again with it to go on."
    )
    epoch: int = Field(description="Epochs done (for `diverged`: the epoch where it happened).")
    step: int
    seed: int | None = None
    params: list[ParamsItem] | None = Field(
        None, description="The trained W, b, by layer index: /api/v1/network/run takes them."
    )
    optimizer_state: dict[str, list[OutMatrix | OutVector]] | None = None
    msg: str | None = Field(
        None, description="Why a diverged run stopped, or why not one epoch fitted in the time."
    )


class TrainLine(RootModel[TrainReport | TrainDone]):
    """One line of the NDJSON stream: a report, or the last line."""


class DatasetKindOut(Response):
    name: str
    title: str
    min_classes: int
    max_classes: int
    regression: bool
    width: int
    noise: float = Field(description="A noise level that shows the shape.")


class DatasetsOut(Response):
    datasets: list[DatasetKindOut]
    max_points: int
    max_epochs: int
    max_train_seconds: float


class DataOut(Response):
    name: str
    classes: int
    regression: bool
    x_train: OutMatrix
    y_train: list[int] | OutMatrix
    x_test: OutMatrix
    y_test: list[int] | OutMatrix
    extent: list[list[float]]
