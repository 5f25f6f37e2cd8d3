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

from app.engine.expr import intervals as iv
from app.engine.numerics import sigmoid

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "FUNCTION_HELP",
    "OPERATORS",
    "USER_FUNCTIONS",
    "Function",
    "Operator",
    "Singular",
]

# Why a value is not finite although its arguments are: (what happened, detail or None), e.g.
# ("overflowed", "exp of 1000 is above the largest float").
Why = tuple[str, str | None]


@dataclass(frozen=True)
class Singular:
    """Where a function (or an operand of an operator) is not differentiable: a ``kink`` (the
    derivative jumps: abs, relu at 0) or a ``pole`` (the function or its derivative is
    unbounded there, or undefined beyond it: 1/u at 0, log and sqrt at 0, tan at π/2 + kπ).

    ``hits(lo, hi)`` says, per interval, whether ``[lo, hi]`` holds such a point (it may say
    yes within rounding of one; it never says no where one lies); ``convention`` says what the
    exact derivative takes there."""

    kind: str  # "kink" or "pole"
    at: str  # where, in the argument u, e.g. "u = 0"
    hits: Callable[[np.ndarray, np.ndarray], np.ndarray]
    convention: str


def _straddles(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return (lo <= 0) & (hi >= 0)


def _kink_at_0(rule: str) -> Singular:
    return Singular("kink", "u = 0", _straddles, rule)


def _edge(edge: float, why: str) -> Singular:
    return Singular("pole", f"u = {edge:g}", lambda lo, hi: lo <= edge, why)


_TAN_POLE = Singular(
    "pole",
    "u = π/2 + kπ",
    lambda lo, hi: iv.contains_periodic(lo, hi, math.pi / 2, math.pi),
    "tan is unbounded there, with opposite signs on the two sides",
)


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
    # Interval extension (lo, hi) -> bounds of f over [lo, hi], for the kink detector.
    bounds: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    singular: tuple[Singular, ...] = ()  # its kinks and poles


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
    Function(
        "sin",
        np.sin,
        "cos(u)*du",
        r"\sin\left(@\right)",
        _not_finite,
        "sine (radians)",
        bounds=iv.sine_like(np.sin, math.pi / 2),
    ),
    Function(
        "cos",
        np.cos,
        "-sin(u)*du",
        r"\cos\left(@\right)",
        _not_finite,
        "cosine",
        bounds=iv.sine_like(np.cos, 0.0),
    ),
    Function(
        "tan",
        np.tan,
        "1/cos(u)**2*du",
        r"\tan\left(@\right)",
        _not_finite,
        "tangent",
        expand="sin(u)/cos(u)",
        bounds=iv.tan_bounds,
        singular=(_TAN_POLE,),
    ),
    Function(
        "exp",
        np.exp,
        "exp(u)*du",
        r"\exp\left(@\right)",
        _overflow("exp"),
        "e to the u",
        bounds=iv.increasing(np.exp),
    ),
    Function(
        "log",
        np.log,
        "du/u",
        r"\log\left(@\right)",
        _log_why,
        "natural logarithm",
        bounds=iv.domain(np.log, 0.0),
        singular=(_edge(0.0, "log u → -∞ and log'(u) = 1/u → ∞ as u → 0+; no value below"),),
    ),
    Function(
        "sqrt",
        np.sqrt,
        "du/(2*sqrt(u))",
        r"\sqrt{@}",
        lambda u: ("is undefined", f"square root of the negative number {u:.6g}"),
        "square root",
        bounds=iv.domain(np.sqrt, 0.0),
        singular=(_edge(0.0, "sqrt'(u) = 1/(2 sqrt(u)) → ∞ as u → 0+; no value below"),),
    ),
    Function(
        "abs",
        np.abs,
        "sign(u)*du",
        r"\left|@\right|",
        _not_finite,
        "absolute value",
        bounds=iv.abs_bounds,
        singular=(_kink_at_0("abs'(0) = sign(0) = 0, as PyTorch does"),),
    ),
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
        bounds=iv.increasing(np.tanh),
    ),
    Function(
        "sigmoid",
        sigmoid,
        "sigmoid(u)*(1 - sigmoid(u))*du",
        r"\sigma\left(@\right)",
        _not_finite,
        "1/(1 + exp(-u)), without overflow",
        expand="1/(1 + exp(-u))",
        bounds=iv.increasing(sigmoid),
    ),
    Function(
        "relu",
        _relu,
        "step(u)*du",
        r"\operatorname{relu}\left(@\right)",
        _not_finite,
        "max(u, 0), with relu'(0) = 0",
        bounds=iv.increasing(_relu),
        singular=(_kink_at_0("relu'(0) = 0, as PyTorch does"),),
    ),
    Function(
        "sinh",
        np.sinh,
        "cosh(u)*du",
        r"\sinh\left(@\right)",
        _overflow("sinh", "beyond"),
        "hyperbolic sine",
        expand="(exp(u) - exp(-u))/2",
        bounds=iv.increasing(np.sinh),
    ),
    Function(
        "cosh",
        np.cosh,
        "sinh(u)*du",
        r"\cosh\left(@\right)",
        _overflow("cosh"),
        "hyperbolic cosine",
        expand="(exp(u) + exp(-u))/2",
        bounds=iv.cosh_bounds,
    ),
    Function(
        "log1p",
        np.log1p,
        "du/(1 + u)",
        r"\operatorname{log1p}\left(@\right)",
        _log1p_why,
        "log(1 + u), accurate for small u",
        expand="log(1 + u)",
        bounds=iv.domain(np.log1p, -1.0),
        singular=(_edge(-1.0, "log1p'(u) = 1/(1 + u) → ∞ as u → -1+; no value below"),),
    ),
    # Made by derivatives only: abs' = sign, relu' = step (both piecewise constant).
    Function(
        "sign",
        np.sign,
        "0",
        r"\operatorname{sign}\left(@\right)",
        _not_finite,
        user=False,
        bounds=iv.increasing(np.sign),
        singular=(_kink_at_0("sign'(0) = 0 (a jump)"),),
    ),
    Function(
        "step",
        _step,
        "0",
        r"\mathbf{1}\left[@ > 0\right]",
        _not_finite,
        user=False,
        bounds=iv.increasing(_step),
        singular=(_kink_at_0("step'(0) = 0 (a jump)"),),
    ),
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
    # Interval extension (alo, ahi, blo, bhi, b's value if b is a constant) -> bounds of a op b.
    bounds: Callable[..., tuple[np.ndarray, np.ndarray]]
    # Its kinks and poles given b's constant value (or None): (which operand, where), or None.
    singular: Callable[[float | None], tuple[int, Singular] | None] = lambda b: None


_DIV_POLE = Singular("pole", "b = 0", _straddles, "a/b is unbounded as b → 0, with either sign")


def _pow_singular(p: float | None) -> tuple[int, Singular] | None:
    """``u ** p``: smooth for a whole p >= 0; a pole at u = 0 for p < 0; for a fractional p,
    undefined below 0 (and, if p < 1, with an unbounded derivative at 0); with a variable
    exponent, defined for u > 0 only."""
    if p is None:
        return 0, _edge(0.0, "u**v = exp(v log u) needs u > 0 when v varies")
    if p >= 0 and float(p).is_integer():
        return None
    if float(p).is_integer():
        return 0, Singular("pole", "u = 0", _straddles, f"u**{p:g} is unbounded as u → 0")
    return 0, _edge(0.0, f"u**{p:g} has no real value for u < 0 and is not differentiable at 0")


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
        Operator("+", "add", np.add, 1, _overflowed, lambda al, ah, bl, bh, p: (al + bl, ah + bh)),
        Operator(
            "-", "sub", np.subtract, 1, _overflowed, lambda al, ah, bl, bh, p: (al - bh, ah - bl)
        ),
        Operator(
            "*",
            "mul",
            np.multiply,
            2,
            _overflowed,
            lambda al, ah, bl, bh, p: iv.mul_bounds(al, ah, bl, bh),
        ),
        Operator(
            "/",
            "div",
            np.divide,
            2,
            _div_why,
            lambda al, ah, bl, bh, p: iv.div_bounds(al, ah, bl, bh),
            lambda p: (1, _DIV_POLE),
        ),
        Operator("**", "pow", np.power, 4, _pow_why, iv.pow_bounds, _pow_singular),
    )
}
