"""Seeded practice circuits: a random small program and values a learner can work by hand.

Reproducible from the request alone, in every release: the draws come from SplitMix64 (Steele,
Lea and Flood, 2014) written here with explicit 64-bit integer arithmetic, never from a library
generator whose stream may change, and every choice is an integer draw (a float value is a whole
number or a number of tenths). A teacher's link holds ``seed``, ``nodes`` and ``ops`` (or the
program itself): the same body gives the same program and values for as long as
``tests/engine/test_random_graph.py``'s pinned list passes. Changing a draw is a breaking change.

A program has ``nodes`` steps, one operation each (``q = x * y``), over 1 to 4 variables
``x, y, z, w``; the last step is ``f``. Every variable and every step feeds the output, and a value
is sometimes used twice (its gradient is then a sum). Values are small whole numbers or tenths
such that every step is defined and away from kinks by at least :data:`MARGIN` (no relu or abs at
0, no log or sqrt of a number below 0.1, no division by a number nearer 0 than 0.1), and every
value, gradient and local derivative is finite and at most :data:`MAX_MAGNITUDE` in size.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence

from app.engine.errors import EngineError
from app.engine.expr.graph import compute_graph
from app.engine.expr.table import CONSTANTS, FUNCTIONS
from app.engine.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "BINARY",
    "DEFAULT_OPS",
    "MAX_STEPS",
    "OPS",
    "UNARY",
    "Rng",
    "draw_values",
    "random_graph",
    "variables_of",
]

MASK = (1 << 64) - 1
BINARY = ("add", "sub", "mul", "div")
UNARY = ("neg", "pow", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs")
OPS = BINARY + UNARY
DEFAULT_OPS = ("add", "sub", "mul")
MAX_STEPS = 15
MARGIN = 0.1  # how far from a kink, a pole or a domain's edge every step's input stays
MAX_MAGNITUDE = 1e4  # of every value, gradient and local derivative
VARIABLES = ("x", "y", "z", "w")
STEP_NAMES = ("q", "r", "s", "t", "u", "v", "p", "m", "n", "k", "j", "g", "h", "d")
_RANK = {v: k for k, v in enumerate(VARIABLES)}
_PROGRAM_TRIES = 10  # bounds a request's work: at most 10 x 32 graphs of MAX_STEPS steps
_VALUE_TRIES = 32
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_CONSTANTS = ("2", "3", "0.5", "1")


class Rng:
    """SplitMix64: a 64-bit state, each draw an integer; the same seed gives the same stream."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return self.next() % n

    def choice(self, seq: Sequence):
        return seq[self.below(len(seq))]


def _check_ops(ops: Sequence[str]) -> tuple[str, ...]:
    if not ops:
        raise EngineError("give at least one operation", ("ops",))
    for k, op in enumerate(ops):
        if op not in OPS:
            raise EngineError(f"unknown operation; use some of {', '.join(OPS)}", ("ops", k))
    return tuple(dict.fromkeys(ops))


def _program(rng: Rng, nodes: int, ops: tuple[str, ...]) -> str:
    """One draw of a program: the op of each step, then operands so that everything drawn
    feeds the output (``dangling`` values are not used yet; each binary step may reuse one)."""
    kinds = [rng.choice(ops) for _ in range(nodes)]
    binary = sum(k in BINARY for k in kinds)
    lo, hi = min(2, binary + 1), min(len(VARIABLES), binary + 1)
    n_vars = lo + rng.below(hi - lo + 1)
    dangling = list(VARIABLES[:n_vars])
    used: list[str] = []
    lines = []
    left = binary  # binary steps still to come, this one included
    for step, kind in enumerate(kinds):
        name = "f" if step == nodes - 1 else STEP_NAMES[step]
        a = dangling.pop(rng.below(len(dangling)))
        used.append(a)
        if kind in BINARY:
            if dangling and (len(dangling) + 1 > left - 1 + 1 or rng.below(2) == 0):
                b = dangling.pop(rng.below(len(dangling)))
                used.append(b)
            else:
                others = [u for u in used if kind in ("add", "mul") or u != a]
                b = rng.choice(others) if others and rng.below(3) else rng.choice(_CONSTANTS)
            left -= 1
            text = f"{a} {_SYMBOL[kind]} {b}"
        elif kind == "neg":
            text = f"-{a}"
        elif kind == "pow":
            text = f"{a}**{2 + rng.below(2)}"
        else:
            text = f"{kind}({a})"
        lines.append(f"{name} = {text}")
        dangling.append(name)
    return "\n".join(lines)


def variables_of(expr: str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """The variables of a program: the names it reads before (or without) assigning them, other
    than functions and constants; x, y, z, w first, the others in the order they appear."""
    if len(expr) > limits.max_graph_chars:
        raise EngineError(
            f"the program is longer than {limits.max_graph_chars} characters", ("expr",)
        )
    try:
        module = ast.parse(expr.strip())
    except (SyntaxError, ValueError):
        raise EngineError(
            "the program is not valid: write lines name = expression", ("expr",)
        ) from None
    found: dict[str, None] = {}
    assigned: set[str] = set()
    for st in module.body:
        loads = [n for n in ast.walk(st) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
        for n in sorted(loads, key=lambda n: (n.lineno, n.col_offset)):
            if n.id not in assigned and n.id not in FUNCTIONS and n.id not in CONSTANTS:
                found[n.id] = None
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                assigned.add(n.id)
    if not found:
        raise EngineError("the program uses no variable", ("expr",))
    first = list(found)
    return tuple(sorted(first, key=lambda v: (_RANK.get(v, len(_RANK)), first.index(v))))


def _value(rng: Rng) -> int | float:
    """A whole number in ±5 or a number of tenths in ±3, never 0."""
    if rng.below(2):
        k = 1 + rng.below(5)
        return k if rng.below(2) else -k
    k = 1 + rng.below(30)
    k = k if rng.below(2) else -k
    return k // 10 if k % 10 == 0 else k / 10  # -30 tenths is the whole number -3


def _fit(result: dict) -> bool:
    """Every step defined and away from kinks, every number finite and human-sized."""
    nodes = result["nodes"]
    for n in nodes:
        numbers = [n["value"], n["grad"], *n["local"]]
        if any(v is None or not math.isfinite(v) or abs(v) > MAX_MAGNITUDE for v in numbers):
            return False
        args = [nodes[j]["value"] for j in n["inputs"]]
        op = n["op"]
        if op in ("relu", "abs") and abs(args[0]) < MARGIN:
            return False
        if op in ("log", "sqrt") and args[0] < MARGIN:
            return False
        if op == "log1p" and args[0] < MARGIN - 1:
            return False
        if op == "tan" and abs(math.cos(args[0])) < MARGIN:
            return False
        if op == "div" and abs(args[1]) < MARGIN:
            return False
        if op == "pow" and args[0] == 0:
            return False
    return True


def _try_values(
    rng: Rng, expr: str, names: tuple[str, ...], limits: Limits
) -> dict[str, int | float] | None:
    for _ in range(_VALUE_TRIES):
        values = {v: _value(rng) for v in names}
        try:
            result = compute_graph(expr, values, limits=limits)
        except EngineError as e:
            if e.loc != ("values",):
                raise  # the program itself is wrong: no value can help
            continue
        if _fit(result):
            return values
    return None


def draw_values(seed: int, expr: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, int | float]:
    """New values for a given program ("new numbers"), the same for the same seed and text."""
    names = variables_of(expr, limits)
    values = _try_values(Rng(seed ^ 0x5EED), expr, names, limits)
    if values is None:
        raise EngineError(
            "found no small values at which every step of this program is defined, away from "
            "kinks and of a size to work by hand; try another seed",
            ("expr",),
        )
    return values


def random_graph(
    seed: int,
    nodes: int = 6,
    ops: Sequence[str] = DEFAULT_OPS,
    expr: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """A random program of ``nodes`` steps with operations from ``ops`` and values for it, or
    (with ``expr``) new values for that program; the same for the same arguments, always.

    Returns ``expr``, ``values``, ``seed``, ``nodes`` and ``ops`` (as used). EngineError for an
    unknown op, a size out of range, or when no fitting values exist (``log(log(log(x)))``).
    """
    if not 0 <= seed <= MASK:
        raise EngineError("seed must be a whole number from 0 to 2**64 - 1", ("seed",))
    if expr is not None:
        return {"expr": expr, "values": draw_values(seed, expr, limits), "seed": seed}
    if not 1 <= nodes <= MAX_STEPS:
        raise EngineError(f"nodes must be 1 to {MAX_STEPS} steps", ("nodes",))
    kinds = _check_ops(ops)
    rng = Rng(seed)
    for _ in range(_PROGRAM_TRIES):
        program = _program(rng, nodes, kinds)
        names = variables_of(program, limits)
        values = _try_values(Rng(seed ^ 0x5EED), program, names, limits)
        if values is not None:
            return {
                "expr": program,
                "values": values,
                "seed": seed,
                "nodes": nodes,
                "ops": list(kinds),
            }
    raise EngineError(
        f"found no {nodes}-step program of {', '.join(kinds)} with small values at which every "
        "step is defined; try fewer nodes or more kinds of operation",
        ("ops",),
    )
