"""Largest relative error of every layer's and loss's analytic gradient against central differences.

Run: .venv/bin/python scripts/gradient_errors.py [--h 1e-5] [--trials 20]
Relative error is the contract's |a - n| / max(1e-8, |a| + |n|), float64, over random inputs
(standard normal, points within 1e-3 of a kink left out); layers are checked through
L = sum(y * g) for a random g, so every entry of the backward pass is exercised. Every layer kind
of the registry and every loss goes through the same protocol and the same check.
"""

import argparse

import numpy as np

from app.engine.nn.activations import ActivationSpec
from app.engine.nn.gradcheck import layer_check
from app.engine.nn.layers import LAYERS, AffineSpec, SoftmaxSpec, build_layer
from app.engine.nn.losses import LOSSES, as_targets


def spec_for(kind: str):
    if kind == "affine":
        return AffineSpec(n_out=3, seed=0)
    return SoftmaxSpec() if kind == "softmax" else ActivationSpec(kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--h", type=float, default=1e-5)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    h, worst = args.h, {}
    for _ in range(args.trials):
        for kind in LAYERS:
            layer, params = build_layer(spec_for(kind), 0, 4, "x", np.float64)
            params = {k: rng.standard_normal(v.shape) for k, v in params.items()}
            x = rng.standard_normal((5, 4))
            for kink in getattr(layer, "kinks", ()):
                x[np.abs(x - kink) < 1e-3] += 2e-3  # stay away from kinks
            g = rng.standard_normal(layer.forward(x, params)[0].shape)
            err = max(e for e, _ in layer_check(layer.forward, x, params, g, h).values())
            worst[kind] = max(worst.get(kind, 0.0), err)
        for name, loss in LOSSES.items():
            z = rng.standard_normal((5, 4))
            y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) if name == "cross_entropy" else z
            t = as_targets(rng.integers(0, 4, size=5), y.shape, name)

            def forward(a, p, t=t, loss=loss):
                return loss.forward(a, t)

            err = layer_check(forward, y, {}, 1.0, h)["x"][0]
            worst[name] = max(worst.get(name, 0.0), err)
    print(f"largest relative error, float64, h = {h:g}, {args.trials} random trials each:")
    for name, err in sorted(worst.items(), key=lambda kv: kv[1]):
        print(f"  {name:24s} {err:.1e}")


if __name__ == "__main__":
    main()
