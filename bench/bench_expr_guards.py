"""Times the guards of the expression language and the hot paths of numerical differentiation.

The tests check that each guard stops runaway work by counting work (nodes visited, calls made);
this script says how long that takes, as the wall-clock assertions the tests used to make did
(each line gives the old budget and the measured time as a fraction of it). Not a test: it
prints and never fails. Usage, from the repository root::

    .venv/bin/python -m bench.bench_expr_guards
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.errors import EngineError
from app.engine.expr import parse
from app.engine.expr.graph import compute_graph
from app.engine.limits import DEFAULT_LIMITS
from app.engine.numdiff import derivative, descent
from bench.timing import median_time
from tests.attacks import ATTACKS


def refused(fn: Callable[[], object]) -> Callable[[], str]:
    def run() -> str:
        try:
            fn()
        except EngineError as exc:
            return exc.msg
        return "ACCEPTED"

    return run


def line(what: str, seconds: float, budget: float) -> None:
    print(f"{what:52} {seconds * 1e3:9.3f} ms  {seconds / budget:6.1%} of {budget * 1e3:g} ms")


def main() -> None:
    print("guard or path (budget: the old test's, a round number for the graph)  median  share")
    worst = max((median_time(refused(lambda s=s: parse(s, ("x",)))), s) for s in ATTACKS)
    line(f"slowest attack to refuse: {worst[1][:20]!r}", worst[0], 0.05)
    big = dataclasses.replace(DEFAULT_LIMITS, max_expr_chars=10**7)
    for n in (1000, 100_000):
        deep = "(" * n + "x" + ")" * n
        line(
            f"{n} nested brackets, refused by the scan",
            median_time(refused(lambda d=deep: parse(d, ("x",), big)), repeats=5),
            0.5,
        )
    line(
        "exp(1000) refused by derivative()",
        median_time(refused(lambda: derivative("exp(1000)", 1.0))),
        0.05,
    )
    f = parse("sin(x)*exp(-x**2/10) + sigmoid(3*x) + relu(x - 1)", ("x",))
    x = np.linspace(-5, 5, 10_001)
    line("10,001-point evaluation", median_time(lambda: f(x)), 0.05)
    neuron = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    line(
        "graph of the CS231n neuron, expanded",
        median_time(lambda: compute_graph("sigmoid(w0*x0 + w1*x1 + w2)", neuron, expand=True)),
        0.05,
    )
    program = "\n".join(
        f"h{i} = sigmoid(w{i % 7}*x + h{i - 1})" if i else "h0 = sigmoid(w0*x)" for i in range(32)
    )
    weights = {f"w{i}": 0.1 * i for i in range(7)} | {"x": 0.5}
    line(
        "graph of a 32-line program (103 nodes, 8 variables)",
        median_time(lambda: compute_graph(program, weights), repeats=5),
        0.5,
    )
    line(
        "1000 SGD steps, 2 variables",
        median_time(
            lambda: descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000), repeats=5
        ),
        0.1,
    )


if __name__ == "__main__":
    main()
