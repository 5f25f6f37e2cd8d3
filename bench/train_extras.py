"""What a /train stream spends per epoch besides training, at the Playground setting.

The /train page's request (XOR, 400 points, half for test, noise 0.3, hidden layers 4 and 2 with
tanh, a 2-way softmax cross-entropy output, SGD 0.03, batch 10, a report every 10 epochs with its
checkpoint, a 48 × 48 boundary every 50), streamed by :meth:`app.engine.nn.train.Training.stream`
and written as the API writes each line. Each part is timed where it runs, in this process's CPU
time, and given per epoch: the training epochs, the reports (the training set's loss, accuracy
and gradient, the test set's loss and accuracy, update ratios), within them the boundary and the
checkpoint, and the serialisation of the lines. The best of ``--rounds`` runs. Not a test: it
prints and never fails. Usage, from the repository root::

    .venv/bin/python -m bench.train_extras [--epochs 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.nn import train
from app.engine.nn.datasets import make_data
from app.responses import ndjson_line
from bench.machine import describe

LAYERS = [
    {"type": "affine", "out": 4, "init": "xavier", "seed": 0},
    {"type": "tanh"},
    {"type": "affine", "out": 2, "init": "xavier", "seed": 1},
    {"type": "tanh"},
    {"type": "affine", "out": 2, "init": "xavier", "seed": 2},
]
PARTS = {  # what is timed: the Training method, and how the table names it
    "_epoch": "training epochs",
    "_report": "reports (with the two below)",
    "_boundary": "  boundary, 48 × 48",
    "_state": "  checkpoint",
}


def one_run(epochs: int, spent: dict[str, float]) -> float:
    """CPU seconds of one stream of ``epochs`` epochs, each line serialised; ``spent`` gets
    the seconds of each part."""
    data = make_data("xor", n=400, noise=0.3, seed=0, test_fraction=0.5)
    run = train.prepare(
        data,
        LAYERS,
        "softmax_cross_entropy",
        "sgd",
        lr=0.03,
        batch_size=10,
        epochs=epochs,
        report_every=10,
        boundary_every=50,
        grid=48,
        checkpoint=True,
        time_limit=1e9,
    )
    t0 = time.process_time()
    for line in run.stream():
        s0 = time.process_time()
        ndjson_line(line)
        spent["serialise"] = spent.get("serialise", 0.0) + time.process_time() - s0
    return time.process_time() - t0


def timed(name: str, method: Callable, spent: dict[str, float]) -> Callable:
    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.process_time()
        try:
            return method(*args, **kw)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - t0

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    spent: dict[str, float] = {}
    originals = {name: getattr(train.Training, name) for name in PARTS}
    for name, method in originals.items():
        setattr(train.Training, name, timed(name, method, spent))
    best: tuple[float, dict[str, float]] | None = None
    try:
        for _ in range(args.rounds):
            spent.clear()
            total = one_run(args.epochs, spent)
            if best is None or total < best[0]:
                best = (total, dict(spent))
    finally:
        for name, method in originals.items():
            setattr(train.Training, name, method)
    assert best is not None
    total, parts = best
    per = 1e6 / args.epochs
    print(describe())
    print(
        f"Playground /train stream, {args.epochs} epochs, best of {args.rounds}: "
        f"{args.epochs / total:.0f} epochs/s, µs per epoch:"
    )
    print(f"{'total':32} {total * per:8.1f}")
    for name, label in (*PARTS.items(), ("serialise", "serialising the lines")):
        print(f"{label:32} {parts.get(name, 0.0) * per:8.1f}")


if __name__ == "__main__":
    main()
