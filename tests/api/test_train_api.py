"""/api/v1/train: the NDJSON stream, its bounds and errors, the data preview and the export."""

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.schemas import TRAIN_EXAMPLE
from tests.api.helpers import assert_error, finite_or_null

TRAIN = "/api/v1/train"
FAST = TRAIN_EXAMPLE | {"epochs": 30, "lr": 0.03, "dataset": TRAIN_EXAMPLE["dataset"] | {"n": 200}}


def stream(client, body):
    r = client.post(TRAIN, json=body)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/x-ndjson"
    assert r.text.endswith("\n")
    return [json.loads(line) for line in r.text.splitlines()]


def placed(layers, params):
    """The layers with the stream's trained W and b placed into them, as /network/run takes."""
    layers = [dict(layer) for layer in layers]
    for p in params:
        layers[p["index"]] |= {"W": p["W"], "b": p["b"]}
    return layers


def test_stream_lines_follow_the_contract(client):
    lines = stream(client, FAST | {"report_every": 10, "boundary_every": 20, "grid": 8})
    reports, done = lines[:-1], lines[-1]
    assert [r["epoch"] for r in reports] == [0, 10, 20, 30]
    for r in reports:
        assert {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"} <= set(r)
        assert len(r["grad_norms"]) == 6 and finite_or_null(r["grad_norms"])
        assert 0 <= r["test_accuracy"] <= 1
    assert [("boundary" in r) for r in reports] == [True, False, True, True]
    b = reports[2]["boundary"]
    assert set(b) == {"x1", "x2", "probs"} and len(b["x1"]) == 8
    assert len(b["probs"]) == 8 and len(b["probs"][0]) == 8 and len(b["probs"][0][0]) == 2
    assert done["done"] is True and done["reason"] == "max_epochs" and done["epoch"] == 30
    assert {"params", "optimizer_state", "step", "seed"} <= set(done)
    assert reports[-1]["test_accuracy"] > reports[0]["test_accuracy"]


def test_trained_params_give_the_reported_loss_through_network_run(client):
    lines = stream(client, FAST)
    data = client.post(f"{TRAIN}/data", json=FAST["dataset"]).json()
    body = {
        "x": data["x_train"],
        "targets": data["y_train"],
        "layers": placed(FAST["layers"], lines[-1]["params"]),
        "loss": FAST["loss"],
        "gradcheck": False,
    }
    r = client.post("/api/v1/network/run", json=body)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["loss"] == pytest.approx(lines[-2]["train_loss"], rel=1e-12, abs=1e-15)


def test_checkpointed_reports_resume_bit_for_bit(client):
    whole = stream(client, FAST | {"epochs": 12, "report_every": 3, "boundary_every": 6})
    part = stream(client, FAST | {"epochs": 12, "report_every": 3, "boundary_every": 6,
                                  "checkpoint": True})  # fmt: skip
    paused = part[2]  # as if the client closed the stream after the report of epoch 6
    assert paused["epoch"] == 6 and set(paused["resume"]) == {"params", "optimizer_state",
                                                             "epoch", "step"}  # fmt: skip
    rest = stream(client, FAST | {"epochs": 12, "report_every": 3, "boundary_every": 6,
                                  "resume": paused["resume"]})  # fmt: skip
    assert rest == whole[3:]


def test_csv_upload_trains_and_bad_rows_are_named(client):
    points = (f"{i / 10},{(i % 7) / 10},{int(i % 7 > 3)}" for i in range(60))
    rows = "x1,x2,label\n" + "\n".join(points)
    body = FAST | {"dataset": {"name": "csv", "csv": rows, "seed": 1}, "epochs": 3}
    assert stream(client, body)[-1]["reason"] == "max_epochs"
    bad = rows.replace("\n3.0,", "\n3.0x,", 1)
    msg = assert_error(client.post(TRAIN, json=body | {"dataset": {"name": "csv", "csv": bad}}),
                       422, "csv")  # fmt: skip
    assert msg == "row 32: x1 '3.0x' is not a number."
    r = client.post(f"{TRAIN}/data", json={"name": "csv", "csv": "a,b\n1,2"})
    assert_error(r, 422, "csv", "the header must be x1,x2,label")


def test_a_diverging_learning_rate_ends_the_stream_with_the_epoch(client):
    layers = [{"type": "affine", "out": 16, "seed": 1}, {"type": "relu"},
              {"type": "affine", "out": 1, "seed": 2}]  # fmt: skip
    lines = stream(client, FAST | {"layers": layers, "loss": "mse", "optimizer": "sgd",
                                   "lr": 50.0, "epochs": 100})  # fmt: skip
    done = lines[-1]
    assert done["reason"] == "diverged" and 1 <= done["epoch"] < 100
    assert "lower the learning rate" in done["msg"]


def test_the_wall_time_bound_ends_the_stream_early_with_what_resume_needs():
    app = create_app(Settings(max_train_seconds=1e-6))
    with TestClient(app) as client:
        lines = stream(client, FAST | {"epochs": 10_000, "report_every": 1000})
    done = lines[-1]
    assert done["reason"] == "time_limit" and done["epoch"] == 1  # one epoch, then the check
    assert lines[-2]["epoch"] == 1 and "boundary" in lines[-2]
    assert {"params", "optimizer_state", "step"} <= set(done)


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"epochs": 100_001}, "epochs", "BPX_MAX_EPOCHS"),
        ({"grid": 101}, "grid", "BPX_MAX_GRID"),
        ({"batch_size": 1025}, "batch_size", "BPX_MAX_BATCH"),
        ({"dataset": {"name": "xor", "n": 5001}}, "n", "BPX_MAX_TRAIN_POINTS"),
        ({"dataset": {"name": "xor", "classes": 3}}, "classes", "xor takes exactly 2"),
        ({"dataset": {"name": "sine"}, "layers": [{"type": "affine", "out": 2}]}, "loss",
         "regression set"),
        ({"optimizer": "lbfgs"}, "optimizer", ""),
        ({"report_every": 4, "boundary_every": 10}, "boundary_every", "multiple of report_every"),
        ({"resume": {"params": [{"index": 3, "W": [[1.0]], "b": [0.0]}],
                     "optimizer_state": {}, "epoch": 0}}, "index", "not a layer with parameters"),
        ({"layers": [{"type": "tanh"}]}, "layers", "nothing to train"),
        ({"resume": {"params": [{"index": 0, "W": [[1.0] * 8] * 2}],
                     "optimizer_state": {}, "epoch": 0}}, "params", "takes W, b; got W"),
    ],
)  # fmt: skip
def test_bad_requests_are_422_naming_the_field(client, change, loc, words):
    assert_error(client.post(TRAIN, json=FAST | change), 422, loc, words)


def test_datasets_lists_the_registry_and_the_limits(client):
    d = client.get(f"{TRAIN}/datasets").json()
    assert [k["name"] for k in d["datasets"]] == ["xor", "circles", "gaussians", "spiral", "moons",
                                                 "sine"]  # fmt: skip
    assert d["max_points"] == 5000 and d["max_train_seconds"] == 60.0


def test_data_preview_is_the_training_split(client):
    d = client.post(f"{TRAIN}/data", json={"name": "spiral", "n": 90, "classes": 3}).json()
    assert len(d["x_train"]) == len(d["y_train"]) == 45 and len(d["x_test"]) == 45
    assert d["classes"] == 3 and len(d["extent"]) == 2 and set(d["y_test"]) == {0, 1, 2}


def test_exported_script_prints_the_streamed_test_accuracy(client, tmp_path):
    body = FAST | {"dataset": {"name": "circles", "n": 300, "noise": 0.1}, "epochs": 60}
    lines = stream(client, body)
    trained = {k: lines[-1][k] for k in ("params", "optimizer_state", "epoch")}
    r = client.post(f"{TRAIN}/script", json=body | {"resume": trained})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-python")
    assert 'filename="trained_circles.py"' in r.headers["content-disposition"]
    script = tmp_path / "trained.py"
    script.write_text(r.text)
    out = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60, check=True)  # fmt: skip
    acc = lines[-2]["test_accuracy"]
    assert out.stdout == f"test accuracy: {acc:.4f} ({round(acc * 150)}/150)\n"
    assert "import numpy as np" in r.text and "app." not in r.text


def test_openapi_documents_the_stream_with_a_real_example(client):
    op = client.get("/openapi.json").json()["paths"]["/api/v1/train"]["post"]
    ok = op["responses"]["200"]["content"]["application/x-ndjson"]
    lines = [json.loads(line) for line in ok["example"].splitlines()]
    assert lines[0]["epoch"] == 0 and lines[-1]["done"] is True and "boundary" in lines[-2]
    assert ok["schema"]["$ref"].endswith("/TrainLine")
    assert "application/json" in op["responses"]["422"]["content"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TrainRequest"
    )
