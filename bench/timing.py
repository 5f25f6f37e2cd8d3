"""Medians of wall times, several functions called in turn so that a busy neighbour slows all."""

import statistics
import time
from collections.abc import Callable


def side_by_side(
    fns: dict[str, Callable[[], object]], rounds: int = 7, warmup: bool = True
) -> dict[str, float]:
    """Median seconds of each function, the functions called in turn ``rounds`` times (after one
    warm-up call each, unless ``warmup`` is false)."""
    if warmup:
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def median_time(fn: Callable[[], object], repeats: int = 21) -> float:
    """Median seconds of ``fn()`` over ``repeats`` calls, after one warm-up call."""
    return side_by_side({"fn": fn}, repeats)["fn"]
