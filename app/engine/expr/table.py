"""Every function and operator of the expression language, each described once.

A :class:`Function` row holds all there is to know about one function: its numpy implementation,
its derivative rule, its LaTeX, why it can fail to be finite, a few words of help for the API's
description, and (for a composite) its staging in primitives for the computational graph. The
parser, the calculus, the printers, the compiler, the explanations of non-finite values and the
graph all read these rows; adding a function is one row here plus its tests.

Rules and stagings are written in the language itself, over the argument ``u`` and (for
derivatives) its derivative ``du``; :mod:`app.engine.expr.calculus` parses them once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.numerics import sigmoid

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "FUNCTION_HELP",
    "OPERATORS",
    "USER_FUNCTIONS",
    "Function",
    "Operator",
]

# Why a value is not finite although its arguments are: (what happened, detail or None), e.g.
# ("overflowed", "exp of 1000 is above the largest float").
Why = tuple[str, str | None]


@dataclass(frozen=True)
class Function:
    """One function ``f(u)`` of the language."""

    name: str
    numpy: Callable[[np.ndarray], np.ndarray]  # elementwise, any shape and float dtype
    derivative: str  # d f(u) over u and du, e.g. "cos(u)*du"
    latex: str  # with @ for the argument's LaTeX, e.g. r"\sin\left(@\right)"
    why: Callable[[float], Why]  # f(u) is not finite at this finite u: why
    help: str = ""  # a few words for the API description
    user: bool = True  # callable in typed expressions (sign and step come only from derivatives)
    expand: str | None = None  # a staging in primitives over u, for the graph's ``expand``


def _not_finite(u: float) -> Why:
    return "is not finite", f"its argument is {u:.6g}"


def _overflow(name: str, beyond: str = "above") -> Callable[[float], Why]:
    return lambda u: ("overflowed", f"{name} of {u:.6g} is {beyond} the largest float")


def _log_why(u: float) -> Why:
    if u == 0:
        return "is -infinity", "log of 0"
    return "is undefined", f"log of the negative number {u:.6g}"


def _log1p_why(u: float) -> Why:
    if u == -1:
        return "is -infinity", "log1p of -1"
    return "is undefined", f"log1p of {u:.6g}, which is below -1"


def _relu(u: np.ndarray) -> np.ndarray:
    return np.maximum(u, 0)


def _step(u: np.ndarray) -> np.ndarray:
    """relu'(u): 1 where u > 0, else 0 (so relu'(0) = 0); NaN stays NaN."""
    return np.heaviside(u, 0)


_ROWS = (
    Function("sin", np.sin, "cos(u)*du", r"\sin\left(@\right)", _not_finite, "sine (radians)"),
    Function("cos", np.cos, "-sin(u)*du", r"\cos\left(@\right)", _not_finite, "cosine"),
    Function(
        "tan",
        np.tan,
        "1/cos(u)**2*du",
        r"\tan\left(@\right)",
        _not_finite,
        "tangent",
        expand="sin(u)/cos(u)",
    ),
    Function("exp", np.exp, "exp(u)*du", r"\exp\left(@\right)", _overflow("exp"), "e to the u"),
    Function("log", np.log, "du/u", r"\log\left(@\right)", _log_why, "natural logarithm"),
    Function(
        "sqrt",
        np.sqrt,
        "du/(2*sqrt(u))",
        r"\sqrt{@}",
        lambda u: ("is undefined", f"square root of the negative number {u:.6g}"),
        "square root",
    ),
    Function("abs", np.abs, "sign(u)*du", r"\left|@\right|", _not_finite, "absolute value"),
    # 2σ(2u) - 1: the sigmoid's staging, so it overflows where the sigmoid's does (exp(-2u) for
    # u below about -354, where the value is still the exact -1); the textbook
    # (exp(2u) - 1)/(exp(2u) + 1) gives inf/inf = NaN as the value itself for u above 354.
    Function(
        "tanh",
        np.tanh,
        "(1 - tanh(u)**2)*du",
        r"\tanh\left(@\right)",
        _not_finite,
        "hyperbolic tangent",
        expand="2/(1 + exp(-2*u)) - 1",
    ),
    Function(
        "sigmoid",
        sigmoid,
        "sigmoid(u)*(1 - sigmoid(u))*du",
        r"\sigma\left(@\right)",
        _not_finite,
        "1/(1 + exp(-u)), without overflow",
        expand="1/(1 + exp(-u))",
    ),
    Function(
        "relu",
        _relu,
        "step(u)*du",
        r"\operatorname{relu}\left(@\right)",
        _not_finite,
        "max(u, 0), with relu'(0) = 0",
    ),
    Function(
        "sinh",
        np.sinh,
        "cosh(u)*du",
        r"\sinh\left(@\right)",
        _overflow("sinh", "beyond"),
        "hyperbolic sine",
        expand="(exp(u) - exp(-u))/2",
    ),
    Function(
        "cosh",
        np.cosh,
        "sinh(u)*du",
        r"\cosh\left(@\right)",
        _overflow("cosh"),
        "hyperbolic cosine",
        expand="(exp(u) + exp(-u))/2",
    ),
    Function(
        "log1p",
        np.log1p,
        "du/(1 + u)",
        r"\operatorname{log1p}\left(@\right)",
        _log1p_why,
        "log(1 + u), accurate for small u",
        expand="log(1 + u)",
    ),
    # Made by derivatives only: abs' = sign, relu' = step (both piecewise constant).
    Function("sign", np.sign, "0", r"\operatorname{sign}\left(@\right)", _not_finite, user=False),
    Function("step", _step, "0", r"\mathbf{1}\left[@ > 0\right]", _not_finite, user=False),
)

FUNCTIONS: dict[str, Function] = {f.name: f for f in _ROWS}
# The functions a user may call, in the order messages and help list them.
USER_FUNCTIONS: tuple[str, ...] = tuple(f.name for f in _ROWS if f.user)

# One line per user function, e.g. "`log1p` log(1 + u), accurate for small u", for help texts.
FUNCTION_HELP: tuple[str, ...] = tuple(f"`{f.name}` {f.help}" for f in _ROWS if f.user)

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}


@dataclass(frozen=True)
class Operator:
    """A binary operator ``a op b``; its derivative rules live in the calculus (they depend on
    which side holds the variable)."""

    symbol: str
    op: str  # its name on the computational graph
    numpy: Callable[[np.ndarray, np.ndarray], np.ndarray]
    precedence: int  # for printing: + - 1, * / 2, (unary minus 3), ** 4
    why: Callable[[float, float], Why]


def _div_why(a: float, b: float) -> Why:
    return ("divides by zero", None) if b == 0 else ("overflowed", None)


def _pow_why(a: float, b: float) -> Why:
    if a == 0 and b < 0:
        return "is undefined", "0 to a negative power"
    if a < 0 and not float(b).is_integer():
        return "is undefined", "a negative number to a fractional power"
    return "overflowed", None


def _overflowed(a: float, b: float) -> Why:
    return "overflowed", None


OPERATORS: dict[str, Operator] = {
    o.symbol: o
    for o in (
        Operator("+", "add", np.add, 1, _overflowed),
        Operator("-", "sub", np.subtract, 1, _overflowed),
        Operator("*", "mul", np.multiply, 2, _overflowed),
        Operator("/", "div", np.divide, 2, _div_why),
        Operator("**", "pow", np.power, 4, _pow_why),
    )
}
