"""32 concurrent clients mixing every endpoint get what they would get one at a time."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.schemas import NETWORK_EXAMPLE
from tests.conftest import start_server, stop_server

REQUESTS = [
    ("/api/v1/network/run", NETWORK_EXAMPLE),
    ("/api/v1/network/run", NETWORK_EXAMPLE | {"loss": "mse", "targets": [[0.1, 0.2, 0.7]] * 2}),
    ("/api/v1/activations/curve", {"activation": "gelu", "num": 501}),
    ("/api/v1/activations/curve", {"activation": "elu", "alpha": 0.5, "num": 301}),
    ("/api/v1/softmax/jacobian", {"x": [0.5, -1.0, 3.0, 2.0]}),
    ("/api/v1/numdiff/derivative", {"expr": "sin(x)*exp(-x)", "x0": 0.3}),
    ("/api/v1/numdiff/gradient", {"expr": "x1**2 + x2**3 + x3", "point": [1.0, 2.0, 3.0]}),
    (
        "/api/v1/numdiff/descent",
        {
            "expr": "x1**2 + 4*x2**2",
            "start": [1.0, 1.0],
            "optimizer": "adam",
            "lr": 0.05,
            "steps": 300,
        },
    ),
    ("/api/v1/numdiff/step-sweep", {"expr": "tanh(x)", "x0": 0.2}),
    ("/api/v1/numdiff/grid", {"expr": "x1*x2", "num": 40}),
    ("/api/v1/numdiff/derivative", {"expr": "y**2"}),  # an error is an answer too
]


@pytest.fixture(scope="module")
def patient_server():
    """A server whose requests wait up to 60 s for a compute slot: 96 requests share the two
    slots of a 2-core machine, and on a busy one the last could wait past the default 5 s and
    get 503 (the overload tests check that answer; this one checks the answers themselves)."""
    proc, base = start_server(env={"BPX_QUEUE_TIMEOUT": "60"})
    try:
        yield base
    finally:
        stop_server(proc)


def test_32_concurrent_clients_get_identical_answers(patient_server):
    live_server = patient_server

    def call(i):
        path, body = REQUESTS[i % len(REQUESTS)]
        with httpx.Client(base_url=live_server, timeout=60) as c:
            r = c.post(path, json=body)
            return r.status_code, r.content

    sequential = [call(i) for i in range(len(REQUESTS))]
    jobs = list(range(32 * 3))
    with ThreadPoolExecutor(max_workers=32) as pool:
        concurrent = list(pool.map(call, jobs))
    for i, got in zip(jobs, concurrent, strict=True):
        assert got == sequential[i % len(REQUESTS)], REQUESTS[i % len(REQUESTS)][0]
    assert all(status < 500 for status, _ in concurrent)
