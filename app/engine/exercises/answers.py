"""A learner's answer as typed: a number, a fraction or a small arithmetic expression.

An answer is a JSON number or a string such as ``"-0.39"``, ``"-2/3"`` or ``"3*-4 + 1"``: numbers,
``+ - * / **`` and parentheses, read with an allow-list over Python's ``ast`` (never ``eval``),
at most :data:`MAX_CHARS` characters and :data:`MAX_NODES` syntax nodes. The typographic minus
``−`` and the multiplication signs ``×`` and ``·`` read as ``-`` and ``*``.

It is accepted when it is within its tolerance of the truth: the precision typed, for a single
decimal with at least two significant digits (``-0.39`` stands for anything in
[-0.395, -0.385]; ``1.5e-3`` for [1.45e-3, 1.55e-3]), and always 1e-6 relative to the truth with
an absolute floor of 1e-9 (a whole number, a fraction or an expression is taken as exact).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.engine.errors import EngineError

__all__ = ["ABS_FLOOR", "MAX_CHARS", "MAX_NODES", "REL_TOL", "Answer", "parse_answer"]

MAX_CHARS = 64
MAX_NODES = 40
REL_TOL = 1e-6
ABS_FLOOR = 1e-9
_MAX_EXPONENT = 64.0  # |b| of a ** b: a typed answer needs no more
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_SIGNS = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*"})


@dataclass(frozen=True)
class Answer:
    """The number an answer stands for and the half-width its typed precision allows."""

    value: float
    precision: float = 0.0  # 0: exact as typed (a whole number, a fraction, a JSON number)
    text: str | None = None  # the answer as typed, cut to 40 characters

    def tolerance(self, truth: float) -> float:
        """How far from ``truth`` this answer may be and still be right."""
        return max(self.precision, REL_TOL * abs(truth), ABS_FLOOR)

    def matches(self, truth: float) -> bool:
        """Whether this answer stands for ``truth`` (within :meth:`tolerance`)."""
        return math.isfinite(truth) and abs(self.value - truth) <= self.tolerance(truth)


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _precision(literal: str) -> float:
    """Half a unit in the last digit of a decimal literal with at least two significant digits
    (``0.39`` → 0.005), else 0 (a whole number or a single digit is taken as exact)."""
    if not any(c in literal for c in ".eE"):
        return 0.0
    try:
        _sign, digits, exponent = Decimal(literal).as_tuple()
    except InvalidOperation:
        return 0.0
    if not isinstance(exponent, int):
        return 0.0
    significant = len("".join(map(str, digits)).lstrip("0"))
    if significant < 2:
        return 0.0
    return 0.5 * 10.0**exponent * (1 + 1e-9)  # a hair more for the float rounding of both sides


def _evaluate(node: ast.AST, text: str) -> float:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise EngineError(f"{_short(text)!r} is not a number", ("answer",))
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _evaluate(node.operand, text)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = _evaluate(node.left, text), _evaluate(node.right, text)
        symbol = _OPS[type(node.op)]
        if symbol == "/" and b == 0:
            raise EngineError("the answer divides by zero", ("answer",))
        if symbol == "**":
            if abs(b) > _MAX_EXPONENT:
                raise EngineError(f"exponent too large (at most {_MAX_EXPONENT:g})", ("answer",))
            if a == 0 and b < 0:
                raise EngineError("the answer raises 0 to a negative power", ("answer",))
            if a < 0 and not b.is_integer():
                raise EngineError(
                    "the answer raises a negative number to a fractional power", ("answer",)
                )
        try:
            if symbol == "+":
                return a + b
            if symbol == "-":
                return a - b
            if symbol == "*":
                return a * b
            return a / b if symbol == "/" else a**b
        except OverflowError:
            raise EngineError("the answer overflows", ("answer",)) from None
    what = type(node).__name__
    if isinstance(node, ast.Name):
        what = f"the name {node.id!r}"
    elif isinstance(node, ast.Call):
        what = "a function call"
    raise EngineError(
        f"{what} is not allowed in an answer; type a number, a fraction such as -2/3 or numbers "
        "with + - * / ** and parentheses",
        ("answer",),
    )


def parse_answer(answer: float | int | str) -> Answer:
    """The :class:`Answer` a JSON number or a typed string stands for; EngineError (loc
    ``answer``) for anything else, too long, not finite or outside the allow-list."""
    if isinstance(answer, bool):
        raise EngineError("the answer must be a number or a string such as -0.39", ("answer",))
    if isinstance(answer, int | float):
        value = float(answer)
        if not math.isfinite(value):
            raise EngineError("the answer must be a finite number", ("answer",))
        return Answer(value)
    if not isinstance(answer, str):
        raise EngineError("the answer must be a number or a string such as -0.39", ("answer",))
    text = answer.translate(_SIGNS).strip()
    if not text:
        raise EngineError("the answer is empty; type a number", ("answer",))
    if len(text) > MAX_CHARS:
        raise EngineError(f"the answer is longer than {MAX_CHARS} characters", ("answer",))
    if "_" in text:  # Python reads 1_000 as a number; a learner does not mean that
        raise EngineError(f"{_short(text)!r} is not a number", ("answer",))
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        raise EngineError(
            f"{_short(text)!r} is not a number; type e.g. -0.39, -2/3 or 3*-4 + 1", ("answer",)
        ) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise EngineError(f"the answer has more than {MAX_NODES} parts", ("answer",))
    value = _evaluate(tree.body, text)
    if not math.isfinite(value):
        raise EngineError("the answer is not finite", ("answer",))
    body = tree.body
    literal = body.operand if isinstance(body, ast.UnaryOp) else body
    precision = 0.0
    if isinstance(literal, ast.Constant):
        precision = _precision(text.lstrip("+-").strip())
    return Answer(value, precision, _short(text))
