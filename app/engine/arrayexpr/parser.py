"""From text to a checked, shaped, costed program over named arrays (an allow-list over ``ast``).

An answer is one expression (``x.T @ dy``) or a few lines ``name = expression`` whose last line is
the answer (``g = dy * gamma`` then ``g - mean(g, axis=1, keepdims=True)``). It is parsed with
:func:`ast.parse` and every node is checked against an allow-list; nothing is ever passed to
``eval``, ``exec`` or ``compile``. Allowed:

- the names the caller gives (each with its shape), numbers, ``pi`` and ``e``;
- ``+ - * / **``, unary ``-``, ``@`` (1-D and 2-D operands), ``.T`` (the only attribute), one
  comparison ``< <= > >= == !=`` (1 where true, 0 where false), numpy's broadcasting;
- ``sum``, ``mean``, ``max`` with the keyword arguments ``axis`` (a whole number written out) and
  ``keepdims`` (``True``/``False``), nothing else; ``where(c, a, b)`` (a where c is non-zero);
  ``softmax(a, axis)``; ``ones_like(a)``, ``zeros_like(a)``; and every elementwise function of the
  expression table (:data:`app.engine.expr.table.USER_FUNCTIONS`: exp, log, sqrt, tanh, ...).

Every intermediate's shape is inferred *before* anything is computed, so a hostile answer is
refused up front: each intermediate holds at most ``max(max_batch, max_side)²`` entries (the
largest matrix side squared), the arrays alive at once at most four times that, and the whole
answer costs at most ``gradcheck_budget`` operations (multiply-adds of ``@``, one per entry of
every other step). Rejections are :class:`EngineError` at ``loc`` (``("answer",)`` by default)
with a sentence that names the offending piece and the numbers.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from app.engine.errors import EngineError
from app.engine.expr.parser import (
    _FORBIDDEN_NODES,
    _FORBIDDEN_STATEMENTS,
    _Bounds,
    _check_size,
    _precheck,
    _python_parse,
    _short,
    assigned_names,
    check_name,
    split_assignment,
)
from app.engine.expr.table import CONSTANTS, FUNCTIONS, USER_FUNCTIONS
from app.engine.limits import DEFAULT_LIMITS, Limits

__all__ = ["FUNCTION_NAMES", "ArrayProgram", "Env", "parse_answer", "shape_text"]

Shape = tuple[int, ...]
Loc = tuple[str | int, ...]

# Elementwise functions come from the expression table (one list for both languages).
_ELEMENTWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    name: FUNCTIONS[name].numpy for name in USER_FUNCTIONS
}
_REDUCTIONS: dict[str, Callable[..., np.ndarray]] = {"sum": np.sum, "mean": np.mean, "max": np.max}
_ARRAY_FUNCTIONS = ("where", "softmax", "ones_like", "zeros_like")
FUNCTION_NAMES: tuple[str, ...] = (*_REDUCTIONS, *_ARRAY_FUNCTIONS, *USER_FUNCTIONS)

_BINOPS: dict[type, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    ast.Add: ("+", np.add),
    ast.Sub: ("-", np.subtract),
    ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.divide),
    ast.Pow: ("**", np.power),
}
_OTHER_OPS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
_COMPARE: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ALLOWED = "+ - * / ** @, .T, comparisons"
# The checker's method for each kind of node the language has; every other node is refused.
_METHODS: dict[type, str] = {
    ast.Constant: "constant",
    ast.Name: "name",
    ast.UnaryOp: "unary",
    ast.BinOp: "binop",
    ast.Compare: "compare",
    ast.Attribute: "attribute",
    ast.Call: "call",
}
# Nodes refused with the expression language's words, except comparisons (allowed here).
_REFUSED = {k: v for k, v in _FORBIDDEN_NODES.items() if k is not ast.Compare}


def shape_text(shape: Shape) -> str:
    """``4×2`` for a matrix, ``4`` for a vector, ``a scalar`` for a 0-d value."""
    return "×".join(map(str, shape)) if shape else "a scalar"


@dataclass
class Env:
    """What a program runs on: the named arrays (given, then each step's), in one dtype."""

    values: dict[str, np.ndarray]
    dtype: type

    def const(self, v: float) -> np.ndarray:
        return np.asarray(v, dtype=self.dtype)


Run = Callable[[Env], np.ndarray]


@dataclass(frozen=True)
class Term:
    """A checked sub-expression: its shape, how to compute it, its size and peak memory
    (entries alive while it is computed, its operands' and its own) and, for a number written
    out, its value (axis=-1 and keepdims=True are read from it)."""

    shape: Shape
    run: Run
    size: int
    peak: int
    literal: float | bool | None = None


@dataclass(frozen=True)
class ArrayProgram:
    """A parsed answer: its steps ``(name, run)`` in order, then the answer's shape and run."""

    steps: tuple[tuple[str, Run], ...]
    shape: Shape
    output: Run
    work: int  # operations counted before anything runs
    text: str

    def __call__(self, values: Mapping[str, np.ndarray], dtype: type = np.float64) -> np.ndarray:
        """The answer's value over ``values`` (arrays of the shapes given at parse time), in
        ``dtype``; non-finite entries are left in for the caller to report."""
        env = Env(dict(values), dtype)
        with np.errstate(all="ignore"):
            for name, run in self.steps:
                env.values[name] = run(env)
            return np.asarray(self.output(env), dtype=dtype)


def _size(shape: Shape) -> int:
    return math.prod(shape)


@dataclass
class _Checker:
    """Walks the tree once, inferring shapes and counting work and memory as it goes."""

    source: str
    names: dict[str, Shape]
    limits: Limits
    loc: Loc
    steps: dict[str, Shape] = field(default_factory=dict)
    later: set[str] = field(default_factory=set)  # names a line further down assigns
    work: int = 0
    alive: int = 0  # entries of the steps computed so far (they stay alive to the end)

    @property
    def max_entries(self) -> int:
        return max(self.limits.max_batch, self.limits.max_side) ** 2

    def fail(self, msg: str) -> EngineError:
        return EngineError(msg, self.loc)

    def segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node)
        return _short(text) if text is not None else "?"

    def made(self, node: ast.AST, shape: Shape, run: Run, parts: list[Term], cost: int) -> Term:
        """A new intermediate of ``shape`` from ``parts``, after checking its bounds."""
        size = _size(shape)
        if size > self.max_entries:
            raise self.fail(
                f"'{self.segment(node)}' would be {shape_text(shape)} = {size:,} entries "
                f"(limit {self.max_entries:,} per intermediate array)"
            )
        self.work += cost
        if self.work > self.limits.gradcheck_budget:
            raise self.fail(
                f"the answer needs more than {self.limits.gradcheck_budget:.2g} operations "
                f"(at '{self.segment(node)}', {shape_text(shape)}); "
                "write it with smaller intermediates"
            )
        held, peak = 0, 0
        for p in parts:  # operands are computed left to right and held until this one is
            peak = max(peak, held + p.peak)
            held += p.size
        peak = max(peak, held + size)
        if self.alive + peak > 4 * self.max_entries:
            raise self.fail(
                f"'{self.segment(node)}' would need {self.alive + peak:,} entries in memory at "
                f"once (limit {4 * self.max_entries:,}); write it with smaller intermediates"
            )
        return Term(shape, run, size, peak)

    # ------------------------------------------------------------------ nodes
    def convert(self, node: ast.AST) -> Term:
        method = _METHODS.get(type(node))
        if method is not None:
            return getattr(self, method)(node)
        for kind, msg in _REFUSED.items():
            if isinstance(node, kind):
                raise self.fail(msg)
        raise self.fail(f"'{self.segment(node)}' is not allowed in an answer")

    def constant(self, node: ast.Constant) -> Term:
        v = node.value
        if isinstance(v, bool):
            raise self.fail("True/False are only allowed as keepdims=True or keepdims=False")
        if not isinstance(v, int | float):
            what = {complex: "complex numbers are", str: "strings are", bytes: "bytes are"}
            raise self.fail(f"{what.get(type(v), f'{v!r} is')} not allowed")
        try:
            x = float(v)
        except OverflowError:
            x = math.inf
        if not math.isfinite(x):
            raise self.fail(
                f"the number {self.segment(node)} is too large for a float (largest about 1.8e308)"
            )
        return Term((), lambda env: env.const(x), 0, 0, x)

    def hint(self) -> str:
        return ", ".join([*self.names, *self.steps])

    def name(self, node: ast.Name) -> Term:
        n = node.id
        if n in self.steps or n in self.names:
            shape = self.steps.get(n, self.names.get(n, ()))
            return Term(shape, lambda env: env.values[n], 0, 0)
        if n in CONSTANTS:
            value = CONSTANTS[n]
            return Term((), lambda env: env.const(value), 0, 0, value)
        if n in FUNCTION_NAMES:
            raise self.fail(f"'{n}' is a function; call it with an argument, e.g. {n}(dy)")
        if n in self.later:
            raise self.fail(f"'{n}' is used before a line assigns it")
        raise self.fail(f"name '{_short(n, 20)}' is not allowed; use {self.hint()}")

    def unary(self, node: ast.UnaryOp) -> Term:
        if isinstance(node.op, ast.UAdd):
            return self.convert(node.operand)
        if not isinstance(node.op, ast.USub):
            sym = "not" if isinstance(node.op, ast.Not) else "~"
            raise self.fail(f"'{sym}' is not allowed; allowed: {_ALLOWED}")
        a = self.convert(node.operand)
        if a.literal is not None and not isinstance(a.literal, bool):
            value = -float(a.literal)
            return Term((), lambda env: env.const(value), 0, 0, value)
        t = self.made(node, a.shape, lambda env: np.negative(a.run(env)), [a], _size(a.shape))
        return t

    def broadcast(self, node: ast.AST, *terms: Term) -> Shape:
        try:
            return tuple(np.broadcast_shapes(*(t.shape for t in terms)))
        except ValueError:
            shapes = " and ".join(shape_text(t.shape) for t in terms)
            raise self.fail(
                f"'{self.segment(node)}': shapes {shapes} do not broadcast (sizes must be equal "
                "or 1, compared from the last axis)"
            ) from None

    def binop(self, node: ast.BinOp) -> Term:
        if isinstance(node.op, ast.MatMult):
            return self.matmul(node)
        if type(node.op) not in _BINOPS:
            sym = _OTHER_OPS.get(type(node.op), type(node.op).__name__)
            hint = "; combine masks with *" if sym in ("&", "|") else ""
            raise self.fail(f"the operator '{sym}' is not allowed; allowed: {_ALLOWED}{hint}")
        _, f = _BINOPS[type(node.op)]
        a, b = self.convert(node.left), self.convert(node.right)
        return self.elementwise(node, f, a, b)

    def elementwise(self, node: ast.AST, f: Callable, a: Term, b: Term) -> Term:
        shape = self.broadcast(node, a, b)
        return self.made(node, shape, lambda env: f(a.run(env), b.run(env)), [a, b], _size(shape))

    def matmul(self, node: ast.BinOp) -> Term:
        a, b = self.convert(node.left), self.convert(node.right)
        sa, sb = a.shape, b.shape
        left, right = self.segment(node.left), self.segment(node.right)
        if not sa or not sb:
            raise self.fail(
                f"'{self.segment(node)}': @ needs arrays on both sides, not a scalar; "
                "use * to scale"
            )
        k_a, k_b = sa[-1], sb[0]
        if k_a != k_b:
            raise self.fail(
                f"'{self.segment(node)}': {left} is {shape_text(sa)} and {right} is "
                f"{shape_text(sb)}, so the inner sizes {k_a} and {k_b} differ (A @ B needs A's "
                "columns to equal B's rows)"
            )
        shape = sa[:-1] + sb[1:]
        cost = _size(sa[:-1]) * k_a * _size(sb[1:])
        return self.made(
            node, shape, lambda env: np.matmul(a.run(env), b.run(env)), [a, b], max(cost, 1)
        )

    def compare(self, node: ast.Compare) -> Term:
        if len(node.ops) != 1:
            raise self.fail("chained comparisons are not allowed; write (a < b) * (b < c)")
        f = _COMPARE.get(type(node.ops[0]))
        if f is None:
            raise self.fail("only the comparisons < <= > >= == != are allowed")
        a, b = self.convert(node.left), self.convert(node.comparators[0])

        def mask(env: Env, f=f) -> np.ndarray:
            return f(a.run(env), b.run(env)).astype(env.dtype)  # 1 where true, 0 where false

        shape = self.broadcast(node, a, b)
        return self.made(node, shape, mask, [a, b], _size(shape))

    def attribute(self, node: ast.Attribute) -> Term:
        if node.attr != "T":
            raise self.fail(
                f"attribute access is not allowed ('.{_short(node.attr, 20)}'); "
                "the only attribute is .T, the transpose"
            )
        a = self.convert(node.value)
        shape = a.shape[::-1]
        return self.made(node, shape, lambda env: np.transpose(a.run(env)), [a], 0)

    # ------------------------------------------------------------------ calls
    def call(self, node: ast.Call) -> Term:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute) and node.func.attr != "T":
                raise self.fail(
                    f"attribute access is not allowed ('{self.segment(node.func)}'); "
                    "the only attribute is .T, the transpose"
                )
            self.convert(node.func)  # refuses what is not allowed anywhere (lambda, ...)
            raise self.fail(f"'{self.segment(node.func)}' cannot be called")
        fname = node.func.id
        if fname in self.names or fname in self.steps:
            raise self.fail(
                f"'{fname}' is an array, not a function; write {fname}*(...) to multiply"
            )
        if fname not in FUNCTION_NAMES:
            raise self.fail(
                f"function '{_short(fname, 20)}' is not allowed; "
                f"allowed: {', '.join(FUNCTION_NAMES)}"
            )
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("starred arguments are not allowed")
        if any(k.arg is None for k in node.keywords):
            raise self.fail("'**' arguments are not allowed")
        if fname in _REDUCTIONS:
            return self.reduction(node, fname)
        if fname == "softmax":
            return self.softmax(node)
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in {fname}()")
        wanted = 3 if fname == "where" else 1
        if len(node.args) != wanted:
            what = "exactly one argument" if wanted == 1 else "three arguments: where(c, a, b)"
            raise self.fail(f"{fname} takes {what}, got {len(node.args)}")
        args = [self.convert(a) for a in node.args]
        if fname == "where":
            c, a, b = args
            shape = self.broadcast(node, c, a, b)
            return self.made(
                node,
                shape,
                lambda env: np.where(c.run(env) != 0, a.run(env), b.run(env)),
                args,
                _size(shape),
            )
        (a,) = args
        if fname in ("ones_like", "zeros_like"):
            make = np.ones if fname == "ones_like" else np.zeros
            shape = a.shape  # the argument is never computed: only its shape is read
            return self.made(
                node, shape, lambda env: make(shape, dtype=env.dtype), [], _size(shape)
            )
        f = _ELEMENTWISE[fname]
        return self.made(node, a.shape, lambda env: f(a.run(env)), [a], _size(a.shape))

    def literal(self, node: ast.AST, fname: str, key: str) -> float | bool:
        """The value of ``key=...``: a number or True/False written out, nothing computed."""
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return node.value
        t = self.convert(node)
        if t.literal is None:
            example = "axis=0" if key == "axis" else "keepdims=True"
            raise self.fail(
                f"{fname}'s {key} must be written out as a literal, e.g. {fname}(dy, {example})"
            )
        return t.literal

    def axis(self, node: ast.AST, fname: str, shape: Shape) -> int:
        v = self.literal(node, fname, "axis")
        if isinstance(v, bool) or not float(v).is_integer():
            raise self.fail(f"{fname}'s axis must be a whole number, e.g. axis=0")
        ax = int(v)
        if not -len(shape) <= ax < len(shape):
            dims = f"{len(shape)} axes" if shape else "no axes (it is a scalar)"
            raise self.fail(f"axis {ax} is out of range in {fname}(): its argument has {dims}")
        return ax % len(shape)

    def reduction(self, node: ast.Call, fname: str) -> Term:
        if len(node.args) != 1:
            raise self.fail(
                f"{fname} takes one array and the keywords axis and keepdims, e.g. "
                f"{fname}(dy, axis=0, keepdims=True); got {len(node.args)} positional arguments"
            )
        a = self.convert(node.args[0])
        axis: int | None = None
        keepdims = False
        for k in node.keywords:
            if k.arg == "axis":
                axis = self.axis(k.value, fname, a.shape)
            elif k.arg == "keepdims":
                v = self.literal(k.value, fname, "keepdims")
                if not isinstance(v, bool):
                    raise self.fail(f"{fname}'s keepdims must be True or False")
                keepdims = v
            else:
                raise self.fail(
                    f"{fname} takes only the keyword arguments axis and keepdims, "
                    f"not '{_short(str(k.arg), 20)}'"
                )
        axes = range(len(a.shape)) if axis is None else (axis,)
        shape = tuple((1 if keepdims else None) if i in axes else n for i, n in enumerate(a.shape))
        shape = tuple(n for n in shape if n is not None)
        f = _REDUCTIONS[fname]
        return self.made(
            node,
            shape,
            lambda env: f(a.run(env), axis=axis, keepdims=keepdims),
            [a],
            _size(a.shape),
        )

    def softmax(self, node: ast.Call) -> Term:
        extra = [k for k in node.keywords if k.arg != "axis"]
        if extra or len(node.args) + len(node.keywords) not in (1, 2) or not node.args:
            raise self.fail("softmax takes an array and an axis, e.g. softmax(x, axis=1)")
        a = self.convert(node.args[0])
        given = [*node.args[1:], *(k.value for k in node.keywords)]
        axis = self.axis(given[0], "softmax", a.shape) if given else len(a.shape) - 1
        if not a.shape:
            raise self.fail("softmax needs an array, not a scalar")

        def run(env: Env) -> np.ndarray:
            v = a.run(env)
            e = np.exp(v - np.max(v, axis=axis, keepdims=True))  # shifted: no overflow
            return e / np.sum(e, axis=axis, keepdims=True)

        return self.made(node, a.shape, run, [a], 4 * _size(a.shape))

    # ------------------------------------------------------------------ lines
    def statement(self, st: ast.stmt) -> tuple[str, Term]:
        """``name = e`` or ``name op= e``: the name and its checked term."""
        target, value = split_assignment(st, self.loc)
        name = target.id
        if name in self.names:
            raise self.fail(f"'{name}' is given; choose another name for this line")
        if name in FUNCTION_NAMES:
            raise self.fail(f"'{name}' is a function, so it cannot name a line")
        try:
            check_name(name, "a line", self.loc)
        except EngineError as exc:
            raise self.fail(exc.msg) from None
        if isinstance(st, ast.Assign):
            return name, self.convert(value)
        op = _BINOPS.get(type(st.op))
        if op is None or op[0] == "**":
            raise self.fail("only +=, -=, *= and /= are allowed")
        if name not in self.steps:
            raise self.fail(f"'{name} {op[0]}= ...' needs a value of {name} from a line above")
        return name, self.elementwise(st, op[1], self.name(target), self.convert(value))


def parse_answer(
    source: object,
    names: Mapping[str, Shape],
    limits: Limits = DEFAULT_LIMITS,
    loc: Loc = ("answer",),
) -> ArrayProgram:
    """The checked program of ``source`` over the arrays ``names`` (name -> shape).

    Refuses (``EngineError`` at ``loc``) whatever is not allowed, an unknown name, shapes that
    do not fit, and any intermediate, memory or work over the limits, before anything runs.
    """
    if isinstance(source, str) and not source.strip():
        raise EngineError("the answer is empty; type an expression such as dy @ W.T", loc)
    bounds = _Bounds(
        limits.max_graph_chars, limits.max_graph_nodes, limits.max_expr_depth, "program"
    )
    try:
        text = _precheck(source, bounds)
        statements = _python_parse(text, "exec").body  # type: ignore[attr-defined]
        if len(statements) > limits.max_graph_lines:
            raise EngineError(
                f"the answer has {len(statements)} lines (limit {limits.max_graph_lines})"
            )
        for st in statements:
            if not isinstance(st, ast.Expr | ast.Assign | ast.AugAssign):
                kind = _FORBIDDEN_STATEMENTS.get(type(st))
                what = f"'{kind}'" if kind else "an annotation or statement"
                raise EngineError(f"{what} is not allowed; write lines name = expression")
        _check_size([st.value for st in statements], bounds)
    except EngineError as exc:
        raise EngineError(exc.msg.replace("program", "answer"), loc) from None
    if not isinstance(statements[-1], ast.Expr):
        raise EngineError("the last line must be the answer itself, not an assignment", loc)
    checker = _Checker(text, {k: tuple(v) for k, v in names.items()}, limits, loc)
    checker.later = assigned_names(statements)
    steps: list[tuple[str, Run]] = []
    for i, st in enumerate(statements[:-1]):
        if isinstance(st, ast.Expr):
            raise EngineError(
                f"line {i + 1} is an expression but not the last line; give it a name "
                "(g = ...) or remove it",
                loc,
            )
        name, term = checker.statement(st)
        checker.steps[name] = term.shape
        checker.alive += term.size
        steps.append((name, term.run))
    out = checker.convert(statements[-1].value)  # type: ignore[attr-defined]
    return ArrayProgram(tuple(steps), out.shape, out.run, checker.work, text)
