"""HTTP load on a uvicorn server this script starts on 127.0.0.1: throughput, overload, rendering.

  python -m bench.api_load                     # all three parts, about two minutes
  python -m bench.api_load --parts small       # (a) only; --parts heavy, render, streams, floor

(a) small: requests/s, p50 and p99 of health, ``/network/run`` 2×2 (gradient check on and off) and
    ``/numdiff/derivative`` with ``--clients`` concurrent keep-alive clients, each endpoint for
    ``--seconds`` in turn, ``--rounds`` times interleaved; the ratio to health is taken per round
    and its median printed.
(b) heavy: ``--clients`` clients send the heaviest ``/network/run`` answer the limits allow
    (``bench.heaviest``: 256×256 input, three 128-wide hidden layers, gradient check off) and
    gradient checks that get refused, for
    ``--heavy-seconds``, while a probe opens a new connection to ``/api/v1/health`` every 100 ms:
    health latency p50/p99/max, the status counts (503 = no compute slot in time) and the server's
    peak RSS (VmHWM of its process, which starts fresh for this part).
(c) render: the share of a heavy request's time spent serialising the response, for three
    ``include`` choices (all parts, forward + backward, none): in process the body's parsing and
    validation (one ``model_validate_json``, a lower bound of FastAPI's own), the
    engine call and ``respond`` (orjson) timed separately, and the whole request over HTTP (one
    client, to the last byte), interleaved.

(d) streams: ``--streams`` long ``/api/v1/train`` streams (as many as the default compute slots
    of a 2-core machine) stay open while ``--clients`` clients send the small ``/network/run``
    for ``--heavy-seconds``: the small requests' statuses (503: shut out) and latencies.

(e) floor: health and the small requests of (a) on this app and on ``bench.cached_app`` (the same
    app, with the engine call and the rendering of these requests answered from a cache), side
    by side: the server's CPU per request besides computing, and what 0.6 × health leaves.

The client is one asyncio loop speaking raw HTTP/1.1 (uvloop if installed); it shares the cores
with the server, so compare ratios from one run rather than absolute numbers between machines.
Every loop is bounded in time and all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.heaviest import CASES
from bench.machine import describe
from bench.timing import side_by_side

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60.0  # seconds for any one request: longer counts as a hang

SMALL_RUN = {
    "x": [[1.0, 2.0], [3.0, 4.0]],
    "targets": [0, 1],
    "layers": [{"type": "affine", "W": [[0.1, 0.2], [0.3, 0.4]], "b": [0.0, 0.0]}],
    "loss": "softmax_cross_entropy",
    "gradcheck": False,
}
CHECK = {"gradcheck": True}
DERIVATIVE = {"expr": "sin(x)*exp(-x**2/10) + x**2", "x0": 0.5}


def heavy_run(gradcheck: bool) -> dict:
    """The largest answer the default limits allow (bench.heaviest): 256×256 through three
    128-wide tanh layers, every part sent (about 13 MB); with ``gradcheck`` a check the budget
    refuses."""
    return CASES["network/run, every part"][1] | {"gradcheck": gradcheck}


@dataclass
class Target:
    """One request, pre-encoded as the bytes of an HTTP/1.1 keep-alive request."""

    name: str
    path: str
    body: dict | None = None
    raw: bytes = field(init=False)

    def __post_init__(self) -> None:
        head = f"{'GET' if self.body is None else 'POST'} {self.path} HTTP/1.1\r\nhost: {HOST}\r\n"
        payload = b"" if self.body is None else json.dumps(self.body).encode()
        if self.body is not None:
            head += f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
        self.raw = head.encode() + b"\r\n" + payload


class Connection:
    """A keep-alive HTTP/1.1 connection that sends raw requests and reads (and drops) bodies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, int]:
        """Send ``raw``; return the status and the body's length."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value.lower():
                close = True
        remaining = length
        while remaining:
            chunk = await self.reader.read(min(remaining, 1 << 20))
            if not chunk:
                raise ConnectionError("the server closed the connection inside a body")
            remaining -= len(chunk)
        if close:
            self.close()
        return status, length

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Stats:
    """Latencies (seconds) and status counts of the requests that finished inside a window."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    body_bytes: int = 0
    done: int = 0  # every request finished, warm-up included
    server_cpu: float = float("nan")  # the server's CPU seconds over the whole run, if measured

    @property
    def cpu_per_request(self) -> float:
        """Server CPU seconds per request: steadier than requests/s on a shared machine."""
        return self.server_cpu / max(1, self.done)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return float(np.quantile(self.latencies, q))


async def hammer(
    port: int,
    targets: list[Target],
    clients: int,
    seconds: float,
    warmup: float = 0.5,
    late: bool = False,
) -> dict[str, Stats]:
    """``clients`` keep-alive loops, client i sending ``targets[i % len(targets)]``, for
    ``warmup + seconds``; counts what finishes inside the last ``seconds`` (and, with ``late``,
    the requests still in flight at the end, which each loop waits for)."""
    stats = {t.name: Stats(seconds) for t in targets}
    start = time.perf_counter() + warmup
    end = start + seconds
    last = float("inf") if late else end

    async def client(target: Target) -> None:
        conn = Connection(port)
        s = stats[target.name]
        try:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                try:
                    status, n = await asyncio.wait_for(conn.request(target.raw), TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    status, n = type(exc).__name__, 0
                t1 = time.perf_counter()
                s.done += 1
                if start <= t1 <= last:
                    s.latencies.append(t1 - t0)
                    s.statuses[status] += 1
                    s.body_bytes += n
        finally:
            conn.close()

    await asyncio.gather(*(client(targets[i % len(targets)]) for i in range(clients)))
    return stats


async def probe(port: int, path: str, until: float, every: float = 0.1) -> Stats:
    """A new connection to ``path`` every ``every`` seconds until ``until``, as a probe does."""
    target = Target("probe", path)
    s = Stats(0.0)
    while time.perf_counter() < until:
        conn = Connection(port)
        t0 = time.perf_counter()
        try:
            status, _ = await asyncio.wait_for(conn.request(target.raw), TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            status = type(exc).__name__
        finally:
            conn.close()
        s.latencies.append(time.perf_counter() - t0)
        s.statuses[status] += 1
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - t0)))
    return s


class Server:
    """``uvicorn APP`` on a free loopback port, its log in a temporary file; a context manager."""

    def __init__(
        self, app: str, env: dict[str, str], factory: bool = False, root: Path = ROOT
    ) -> None:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.log = Path(tempfile.mkdtemp(prefix="bpx-load-")) / "server.log"
        cmd = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(self.port)]
        cmd += ["--log-level", "warning", *(["--factory"] if factory else [])]
        path = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        with self.log.open("wb") as out:  # the app is imported from ``root`` (cwd, PYTHONPATH)
            self.proc = subprocess.Popen(
                cmd,
                cwd=root,
                env={**os.environ, **env, "PYTHONPATH": path},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited:\n" + self.log.read_text()[-3000:])
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the server did not listen within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the server process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, key: str) -> float:
        """``VmHWM`` (peak) or ``VmRSS`` (now) of the server process, in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")


try:
    from uvloop import run  # the client's loop: lean, so the server gets the cores
except ImportError:
    from asyncio import run


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def small(args: argparse.Namespace) -> None:
    """(a): each endpoint in turn with ``args.clients`` clients; medians over interleaved rounds."""
    targets = [
        Target("health", "/api/v1/health"),
        Target("network/run 2x2, gradcheck off", "/api/v1/network/run", SMALL_RUN),
        Target("network/run 2x2, gradcheck on", "/api/v1/network/run", SMALL_RUN | CHECK),
        Target("numdiff/derivative", "/api/v1/numdiff/derivative", DERIVATIVE),
    ]
    trees = {"this tree": ROOT} | ({"baseline": Path(args.baseline)} if args.baseline else {})
    rounds: dict[str, list[dict[str, Stats]]] = {name: [] for name in trees}
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(Server(args.app, args.env, args.factory, root))
            for name, root in trees.items()
        }
        for _ in range(args.rounds):
            result: dict[str, dict[str, Stats]] = {name: {} for name in trees}
            for t in targets:
                for name, server in servers.items():  # the trees side by side, endpoint by endpoint
                    cpu = server.cpu_seconds()
                    result[name] |= run(hammer(server.port, [t], args.clients, args.seconds))
                    result[name][t.name].server_cpu = server.cpu_seconds() - cpu
            for name in trees:
                rounds[name].append(result[name])
    print(
        f"\n(a) {args.clients} keep-alive clients, {args.seconds:g} s per endpoint, "
        f"{args.rounds} interleaved rounds (medians; ratios to health per round). cpu µs: the "
        "server's CPU time per request, and its ratio to health's (health µs / endpoint µs)"
    )
    for name, root in trees.items():
        if len(trees) > 1:
            print(f"{name}: {root}")
        small_table(targets, rounds[name])
    if args.baseline:
        print("this tree / baseline, per round (req/s; cpu µs per request)")
        for t in targets:
            pairs = list(zip(rounds["this tree"], rounds["baseline"], strict=True))
            rate = statistics.median(a[t.name].rate / b[t.name].rate for a, b in pairs)
            cpu = statistics.median(
                a[t.name].cpu_per_request / b[t.name].cpu_per_request for a, b in pairs
            )
            print(f"  {t.name:34s} req/s {rate:5.2f}   cpu {cpu:5.2f}")


def small_table(targets: list[Target], rounds: list[dict[str, Stats]]) -> None:
    """One line per endpoint: medians over ``rounds``, ratios to health taken per round."""
    head = f"{'endpoint':34s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'/ health':>9s}"
    print(head + f" {'cpu µs':>7s} {'/ health':>9s}  statuses")
    for t in targets:
        per_round = [r[t.name] for r in rounds]
        rate = statistics.median(s.rate for s in per_round)
        ratio = statistics.median(r[t.name].rate / r["health"].rate for r in rounds)
        lat = Stats(1.0, [x for s in per_round for x in s.latencies])
        statuses = sum((s.statuses for s in per_round), Counter())
        cpu = statistics.median(s.cpu_per_request for s in per_round)
        cpu_ratio = statistics.median(
            r["health"].cpu_per_request / r[t.name].cpu_per_request for r in rounds
        )
        print(
            f"{t.name:34s} {rate:8.0f} {ms(lat.quantile(0.5))} {ms(lat.quantile(0.99))} "
            f"{ratio:9.2f} {cpu * 1e6:7.0f} {cpu_ratio:9.2f}  {dict(statuses)}"
        )


def answer(port: int, target: Target) -> tuple[int, bytes]:
    """The status and body of one ``target`` request on a connection of its own."""
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        body = None if target.body is None else json.dumps(target.body)
        headers = {} if body is None else {"content-type": "application/json"}
        conn.request("GET" if body is None else "POST", target.path, body, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def floor(args: argparse.Namespace) -> None:
    """(e): the small requests on the app and on ``bench.cached_app`` (the same app with the
    engine call and its rendering answered from a cache), side by side: what the server spends
    on each besides computing it, and what a ratio of 0.6 to health would leave for that."""
    targets = [
        Target("health", "/api/v1/health"),
        Target("network/run 2x2, gradcheck off", "/api/v1/network/run", SMALL_RUN),
        Target("network/run 2x2, gradcheck on", "/api/v1/network/run", SMALL_RUN | CHECK),
        Target("numdiff/derivative", "/api/v1/numdiff/derivative", DERIVATIVE),
    ]
    apps = {"app": (args.app, args.factory), "cached": (args.twin, False)}
    cpu: dict[str, dict[str, list[float]]] = {a: {t.name: [] for t in targets} for a in apps}
    with contextlib.ExitStack() as stack:
        servers = {
            a: stack.enter_context(Server(spec, args.env, factory))
            for a, (spec, factory) in apps.items()
        }
        for t in targets:  # the instrument's check: the cache gives the app's answer, byte for byte
            # twice on each server: the twin's first answer is computed, its second is a cache hit
            answers = {answer(srv.port, t) for srv in servers.values() for _ in range(2)}
            if len(answers) != 1:
                raise RuntimeError(f"{args.twin} does not answer {t.name} as {args.app} does")
        for _ in range(args.rounds):
            for t in targets:
                for a, server in servers.items():
                    before = server.cpu_seconds()
                    s = run(hammer(server.port, [t], args.clients, args.seconds))[t.name]
                    s.server_cpu = server.cpu_seconds() - before
                    cpu[a][t.name].append(s.cpu_per_request * 1e6)
    health = statistics.median(cpu["app"]["health"])
    allowed = health / 0.6
    print(
        f"\n(e) {args.clients} keep-alive clients, {args.seconds:g} s per endpoint and app, "
        f"{args.rounds} interleaved rounds; the server's CPU µs per request, medians. Health "
        f"takes {health:.0f} µs, so 0.6 × health's requests/s allows {allowed:.0f} µs a request."
    )
    head = (
        f"{'endpoint':34s} {'app':>7s} {'cached':>7s} {'compute':>8s} {'allowed':>8s} {'left':>7s}"
    )
    print(head + "   (compute = app - cached; left = allowed - cached, for compute)")
    for t in targets[1:]:
        real, cached = (statistics.median(cpu[a][t.name]) for a in apps)
        print(
            f"{t.name:34s} {real:7.0f} {cached:7.0f} {real - cached:8.0f} {allowed:8.0f} "
            f"{allowed - cached:7.0f}"
        )


def heavy(args: argparse.Namespace) -> None:
    """(b): heavy and refused requests from ``args.clients`` clients, health probed meanwhile."""
    heavy_target = Target("network/run 256x256-128x3-4", "/api/v1/network/run", heavy_run(False))
    refused = Target("refused gradient check", "/api/v1/network/run", heavy_run(True))
    mix = [heavy_target, heavy_target, heavy_target, refused]  # a quarter of the clients refused

    async def load_and_probe(server: Server) -> tuple[dict[str, Stats], Stats, list[float]]:
        until = time.perf_counter() + args.heavy_seconds
        rss: list[float] = []

        async def sample() -> None:
            while time.perf_counter() < until:
                rss.append(server.memory_mb("VmRSS"))
                await asyncio.sleep(0.1)

        load = hammer(server.port, mix, args.clients, args.heavy_seconds, warmup=0.0, late=True)
        stats, health, _ = await asyncio.gather(
            load, probe(server.port, "/api/v1/health", until), sample()
        )
        return stats, health, rss

    trees = ({"baseline": Path(args.baseline)} if args.baseline else {}) | {"this tree": ROOT}
    for name, root in trees.items():  # one after the other: each gets the machine to itself
        with Server(args.app, args.env, args.factory, root) as server:
            idle = server.memory_mb("VmRSS")
            stats, health, rss = run(load_and_probe(server))
            peak = server.memory_mb("VmHWM")
        if len(trees) > 1:
            print(f"\n{name}: {root}")
        heavy_table(args, heavy_target, stats, health, idle, rss, peak)


def heavy_table(
    args: argparse.Namespace,
    heavy_target: Target,
    stats: dict[str, Stats],
    health: Stats,
    idle: float,
    rss: list[float],
    peak: float,
) -> None:
    """The lines of part (b)."""
    body_mb = len(heavy_target.raw) / 1e6
    print(
        f"\n(b) {args.clients} clients for {args.heavy_seconds:g} s: 3/4 send a {body_mb:.2f} MB "
        f"/network/run (gradcheck off), 1/4 the same with gradcheck on (refused); health probed "
        f"on a new connection every 100 ms; requests in flight at the end are waited for"
    )
    print(f"{'requests':34s} {'done':>6s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}  statuses")
    for name, s in [*stats.items(), ("health (probe)", health)]:
        print(
            f"{name:34s} {len(s.latencies):6d} {ms(s.quantile(0.5))} {ms(s.quantile(0.99))} "
            f"{ms(max(s.latencies, default=float('nan')))}  {dict(s.statuses)}"
        )
    done = stats[heavy_target.name]
    ok = done.statuses.get(200, 0)
    mb = done.body_bytes / max(1, len(done.latencies)) / 1e6
    print(f"heavy responses: {ok} × 200, about {mb:.0f} MB each on average over all statuses")
    print(
        f"server RSS: {idle:.0f} MB idle, {max(rss, default=idle):.0f} MB max sampled, "
        f"peak (VmHWM) {peak:.0f} MB"
    )


# The parts a client asks for: everything, what a page drawing the tensors needs, the verdicts.
INCLUDES = {
    "all parts": None,
    "forward + backward": ["forward", "backward"],
    "loss + verdicts ([])": [],
}


def render(args: argparse.Namespace) -> None:
    """(c): where a heavy request's time goes: parse + validate, engine, render in process, and
    the whole request over HTTP (one client, a fresh server), for each of ``INCLUDES``."""
    from app.api.network import run_network
    from app.responses import respond
    from app.schemas import NetworkRequest

    targets = {
        name: Target(
            name,
            "/api/v1/network/run",
            heavy_run(False) | ({} if inc is None else {"include": inc}),
        )
        for name, inc in INCLUDES.items()
    }
    raws = {name: t.raw.split(b"\r\n\r\n", 1)[1] for name, t in targets.items()}
    bodies = {name: NetworkRequest.model_validate_json(raw) for name, raw in raws.items()}
    full = bodies["all parts"]
    specs = [layer.spec() for layer in full.layers]

    def engine() -> dict:
        return run_network(full.x, full.targets, specs, full.loss, gradcheck=False)

    result = engine()
    sizes = {
        name: sum(len(p) for p in getattr(r, "pieces", [r.body])) / 1e6
        for name, r in ((n, respond(b.select(result))) for n, b in bodies.items())
    }

    async def over_http(port: int, raw: bytes) -> None:
        conn = Connection(port)
        try:
            status, _ = await conn.request(raw)
            assert status == 200, status
        finally:
            conn.close()

    with Server(args.app, args.env, args.factory, ROOT) as server:
        fns: dict[str, Callable[[], object]] = {
            "parse": lambda: NetworkRequest.model_validate_json(raws["all parts"]),
            "engine": engine,
        }
        for name, body in bodies.items():
            fns[f"render {name}"] = lambda body=body: respond(body.select(result))
            fns[f"http {name}"] = lambda name=name: run(over_http(server.port, targets[name].raw))
        times = side_by_side(fns, args.render_repeat)
    p, c = times["parse"], times["engine"]
    print(
        f"\n(c) one heavy /network/run ({len(raws['all parts']) / 1e6:.2f} MB in), median of "
        f"{args.render_repeat} interleaved rounds: in process, model_validate_json "
        f"{ms(p)} ms, engine (run_network) {ms(c)} ms; over HTTP, one client, to the last byte"
    )
    print(
        f"{'include':24s} {'out MB':>7s} {'render ms':>10s} {'share':>6s} {'http ms':>9s} "
        f"{'share':>6s}   (share: render / (parse + engine + render), render / http)"
    )
    for name in INCLUDES:
        o, h = times[f"render {name}"], times[f"http {name}"]
        print(
            f"{name:24s} {sizes[name]:7.1f} {ms(o):>10s} {o / (p + c + o):6.0%} {ms(h):>9s} "
            f"{o / h:6.0%}"
        )
    print("serialisation share target: ≤ 20% of the request time")


def train_stream(epochs: int = 100_000) -> dict:
    """A long /train request: 2000 xor points through 64-wide layers, a line every epoch."""
    layers = [
        {"type": "affine", "in": 2, "out": 64, "seed": 0},
        {"type": "tanh"},
        {"type": "affine", "in": 64, "out": 64, "seed": 1},
        {"type": "tanh"},
        {"type": "affine", "in": 64, "out": 2, "seed": 2},
    ]
    return {
        "dataset": {"name": "xor", "n": 2000, "noise": 0.1, "classes": 2, "seed": 0},
        "layers": layers,
        "loss": "softmax_cross_entropy",
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 32,
        "epochs": epochs,
        "report_every": 1,
        "seed": 0,
    }


async def read_stream(port: int, raw: bytes, until: float) -> int:
    """Send ``raw`` and read the streamed answer until ``until``; the epoch lines received."""
    reader, writer = await asyncio.open_connection(HOST, port)
    mark, lines, tail = b'{"epoch":', 0, b""
    try:
        writer.write(raw)
        await writer.drain()
        while time.perf_counter() < until:
            try:
                chunk = await asyncio.wait_for(reader.read(1 << 16), until - time.perf_counter())
            except TimeoutError:
                break
            if not chunk:
                break
            lines += (tail + chunk).count(mark)  # a mark split across two reads counts once
            tail = chunk[-(len(mark) - 1) :]
    finally:
        writer.close()
    return lines


def streams(args: argparse.Namespace) -> None:
    """(d): as many /train streams as there are compute slots stay open while ``args.clients``
    clients send the small 2×2 /network/run: do the streams shut the small requests out?"""
    small_target = Target("network/run 2x2 (beside streams)", "/api/v1/network/run", SMALL_RUN)
    stream = Target("train", "/api/v1/train", train_stream())
    trees = ({"baseline": Path(args.baseline)} if args.baseline else {}) | {"this tree": ROOT}
    for name, root in trees.items():
        with Server(args.app, args.env, args.factory, root) as server:

            async def load() -> tuple[dict[str, Stats], list[int]]:
                until = time.perf_counter() + args.heavy_seconds + 1.0
                readers = [read_stream(server.port, stream.raw, until) for _ in range(args.streams)]
                await asyncio.sleep(0)
                small = hammer(server.port, [small_target], args.clients, args.heavy_seconds)
                stats, *lines = await asyncio.gather(small, *readers)
                return stats, lines

            stats, lines = run(load())
        s = stats[small_target.name]
        if len(trees) > 1:
            print(f"\n{name}: {root}")
        print(
            f"\n(d) {args.streams} /train streams (a line per epoch) open while {args.clients} "
            f"clients send the 2×2 /network/run for {args.heavy_seconds:g} s"
        )
        print(
            f"small requests: {len(s.latencies)} done, {s.rate:.0f}/s, p50 {ms(s.quantile(0.5))} "
            f"ms, p99 {ms(s.quantile(0.99))} ms, statuses {dict(s.statuses)}; stream lines "
            f"received: {lines}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default="small,heavy,render", help="comma-separated")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0, help="per endpoint and round in (a)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--heavy-seconds", type=float, default=20.0)
    parser.add_argument("--render-repeat", type=int, default=5)
    parser.add_argument("--streams", type=int, default=2, help="open /train streams in (d)")
    parser.add_argument("--app", default="app.main:app", help="uvicorn's APP argument")
    parser.add_argument(
        "--twin", default="bench.cached_app:app", help="(e)'s app with the answers cached"
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="another source tree (e.g. `git archive REV | tar -x -C DIR`) to serve and load "
        "side by side with this one in (a), before this one in (b)",
    )
    parser.add_argument("--factory", action="store_true", help="APP is a factory (uvicorn's)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="server environment"
    )
    args = parser.parse_args()
    args.env = dict(item.split("=", 1) for item in args.env)
    print(describe())
    print(f"server: uvicorn {args.app} {' '.join(f'{k}={v}' for k, v in args.env.items())}")
    parts = {"small": small, "heavy": heavy, "render": render, "streams": streams, "floor": floor}
    for name in args.parts.split(","):
        parts[name](args)


if __name__ == "__main__":
    main()
