"""The small requests of ``bench.api_load --parts small``, with the sockets taken out.

    python -m bench.asgi_requests [--requests 2000] [--rounds 3] [--baseline TREE]

Calls the ASGI app directly (no uvicorn, no sockets, the access log at warning) and reports the
CPU µs per request of health, the 2×2 ``/network/run`` with and without its gradient check and
``/numdiff/derivative``: the application's own cost, beside which ``bench.api_load`` adds the
server's. With ``--baseline`` (``git archive REV | tar -x -C TREE``, a whole tree) each round
runs one process per tree, alternating, and the ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ("health", "run 2x2", "run 2x2, gradcheck on", "derivative")


def _scope(path: str, body: bytes | None) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET" if body is None else "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body or b"")).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


def measure(requests: int) -> dict[str, float]:
    """CPU µs per request of each case in this process (best of three runs of ``requests``)."""
    from app.main import create_app  # the tree on sys.path: this one or the baseline
    from bench.api_load import DERIVATIVE, SMALL_RUN

    app = create_app()
    bodies = {
        "health": ("/api/v1/health", None),
        "run 2x2": ("/api/v1/network/run", SMALL_RUN | {"gradcheck": False}),
        "run 2x2, gradcheck on": ("/api/v1/network/run", SMALL_RUN | {"gradcheck": True}),
        "derivative": ("/api/v1/numdiff/derivative", DERIVATIVE),
    }

    async def one(scope: dict, body: bytes) -> None:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status = []

        async def receive() -> dict:
            if messages:
                return messages.pop()
            await asyncio.sleep(3600)  # never: the app does not read past the body
            return {}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(dict(scope), receive, send)
        assert status == [200], status

    async def run() -> dict[str, float]:
        out = {}
        for name, (path, payload) in bodies.items():
            body = b"" if payload is None else json.dumps(payload).encode()
            scope = _scope(path, None if payload is None else body)
            for _ in range(50):
                await one(scope, body)
            best = float("inf")
            for _ in range(3):
                t = time.process_time()
                for _ in range(requests):
                    await one(scope, body)
                best = min(best, (time.process_time() - t) / requests * 1e6)
            out[name] = best
        return out

    return asyncio.run(run())


def _child(tree: Path, requests: int) -> dict[str, float]:
    """``measure`` in a process of its own that imports ``app`` from ``tree``."""
    env = {**os.environ, "BPX_LOG_LEVEL": "warning", "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--child", str(requests)]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree, timed alternately")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path[0] = os.getcwd()  # the tree's app and bench, not this file's directory
        print(json.dumps(measure(args.child)))
        return
    from bench.harness import describe, median

    print(describe(0))
    trees = {"this tree": ROOT} | ({"baseline": args.baseline} if args.baseline else {})
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            samples[name].append(_child(tree.resolve(), args.requests))
    print(f"\nCPU µs per request in process, median of {args.rounds} rounds (best of 3 each)")
    head = "| request | " + " | ".join(trees) + (" | this / baseline |" if args.baseline else " |")
    print(head + "\n|" + "---|" * (head.count("|") - 1))
    for case in CASES:
        cells = [f"{median([r[case] for r in samples[n]]):.0f}" for n in trees]
        if args.baseline:
            pairs = zip(samples["this tree"], samples["baseline"], strict=True)
            cells.append(f"{median([a[case] / b[case] for a, b in pairs]):.2f}")
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
