"""Ready-made inputs for :func:`app.engine.nn.network.run_network`.

Each preset returns ``{"x", "targets", "layers", "loss"}`` (numpy arrays inside), the keyword
arguments of ``run_network``, seeded so the same call always gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def notebook_example(seed: int = 0) -> dict:
    """Section 3 of the seed notebook, done right: Affine -> Sigmoid -> Softmax -> cross-entropy.

    ``x: (1000, 2)`` whole numbers 0..99 (as floats), ``targets: (1000,)`` class indices 0..3,
    ``W: (2, 4) ~ N(0, 1)``, ``b: (4,) ~ U(0, 10)`` (the notebook's ``randn`` and ``rand * 10``; the
    notebook's ``b`` is ``(1, 4)``, which ``run_network`` also accepts). The sigmoid squeezes the
    scores into (0, 1), so every softmax row is within a factor e of uniform and the loss is about
    ln 4 = 1.39, not the notebook's 6952 (its ``y[:, t]`` indexing bug, NOTES.md point 2).
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, size=(1000, 2)).astype(np.float64)
    targets = rng.integers(0, 4, size=1000)
    W = rng.standard_normal((2, 4))
    b = rng.random(4) * 10.0
    return {
        "x": x,
        "targets": targets,
        "layers": [
            {"type": "affine", "W": W, "b": b},
            {"type": "sigmoid"},
            {"type": "softmax"},
        ],
        "loss": "cross_entropy",
    }


def toy_2d(seed: int = 0) -> dict:
    """40 points in two Gaussian blobs (class 0 around (-1, -1), class 1 around (1, 1), sd 0.6).

    Network 2 -> 4 -> 2: He-initialised affine, tanh, affine, softmax, cross-entropy.
    """
    rng = np.random.default_rng(seed)
    targets = np.repeat([0, 1], 20)
    centres = np.where(targets[:, None] == 0, -1.0, 1.0)  # (40, 2) blob centre of each point
    x = centres + 0.6 * rng.standard_normal((40, 2))
    return {
        "x": x,
        "targets": targets,
        "layers": [
            {"type": "affine", "in": 2, "out": 4, "init": "he", "seed": seed},
            {"type": "tanh"},
            {"type": "affine", "in": 4, "out": 2, "init": "xavier", "seed": seed + 1},
            {"type": "softmax"},
        ],
        "loss": "cross_entropy",
    }


def contract_example() -> dict:
    """The example of the REST contract (the README's `/api/v1/network/run`): 2 samples,
    2 -> 4 -> 3, cross-entropy."""
    return {
        "x": [[1.0, 2.0], [3.0, 4.0]],
        "targets": [0, 2],
        "layers": [
            {
                "type": "affine",
                "W": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]],
                "b": [0, 0, 0, 0],
            },
            {"type": "sigmoid"},
            {"type": "affine", "in": 4, "out": 3, "init": "he", "seed": 0},
            {"type": "softmax"},
        ],
        "loss": "cross_entropy",
    }


PRESETS: dict[str, Callable[[], dict]] = {
    "notebook": notebook_example,
    "toy_2d": toy_2d,
}

TITLES: dict[str, str] = {
    "notebook": "Notebook example: 1000 points, 4 classes, Affine → Sigmoid → Softmax",
    "toy_2d": "Two Gaussian blobs: 40 points, 2 → 4 → 2 with tanh",
}
