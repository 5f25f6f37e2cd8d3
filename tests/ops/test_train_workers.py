"""Training under two uvicorn workers: a paused run resumed on the other worker continues bit for
bit, and a client that goes away stops the training."""

import http.client
import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.schemas import TRAIN_EXAMPLE
from tests.ops.test_workers import (  # noqa: F401  (server: the fixture)
    MAX_BATCHES,
    access_lines,
    access_pids,
    server,
)

pytestmark = pytest.mark.slow
TRAIN = "/api/v1/train"
BODY = TRAIN_EXAMPLE | {"report_every": 20, "boundary_every": 20, "grid": 16}
RESUMED_AT_ONCE = 3  # concurrent resumed runs per batch, within the compute slots' queue


def stream(base: str, body: dict) -> list[dict]:
    """The lines of one request, on a fresh connection (so either worker may take it)."""
    req = urllib.request.Request(
        base + TRAIN,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Connection": "close"},
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "application/x-ndjson"
        return [json.loads(line) for line in r.read().splitlines()]


def train_pids(log: Path, n: int) -> list[int]:
    """The pid of the worker that served each of the first ``n`` /train requests, in order
    (waiting for the lines: a worker logs a request after its last byte went out)."""
    return [entry["pid"] for entry in access_lines(log, TRAIN, n)[:n]]


def test_100_epochs_equal_40_paused_and_60_resumed_on_the_other_worker(server):  # noqa: F811
    base, log = server
    whole = stream(base, BODY | {"epochs": 100})
    first = stream(base, BODY | {"epochs": 40})
    done = first[-1]
    resume = {k: done[k] for k in ("params", "optimizer_state", "epoch", "step")}
    first_pid = train_pids(log, 2)[-1]  # the second request's worker, not the first's
    # Resumed runs, a few at once on fresh connections, until the other worker has taken one:
    # one at a time, the kernel may hand every new connection to the same idle worker (seen: 20
    # of 20 in a row), while connections that arrive together spread over both.
    sent, body = 2, BODY | {"epochs": 100, "resume": resume}
    with ThreadPoolExecutor(max_workers=RESUMED_AT_ONCE) as pool:
        for _ in range(MAX_BATCHES):
            for rest in pool.map(lambda _: stream(base, body), range(RESUMED_AT_ONCE)):
                assert first[:-1] + rest == whole  # every number, to the last bit
            sent += RESUMED_AT_ONCE
            if set(train_pids(log, sent)[2:]) - {first_pid}:
                break
        else:
            pytest.fail(f"worker {first_pid} took every resumed request")
    assert len(access_pids(log, TRAIN)) == 2


def test_a_client_that_goes_away_stops_the_training(server):  # noqa: F811
    base, log = server
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body = BODY | {"epochs": 100_000, "report_every": 1, "boundary_every": 0}
    conn.request("POST", TRAIN, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    seen = [json.loads(response.readline()) for _ in range(5)]
    assert [line["epoch"] for line in seen] == [0, 1, 2, 3, 4]
    conn.close()  # the tab is closed
    ended = []
    for _ in range(600):  # the worker logs the end once its thread has stopped
        ended = [e for e in _entries(log) if e.get("msg") == "training stream ended"]
        ended = [e for e in ended if e.get("epoch", 0) >= 4 and e["reason"] != "max_epochs"]
        if ended:
            break
        time.sleep(0.05)
    assert ended, "no worker logged the end of the stream"
    # a few epochs may run while the disconnect travels; far fewer than the 100,000 asked for
    assert ended[-1]["reason"] == "cancelled" and ended[-1]["epochs_run"] < 5000, ended[-1]


def _entries(log: Path) -> list[dict]:
    return [json.loads(s) for s in log.read_text().splitlines() if s.startswith("{")]
