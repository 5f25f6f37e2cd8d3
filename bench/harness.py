"""What a benchmark ran on, the threads it pins and interleaved timing: shared by bench/ scripts.

``threadpoolctl`` and ``torch`` are optional: without them the BLAS is read from
``numpy.show_config`` and the torch lines say it is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

try:
    import torch
except ImportError:  # an optional extra: the scripts skip the torch columns
    torch = None

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def blas() -> str:
    """The BLAS numpy calls and the kernel it picked (threadpoolctl), or numpy's build config."""
    if threadpool_info is not None:
        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return "; ".join(
            f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, "
            f"{i['num_threads']} threads)"
            for i in libs
        )
    cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{cfg.get('name')} {cfg.get('version')} (install threadpoolctl for the kernel)"


def describe(threads: int) -> str:
    """Lines naming the machine, the load, numpy, the BLAS and torch, for a benchmark's header."""
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "MALLOC_", "GLIBC_"))}
    lines = [
        f"cpu: {cpu_model()}, {os.cpu_count()} cores, load average {load}",
        f"python {platform.python_version()}, numpy {np.__version__}, BLAS {blas()}",
        f"threads: {threads}"
        + (
            " for numpy's BLAS"
            if threadpool_limits
            else " (numpy's BLAS not pinned: no threadpoolctl)"
        )
        + (" and torch" if torch is not None else "")
        + (f"; env {env}" if env else ""),
    ]
    if torch is None:
        lines.append("torch: not installed, its columns are skipped (pip install torch)")
    else:
        lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    return "\n".join(lines)


@contextlib.contextmanager
def pinned_threads(threads: int):
    """numpy's BLAS and torch both limited to ``threads`` for the block."""
    limiter = threadpool_limits(threads) if threadpool_limits else contextlib.nullcontext()
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(threads)
    with limiter:
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def import_baseline(tree: str, *names: str) -> list[ModuleType]:
    """Modules ``names`` of the ``app`` package in another source tree (an older commit, say
    ``git archive BASE app | tar -x -C /tmp/base``), beside this tree's own ``app``.

    They are imported from ``tree`` and then dropped from ``sys.modules``, so this tree's
    ``app`` imports afresh; the old functions keep their own module globals.
    """
    mine = {k: v for k, v in sys.modules.items() if k == "app" or k.startswith("app.")}
    for k in mine:
        del sys.modules[k]
    sys.path.insert(0, str(Path(tree).resolve()))
    try:
        modules = [importlib.import_module(name) for name in names]
    finally:
        sys.path.pop(0)
        for k in [k for k in sys.modules if k == "app" or k.startswith("app.")]:
            del sys.modules[k]
        sys.modules.update(mine)
    return modules


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def arguments(doc: str, repeat: int) -> argparse.ArgumentParser:
    """The options every bench/ script takes: threads, repeats, clock and a baseline tree."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--clock", choices=CLOCKS, default="wall")
    parser.add_argument(
        "--baseline", metavar="TREE", help="also time the engine of another source tree"
    )
    return parser


@dataclass
class Timings:
    """Seconds per call of each function, one sample per round, and minor page faults per call
    (memory the allocator had handed back to the system and must map again)."""

    seconds: dict[str, list[float]]
    faults: dict[str, float]


def interleaved(
    funcs: dict[str, Callable[[], object]],
    repeat: int,
    sample_s: float = 0.01,
    clock: str = "wall",
) -> Timings:
    """Time each function ``repeat`` times, in turns.

    Each sample runs a function enough times to last about ``sample_s``; every round times each
    function once, in an order that rotates, so that a change in the machine's load falls on all
    of them alike. ``clock="cpu"`` counts this process's CPU time, which time spent waiting for a
    core shared with other work does not inflate (meaningful with one thread).
    """
    now = CLOCKS[clock]
    calls = {}
    for name, f in funcs.items():
        f()  # warm up: first-call allocations, lazy imports
        t0 = time.perf_counter()
        f()
        calls[name] = max(1, round(sample_s / max(time.perf_counter() - t0, 1e-7)))
    seconds: dict[str, list[float]] = {name: [] for name in funcs}
    faults = dict.fromkeys(funcs, 0)
    names = list(funcs)
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            f, n = funcs[name], calls[name]
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = now()
            for _ in range(n):
                f()
            seconds[name].append((now() - t0) / n)
            faults[name] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    return Timings(seconds, {k: v / (repeat * calls[k]) for k, v in faults.items()})


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def ratio(a: list[float], b: list[float]) -> float:
    """The median of the round-by-round ratios a/b: each pair was timed moments apart."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))
