"""Every limit is one setting, and an app built with small limits enforces each over HTTP."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.engine.limits import Limits
from app.main import create_app
from tests.api.helpers import assert_error

SMALL = Settings(
    max_batch=3,
    max_side=4,
    max_layers=2,
    max_points=50,
    max_steps=5,
    max_expr_chars=20,
    max_expr_nodes=12,
    max_expr_depth=4,
    max_variables=2,
    gradcheck_budget=1000,
)


@pytest.fixture(scope="module")
def small():
    with TestClient(create_app(SMALL), raise_server_exceptions=False) as c:
        yield c


def test_every_limit_is_a_setting():
    assert set(Limits.names()) <= set(Settings.model_fields)
    assert SMALL.limits() == Limits(**{n: getattr(SMALL, n) for n in Limits.names()})
    assert Settings().limits() == Limits()  # the defaults are declared once


def net(x, layers, **kw):
    return {"x": x, "targets": [[0.0]] * len(x), "layers": layers, "loss": "mse"} | kw


AFFINE_1 = {"type": "affine", "in": 1, "out": 1}
CASES = [
    ("/api/v1/network/run", net([[1.0]] * 4, [AFFINE_1]), "x", "BPX_MAX_BATCH"),
    (
        "/api/v1/network/run",
        net([[1.0]], [{"type": "affine", "in": 1, "out": 5}], targets=[0]),
        "out",
        "BPX_MAX_SIDE",
    ),
    ("/api/v1/network/run", net([[1.0]], [AFFINE_1] * 3), "layers", "BPX_MAX_LAYERS"),
    ("/api/v1/activations/curve", {"activation": "relu", "num": 51}, "num", "BPX_MAX_POINTS"),
    ("/api/v1/numdiff/derivative", {"expr": "x", "num": 51}, "num", "BPX_MAX_POINTS"),
    ("/api/v1/numdiff/grid", {"expr": "x1*x2", "num": 8}, "num", "BPX_MAX_POINTS"),
    (
        "/api/v1/numdiff/descent",
        {"expr": "x1**2", "start": [1.0], "steps": 6},
        "steps",
        "BPX_MAX_STEPS",
    ),
    (
        "/api/v1/numdiff/gradient",
        {"expr": "x1", "point": [1.0, 2.0, 3.0]},
        "point",
        "BPX_MAX_VARIABLES",
    ),
    ("/api/v1/numdiff/gradient", {"expr": "x1 + " * 5 + "x1", "point": [1.0]}, "expr", "20"),
    ("/api/v1/numdiff/gradient", {"expr": "x1+x1+x1+x1+x1+x1+x1", "point": [1.0]}, "expr", "12"),
    ("/api/v1/numdiff/gradient", {"expr": "((((((x1))))))+x1", "point": [1.0]}, "expr", "4"),
]


@pytest.mark.parametrize(("path", "body", "loc", "words"), CASES)
def test_small_limits_are_enforced(small, client, path, body, loc, words):
    assert_error(small.post(path, json=body), 422, loc, words)
    assert client.post(path, json=body).status_code == 200  # the default app accepts it


def test_the_gradcheck_budget_is_the_apps(small, client):
    body = net([[1.0, 2.0]] * 3, [{"type": "affine", "in": 2, "out": 4}], gradcheck=True)
    body["targets"] = [[0.0] * 4] * 3
    msg = assert_error(small.post("/api/v1/network/run", json=body), 422, "gradcheck")
    assert "limit of 1e+03" in msg
    assert client.post("/api/v1/network/run", json=body).status_code == 200
