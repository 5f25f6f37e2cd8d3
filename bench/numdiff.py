"""Times the numerical-differentiation engine: grid evaluation, gradient, descent, attack strings.

  python -m bench.numdiff

Prints medians of several repeats, and the ratios of a per-point (per-coordinate) Python loop to
the one vectorised call the engine makes, timed side by side in the same run.
"""

from __future__ import annotations

import numpy as np

from app.engine.errors import EngineError
from app.engine.expr import parse
from app.engine.numdiff import derivative, descent, gradient
from bench.machine import describe
from bench.timing import median_time, side_by_side
from tests.attacks import ATTACKS


def main() -> None:
    print(describe())
    f = parse("sin(x)*exp(-x**2/10) + sigmoid(3*x) + relu(x - 1) + log(x**2 + 1)", ("x",))
    x = np.linspace(-5, 5, 10_001)
    t_grid = median_time(lambda: f(x))
    some = x[::10]  # 1001 of the points, one call each; scaled to 10,001 below
    loop = side_by_side({"vector": lambda: f(x), "loop": lambda: [f(v) for v in some]})
    grid_ratio = loop["loop"] * len(x) / len(some) / loop["vector"]

    expr5 = "x1**2 + x2**3 + sin(x3)*exp(x4) + sqrt(x5**2 + 1)"
    point = [1.0, 2.0, 0.5, -1.0, 3.0]
    f5 = parse(expr5, ("x1", "x2", "x3", "x4", "x5"))
    offsets = np.concatenate([np.zeros((1, 5)), 1e-5 * np.eye(5), -1e-5 * np.eye(5)])
    t_grad_call = median_time(lambda: f5(*(np.array(point) + offsets).T))
    rows = np.array(point) + offsets
    coords = side_by_side(
        {"vector": lambda: f5(*rows.T), "loop": lambda: [f5(*row) for row in rows]}, rounds=21
    )
    t_grad = median_time(lambda: gradient(expr5, point))

    t_desc = median_time(
        lambda: descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000), repeats=11
    )
    t_desc_adam = median_time(
        lambda: descent(expr5, point, lr=0.01, steps=1000, optimizer="adam"), repeats=11
    )
    t_deriv = median_time(lambda: derivative("x**2 + 5", 1.0, num=10_001))

    print(f"\n10,001-point grid, one call:          {t_grid * 1e3:8.3f} ms")
    print(f"  a Python loop over the points takes {grid_ratio:.0f}x as long (side by side)")
    print(f"5-variable gradient, one call (11 pts): {t_grad_call * 1e3:6.3f} ms")
    print(
        f"  one call per coordinate (11 calls) takes {coords['loop'] / coords['vector']:.1f}x "
        "as long (side by side)"
    )
    print(f"gradient() incl. parse + exact:        {t_grad * 1e3:7.3f} ms")
    print(f"1000 SGD steps, 2 variables:           {t_desc * 1e3:7.3f} ms")
    print(f"1000 Adam steps, 5 variables:          {t_desc_adam * 1e3:7.3f} ms")
    print(f"derivative() with a 10,001-point curve: {t_deriv * 1e3:6.3f} ms")

    print("\nattack strings (parse + derivative at x0 = 1, median):")
    worst = (0.0, "")
    for source in ATTACKS:

        def attack(source: str = source) -> str:
            try:
                derivative(source, 1.0)
            except EngineError as exc:
                return exc.msg
            return "ACCEPTED"

        t = median_time(attack, repeats=11)
        worst = max(worst, (t, source))
        print(f"  {t * 1e3:7.3f} ms  {source[:40]!r:44} {attack()[:70]}")
    print(f"slowest attack: {worst[0] * 1e3:.3f} ms for {worst[1][:40]!r}")


if __name__ == "__main__":
    main()
