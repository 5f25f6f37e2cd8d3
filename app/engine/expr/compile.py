"""Evaluation: a tree compiled into a straight-line program of numpy calls, and at one point the
value of every node, which also says which piece first stopped being finite.

Both evaluate through :func:`app.engine.expr.nodes.operation` (the numpy function of each row of
the table), so the compiled program, the scalar walk and constant folding agree to the bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from app.engine.expr.nodes import Bin, Const, Fn, Node, Var, children, fold, operation, post_order
from app.engine.expr.printing import to_source
from app.engine.expr.table import FUNCTIONS, OPERATORS, Why

__all__ = [
    "Compiled",
    "Env",
    "compile_tree",
    "compile_trees",
    "describe",
    "evaluate",
    "explain_nonfinite",
    "why",
]

Env = tuple[np.ndarray, ...]
Compiled = Callable[[Env], np.ndarray]


def compile_tree(node: Node, variables: tuple[str, ...], dtype: type[np.floating]) -> Compiled:
    """A straight-line program of numpy calls, each distinct sub-expression computed once.

    Derivatives repeat sub-expressions (``d(u**v)`` contains ``u**v`` again); registers keyed by
    ``(operation, argument registers)`` share them. A register is released after its last use,
    so memory stays bounded on large grids. Constants are numpy scalars of ``dtype``. This is
    :func:`compile_trees` of one tree.
    """
    run = compile_trees((node,), variables, dtype)
    return lambda env: run(env)[0]


def compile_trees(
    nodes: tuple[Node, ...], variables: tuple[str, ...], dtype: type[np.floating]
) -> Callable[[Env], tuple[np.ndarray, ...]]:
    """One program for several trees (f and f', say): what they share is computed once.

    Each result has the bits of :func:`compile_tree` of its own tree: every register is the
    same numpy call on the same operands, only shared between the trees as well.
    """
    preset, var_regs, program, roots = _program(nodes, variables, dtype)

    def run(env: Env) -> tuple[np.ndarray, ...]:
        r = preset.copy()
        for reg, i in var_regs:
            r[reg] = env[i]
        for out, f, a, b, free in program:
            r[out] = f(r[a]) if b < 0 else f(r[a], r[b])
            for j in free:
                r[j] = None
        return tuple(r[root] for root in roots)  # type: ignore[misc]

    return run


def _program(nodes: tuple[Node, ...], variables: tuple[str, ...], dtype: type[np.floating]):
    """Registers preset with the constants, where the variables go, the steps with the registers
    each frees, and the registers of the results."""
    preset: list[object] = []  # register contents before a run: constants, else None
    var_regs: list[tuple[int, int]] = []  # (register, index of the variable in env)
    steps: list[tuple[int, Callable, int, int]] = []  # (out, ufunc, a, b or -1)
    by_key: dict[tuple, int] = {}
    by_id: dict[int, int] = {}

    def register(key: tuple, value: object = None) -> tuple[int, bool]:
        if key in by_key:
            return by_key[key], False
        by_key[key] = len(preset)
        preset.append(value)
        return by_key[key], True

    for n in (n for node in nodes for n in post_order(node)):  # operands first
        kind = type(n)
        if kind is Const:
            with np.errstate(all="ignore"):
                c = dtype(n.value)  # 1e308 is inf in float32
            reg, _ = register(("c", n.value.hex(), n.name), c)
        elif kind is Var:
            reg, new = register(("v", n.name))
            if new:
                var_regs.append((reg, variables.index(n.name)))
        elif kind is Bin:
            a, b = by_id[id(n.a)], by_id[id(n.b)]
            reg, new = register(("bin", n.op, a, b))
            if new:
                steps.append((reg, operation(n), a, b))
        else:
            a = by_id[id(n.a)]
            reg, new = register(("fn", n.name, a) if kind is Fn else ("neg", a))
            if new:
                steps.append((reg, operation(n), a, -1))
        by_id[id(n)] = reg

    roots = tuple(by_id[id(node)] for node in nodes)
    frees = _frees(steps, roots)
    program = [(out, f, a, b, frees[k]) for k, (out, f, a, b) in enumerate(steps)]
    return preset, var_regs, program, roots


def _frees(
    steps: list[tuple[int, Callable, int, int]], roots: tuple[int, ...]
) -> list[tuple[int, ...]]:
    """For each step, the registers it reads for the last time (the results' excepted)."""
    last_use: dict[int, int] = {}
    for k, (_, _, a, b) in enumerate(steps):
        last_use[a] = k
        if b >= 0:
            last_use[b] = k
    frees: list[tuple[int, ...]] = [() for _ in steps]
    for reg, k in last_use.items():
        if reg not in roots:
            frees[k] += (reg,)
    return frees


def evaluate(root: Node, env: Mapping[str, float]) -> dict[int, float]:
    """The float64 value of every distinct node under ``root`` (by ``id``) at the point ``env``."""
    values: dict[int, float] = {}
    for n in post_order(root):
        if isinstance(n, Const):
            values[id(n)] = n.value
        elif isinstance(n, Var):
            values[id(n)] = float(env[n.name])
        else:
            values[id(n)] = fold(n, [values[id(c)] for c in children(n)])
    return values


def why(node: Node, args: list[float]) -> Why:
    """Why ``node`` is not finite although its operands are (``args`` are their values)."""
    if isinstance(node, Fn):
        return FUNCTIONS[node.name].why(args[0])
    if isinstance(node, Bin):
        return OPERATORS[node.op].why(args[0], args[1])
    return "is not finite", None


def describe(node: Node, args: list[float]) -> str:
    """``why`` as a sentence about ``node``, e.g. ``exp(x) overflowed (exp of 1000 is ...)``."""
    what, detail = why(node, args)
    return f"{to_source(node)} {what}" + (f" ({detail})" if detail else "")


def explain_nonfinite(root: Node, env: Mapping[str, float]) -> str | None:
    """At a point, names the first piece (operands before operations, left to right) whose value
    is not finite, or None if every value is finite."""
    values = evaluate(root, env)
    for n in post_order(root):
        if math.isfinite(values[id(n)]):
            continue
        if isinstance(n, Var):
            return f"{n.name} is not finite"
        return describe(n, [values[id(c)] for c in children(n)])
    return None
