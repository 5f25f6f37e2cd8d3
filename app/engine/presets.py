"""Ready-made views of the typed-function pages: one record per preset, served by ``/meta``.

``/derivative`` opens an expression at a point over a range; ``/descent`` opens a landscape with a
start, a view box, a learning rate, the optimizers to race and the colour scale, and names the
minima it is known to have (so the page marks every one, not the lowest grid point only). The
pages hold no preset of their own: they read these records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class DerivativePreset:
    name: str
    title: str
    expr: str
    x0: float
    x_min: float
    x_max: float

    def record(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Minimum:
    """A known minimum of a landscape: where it is and the value of f there."""

    x: tuple[float, float]
    f: float


@dataclass(frozen=True)
class DescentPreset:
    name: str
    title: str
    expr: str
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x1 from, x1 to, x2 from, x2 to
    lr: float
    steps: int
    optimizers: tuple[str, ...]
    scale: str  # "linear" or "log": the contour's colour scale
    minima: tuple[Minimum, ...] = field(default=())
    note: str = ""  # what the page says about the minima (or their absence)

    def record(self) -> dict:
        d = asdict(self)
        d["start"] = list(self.start)
        d["box"] = list(self.box)
        d["optimizers"] = list(self.optimizers)
        d["minima"] = [{"x": list(m.x), "f": m.f} for m in self.minima]
        return d


DERIVATIVE_PRESETS: dict[str, DerivativePreset] = {
    p.name: p
    for p in (
        DerivativePreset("notebook", "x² + 5 at 1 (the notebook's)", "x**2 + 5", 1, -5, 5),
        DerivativePreset("sin", "sin(x)", "sin(x)", 1, -6.3, 6.3),
        DerivativePreset("cubic", "x³ − 3x", "x**3 - 3*x", 0.5, -2.5, 2.5),
        DerivativePreset("gauss", "exp(−x²)", "exp(-x**2)", 0.7, -3, 3),
        DerivativePreset("tanh", "tanh(x)", "tanh(x)", 0, -4, 4),
        DerivativePreset("sigmoid", "sigmoid(3x)", "sigmoid(3*x)", 0.2, -3, 3),
        DerivativePreset("abs", "|x| at the kink 0", "abs(x)", 0, -2, 2),
        DerivativePreset("sqrt", "√x near 0", "sqrt(x)", 0.25, 0, 4),
        DerivativePreset("underflow", "exp(1000x): underflow", "exp(1000*x)", -1.96, -2, 0.5),
    )
}

# Himmelblau's four minima (all f = 0): (3, 2) exactly, the other three to 6 digits.
_HIMMELBLAU = (
    Minimum((3.0, 2.0), 0.0),
    Minimum((-2.805118, 3.131312), 0.0),
    Minimum((-3.779310, -3.283186), 0.0),
    Minimum((3.584428, -1.848126), 0.0),
)

DESCENT_PRESETS: dict[str, DescentPreset] = {
    p.name: p
    for p in (
        DescentPreset(
            "valley",
            "Narrow valley: 0.5·x1² + 10·x2²",
            "0.5*x1**2 + 10*x2**2",
            (-4.5, 1.5),
            (-5, 5, -2.5, 2.5),
            0.09,
            100,
            ("sgd", "momentum", "adam"),
            "linear",
            (Minimum((0.0, 0.0), 0.0),),
        ),
        DescentPreset(
            "notebook",
            "The notebook's: x1² + x2³ + 1",
            "x1**2 + x2**3 + 1",
            (2, 3),
            (-3, 3, -1, 4),
            0.01,
            1000,
            ("sgd",),
            "linear",
            (),
            "no minimum: x2³ falls without bound as x2 → −∞",
        ),
        DescentPreset(
            "rosenbrock",
            "Rosenbrock",
            "(1 - x1)**2 + 100*(x2 - x1**2)**2",
            (-1.5, 2),
            (-2, 2, -1, 3),
            0.0009,
            2000,
            ("sgd", "momentum", "adam"),
            "log",
            (Minimum((1.0, 1.0), 0.0),),
        ),
        DescentPreset(
            "himmelblau",
            "Himmelblau (four minima)",
            "(x1**2 + x2 - 11)**2 + (x1 + x2**2 - 7)**2",
            (0, 0),
            (-5, 5, -5, 5),
            0.01,
            200,
            ("sgd", "momentum", "adam"),
            "log",
            _HIMMELBLAU,
            "four equal minima (f = 0): reaching any one of them is a success",
        ),
        DescentPreset(
            "beale",
            "Beale",
            "(1.5 - x1 + x1*x2)**2 + (2.25 - x1 + x1*x2**2)**2 + (2.625 - x1 + x1*x2**3)**2",
            (1, 1.5),
            (-4.5, 4.5, -4.5, 4.5),
            0.001,
            3000,
            ("sgd", "rmsprop", "adam"),
            "log",
            (Minimum((3.0, 0.5), 0.0),),
        ),
        DescentPreset(
            "saddle",
            "Saddle: x1² − x2²",
            "x1**2 - x2**2",
            (-2.5, 0.05),
            (-3, 3, -3, 3),
            0.05,
            60,
            ("sgd", "momentum", "adam"),
            "linear",
            (),
            "no minimum: a saddle at (0, 0), and f falls without bound along x2",
        ),
    )
}
