"""Tiny work runs on the event loop, everything else in the thread pool, with the same answers."""

import pytest
from fastapi.testclient import TestClient

import app.api.compute
from app.api.compute import derivative_us, network_us
from app.config import Settings
from app.main import create_app
from app.schemas import NETWORK_EXAMPLE, DerivativeRequest, NetworkRequest

SMALL = {
    "x": [[1.0, 2.0], [3.0, 4.0]],
    "targets": [0, 1],
    "layers": [{"type": "affine", "W": [[0.1, 0.2], [0.3, 0.4]], "b": [0.0, 0.0]}],
    "loss": "softmax_cross_entropy",
}
WIDE = {  # 256 × 64 through 256: far beyond a millisecond
    "x": [[0.01 * (i % 7)] * 64 for i in range(256)],
    "targets": [i % 10 for i in range(256)],
    "layers": [
        {"type": "affine", "in": 64, "out": 256, "seed": 0},
        {"type": "relu"},
        {"type": "affine", "in": 256, "out": 10, "seed": 1},
    ],
    "loss": "softmax_cross_entropy",
    "gradcheck": False,
}
DEEP = {  # 16 affine layers of 2 × 2: tiny arithmetic, but a gradient check of 33 arrays
    "x": [[1.0, 2.0]],
    "targets": [0],
    "layers": [{"type": "affine", "in": 2, "out": 2, "seed": i} for i in range(16)],
    "loss": "softmax_cross_entropy",
    "gradcheck": True,
}
DERIVATIVE = {"expr": "sin(x)*exp(-x**2/10) + x**2", "x0": 0.5}


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions sent to the thread pool, in order."""
    sent: list[str] = []
    real = app.api.compute.run_in_threadpool

    async def counting(work, *args, **kwargs):
        sent.append(work.__qualname__)
        return await real(work, *args, **kwargs)

    monkeypatch.setattr(app.api.compute, "run_in_threadpool", counting)
    return sent


def post(settings: Settings, path: str, body: dict) -> tuple[int, bytes]:
    with TestClient(create_app(settings)) as client:
        r = client.post(path, json=body)
        return r.status_code, r.content


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/network/run", SMALL | {"gradcheck": False}),
        ("/api/v1/network/run", SMALL | {"gradcheck": True}),
        ("/api/v1/network/run", NETWORK_EXAMPLE),
        ("/api/v1/numdiff/derivative", DERIVATIVE),
    ],
)
def test_small_requests_skip_the_pool_and_answer_the_same(hops, path, body) -> None:
    inline = post(Settings(), path, body)
    assert hops == []
    pooled = post(Settings(inline_us=0), path, body)
    assert len(hops) == 1
    assert inline == pooled and inline[0] == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/network/run", WIDE),
        ("/api/v1/network/run", DEEP),
        ("/api/v1/numdiff/derivative", DERIVATIVE | {"num": 10001}),
        (
            "/api/v1/numdiff/derivative",
            {"expr": " + ".join(["sin(x)*cos(x)**2*tanh(x)"] * 6), "num": 2001},
        ),
    ],
)
def test_heavier_requests_go_to_the_pool(hops, path, body) -> None:
    status, _ = post(Settings(), path, body)
    work = "run.<locals>.work" if "network" in path else "derivative.<locals>.work"
    assert status == 200 and hops == [work]


def test_an_engine_error_inline_is_the_same_422() -> None:
    bad = SMALL | {"targets": [0, 5]}  # class 5 of 2 outputs
    inline, pooled = (
        post(Settings(), "/api/v1/network/run", bad),
        post(Settings(inline_us=0), "/api/v1/network/run", bad),
    )
    assert inline == pooled and inline[0] == 422


def test_estimates_grow_with_the_work() -> None:
    small = NetworkRequest.model_validate(SMALL | {"gradcheck": False})
    checked = NetworkRequest.model_validate(SMALL | {"gradcheck": True})
    wide = NetworkRequest.model_validate(WIDE)
    assert network_us(small) < network_us(checked) < network_us(wide)
    assert network_us(NetworkRequest.model_validate(DEEP | {"gradcheck": False})) < network_us(
        NetworkRequest.model_validate(DEEP)
    )
    d = DerivativeRequest.model_validate(DERIVATIVE)
    assert derivative_us(d) < derivative_us(d.model_copy(update={"num": 2001}))
    assert derivative_us(d) < derivative_us(d.model_copy(update={"expr": d.expr + "+x" * 20}))
