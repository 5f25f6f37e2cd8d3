"""Where floating point loses more than half the digits of a value: a note that teaches why.

Two ways, checked at one point with every sub-expression's float64 value:

- cancellation: ``a - b`` (or ``a + b`` of opposite signs), one of them computed (so rounded),
  whose result is below ``1e-8`` of its larger operand or 0: the leading digits cancel and what
  is left is mostly the operands' rounding (``exp(x) - 1`` at ``x = 1e-12``; at 1e-300 nothing
  is left at all);
- amplification: a function whose relative condition number ``|u f'(u) / f(u)|`` exceeds
  ``1e8`` at an argument that was itself rounded by an addition or subtraction: ``log(1 + x)``
  at ``x = 1e-12`` sees ``1 + x`` rounded to 16 digits, of which the 12 leading ones are the
  1, and returns ``x`` with 4 correct digits (``log1p(x)`` keeps them all).

The results are right for the floats as computed; the note (code ``cancellation``) says how
many digits the input still has and, where the language offers one, the stable spelling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.engine.errors import warning
from app.engine.expr.compile import evaluate
from app.engine.expr.expression import Expression
from app.engine.expr.nodes import Bin, Const, Fn, Node, Var, children, post_order
from app.engine.expr.printing import short_source

__all__ = ["LOST_DIGITS", "cancellation_warnings"]

LOST_DIGITS = 8.0  # more than half of float64's ~16 significant digits
_DIGITS = 16  # float64 carries about 15.95 significant decimal digits


def _varies(tree: Node) -> set[int]:
    out: set[int] = set()
    for n in post_order(tree):
        if isinstance(n, Var) or any(
            id(c) in out for c in (getattr(n, "a", None), getattr(n, "b", None)) if c is not None
        ):
            out.add(id(n))
    return out


def _condition(name: str, u: float, y: float) -> float | None:
    """``|u f'(u) / f(u)|`` for the functions that can amplify a rounded argument."""
    if y == 0 or not math.isfinite(y):
        return None
    slopes = {
        "log": lambda: 1 / u,
        "log1p": lambda: 1 / (1 + u),
        "sqrt": lambda: 0.5 / y,
        "sin": lambda: math.cos(u),
        "cos": lambda: -math.sin(u),
        "tan": lambda: 1 / math.cos(u) ** 2,
    }
    slope = slopes.get(name)
    if slope is None:
        return None
    with_u = abs(u * slope() / y)
    return with_u if math.isfinite(with_u) else None


def cancellation_warnings(
    f: Expression, point: Sequence[float], loc: tuple[str | int, ...]
) -> list[dict]:
    """The ``cancellation`` notes at ``point`` (one per sub-expression, outermost last)."""
    env = {v: float(p) for v, p in zip(f.variables, point, strict=True)}
    values = evaluate(f.tree, env)
    varies = _varies(f.tree)
    has_fn: set[int] = set()  # sub-expressions holding a function (a rounded value)
    for n in post_order(f.tree):
        if isinstance(n, Fn) or any(id(c) in has_fn for c in children(n)):
            has_fn.add(id(n))
    out = []
    for n in post_order(f.tree):
        if id(n) not in varies:
            continue
        if isinstance(n, Bin) and n.op in "+-":
            a, b, r = values[id(n.a)], values[id(n.b)], values[id(n)]
            if not (_rounded(n.a, a, has_fn) or _rounded(n.b, b, has_fn)):
                continue  # exact operands: x - 1 near 1 is exact (Sterbenz); 8 - 8 is 0
            big = max(abs(a), abs(b))
            if (
                not math.isfinite(big)
                or not math.isfinite(r)
                or big == 0
                or min(abs(a), abs(b)) == 0
            ):
                continue
            lost = math.log10(big / abs(r)) if r != 0 else _DIGITS  # all of them
            if lost > LOST_DIGITS:
                text = short_source(n)
                out.append(
                    warning(
                        "cancellation",
                        f"{text} cancels: its operands are about {big:.3g} and their "
                        f"{'difference' if n.op == '-' else 'sum'} {r:.3g}, so about "
                        f"{min(lost, _DIGITS):.0f} of the 16 digits cancel and what is left is "
                        "mostly the operands' rounding. Rewrite it so that the small quantity "
                        "is computed directly (e.g. a difference of squares as a product).",
                        loc,
                    )
                )
        elif isinstance(n, Fn) and isinstance(n.a, Bin) and n.a.op in "+-":
            u, y = values[id(n.a)], values[id(n)]
            cond = _condition(n.name, u, y)
            if cond is None or math.log10(max(cond, 1.0)) <= LOST_DIGITS:
                continue
            hint = ""
            if n.name == "log" and _adds_one(n.a):
                hint = " Write log1p(u) for log(1 + u): it keeps every digit of a small u."
            out.append(
                warning(
                    "cancellation",
                    f"{short_source(n)}: {n.name} amplifies the relative rounding of its "
                    f"argument {short_source(n.a, 30)} = {u:.17g} by {cond:.2g}, so about "
                    f"{min(math.log10(cond), _DIGITS):.0f} of the result's 16 digits are lost "
                    f"(the argument was rounded when it was added up).{hint}",
                    loc,
                )
            )
    return out


def _rounded(n: Node, value: float, has_fn: set[int]) -> bool:
    """Was ``n``'s value rounded when it was computed? Never for an input or a literal; always
    after a function; otherwise (+ - * / ** of exact values) unless it is a whole number, as
    sums and products of whole numbers below 2**53 are exact."""
    if isinstance(n, Var | Const):
        return False
    return id(n) in has_fn or not float(value).is_integer()


def _adds_one(n: Bin) -> bool:
    """``1 + u`` or ``u + 1`` as typed."""
    return n.op == "+" and any(isinstance(c, Const) and c.value == 1.0 for c in (n.a, n.b))
