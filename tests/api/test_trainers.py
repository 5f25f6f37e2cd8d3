"""Training streams in processes of their own (app/trainers.py): a stream holds no compute slot
while it trains, its process runs at the lower CPU priority, a worker opens at most
``BPX_MAX_TRAINING`` of them and gives each place back, and a failing run is logged."""

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.schemas import NETWORK_EXAMPLE, TRAIN_EXAMPLE
from bench.classroom import process_tree

TRAIN, RUN = "/api/v1/train", "/api/v1/network/run"
LONG = TRAIN_EXAMPLE | {"epochs": 100_000, "report_every": 1, "boundary_every": 0}


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.fixture
def client():
    with TestClient(create_app(Settings(compute_slots=1, max_training=1, train_nice=7))) as c:
        yield c


def test_an_open_stream_holds_no_compute_slot(client: TestClient) -> None:
    with client.stream("POST", TRAIN, json=LONG) as r:
        lines = r.iter_lines()
        assert json.loads(next(lines))["epoch"] == 0
        # the only compute slot is free while the stream trains: a run gets in at once
        assert client.post(RUN, json=NETWORK_EXAMPLE).status_code == 200
        assert json.loads(next(lines))["epoch"] == 1


def test_the_training_runs_in_a_child_process_at_the_lower_priority(client: TestClient) -> None:
    from multiprocessing import forkserver

    with client.stream("POST", TRAIN, json=LONG) as r:
        next(r.iter_lines())
        server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
        trainers = [pid for pid in process_tree(server) if pid != server]
        assert len(trainers) == 1, trainers
        assert nice_of(trainers[0]) == os.nice(0) + 7
        assert trainers[0] != os.getpid()


def test_a_worker_opens_at_most_max_training_streams(client: TestClient) -> None:
    with client.stream("POST", TRAIN, json=LONG) as r:
        next(r.iter_lines())
        busy = client.post(TRAIN, json=TRAIN_EXAMPLE)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        msg = busy.json()["detail"][0]["msg"]
        assert "training places" in msg and "try again in 5 s" in msg
    # the place comes back once the first stream's process has ended
    for _ in range(200):
        ok = client.post(TRAIN, json=TRAIN_EXAMPLE | {"epochs": 2})
        if ok.status_code == 200:
            break
    assert ok.status_code == 200 and json.loads(ok.text.splitlines()[-1])["done"]


def test_a_stream_ends_with_its_last_line_and_is_logged(client, caplog) -> None:
    caplog.set_level("INFO", "bpx.train")
    lines = client.post(TRAIN, json=TRAIN_EXAMPLE | {"epochs": 3, "report_every": 1}).text
    assert [json.loads(s).get("epoch") for s in lines.splitlines()] == [0, 1, 2, 3, 3]
    ended = [r for r in caplog.records if r.getMessage() == "training stream ended"]
    assert ended and ended[-1].reason == "max_epochs" and ended[-1].epochs_run == 3


def test_invalid_requests_are_refused_before_any_process(client: TestClient) -> None:
    bad = client.post(TRAIN, json=TRAIN_EXAMPLE | {"lr": -1})
    assert bad.status_code == 422
    # and the refused request took no training place
    assert client.post(TRAIN, json=TRAIN_EXAMPLE | {"epochs": 1}).status_code == 200


def test_short_streams_end_whole_every_time(client: TestClient, caplog) -> None:
    """A one-epoch stream (the page's step) ends with its last line, every time: the child keeps
    its end open until the worker has read how it ended (it once closed first, and the worker's
    next request for a line broke the pipe and lost the end: a chunked stream cut short)."""
    caplog.set_level("INFO", "bpx.train")
    for _ in range(40):
        r = client.post(TRAIN, json=TRAIN_EXAMPLE | {"epochs": 1, "report_every": 1})
        assert r.status_code == 200 and json.loads(r.text.splitlines()[-1])["done"]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "WARNING")]


def test_a_stream_whose_client_left_before_the_first_byte_gives_its_place_back() -> None:
    """The response's start fails (the client is gone): the body never runs, and its place must
    still come back, or a worker would refuse every stream after ``BPX_MAX_TRAINING`` of them."""
    import asyncio
    import contextlib

    bpx = create_app(Settings(max_training=1))
    body = json.dumps(TRAIN_EXAMPLE | {"epochs": 1}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": TRAIN,
        "raw_path": TRAIN.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def once() -> None:
        sent = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict:
            if sent:
                return sent.pop()
            await asyncio.sleep(30)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                raise OSError("the client is gone")

        with contextlib.suppress(OSError):
            await bpx(scope, receive, send)

    for _ in range(3):  # one place: the second would get a 503 if the first had kept it
        asyncio.run(once())
        assert bpx.state.trainers.open == 0
