"""Time run_network: forward+backward and the gradient check on a few stacks, in both dtypes.

  python -m bench.engine [--repeat 5]
  MALLOC_TRIM_THRESHOLD_=67108864 MALLOC_MMAP_THRESHOLD_=33554432 python -m bench.engine --mix 30

The four modes of a case (fwd+bwd and gradient check, float64 and float32) run interleaved,
``--repeat`` times, so a busy neighbour slows them alike; the table gives medians and the ratios
float32 / float64 and gradient check / fwd+bwd from the same run. Not a test.

``--mix ROUNDS`` instead runs what a busy worker does, heavy ``/network/run`` bodies (lists, as
the API passes them; widths up to 256, batches up to 1024, both dtypes) in ``--threads`` threads,
and prints the time, the minor page faults and the peak and final resident memory (VmHWM,
VmRSS): run it with and without glibc's ``MALLOC_`` settings of the Dockerfile to compare.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import threading
import time

import numpy as np

from app.engine.errors import EngineError
from app.engine.nn.network import run_network
from app.engine.nn.presets import notebook_example
from bench.machine import describe

MODES = [
    ("fwd+bwd", "float64", False),
    ("fwd+bwd", "float32", False),
    ("gradcheck", "float64", True),
    ("gradcheck", "float32", True),
]


def square_stack(width: int, n_affine: int, batch: int, activation: str = "relu") -> dict:
    """``batch`` x ``width`` input through ``n_affine`` width x width affine layers."""
    rng = np.random.default_rng(0)
    layers: list[dict] = []
    for k in range(n_affine):
        layers.append({"type": "affine", "out": width, "init": "he", "seed": k})
        if k < n_affine - 1:
            layers.append({"type": activation})
    return {
        "x": rng.normal(size=(batch, width)),
        "targets": rng.integers(0, width, batch),
        "layers": layers,
        "loss": "softmax_cross_entropy",
    }


def once(case: dict, dtype: str, gradcheck: bool) -> tuple[float, dict | str]:
    """Wall seconds of one run, and its result (or the refusal's message)."""
    t0 = time.perf_counter()
    try:
        result = run_network(
            case["x"],
            case["targets"],
            case["layers"],
            case["loss"],
            dtype=dtype,
            gradcheck=gradcheck,
        )
    except EngineError as exc:
        return float("nan"), exc.msg
    return time.perf_counter() - t0, result


def heavy_mix() -> list[tuple]:
    """Bodies of the size the limits allow, as lists: ``(x, targets, layers)``."""
    rng = np.random.default_rng(0)
    bodies = []
    for D, H, C, N in [
        (256, 256, 256, 1024),
        (96, 256, 10, 1024),
        (256, 256, 256, 64),
        (2, 16, 4, 64),
    ]:
        W = (rng.standard_normal((D, H)) * np.sqrt(2 / D)).tolist()
        layers = [{"type": "affine", "W": W}, {"type": "relu"}, {"type": "affine", "out": H}]
        layers += [{"type": "relu"}, {"type": "affine", "out": C}]
        bodies.append(
            (rng.standard_normal((N, D)).tolist(), rng.integers(0, C, N).tolist(), layers)
        )
    return bodies


def _status(key: str) -> str:
    with open("/proc/self/status") as f:
        return next(line.split()[1] for line in f if line.startswith(key))


def mix(rounds: int, threads: int) -> None:
    """Time, page faults and resident memory of ``rounds`` of the heavy mix per thread."""
    bodies = heavy_mix()

    def work() -> None:
        for _ in range(rounds):
            for x, t, layers in bodies:
                for dtype in ("float64", "float32"):
                    run_network(x, t, layers, "softmax_cross_entropy", dtype=dtype)

    f0, t0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    print(
        f"{threads} thread(s) x {rounds} rounds: {time.perf_counter() - t0:.2f} s, "
        f"{faults} minor page faults, peak RSS {_status('VmHWM:')} kB, "
        f"RSS after {_status('VmRSS:')} kB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mix", type=int, metavar="ROUNDS", help="the heavy mix instead")
    parser.add_argument("--threads", type=int, default=1, help="threads of the heavy mix")
    args = parser.parse_args()
    print(describe())
    if args.mix:
        mix(args.mix, args.threads)
        return

    cases = {
        "notebook preset (1000x2 -> 4, sigmoid, softmax)": notebook_example(),
        "256x256, 4 affine layers, batch 256": square_stack(256, 4, 256),
        "32x32, 4 affine layers, batch 32": square_stack(32, 4, 32),
        "64x64, 4 affine layers, batch 64": square_stack(64, 4, 64),
    }
    print(f"\nmedian of {args.repeat} interleaved runs")
    print(f"{'case':50s} {'mode':20s} {'ms':>9s} {'f32/f64':>8s} {'/fwd+bwd':>9s}  notes")
    for name, case in cases.items():
        times: dict[tuple[str, str], list[float]] = {(m, d): [] for m, d, _ in MODES}
        last: dict[tuple[str, str], dict | str] = {}
        for _ in range(args.repeat):
            for mode, dtype, gradcheck in MODES:
                t, last[mode, dtype] = once(case, dtype, gradcheck)
                times[mode, dtype].append(t)
        median = {key: statistics.median(ts) for key, ts in times.items()}
        for mode, dtype, _ in MODES:
            t = median[mode, dtype]
            f32 = f"{t / median[mode, 'float64']:.2f}" if dtype == "float32" else "-"
            per = f"{t / median['fwd+bwd', dtype]:.1f}" if mode == "gradcheck" else "-"
            result = last[mode, dtype]
            if isinstance(result, str):
                note = "refused: " + result[:90]
            elif mode == "gradcheck":
                checks = result["gradcheck"]
                worst = max(c["max_rel_error"] for c in checks)
                note = f"max_rel_error {worst:.1e}, passed={all(c['passed'] for c in checks)}"
            else:
                note = ""
            print(f"{name:50s} {mode + ' ' + dtype:20s} {t * 1e3:9.3f} {f32:>8s} {per:>9s}  {note}")


if __name__ == "__main__":
    main()
