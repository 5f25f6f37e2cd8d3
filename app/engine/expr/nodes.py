"""Expression trees: immutable nodes, compared structurally, and the one evaluation step.

:func:`operation` is the numpy function of an operation node and :func:`fold` its value on
float64 scalars; the parser (constant values), the calculus (constant folding), the compiler, the
explanation of non-finite values and the computational graph all evaluate through them.
A subtree may be shared (a derivative reuses ``node``, a program reuses a named step), so walks
that must stay linear go by object identity (:func:`post_order`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.expr.table import FUNCTIONS, OPERATORS


@dataclass(frozen=True, slots=True)
class Const:
    value: float
    name: str | None = None  # "pi" or "e" for the named constants (kept for printing)


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    a: Node


@dataclass(frozen=True, slots=True)
class Bin:
    op: str  # a key of OPERATORS: + - * / **
    a: Node
    b: Node


@dataclass(frozen=True, slots=True)
class Fn:
    name: str  # a key of FUNCTIONS
    a: Node


Node = Const | Var | Neg | Bin | Fn

ZERO = Const(0.0)
ONE = Const(1.0)


def children(node: Node) -> tuple[Node, ...]:
    """The operands of ``node``, left to right (none for a constant or a variable)."""
    if isinstance(node, Bin):
        return (node.a, node.b)
    if isinstance(node, Neg | Fn):
        return (node.a,)
    return ()


def with_children(node: Node, kids: Sequence[Node]) -> Node:
    """``node``'s operation applied to other operands."""
    if isinstance(node, Bin):
        return Bin(node.op, kids[0], kids[1])
    if isinstance(node, Neg):
        return Neg(kids[0])
    if isinstance(node, Fn):
        return Fn(node.name, kids[0])
    return node


def operation(node: Node) -> Callable[..., np.ndarray]:
    """The numpy function that computes an operation node from its operands' values."""
    if isinstance(node, Bin):
        return OPERATORS[node.op].numpy
    if isinstance(node, Fn):
        return FUNCTIONS[node.name].numpy
    return np.negative


def fold(node: Node, args: Sequence[float]) -> float:
    """The float64 value of an operation node from its operands' values (warnings silenced)."""
    with np.errstate(all="ignore"):
        return float(operation(node)(*(np.float64(a) for a in args)))


def post_order(root: Node) -> list[Node]:
    """Every distinct node (by identity) under ``root``, operands before their operation, left
    to right; iterative, so any depth is safe, and linear in the number of distinct nodes."""
    out: list[Node] = []
    done: set[int] = set()
    opened: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in done:
            stack.pop()
        elif key in opened:  # its operands are done
            stack.pop()
            done.add(key)
            out.append(node)
        else:
            opened.add(key)
            kind = type(node)
            if kind is Bin:
                stack.append(node.b)  # type: ignore[union-attr]
                stack.append(node.a)  # type: ignore[union-attr]
            elif kind is Fn or kind is Neg:
                stack.append(node.a)  # type: ignore[union-attr]
    return out


def substitute(
    template: Node,
    args: dict[str, Node],
    rebuild: Callable[[Node, Sequence[Node]], Node] = with_children,
) -> Node:
    """``template`` with each variable named in ``args`` replaced by that node (the same object
    wherever it occurs), operations rebuilt by ``rebuild`` (e.g. simplifying constructors)."""
    if isinstance(template, Var) and template.name in args:
        return args[template.name]
    if isinstance(template, Const):
        return Const(template.value, template.name)  # each use its own literal
    kids = children(template)
    if not kids:
        return template
    return rebuild(template, [substitute(k, args, rebuild) for k in kids])
