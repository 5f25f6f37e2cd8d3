"""The training playground: stream a training run as NDJSON, preview its data, export it."""

import json

from fastapi import Request
from fastapi.responses import Response

from app.api.deps import LimitsDep
from app.api.routing import api_router
from app.engine.limits import Limits
from app.engine.nn.datasets import DATASETS, Data, make_data
from app.engine.nn.export import python_script
from app.engine.nn.train import prepare
from app.responses import NDJSONResponse, ndjson_line, respond
from app.schemas import (
    ERROR_RESPONSES,
    TRAIN_EXAMPLE,
    DataOut,
    DatasetIn,
    DatasetsOut,
    ScriptRequest,
    TrainLine,
    TrainRequest,
)
from app.schemas.base import EXAMPLE_DIGITS, example_numbers
from app.trainers import Job, TrainingResponse, stream

router = api_router(prefix="/api/v1/train", tags=["training"])

# The stream's errors are JSON like every other error (the route's own media type is NDJSON).
JSON_ERRORS = {
    code: {
        "description": r["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for code, r in ERROR_RESPONSES.items()
}


def _example_stream() -> str:
    """A real (short) stream for the OpenAPI example: 3 epochs, a 3 × 3 boundary grid, its
    numbers rounded (:func:`app.schemas.base.example_numbers`)."""
    data = make_data("xor", 40, 0.1, 2, seed=0)
    run = prepare(data, TRAIN_EXAMPLE["layers"], epochs=3, boundary_every=3, grid=3)
    lines = [example_numbers(json.loads(ndjson_line(line))) for line in run.stream()]
    return "".join(json.dumps(line) + "\n" for line in lines)


STREAM_DOC = """One JSON object per line (`application/x-ndjson`): a report per reported epoch (the
first and the last included), then a last line with `"done": true`. Reports carry
`epoch, train_loss, test_loss, train_accuracy, test_accuracy, grad_norms, update_ratios`, every
`boundary_every` epochs `boundary {x1, x2, probs}` (or `curve {x, y}` for the regression set),
and with `checkpoint: true` a `resume` object. The last line's `reason` is `max_epochs`,
`time_limit` (`BPX_MAX_TRAIN_SECONDS`, 60 s by default: send the request again with `resume`)
or `diverged` (with the epoch and a `msg`); it carries `params` (placed into the affine layers
as `W` and `b`, /api/v1/network/run gives the reported `train_loss` on the training rows),
`optimizer_state`, `epoch` and `step`: the `resume` of the next request, which then continues
bit for bit, on any replica. `size_limit` (`BPX_MAX_STREAM_BYTES`) ends a stream whose next report
would take it over its byte budget, with a resume as at the time limit. The clock and the client
are read every few optimizer steps: closing the connection stops the training within a few steps,
and an epoch the time limit cuts is undone (the last line holds the state after the last whole
epoch)."""


def _data(dataset: DatasetIn, limits: Limits) -> Data:
    return make_data(**dataset.engine_args(), max_rows=limits.max_train_points)


@router.post(
    "",
    response_class=NDJSONResponse,
    responses={
        200: {
            "model": TrainLine,
            "description": STREAM_DOC + " The example is a real three-epoch stream on a 3 × 3 "
            f"grid, its numbers rounded to {EXAMPLE_DIGITS} significant digits.",
            "content": {"application/x-ndjson": {"example": _example_stream()}},
        },
        **JSON_ERRORS,
    },
    summary="Train a layer stack on a toy or uploaded data set, streaming every epoch",
    description="Mini-batch training of `layers` on `dataset` with one of six optimizers, L2 "
    "and a seeded shuffle, deterministic to the last bit. " + STREAM_DOC,
)
def train(body: TrainRequest, request: Request, limits: LimitsDep):
    run = body.engine_args()
    training = prepare(_data(body.dataset, limits), **run, limits=limits)  # every 422, now
    trainers = request.app.state.trainers
    place = trainers.take()  # or a 503: every training place of this worker is taken
    job = Job(body.dataset.engine_args(), limits.max_train_points, run, limits)
    lines = stream(job, place, trainers.nice, request, max(training.line_bytes))
    return TrainingResponse(place, lines)


@router.get(
    "/datasets",
    response_model=None,
    responses={200: {"model": DatasetsOut}},
    summary="The data sets and the training limits",
    description="Every data set `/train` can generate (its classes, its input width, a noise "
    "level that shows its shape) and the limits in force: points, epochs, seconds per request.",
)
def datasets(limits: LimitsDep):
    return respond(
        {
            "datasets": [k.describe() for k in DATASETS.values()],
            "max_points": limits.max_train_points,
            "max_epochs": limits.max_epochs,
            "max_train_seconds": limits.max_train_seconds,
        }
    )


@router.post(
    "/data",
    response_model=None,
    responses={200: {"model": DataOut}, **ERROR_RESPONSES},
    summary="The points of a data set, split into training and test rows",
    description="Exactly the rows `/train` trains and tests on for this `dataset`; for `csv`, "
    "a bad row is named in the 422 (`row 17: label 'cat' is not a whole number`).",
)
def data(body: DatasetIn, limits: LimitsDep):
    return respond(_data(body, limits).preview())


@router.post(
    "/script",
    response_class=Response,
    responses={
        200: {"content": {"text/x-python": {}}, "description": "A numpy-only Python script."},
        **ERROR_RESPONSES,
    },
    summary="The trained network as a self-contained Python script (numpy only)",
    description="Send the training request with `resume.params` (the trained weights from the "
    "stream's last line): the script recreates the data set and the weights and prints the test "
    "accuracy the stream reported.",
)
def script(body: ScriptRequest, limits: LimitsDep) -> Response:
    data = _data(body.dataset, limits)
    trained = body.resume.engine().params
    text = python_script(data, [layer.spec() for layer in body.layers], trained, body.loss)
    name = f"trained_{data.name}.py"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text, media_type="text/x-python", headers=headers)
