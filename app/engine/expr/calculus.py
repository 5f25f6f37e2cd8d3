"""Symbolic differentiation: the chain rule over expression trees, lightly simplified.

The operators' rules are written here (each comment states the math); a function's rule is the
``derivative`` of its row in :mod:`app.engine.expr.table`, parsed once. The simplifying
constructors fold numbers, drop zeros and ones and keep constants in front, so that ``d(x**2)``
prints as ``2*x``. Differentiation is memoised by node identity, so a tree that shares subtrees
(a program's named steps) is differentiated in time linear in its distinct nodes.
"""

from __future__ import annotations

import math

from app.engine.expr.nodes import ONE, ZERO, Bin, Const, Fn, Neg, Node, Var, fold, substitute
from app.engine.expr.parser import parse_template
from app.engine.expr.table import FUNCTIONS

__all__ = ["add", "derivative", "div", "fn", "mul", "neg", "power", "sub"]


def _val(n: Node) -> float | None:
    """The value of an unnamed numeric constant (or its negation), else None."""
    if isinstance(n, Const):
        return n.value if n.name is None else None
    if isinstance(n, Neg):
        v = _val(n.a)
        return None if v is None else -v
    return None


def _is_num(n: Node, value: float | None = None) -> bool:
    """True for an unnamed numeric constant (equal to ``value`` if given)."""
    v = _val(n)
    return v is not None and (value is None or v == value)


def _fold(op: str, a: Node, b: Node) -> Node:
    """``a op b`` for two numbers, folded when the result is finite."""
    tree = Bin(op, a, b)
    v = fold(tree, (_val(a), _val(b)))  # type: ignore[arg-type]
    return Const(v) if math.isfinite(v) else tree


def neg(a: Node) -> Node:
    if _is_num(a):
        return Const(-_val(a))  # type: ignore[operator]
    if isinstance(a, Neg):
        return a.a
    if isinstance(a, Bin) and a.op in "*/" and _is_num(a.a):
        return Bin(a.op, Const(-_val(a.a)), a.b)  # type: ignore[operator]  # -(c*u) = (-c)*u
    return Neg(a)


def add(a: Node, b: Node) -> Node:
    if _is_num(a, 0.0):
        return b
    if _is_num(b, 0.0):
        return a
    if _is_num(a) and _is_num(b):
        return _fold("+", a, b)
    if isinstance(b, Neg) or (_is_num(b) and _val(b) < 0):  # type: ignore[operator]
        return sub(a, neg(b))  # a + -b = a - b
    return Bin("+", a, b)


def sub(a: Node, b: Node) -> Node:
    if _is_num(b, 0.0):
        return a
    if _is_num(a, 0.0):
        return neg(b)
    if _is_num(a) and _is_num(b):
        return _fold("-", a, b)
    if isinstance(b, Neg) or (_is_num(b) and _val(b) < 0):  # type: ignore[operator]
        return add(a, neg(b))  # a - -b = a + b
    return Bin("-", a, b)


def mul(a: Node, b: Node) -> Node:
    if _is_num(a, 0.0) or _is_num(b, 0.0):
        return ZERO
    if _is_num(a, 1.0):
        return b
    if _is_num(b, 1.0):
        return a
    if _is_num(a, -1.0):
        return neg(b)
    if _is_num(b, -1.0):
        return neg(a)
    if _is_num(a) and _is_num(b):
        return _fold("*", a, b)
    if _is_num(b):  # constants first: u*3 -> 3*u
        return mul(b, a)
    if isinstance(a, Neg) and not _is_num(a):
        return neg(mul(a.a, b))
    if isinstance(b, Neg):
        return neg(mul(a, b.a))
    if _is_num(a) and isinstance(b, Bin) and b.op == "*" and _is_num(b.a):
        return mul(_fold("*", a, b.a), b.b)  # c1*(c2*u) = (c1 c2)*u
    return Bin("*", a, b)


def div(a: Node, b: Node) -> Node:
    if _is_num(a, 0.0):
        return ZERO
    if _is_num(b, 1.0):
        return a
    if a == b:
        return ONE  # u/u
    if _is_num(a) and _is_num(b):
        q = _fold("/", a, b)  # 6/3 -> 2, but 1/3 stays as text
        if isinstance(q, Const) and q.value.is_integer():
            return q
    if isinstance(a, Neg) and not _is_num(a):
        return neg(div(a.a, b))
    return Bin("/", a, b)


def power(a: Node, b: Node) -> Node:
    if _is_num(b, 0.0):
        return ONE
    if _is_num(b, 1.0):
        return a
    if _is_num(a) and _is_num(b):
        return _fold("**", a, b)
    if _is_num(b):
        return Bin("**", a, Const(_val(b)))  # type: ignore[arg-type]
    return Bin("**", a, b)


def fn(name: str, a: Node) -> Node:
    return Fn(name, a)


_BUILD = {"+": add, "-": sub, "*": mul, "/": div, "**": power}


def _rebuild(template: Node, kids: list[Node]) -> Node:
    """A template's operation applied to substituted operands, simplifying as it goes."""
    if isinstance(template, Bin):
        return _BUILD[template.op](kids[0], kids[1])
    if isinstance(template, Neg):
        return neg(kids[0])
    assert isinstance(template, Fn)
    return fn(template.name, kids[0])


# Each function's rule d f(u) as a tree over u and du, parsed once from the table.
_RULES: dict[str, Node] = {
    f.name: parse_template(f.derivative, ("u", "du")) for f in FUNCTIONS.values()
}


class _Differentiator:
    """d(node)/d(var) for one variable, memoised by node identity."""

    def __init__(self, var: str) -> None:
        self.var = var
        self.memo: dict[int, Node] = {}
        self.has: dict[int, bool] = {}
        self.keep: list[Node] = []  # keeps memoised nodes alive, so their ids stay unique

    def has_var(self, node: Node) -> bool:
        key = id(node)
        if key not in self.has:
            if isinstance(node, Var):
                self.has[key] = node.name == self.var
            elif isinstance(node, Const):
                self.has[key] = False
            elif isinstance(node, Bin):
                self.has[key] = self.has_var(node.a) or self.has_var(node.b)
            else:
                self.has[key] = self.has_var(node.a)
            self.keep.append(node)
        return self.has[key]

    def d(self, node: Node) -> Node:
        key = id(node)
        if key not in self.memo:
            self.memo[key] = self.rule(node)
            self.keep.append(node)
        return self.memo[key]

    def rule(self, node: Node) -> Node:
        """The chain rule at ``node``; each comment states the math."""
        if isinstance(node, Const):
            return ZERO
        if isinstance(node, Var):
            return ONE if node.name == self.var else ZERO
        if isinstance(node, Neg):
            return neg(self.d(node.a))  # (-u)' = -u'
        if isinstance(node, Fn):
            du = self.d(node.a)
            if _is_num(du, 0.0):
                return ZERO
            return substitute(_RULES[node.name], {"u": node.a, "du": du}, _rebuild)  # f'(u) u'
        u, v = node.a, node.b
        du, dv = self.d(u), self.d(v)
        if node.op == "+":
            return add(du, dv)  # u' + v'
        if node.op == "-":
            return sub(du, dv)  # u' - v'
        if node.op == "*":
            return add(mul(du, v), mul(u, dv))  # u'v + uv'
        if node.op == "/":
            if not self.has_var(v):
                return div(du, v)  # u'/c
            return div(sub(mul(du, v), mul(u, dv)), power(v, Const(2.0)))  # (u'v - uv')/v²
        if not self.has_var(v):
            return mul(mul(v, power(u, sub(v, ONE))), du)  # c u^(c-1) u'
        if not self.has_var(u):
            return mul(mul(node, fn("log", u)), dv)  # u^v log(u) v'
        return mul(node, add(mul(dv, fn("log", u)), div(mul(v, du), u)))  # u^v (v' log u + v u'/u)


def derivative(node: Node, var: str) -> Node:
    """d(node)/d(var) by the chain rule, lightly simplified."""
    return _Differentiator(var).d(node)
