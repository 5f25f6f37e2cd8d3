"""The heaviest request each endpoint allows, every compute slot busy: time, size, peak RSS.

    python -m bench.heaviest [--workers 1 2] [--copies 0]     # serves the app itself
    python3 bench/heaviest.py --url http://127.0.0.1:8000 --check  # an app already running

Each case is the largest request of its endpoint that the default limits let through (found
with the cost model, app/engine/cost.py, and held there by tests/api/test_heaviest.py: one
step larger is refused). Every case is sent ``--copies`` times at once (default: enough to keep
every compute slot of every worker busy, and a few more that wait), one case after another.
Served by the script itself (uvicorn, ``--workers`` processes, the default settings) it reports,
per case, the slowest answer's seconds, the answer's bytes and the statuses, and at the end each
worker's peak RSS (VmHWM). ``--check`` fails (exit 1) on a connection cut or a status outside
200/422/503: ``scripts/docker-smoke`` runs it against the image under ``--memory 512m`` and
then checks that no worker died.

The client is the standard library only, so the smoke test can run it with any python3.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _x(rows: int, cols: int) -> list[list[int]]:
    return [[(r * cols + c) % 3 - 1 for c in range(cols)] for r in range(rows)]  # short JSON


def _stack(width: int, pairs: int, out: int) -> list[dict]:
    hidden = [{"type": "affine", "out": width, "seed": k} for k in range(pairs)]
    layers = [layer for h in hidden for layer in (h, {"type": "tanh"})]
    return [*layers, {"type": "affine", "out": out, "seed": pairs}]


def _run(rows: int, cols: int, width: int, pairs: int, **kw) -> dict:
    return {
        "x": _x(rows, cols),
        "targets": [r % 4 for r in range(rows)],
        "layers": _stack(width, pairs, 4),
        "loss": "softmax_cross_entropy",
        "gradcheck": False,
    } | kw


def _csv_free_train() -> dict:
    return {
        "dataset": {"name": "gaussians", "n": 5000, "noise": 0.3, "classes": 5, "seed": 0},
        "layers": _stack(16, 2, 5),
        "batch_size": 1,
        "epochs": 100_000,
        "report_every": 1,
        "boundary_every": 1,
        "grid": 100,
        "checkpoint": True,
    }


DESCENT = {
    "expr": "(x1-1)**2 + (x2+1)**2 + x3**2 + x4**2 + x5**2",
    "start": [3, 3, 3, 3, 3],
    "optimizer": "sgd",
    "lr": 1e-6,
    "steps": 10000,
    "tol": 0,
}
# name -> (path, body): the largest request each endpoint allows under the default limits.
CASES: dict[str, tuple[str, dict]] = {
    "network/run, every part": ("/api/v1/network/run", _run(256, 256, 128, 3)),
    "network/run, include []": ("/api/v1/network/run", _run(1024, 256, 256, 1, include=[])),
    "network/run, gradcheck": ("/api/v1/network/run", _run(512, 16, 64, 1, gradcheck=True)),
    "train stream": ("/api/v1/train", _csv_free_train()),
    "train/data": ("/api/v1/train/data", _csv_free_train()["dataset"]),
    "numdiff/derivative": (
        "/api/v1/numdiff/derivative",
        {"expr": "sin(x)*exp(-x**2/10) + x**2", "x0": 0.5, "num": 10001},
    ),
    "numdiff/grid": ("/api/v1/numdiff/grid", {"expr": "sin(x1)*cos(x2)", "num": 100}),
    "numdiff/descent": (
        "/api/v1/numdiff/descent",
        {
            "expr": "(x1-1)**2 + (x2+1)**2 + x3**2 + x4**2 + x5**2",
            "start": [3, 3, 3, 3, 3],
            "optimizer": "sgd",
            "lr": 1e-6,
            "steps": 10000,
            "tol": 0,
        },
    ),
    "numdiff/step-sweep": (
        "/api/v1/numdiff/step-sweep",
        {"expr": "sin(x)", "x0": 1.0, "h_min": 1e-16, "h_max": 0.1, "num": 10001},
    ),
    "activations/curve": (
        "/api/v1/activations/curve",
        {"activation": "gelu", "x_min": -5, "x_max": 5, "num": 10001},
    ),
    "softmax/jacobian": ("/api/v1/softmax/jacobian", {"x": [k / 64 for k in range(256)]}),
}


def _post(url: str, path: str, body: bytes) -> tuple[int, int, float]:
    """Status, bytes read and seconds of one POST (a stream read to its end)."""
    u = urllib.parse.urlsplit(url)
    t = time.monotonic()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    try:
        conn.request("POST", path, body, {"content-type": "application/json"})
        r = conn.getresponse()
        size = 0
        while chunk := r.read(1 << 20):
            size += len(chunk)
        return r.status, size, time.monotonic() - t
    finally:
        conn.close()


def send(url: str, copies: int) -> list[tuple[str, list[int], int, float]]:
    """Each case ``copies`` times at once: ``(name, statuses, largest answer, slowest s)``."""
    rows = []
    for name, (path, body) in CASES.items():
        raw = json.dumps(body, separators=(",", ":")).encode()
        with concurrent.futures.ThreadPoolExecutor(copies) as pool:
            results = list(pool.map(_post, [url] * copies, [path] * copies, [raw] * copies))
        statuses = sorted(r[0] for r in results)
        rows.append((name, statuses, max(r[1] for r in results), max(r[2] for r in results)))
        print(f"{name:28s} {statuses!s:28s} {rows[-1][2]:>12,d} B {rows[-1][3]:7.2f} s",
              flush=True)  # fmt: skip
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve_and_measure(workers: int, copies: int) -> None:
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    env = os.environ | {"BPX_LOG_LEVEL": "warning"}
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if _post_get(url) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        pids = _children(server.pid) if workers > 1 else [server.pid]
        print(f"\n{workers} worker(s), {copies} copies of each case at once")
        send(url, copies)
        peaks = ", ".join(f"{_hwm_mb(p):.0f}" for p in pids)
        print(f"peak RSS per worker (VmHWM, MB): {peaks}; alive: {[_alive(p) for p in pids]}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _post_get(url: str) -> int:
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
    conn.request("GET", "/api/v1/health")
    return conn.getresponse().status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an app already running (else one is served here)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--copies", type=int, default=0, help="0: 2 × cores + 1")
    parser.add_argument("--check", action="store_true", help="exit 1 on a cut or a 5xx")
    args = parser.parse_args()
    copies = args.copies or 2 * (os.cpu_count() or 1) + 1
    if args.url:
        rows = send(args.url, copies)
        bad = [(n, s) for n, s, _, _ in rows if any(c not in (200, 422, 503) for c in s)]
        if args.check and bad:
            sys.exit(f"unexpected statuses: {bad}")
        return
    for workers in args.workers:
        serve_and_measure(workers, copies)


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, http.client.HTTPException) as exc:
        sys.exit(f"a connection was cut: {exc!r}")
