"""Answers in proportion: every answer's size is estimated from the request's shapes before any
work (app.engine.cost), refused over BPX_MAX_RESPONSE_BYTES with a way to ask for less, and the
estimate bounds the real body."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.engine import cost
from app.engine.nn.layers import LAYER_KINDS
from app.engine.nn.train import prepare
from app.main import create_app
from app.schemas import TRAIN_EXAMPLE
from tests.api.helpers import assert_error

RUN = "/api/v1/network/run"
TRAIN = "/api/v1/train"


def _post(client, path, body):
    content = json.dumps(body, separators=(",", ":"))
    return client.post(path, content=content, headers={"content-type": "application/json"})


def test_the_388_mb_network_run_is_refused_before_work(client):
    """Finding 1: x 1024×256 through 16 affine 256-wide tanh layers answered 388 MB of JSON
    (the worker's RSS 75 → 630 MB); its arrays alone would be 135 MB."""
    x = (np.arange(1024 * 256).reshape(1024, 256) % 3 - 1).tolist()
    layers = [{"type": "affine", "out": 256}, {"type": "tanh"}] * 16
    body = {"x": x, "targets": [0] * 1024, "layers": layers, "gradcheck": False}
    body["loss"] = "softmax_cross_entropy"
    msg = assert_error(_post(client, RUN, body), 422, "include", "BPX_MAX_RESPONSE_BYTES")
    assert "`[]`" in msg and "fewer rows" in msg
    msg = assert_error(_post(client, RUN, body | {"include": []}), 422, "include", "arrays")


def test_include_asks_for_less_of_a_large_answer(client):
    x = (np.arange(256 * 256).reshape(256, 256) % 3 - 1).tolist()
    layers = [{"type": "affine", "out": 256}, {"type": "tanh"}] * 4
    body = {"x": x, "targets": [0] * 256, "layers": layers, "gradcheck": False}
    body["loss"] = "softmax_cross_entropy"
    assert_error(_post(client, RUN, body), 422, "include", "of JSON")
    small = _post(client, RUN, body | {"include": []})
    assert small.status_code == 200 and len(small.content) < 1000


def test_a_row_window_asks_for_part_of_every_per_row_tensor(client):
    x = (np.arange(256 * 256).reshape(256, 256) % 3 - 1).tolist()
    layers = [{"type": "affine", "out": 256}, {"type": "tanh"}] * 4
    body = {"x": x, "targets": [0] * 256, "layers": layers, "gradcheck": False}
    body["loss"] = "softmax_cross_entropy"
    window = _post(client, RUN, body | {"rows": [8, 24]})
    assert window.status_code == 200, window.text[:300]
    got = window.json()
    assert [len(f["output"]) for f in got["forward"]] == [16] * 8 and len(got["seed"]) == 16
    small = body | {"x": [row[:8] for row in x[:32]], "targets": [0] * 32}
    small["layers"] = [{"type": "affine", "out": 16}, {"type": "tanh"}] * 2
    full = _post(client, RUN, small).json()
    part = _post(client, RUN, small | {"rows": [8, 24], "gradcheck": True}).json()
    assert part["forward"][3]["output"] == full["forward"][3]["output"][8:24]
    assert part["params"] == full["params"]
    assert part["backward"][0]["grad_input"] == full["backward"][0]["grad_input"][8:24]
    x_check = next(c for c in part["gradcheck"] if c["param"] == "x")
    assert len(x_check["numeric"]) == 16
    assert_error(_post(client, RUN, small | {"rows": [8, 40]}), 422, "rows", "stop <= 32")


def test_a_training_line_over_the_limit_is_refused_before_work(client):
    """Finding 1: 32 affine layers 256 wide with checkpoint streamed lines of 56-115 MB."""
    layers = [{"type": "affine", "out": 256}] * 31 + [{"type": "affine", "out": 2}]
    body = TRAIN_EXAMPLE | {"layers": layers, "batch_size": 1024, "epochs": 2}
    body |= {"report_every": 1, "checkpoint": True, "dataset": {"name": "xor", "n": 2048}}
    r = _post(client, TRAIN, body)
    assert_error(r, 422, None, "fewer or narrower layers")


def _csv(classes: int, rows: int) -> str:
    rng = np.random.default_rng(0)
    lines = [f"{a:.3f},{b:.3f},{k % classes}" for k, (a, b) in enumerate(rng.random((rows, 2)))]
    return "x1,x2,label\n" + "\n".join(lines)


def test_a_stream_ends_at_its_byte_budget_with_a_resume():
    """Finding 3: 10 classes, a boundary every epoch on a 100 × 100 grid streamed 3.15 GB in
    60 s; the stream now stops at BPX_MAX_STREAM_BYTES, resumable."""
    budget = 4 * 2**20
    app = create_app(Settings(max_stream_bytes=budget))
    body = TRAIN_EXAMPLE | {
        "dataset": {"name": "csv", "csv": _csv(10, 200)},
        "layers": [{"type": "affine", "out": 8}, {"type": "tanh"}, {"type": "affine", "out": 10}],
        "epochs": 100_000,
        "report_every": 1,
        "boundary_every": 1,
        "grid": 100,
    }
    with TestClient(app) as c:
        r = _post(c, TRAIN, body)
    assert r.status_code == 200
    assert len(r.content) <= budget
    lines = [json.loads(line) for line in r.text.splitlines()]
    done = lines[-1]
    assert done["reason"] == "size_limit" and done["epoch"] >= lines[-2]["epoch"]
    assert {"params", "optimizer_state", "step"} <= set(done)
    assert len(lines) > 2


def test_a_boundary_over_the_line_limit_is_refused_naming_the_grid():
    app = create_app(Settings(max_response_bytes=512 * 1024))
    body = TRAIN_EXAMPLE | {"dataset": {"name": "csv", "csv": _csv(10, 50)}, "grid": 100}
    body["layers"] = [{"type": "affine", "out": 10}]
    with TestClient(app) as c:
        r = _post(c, TRAIN, body)
    assert_error(r, 422, "grid", "lower grid")


# ------------------------------------------------------------------ the estimate bounds the body

layer = st.one_of(
    st.builds(lambda out: {"type": "affine", "out": out}, st.integers(1, 12)),
    st.sampled_from(sorted(set(LAYER_KINDS) - {"affine"})).map(lambda kind: {"type": kind}),
)


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_every_layer_kinds_record_gives_the_cost_model_its_shapes(client, kind):
    """The cost model reads each kind's record (no list of names of its own): its parameters
    are counted, and the estimate bounds the real answer of a run with a check."""
    spec = {"type": kind, "out": 5} if kind == "affine" else {"type": kind}
    (shape,) = cost.stack_shapes(5, [spec])
    assert len(shape.params) == len(LAYER_KINDS[kind].params)
    layers = [{"type": "affine", "out": 5}, spec, {"type": "affine", "out": 2}]
    if kind == "softmax":
        layers.append({"type": "identity"})
    body = {"x": np.linspace(-1, 1, 12).reshape(4, 3).tolist(), "targets": [0, 1, 1, 0],
            "layers": layers, "loss": "softmax_cross_entropy", "gradcheck": True}  # fmt: skip
    r = _post(client, RUN, body)
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) <= cost.network_run(4, 3, layers, True).bytes


@st.composite
def network_requests(draw):
    N, D = draw(st.integers(1, 12)), draw(st.integers(1, 6))
    layers = draw(st.lists(layer, min_size=1, max_size=6))
    scale = draw(st.sampled_from([1e-300, 1e-5, 1.0, 1e5, 1e300]))
    x = (np.random.default_rng(draw(st.integers(0, 9))).standard_normal((N, D)) * scale).tolist()
    include = draw(st.lists(st.sampled_from(cost.PARTS), unique=True))
    start = draw(st.integers(0, N - 1))
    rows = draw(st.one_of(st.none(), st.integers(start + 1, N).map(lambda stop: [start, stop])))
    return {
        "rows": rows,
        "x": x,
        "targets": [[0.5] * 1] * N,
        "layers": [*layers, {"type": "affine", "out": 1}],
        "loss": "mse",
        "gradcheck": draw(st.booleans()),
        "dtype": draw(st.sampled_from(["float64", "float32"])),
        "include": include,
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=network_requests())
def test_the_estimated_size_of_a_network_run_bounds_the_real_one(client, body):
    r = _post(client, RUN, body)
    if r.status_code != 200:
        return  # refused (an overflow, say): nothing to bound
    N, D = len(body["x"]), len(body["x"][0])
    rows = None if body["rows"] is None else tuple(body["rows"])
    estimate = cost.network_run(N, D, body["layers"], body["gradcheck"], body["include"], rows)
    assert len(r.content) <= estimate.bytes


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 10), min_size=0, max_size=3),
    classes=st.integers(2, 5),
    grid=st.integers(2, 20),
    optimizer=st.sampled_from(["sgd", "momentum", "adam", "rmsprop"]),
    checkpoint=st.booleans(),
)
def test_the_estimated_size_of_every_training_line_bounds_the_real_one(
    hidden, classes, grid, optimizer, checkpoint
):
    from app.engine.nn.datasets import make_data
    from app.responses import ndjson_line

    data = make_data("gaussians", 40, 0.3, classes, seed=1)
    layers = [layer for h in hidden for layer in ({"type": "affine", "out": h}, {"type": "tanh"})]
    layers.append({"type": "affine", "out": classes})
    run = prepare(
        data,
        layers,
        optimizer=optimizer,
        epochs=4,
        report_every=1,
        boundary_every=2,
        grid=grid,
        checkpoint=checkpoint,
    )
    report, with_boundary, last = run.line_bytes
    for line in run.stream():
        size = len(ndjson_line(line))
        bound = last if line.get("done") else with_boundary if "boundary" in line else report
        assert size <= bound, (line.keys(), size, bound)
