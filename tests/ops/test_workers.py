"""Stateless by construction: with two uvicorn workers, identical requests get identical answers."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = {
    "/api/v1/numdiff/gradient": {"expr": "x1**2 + sin(x2) * x1 + 1", "point": [2.0, 3.0]},
    "/api/v1/network/run": {
        "x": [[1.0, 2.0], [3.0, 4.0]],
        "targets": [0, 2],
        "layers": [
            {"type": "affine", "in": 2, "out": 4, "init": "he", "seed": 0},
            {"type": "tanh"},
            {"type": "affine", "in": 4, "out": 3, "init": "xavier", "seed": 1},
            {"type": "softmax"},
        ],
        "loss": "cross_entropy",
        "gradcheck": True,
    },
}
ROUNDS = 40  # identical requests per endpoint, each on a fresh connection
MAX_BATCHES = 5  # more rounds until two workers have answered, if the kernel favoured one

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> bytes:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Connection": "close"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:  # a new connection every call
        assert r.status == 200
        return r.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``uvicorn app.main:app --workers 2`` on a free port; yields (base URL, log file)."""
    port = free_port()
    log = tmp_path_factory.mktemp("workers") / "server.log"
    env = {**os.environ, "BPX_LOG_LEVEL": "info", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--workers", "2"]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "server not up in 30 s:\n" + log.read_text()
                time.sleep(0.1)
        yield base, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _access_entries(log: Path, path: str) -> list[dict]:
    """The access-log lines (JSON objects with a status) that name ``path``, in order."""
    entries = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("path") == path and "status" in entry:
            entries.append(entry)
    return entries


def access_pids(log: Path, path: str) -> set[int]:
    """Pids of the workers whose access-log lines name ``path``."""
    return {entry["pid"] for entry in _access_entries(log, path)}


def access_lines(log: Path, path: str, n: int) -> list[dict]:
    """The access-log lines naming ``path``, in order, once there are at least ``n`` of them.

    A worker writes a request's line after its last byte went out, so a client that has read the
    whole answer can look before the line is there: wait for it (30 s at most)."""
    deadline = time.monotonic() + 30
    while len(lines := _access_entries(log, path)) < n:
        assert time.monotonic() < deadline, f"{len(lines)} access lines for {path}, not {n}"
        time.sleep(0.05)
    return lines


def worker_pids_of(log: Path) -> set[int]:
    """Pids of uvicorn's worker processes, from its "Started server process [pid]" lines."""
    return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.read_text())}


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_identical_requests_get_identical_answers_from_every_worker(
    server: tuple[str, Path], path: str
) -> None:
    base, log = server
    answers: set[bytes] = set()
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(MAX_BATCHES):
            answers |= set(pool.map(lambda _: post(base + path, REQUESTS[path]), range(ROUNDS)))
            if len(access_pids(log, path)) >= 2:
                break
    assert len(answers) == 1, f"{len(answers)} different answers to the same request"
    pids = access_pids(log, path)
    assert len(pids) >= 2, f"only worker(s) {pids} answered; the access log should carry pids"
    assert pids <= worker_pids_of(log), "access lines should come from uvicorn's workers"


def test_access_log_lines_are_structured_and_carry_no_body(server: tuple[str, Path]) -> None:
    base, log = server
    path = "/api/v1/numdiff/gradient"
    before = len(access_lines(log, path, 0))
    post(base + path, {"expr": "x1 * 7777.125", "point": [1.0]})
    entry = access_lines(log, path, before + 1)[-1]  # this request's line, not an earlier one
    assert entry["method"] == "POST"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert "7777.125" not in log.read_text(), "a request body reached the log"
