"""Gradient checks per second, and the refusal message's time estimate against the time taken.

Run from the repository root::

    python -m bench.gradcheck_speed [--threads 1] [--repeat 7] [--baseline TREE]

"checks/s" rows time ``run_network(..., gradcheck=True)`` (forward, backward and the check) on
the notebook preset and on a 32x32 four-layer stack, beside the cost model's estimate
(:func:`app.engine.cost.network_run`) of the same check; with ``--baseline`` the engine of
another source tree runs interleaved beside this one. "estimate" rows are checks the default budget
refuses, run with the budget raised: the time taken beside the estimate the refusal message
quotes (the cost model's, app.engine.cost).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from app.engine import cost
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.nn import network as this_network
from app.engine.nn.presets import notebook_example
from bench.harness import arguments, describe, import_baseline, interleaved, median, pinned_threads

UNLIMITED = dataclasses.replace(DEFAULT_LIMITS, gradcheck_budget=1e15)


def mlp(widths: tuple[int, ...], N: int, act: str = "relu", loss: str = "softmax_cross_entropy"):
    """Seeded affine layers of ``widths`` with ``act`` between them, class targets."""
    rng = np.random.default_rng(0)
    layers: list[dict] = []
    for k, width in enumerate(widths[1:]):
        layers.append({"type": "affine", "out": width, "init": "he", "seed": k})
        if k < len(widths) - 2:
            layers.append({"type": act})
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    x = rng.normal(size=(N, widths[0]))
    return {"x": x, "targets": rng.integers(0, widths[-1], N), "layers": layers, "loss": loss}


SPEED = {
    "notebook preset (1000x2, 2-4 sigmoid softmax CE)": notebook_example(),
    "32x32 four-layer relu stack, batch 32": mlp((32, 32, 32, 32, 32), 32),
}
REFUSED = {
    "32x32 four-layer relu, batch 128": mlp((32, 32, 32, 32, 32), 128),
    "64-64-64 tanh, batch 64": mlp((64, 64, 64), 64, "tanh"),
    "16-wide eight-layer relu, batch 256": mlp((16,) * 9, 256),
    "128-128-128 relu, batch 16": mlp((128, 128, 128), 16),
    "8-64-10 sigmoid softmax CE, batch 1024": mlp((8, 64, 10), 1024, "sigmoid", "cross_entropy"),
    "784-32-10 relu, batch 8": mlp((784, 32, 10), 8),
    "2-64-64-4 gelu, batch 128": mlp((2, 64, 64, 4), 128, "gelu"),
    "256-16 single affine, batch 64": mlp((256, 16), 64),
}


def check(case: dict, dtype: str = "float64", nw=this_network, limits: Limits = DEFAULT_LIMITS):
    args = (case["x"], case["targets"], case["layers"], case["loss"])
    return lambda: nw.run_network(*args, gradcheck=True, dtype=dtype, limits=limits)


def budget_and_estimate(case: dict) -> tuple[int, float]:
    """The multiply-adds the budget counts and the seconds the refusal message quotes."""
    nw = this_network
    net, params, x, _ = nw.prepare(
        case["x"], case["targets"], case["layers"], case["loss"], "float64"
    )
    us = cost.network_run(*x.shape, case["layers"], gradcheck=True).us
    return nw.gradcheck_cost(net, params, x), us / 1e6


def main() -> None:
    args = arguments(__doc__, repeat=7).parse_args()
    base = import_baseline(args.baseline, "app.engine.nn.network")[0] if args.baseline else None
    with pinned_threads(args.threads):
        print(describe(args.threads))
        print(f"{args.clock} clock; medians of {args.repeat} interleaved samples\n")
        print(
            f"{'checks/s':52s} {'dtype':7s} {'ms':>9s} {'checks/s':>9s} {'est/taken':>9s}", end=""
        )
        print(f" {'before':>9s} {'after/before':>12s}" if base else "")
        ratios = []
        for name, case in SPEED.items():
            est = budget_and_estimate(case)[1]
            for dtype in ("float64", "float32"):
                funcs = {"after": check(case, dtype)}
                if base is not None:
                    funcs["before"] = check(case, dtype, base)
                s = interleaved(funcs, args.repeat, sample_s=0.2, clock=args.clock).seconds
                line = f"{name:52s} {dtype:7s} {median(s['after']) * 1e3:9.1f} "
                line += f"{1 / median(s['after']):9.1f} {est / median(s['after']):9.2f}"
                ratios.append(est / median(s["after"]))
                if base is not None:
                    ratio = median(s["after"]) / median(s["before"])
                    line += f" {1 / median(s['before']):9.1f} {ratio:12.2f}"
                print(line, flush=True)
        print(
            f"\n{'refused by the default budget (run with it raised)':52s} {'budget':>8s} "
            f"{'taken s':>8s} {'estimate':>8s} {'est/taken':>9s}"
        )
        for name, case in REFUSED.items():
            cost, est = budget_and_estimate(case)
            assert cost > DEFAULT_LIMITS.gradcheck_budget, name
            f = check(case, limits=UNLIMITED)
            timed = interleaved({"c": f}, max(3, args.repeat // 2), 0.0, args.clock)
            taken = median(timed.seconds["c"])
            print(f"{name:52s} {cost:8.2g} {taken:8.2f} {est:8.2f} {est / taken:9.2f}", flush=True)
            ratios.append(est / taken)
        print(f"\nestimate / time taken over every row: {min(ratios):.2f} to {max(ratios):.2f}")


if __name__ == "__main__":
    main()
