"""Largest relative error of every layer's and loss's analytic gradient against central differences.

Run: .venv/bin/python scripts/gradient_errors.py [--h 1e-5] [--trials 20]
Relative error is the contract's |a - n| / max(1e-8, |a| + |n|), float64, over random inputs
(standard normal, points within 1e-3 of a kink left out); layers are checked through
L = sum(y * g) for a random g, so every entry of the backward pass is exercised.
"""

import argparse

import numpy as np

from app.engine.activations import ACTIVATIONS, activation_forward
from app.engine.gradcheck import compare, layer_check, numeric_gradient
from app.engine.layers import affine_forward, softmax_forward
from app.engine.losses import LOSSES, loss_forward


def layer_error(forward, args, rng, h) -> float:
    """Worst relative error over the inputs and parameters of ``forward(*args) -> (y, back)``."""
    g = rng.standard_normal(forward(*args)[0].shape)
    return max(max_rel for max_rel, _ in layer_check(forward, args, g, h))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--h", type=float, default=1e-5)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    h, worst = args.h, {}
    for _ in range(args.trials):
        for name, act in ACTIVATIONS.items():
            x = rng.standard_normal((4, 5))
            for kink in act.kinks:
                x[np.abs(x - kink) < 1e-3] += 2e-3  # stay away from kinks

            def forward(x, name=name):
                y, back = activation_forward(name, x)
                return y, lambda dy: (back(dy), {})

            worst[name] = max(worst.get(name, 0.0), layer_error(forward, [x], rng, h))
        x, W, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
        worst["affine"] = max(
            worst.get("affine", 0.0), layer_error(affine_forward, [x, W, b], rng, h)
        )
        worst["softmax"] = max(
            worst.get("softmax", 0.0),
            layer_error(softmax_forward, [rng.standard_normal((5, 4))], rng, h),
        )
        for loss in LOSSES:
            z = rng.standard_normal((5, 4))
            y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) if loss == "cross_entropy" else z
            t = rng.integers(0, 4, size=5)
            _, back = loss_forward(loss, y, t)
            num = numeric_gradient(lambda v, loss=loss, t=t: loss_forward(loss, v, t)[0], y, h)
            worst[loss] = max(worst.get(loss, 0.0), compare(back(), num)[1])
    print(f"largest relative error, float64, h = {h:g}, {args.trials} random trials each:")
    for name, err in sorted(worst.items(), key=lambda kv: kv[1]):
        print(f"  {name:24s} {err:.1e}")


if __name__ == "__main__":
    main()
