"""Time run_network: forward+backward and the gradient check on a few stacks, in both dtypes.

  python -m bench.engine [--repeat 5]

The four modes of a case (fwd+bwd and gradient check, float64 and float32) run interleaved,
``--repeat`` times, so a busy neighbour slows them alike; the table gives medians and the ratios
float32 / float64 and gradient check / fwd+bwd from the same run. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(describe())

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
