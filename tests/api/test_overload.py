"""Overload: a bounded number of compute slots, 503 with Retry-After past the queue timeout, and a
health probe that answers whatever else runs."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import app.api.network
from app.config import Settings, usable_cores
from app.main import create_app
from app.middleware import ComputeSlotsMiddleware
from app.schemas import NETWORK_EXAMPLE
from tests.api.helpers import assert_error

WAIT = 30  # seconds: generous bounds so that a broken gate fails instead of hanging the suite


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch):
    """An app with one compute slot and a 0.1 s queue, and a ``/network/run`` that blocks until
    the test sets ``release``; yields (client, entered, release)."""
    entered, release = threading.Event(), threading.Event()
    real = app.api.network.run_network

    def blocking(*args, **kwargs):
        entered.set()
        assert release.wait(WAIT), "the test never released the slot"
        return real(*args, **kwargs)

    monkeypatch.setattr(app.api.network, "run_network", blocking)
    # inline_us=0: the blocking run must go to the pool, as a long computation would
    bpx = create_app(Settings(compute_slots=1, queue_timeout=0.1, inline_us=0))
    with TestClient(bpx, raise_server_exceptions=False) as client:
        yield client, entered, release
        release.set()


def test_a_request_that_finds_every_slot_busy_gets_503_with_retry_after(held) -> None:
    client, entered, release = held
    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(client.post, "/api/v1/network/run", json=NETWORK_EXAMPLE)
        assert entered.wait(WAIT)
        refused = client.post("/api/v1/numdiff/gradient", json={"expr": "x1", "point": [1.0]})
        assert_error(refused, 503, words="busy")
        assert refused.json()["detail"][0]["type"] == "overloaded"
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert not holder.done(), "the 503 came while the slot was still held, not after"
        health = client.get("/api/v1/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert client.get("/").status_code == 200  # pages and static files need no slot
        release.set()
        assert holder.result(WAIT).status_code == 200
    again = client.post("/api/v1/numdiff/gradient", json={"expr": "x1", "point": [1.0]})
    assert again.status_code == 200  # the slot came back


def test_503_is_documented_on_the_compute_endpoints(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "503" in paths["/api/v1/network/run"]["post"]["responses"]
    assert "503" in paths["/api/v1/numdiff/derivative"]["post"]["responses"]


def gate_app(slots: int, timeout: float) -> tuple[ComputeSlotsMiddleware, dict]:
    """A toy app behind the gate whose ``/api/work`` counts how many run at once."""
    seen = {"now": 0, "most": 0, "done": 0}

    async def work(request: Request) -> JSONResponse:
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        await anyio.sleep(0.01)
        seen["now"] -= 1
        seen["done"] += 1
        if request.query_params.get("fail"):
            raise RuntimeError("boom")
        return JSONResponse({"ok": True})

    routes = [Route("/api/work", work), Route("/api/v1/health", work), Route("/page", work)]
    return ComputeSlotsMiddleware(Starlette(routes=routes), slots, timeout), seen


def test_never_more_requests_compute_than_there_are_slots() -> None:
    gate, seen = gate_app(slots=2, timeout=WAIT)
    with TestClient(gate) as client, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: client.get("/api/work").status_code, range(40)))
    assert statuses == [200] * 40
    assert seen["most"] == 2 and seen["done"] == 40


def test_exempt_paths_and_non_api_paths_take_no_slot() -> None:
    gate, seen = gate_app(slots=1, timeout=WAIT)
    with TestClient(gate) as client, ThreadPoolExecutor(8) as pool:
        paths = ["/api/v1/health", "/page"] * 10
        assert set(pool.map(lambda p: client.get(p).status_code, paths)) == {200}
    assert seen["most"] > 1  # they ran side by side although there is one slot


def test_a_failing_request_gives_its_slot_back() -> None:
    gate, _ = gate_app(slots=1, timeout=0.5)
    with TestClient(gate, raise_server_exceptions=False) as client:
        assert client.get("/api/work?fail=1").status_code == 500
        assert client.get("/api/work").status_code == 200


def test_slots_default_to_the_usable_cores(tmp_path: Path) -> None:
    assert Settings().slots() == usable_cores() >= 1
    assert Settings(compute_slots=3).slots() == 3
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")  # a quota of 1.5 CPUs
    assert usable_cores(quota) == min(2, usable_cores())
    quota.write_text("max 100000\n")
    assert usable_cores(quota) == usable_cores(tmp_path / "absent")
