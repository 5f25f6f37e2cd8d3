"""Expression trees as Python-syntax text (minimal parentheses) and as LaTeX."""

from __future__ import annotations

import math

from app.engine.expr.nodes import Bin, Const, Fn, Neg, Node, Var, children, post_order
from app.engine.expr.table import FUNCTIONS, OPERATORS

__all__ = ["number_text", "short_source", "to_latex", "to_source"]

_NEG_PRECEDENCE = 3  # unary minus binds tighter than * /, looser than **
_ATOM = 5


def _prec(node: Node) -> int:
    if isinstance(node, Bin):
        return OPERATORS[node.op].precedence
    if isinstance(node, Neg):
        return _NEG_PRECEDENCE
    if isinstance(node, Const) and node.name is None and (node.value < 0 or _is_neg_zero(node)):
        return _NEG_PRECEDENCE
    return _ATOM


def _is_neg_zero(node: Const) -> bool:
    return node.value == 0 and math.copysign(1.0, node.value) < 0


def _is_number(node: Node) -> bool:
    """An unnamed numeric constant, or the negation of one (printed as a number)."""
    if isinstance(node, Neg):
        return _is_number(node.a)
    return isinstance(node, Const) and node.name is None


def number_text(value: float) -> str:
    """A float as short text: integers without ``.0`` (``-0`` kept), others by ``repr``."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if value != 0 or math.copysign(1.0, value) > 0 else "-0"
    return repr(value)


def to_source(node: Node) -> str:
    """Python-syntax text with minimal parentheses; parsing it gives the same tree's values."""

    def wrap(child: Node, min_prec: int) -> str:
        text = to_source(child)
        return text if _prec(child) >= min_prec else f"({text})"

    if isinstance(node, Const):
        return node.name or number_text(node.value)
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Neg):
        return "-" + wrap(node.a, 4)
    if isinstance(node, Fn):
        return f"{node.name}({to_source(node.a)})"
    p = _prec(node)
    if node.op == "**":
        return f"{wrap(node.a, 5)}**{wrap(node.b, 3)}"
    sep = f" {node.op} " if p == 1 else node.op
    return f"{wrap(node.a, p)}{sep}{wrap(node.b, p + 1)}"


def short_source(node: Node, most: int = 40) -> str:
    """:func:`to_source` cut to ``most`` characters, for messages. A tree of more than ``most``
    nodes (a shared sub-expression prints once per use, so a program's text can be exponential
    in its length) is shown by its operation alone, ``abs(…)`` or ``… / …``, without printing
    it: linear in the distinct nodes."""
    size: dict[int, int] = {}
    for n in post_order(node):
        size[id(n)] = min(1 + sum(size[id(c)] for c in children(n)), 10**6)
    if size[id(node)] > most:
        if isinstance(node, Fn):
            return f"{node.name}(…)"
        return f"… {node.op} …" if isinstance(node, Bin) else "-(…)"
    text = to_source(node)
    return text if len(text) <= most else text[: most - 1] + "…"


def to_latex(node: Node) -> str:
    """LaTeX for display (KaTeX/MathJax)."""

    def wrap(child: Node, min_prec: int) -> str:
        text = to_latex(child)
        return text if _prec(child) >= min_prec else rf"\left({text}\right)"

    if isinstance(node, Const):
        if node.name == "pi":
            return r"\pi"
        if node.name == "e":
            return "e"
        text = number_text(node.value)
        if "e" in text:
            mant, exp = text.split("e")
            return rf"{mant} \cdot 10^{{{int(exp)}}}"
        return text
    if isinstance(node, Var):
        return node.name if len(node.name) == 1 else f"{node.name[0]}_{{{node.name[1:]}}}"
    if isinstance(node, Neg):
        return "-" + wrap(node.a, 3)
    if isinstance(node, Fn):
        return FUNCTIONS[node.name].latex.replace("@", to_latex(node.a))
    if node.op == "/":
        return rf"\frac{{{to_latex(node.a)}}}{{{to_latex(node.b)}}}"
    if node.op == "**":
        return rf"{{{wrap(node.a, 5)}}}^{{{to_latex(node.b)}}}"
    if node.op == "*":
        left, right = wrap(node.a, 2), wrap(node.b, 3)
        if _is_number(node.a) and not isinstance(node.b, Const) and not right.startswith("-"):
            return f"{left} {right}"
        return rf"{left} \cdot {right}"
    return f"{wrap(node.a, 1)} {node.op} {wrap(node.b, 2)}"
