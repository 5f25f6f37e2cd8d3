"""Time run_network: forward+backward and gradient check on a few stacks.

Run from the repository root: ``.venv/bin/python scripts/bench_engine.py``. Prints wall-clock and
CPU seconds (best of ``--repeat``) per case; not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.errors import EngineError
from app.engine.nn.network import run_network
from app.engine.nn.presets import notebook_example


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


def timed(case: dict, repeat: int, **kw) -> tuple[float, float, dict]:
    """Best wall and CPU seconds of ``repeat`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = run_network(case["x"], case["targets"], case["layers"], case["loss"], **kw)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cases = {
        "notebook preset (1000x2 -> 4, sigmoid, softmax)": notebook_example(),
        "256x256, 4 affine layers, batch 256": square_stack(256, 4, 256),
        "32x32, 4 affine layers, batch 32": square_stack(32, 4, 32),
        "64x64, 4 affine layers, batch 64": square_stack(64, 4, 64),
    }
    print(f"{'case':52s} {'mode':22s} {'wall s':>9s} {'cpu s':>9s}  notes")
    for name, case in cases.items():
        for dtype in ("float64", "float32"):
            wall, cpu, _ = timed(case, args.repeat, dtype=dtype)
            print(f"{name:52s} {'fwd+bwd ' + dtype:22s} {wall:9.4f} {cpu:9.4f}")
        for dtype in ("float64", "float32"):
            try:
                wall, cpu, r = timed(case, args.repeat, dtype=dtype, gradcheck=True)
            except EngineError as exc:
                print(f"{name:52s} {'gradcheck ' + dtype:22s} {'-':>9s} {'-':>9s}  refused: {exc}")
                continue
            worst = max(c["max_rel_error"] for c in r["gradcheck"])
            ok = all(c["passed"] for c in r["gradcheck"])
            note = f"max_rel_error {worst:.2e}, passed={ok}"
            print(f"{name:52s} {'gradcheck ' + dtype:22s} {wall:9.4f} {cpu:9.4f}  {note}")


if __name__ == "__main__":
    main()
