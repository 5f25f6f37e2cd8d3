"""A small, safe expression language: parse, evaluate vectorised, differentiate symbolically.

A string such as ``"x1**2 + sin(x2)"`` is parsed with :func:`ast.parse` and checked against an
allow-list (numbers, the declared variables, ``pi``, ``e``, ``+ - * / **``, unary ``-``/``+`` and
one-argument calls of ``sin cos tan exp log sqrt abs tanh sigmoid relu``). The checked tree is
turned into a tree of closures over numpy ufuncs; nothing is ever passed to ``eval``, ``exec`` or
``compile``. Every rejection is an :class:`EngineError` whose message names the offending piece.

Evaluation runs under ``np.errstate(all="ignore")``: overflow, division by zero and invalid
operations give ``inf``/``nan`` in the result, which callers count or report;
:meth:`Expression.explain_nonfinite` says which piece produced the first non-finite value.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.errors import EngineError

__all__ = [
    "DEFAULT_LIMITS",
    "FUNCTIONS",
    "ExprLimits",
    "Expression",
    "multi_variables",
    "parse",
    "variables_for",
]


@dataclass(frozen=True)
class ExprLimits:
    """Size limits of a typed expression (the API's defaults)."""

    max_chars: int = 256
    max_nodes: int = 200
    max_depth: int = 32


DEFAULT_LIMITS = ExprLimits()


def multi_variables(n: int) -> tuple[str, ...]:
    """The variable names of an n-variable endpoint: ``("x1", ..., "xn")``."""
    return tuple(f"x{i}" for i in range(1, n + 1))


def variables_for(n: int) -> tuple[str, ...]:
    """``("x",)`` for a one-variable function, ``("x1", ..., "xn")`` for n >= 2.

    Endpoints that take a point of any length (gradient, descent) use :func:`multi_variables`
    even for n = 1, so that ``x1`` is always accepted there.
    """
    if n < 1:
        raise EngineError("a function needs at least one variable")
    return ("x",) if n == 1 else multi_variables(n)


# --------------------------------------------------------------------------------------------
# Tree nodes: immutable, compared structurally.


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
    op: str  # one of + - * / **
    a: Node
    b: Node


@dataclass(frozen=True, slots=True)
class Fn:
    name: str  # a key of _UFUNCS
    a: Node


Node = Const | Var | Neg | Bin | Fn

ZERO = Const(0.0)
ONE = Const(1.0)


def _sigmoid(u: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function: no exp of a large positive number."""
    z = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + z), z / (1 + z))


def _relu(u: np.ndarray) -> np.ndarray:
    return np.maximum(u, 0)


def _step(u: np.ndarray) -> np.ndarray:
    """relu'(u): 1 where u > 0, else 0 (so relu'(0) = 0); NaN stays NaN."""
    return np.heaviside(u, 0)


# Functions a user may call, in the order the error message lists them.
FUNCTIONS: tuple[str, ...] = (
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sigmoid",
    "relu",
)

# Every function the evaluator knows: the user's, plus sign and step that derivatives produce.
_UFUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "sign": np.sign,
    "step": _step,
}

_BINOPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}

_AST_BINOPS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}

_NAMED_CONSTANTS = {"pi": math.pi, "e": math.e}


# --------------------------------------------------------------------------------------------
# Parsing and checking.

_FORBIDDEN_NODES: dict[type, str] = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.Slice: "subscripts are not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.FormattedValue: "strings are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_FORBIDDEN_OPS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}

_ALLOWED_WHITESPACE = frozenset(" \t\n\r")
_SPACES = str.maketrans("\t\n\r", "   ")
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")


def _variables_hint(variables: tuple[str, ...]) -> str:
    return ", ".join(variables)


def _precheck(source: object, limits: ExprLimits) -> str:
    """Checks that need no parser: type, length, characters, bracket nesting (one linear scan)."""
    if not isinstance(source, str):
        raise EngineError("the expression must be a string", ("expr",))
    if len(source) > limits.max_chars:
        raise EngineError(
            f"the expression is too long: {len(source)} characters (limit {limits.max_chars})",
            ("expr",),
        )
    if not source.strip():
        raise EngineError("the expression is empty; type a function such as x**2", ("expr",))
    depth = 0
    deepest = 0
    for ch in source:
        code = ord(ch)
        if code == 0:
            raise EngineError("the expression contains a NUL byte (U+0000)", ("expr",))
        if code > 127:
            raise EngineError(
                f"character {ch!r} (U+{code:04X}) is not allowed; use plain ASCII", ("expr",)
            )
        if (code < 32 or code == 127) and ch not in _ALLOWED_WHITESPACE:
            raise EngineError(
                f"control character U+{code:04X} is not allowed in an expression", ("expr",)
            )
        if ch in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSERS:
            depth -= 1
    if deepest > limits.max_depth:
        raise EngineError(
            f"brackets are nested too deeply: {deepest} levels (limit {limits.max_depth})",
            ("expr",),
        )
    # Tabs and line breaks are plain spaces in a one-line formula.
    return source.translate(_SPACES).strip()


def _python_parse(source: str) -> ast.expr:
    """``ast.parse`` in eval mode; every parser failure becomes an EngineError."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else " at the end"
        raise EngineError(f"could not parse: {exc.msg}{where}", ("expr",)) from None
    except (RecursionError, MemoryError):
        raise EngineError(
            "could not parse: the expression is nested too deeply", ("expr",)
        ) from None
    except (ValueError, OverflowError) as exc:
        raise EngineError(f"could not parse: {exc}", ("expr",)) from None
    return tree.body


def _syntax_children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions of an AST node (a call's function name is not one)."""
    if isinstance(node, ast.Call):
        return [*node.args, *(k.value for k in node.keywords)]
    return [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]


def _check_size(body: ast.AST, limits: ExprLimits) -> None:
    """Counts nodes and measures depth without recursion, so any parsed tree is safe to walk."""
    count = 0
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.operator | ast.unaryop | ast.boolop | ast.cmpop):
            continue
        count += 1
        deepest = max(deepest, depth)
        if count > limits.max_nodes:
            raise EngineError(
                f"the expression is too big: more than {limits.max_nodes} nodes "
                f"(numbers, names and operations; limit {limits.max_nodes})",
                ("expr",),
            )
        stack.extend((c, depth + 1) for c in _syntax_children(node))
    if deepest > limits.max_depth:
        raise EngineError(
            f"the expression is nested too deeply: depth {deepest} (limit {limits.max_depth})",
            ("expr",),
        )


class _Converter:
    """Turns a size-checked Python AST into a tree of :data:`Node` (allow-list only)."""

    def __init__(self, source: str, variables: tuple[str, ...]) -> None:
        self.source = source.strip()
        self.variables = variables

    def segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node)
        return text if text is not None else "?"

    def fail(self, msg: str) -> EngineError:
        return EngineError(msg, ("expr",))

    def convert(self, node: ast.AST) -> tuple[Node, float | None]:
        """Returns the node and, if it has no variables, its float64 value (for overflow checks)."""
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                a, va = self.convert(node.operand)
                return Neg(a), (None if va is None else -va)
            if isinstance(node.op, ast.UAdd):
                return self.convert(node.operand)
            if isinstance(node.op, ast.Not):
                raise self.fail("'not' is not allowed")
            raise self.fail("the operator '~' is not allowed; allowed: + - * / **")
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        for kind, msg in _FORBIDDEN_NODES.items():
            if isinstance(node, kind):
                raise self.fail(msg)
        raise self.fail(f"'{self.segment(node)}' is not allowed in an expression")

    def constant(self, node: ast.Constant) -> tuple[Node, float]:
        v = node.value
        if isinstance(v, bool):
            raise self.fail("True/False are not allowed")
        if isinstance(v, complex):
            raise self.fail("complex numbers are not allowed")
        if isinstance(v, str | bytes):
            raise self.fail("strings are not allowed")
        if v is None:
            raise self.fail("None is not allowed")
        if v is Ellipsis:
            raise self.fail("'...' is not allowed")
        if not isinstance(v, int | float):
            raise self.fail(f"the constant {self.segment(node)} is not allowed")
        try:
            x = float(v)
        except OverflowError:
            x = math.inf
        if not math.isfinite(x):
            raise self.fail(
                f"the number {self.segment(node)} is too large for a float (largest about 1.8e308)"
            )
        return Const(x), x

    def name(self, node: ast.Name) -> tuple[Node, float | None]:
        if node.id in self.variables:
            return Var(node.id), None
        if node.id in _NAMED_CONSTANTS:
            value = _NAMED_CONSTANTS[node.id]
            return Const(value, node.id), value
        if node.id in FUNCTIONS:
            raise self.fail(
                f"'{node.id}' is a function; call it with an argument, e.g. {node.id}(x)"
            )
        hint = _variables_hint(self.variables)
        raise self.fail(f"name '{node.id}' is not allowed; use {hint}")

    def binop(self, node: ast.BinOp) -> tuple[Node, float | None]:
        op = _AST_BINOPS.get(type(node.op))
        if op is None:
            sym = _FORBIDDEN_OPS.get(type(node.op), type(node.op).__name__)
            raise self.fail(f"the operator '{sym}' is not allowed; allowed: + - * / **")
        a, va = self.convert(node.left)
        b, vb = self.convert(node.right)
        if va is None or vb is None:
            return Bin(op, a, b), None
        with np.errstate(all="ignore"):
            v = float(_BINOPS[op](np.float64(va), np.float64(vb)))
        if op == "**" and math.isinf(v) and va != 0:
            # A constant power that overflows (9**9**9**9): say so now, not as a NaN later.
            raise self.fail(
                f"exponent too large: {self.segment(node)} overflows a float "
                "(the largest is about 1.8e308)"
            )
        return Bin(op, a, b), v

    def call(self, node: ast.Call) -> tuple[Node, float | None]:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.fail("attribute access is not allowed")
            raise self.fail(f"'{self.segment(node.func)}' cannot be called")
        fname = node.func.id
        if fname in self.variables:
            raise self.fail(
                f"'{fname}' is a variable, not a function; write {fname}*(...) to multiply"
            )
        if fname not in FUNCTIONS:
            raise self.fail(f"function '{fname}' is not allowed; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in {fname}()")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("starred arguments are not allowed")
        if len(node.args) != 1:
            raise self.fail(f"{fname} takes exactly one argument, got {len(node.args)}")
        a, va = self.convert(node.args[0])
        if va is None:
            return Fn(fname, a), None
        with np.errstate(all="ignore"):
            v = float(_UFUNCS[fname](np.float64(va)))
        return Fn(fname, a), v


def parse(
    source: str, variables: tuple[str, ...], limits: ExprLimits = DEFAULT_LIMITS
) -> Expression:
    """Checks ``source`` against the limits and the allow-list and compiles it.

    Raises EngineError (loc ``("expr",)``) naming what is not allowed or which limit is exceeded.
    """
    text = _precheck(source, limits)
    body = _python_parse(text)
    _check_size(body, limits)
    tree, _ = _Converter(text, tuple(variables)).convert(body)
    return Expression(tree, tuple(variables), text.strip())


# --------------------------------------------------------------------------------------------
# Simplifying constructors (used by the derivative).


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
    with np.errstate(all="ignore"):
        v = float(_BINOPS[op](np.float64(_val(a)), np.float64(_val(b))))
    return Const(v) if math.isfinite(v) else Bin(op, a, b)


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


def _has_var(node: Node, var: str) -> bool:
    if isinstance(node, Var):
        return node.name == var
    if isinstance(node, Const):
        return False
    if isinstance(node, Bin):
        return _has_var(node.a, var) or _has_var(node.b, var)
    return _has_var(node.a, var)


def _d(node: Node, var: str) -> Node:
    """d(node)/d(var) by the chain rule; each rule's comment states the math."""
    if isinstance(node, Const):
        return ZERO
    if isinstance(node, Var):
        return ONE if node.name == var else ZERO
    if isinstance(node, Neg):
        return neg(_d(node.a, var))  # (-u)' = -u'
    if isinstance(node, Bin):
        u, v = node.a, node.b
        du, dv = _d(u, var), _d(v, var)
        if node.op == "+":
            return add(du, dv)  # u' + v'
        if node.op == "-":
            return sub(du, dv)  # u' - v'
        if node.op == "*":
            return add(mul(du, v), mul(u, dv))  # u'v + uv'
        if node.op == "/":
            if not _has_var(v, var):
                return div(du, v)  # u'/c
            return div(sub(mul(du, v), mul(u, dv)), power(v, Const(2.0)))  # (u'v - uv')/v²
        # power
        if not _has_var(v, var):
            # c u^(c-1) u'
            return mul(mul(v, power(u, sub(v, ONE))), du)
        if not _has_var(u, var):
            # u^v log(u) v'
            return mul(mul(node, fn("log", u)), dv)
        # u^v (v' log u + v u'/u)
        return mul(node, add(mul(dv, fn("log", u)), div(mul(v, du), u)))
    # function call: f'(u) u'
    u = node.a
    du = _d(u, var)
    if _is_num(du, 0.0):
        return ZERO
    name = node.name
    if name == "sin":
        outer = fn("cos", u)  # cos u
    elif name == "cos":
        outer = neg(fn("sin", u))  # -sin u
    elif name == "tan":
        outer = div(ONE, power(fn("cos", u), Const(2.0)))  # 1/cos² u
    elif name == "exp":
        outer = node  # exp u
    elif name == "log":
        return div(du, u)  # u'/u
    elif name == "sqrt":
        return div(du, mul(Const(2.0), node))  # u'/(2 sqrt u)
    elif name == "abs":
        outer = fn("sign", u)  # sign u
    elif name == "tanh":
        outer = sub(ONE, power(node, Const(2.0)))  # 1 - tanh² u
    elif name == "sigmoid":
        outer = mul(node, sub(ONE, node))  # σ(u)(1 - σ(u))
    elif name == "relu":
        outer = fn("step", u)  # 1 if u > 0 else 0
    else:  # sign, step: piecewise constant
        return ZERO
    return mul(outer, du)


# --------------------------------------------------------------------------------------------
# Printing.

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


def _prec(node: Node) -> int:
    if isinstance(node, Bin):
        return _PREC[node.op]
    if isinstance(node, Neg):
        return 3
    if isinstance(node, Const) and node.name is None and (node.value < 0 or _is_neg_zero(node)):
        return 3
    return 5


def _is_neg_zero(node: Const) -> bool:
    return node.value == 0 and math.copysign(1.0, node.value) < 0


def _num(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if value != 0 or math.copysign(1.0, value) > 0 else "-0"
    return repr(value)


def to_source(node: Node) -> str:
    """Python-syntax text with minimal parentheses; parsing it gives the same tree's values."""

    def wrap(child: Node, min_prec: int) -> str:
        text = to_source(child)
        return text if _prec(child) >= min_prec else f"({text})"

    if isinstance(node, Const):
        return node.name or _num(node.value)
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Neg):
        return "-" + wrap(node.a, 4)
    if isinstance(node, Fn):
        return f"{node.name}({to_source(node.a)})"
    p = _PREC[node.op]
    if node.op == "**":
        return f"{wrap(node.a, 5)}**{wrap(node.b, 3)}"
    left_min = p
    sep = f" {node.op} " if p == 1 else node.op
    return f"{wrap(node.a, left_min)}{sep}{wrap(node.b, p + 1)}"


_LATEX_FN = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "exp": r"\exp",
    "log": r"\log",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "relu": r"\operatorname{relu}",
    "sign": r"\operatorname{sign}",
}


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
        text = _num(node.value)
        if "e" in text:
            mant, exp = text.split("e")
            return rf"{mant} \cdot 10^{{{int(exp)}}}"
        return text
    if isinstance(node, Var):
        return node.name if len(node.name) == 1 else f"{node.name[0]}_{{{node.name[1:]}}}"
    if isinstance(node, Neg):
        return "-" + wrap(node.a, 3)
    if isinstance(node, Fn):
        inner = to_latex(node.a)
        if node.name == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if node.name == "abs":
            return rf"\left|{inner}\right|"
        if node.name == "step":
            return rf"\mathbf{{1}}\left[{inner} > 0\right]"
        return rf"{_LATEX_FN[node.name]}\left({inner}\right)"
    if node.op == "/":
        return rf"\frac{{{to_latex(node.a)}}}{{{to_latex(node.b)}}}"
    if node.op == "**":
        return rf"{{{wrap(node.a, 5)}}}^{{{to_latex(node.b)}}}"
    if node.op == "*":
        left, right = wrap(node.a, 2), wrap(node.b, 3)
        if _is_num(node.a) and not isinstance(node.b, Const) and not right.startswith("-"):
            return f"{left} {right}"
        return rf"{left} \cdot {right}"
    return f"{wrap(node.a, 1)} {node.op} {wrap(node.b, 2)}"


# --------------------------------------------------------------------------------------------
# Compilation into a straight-line program and evaluation.

Env = tuple[np.ndarray, ...]
Compiled = Callable[[Env], np.ndarray]


def _compile(node: Node, variables: tuple[str, ...], dtype: type[np.floating]) -> Compiled:
    """A straight-line program of numpy calls, each distinct sub-expression computed once.

    Derivatives repeat sub-expressions (``d(u**v)`` contains ``u**v`` again); registers keyed by
    ``(operation, argument registers)`` share them. A register is released after its last use,
    so memory stays bounded on large grids. Constants are numpy scalars of ``dtype``.
    """
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

    def visit(n: Node) -> int:
        if id(n) in by_id:
            return by_id[id(n)]
        if isinstance(n, Const):
            with np.errstate(all="ignore"):
                c = dtype(n.value)  # 1e308 is inf in float32
            reg, _ = register(("c", n.value.hex(), n.name), c)
        elif isinstance(n, Var):
            reg, new = register(("v", n.name))
            if new:
                var_regs.append((reg, variables.index(n.name)))
        elif isinstance(n, Neg):
            a = visit(n.a)
            reg, new = register(("neg", a))
            if new:
                steps.append((reg, np.negative, a, -1))
        elif isinstance(n, Bin):
            a, b = visit(n.a), visit(n.b)
            reg, new = register(("bin", n.op, a, b))
            if new:
                steps.append((reg, _BINOPS[n.op], a, b))
        else:
            a = visit(n.a)
            reg, new = register(("fn", n.name, a))
            if new:
                steps.append((reg, _UFUNCS[n.name], a, -1))
        by_id[id(n)] = reg
        return reg

    root = visit(node)
    last_use: dict[int, int] = {}
    for k, (_, _, a, b) in enumerate(steps):
        last_use[a] = k
        if b >= 0:
            last_use[b] = k
    frees: list[tuple[int, ...]] = [() for _ in steps]
    for reg, k in last_use.items():
        if reg != root:
            frees[k] += (reg,)
    program = [(out, f, a, b, frees[k]) for k, (out, f, a, b) in enumerate(steps)]

    def run(env: Env) -> np.ndarray:
        r = preset.copy()
        for reg, i in var_regs:
            r[reg] = env[i]
        for out, f, a, b, free in program:
            r[out] = f(r[a]) if b < 0 else f(r[a], r[b])
            for j in free:
                r[j] = None
        return r[root]  # type: ignore[return-value]

    return run


def _describe(node: Node, args: list[float], value: float) -> str:
    """Why ``node`` is not finite although its arguments are (``args`` are their values)."""
    src = to_source(node)
    if isinstance(node, Fn):
        (u,) = args
        if node.name == "exp":
            return f"{src} overflowed (exp of {u:.6g} is above the largest float)"
        if node.name == "log":
            if u == 0:
                return f"{src} is -infinity (log of 0)"
            return f"{src} is undefined (log of the negative number {u:.6g})"
        if node.name == "sqrt":
            return f"{src} is undefined (square root of the negative number {u:.6g})"
        return f"{src} is not finite (its argument is {u:.6g})"
    if isinstance(node, Bin):
        a, b = args
        if node.op == "/":
            if b == 0:
                return f"{src} divides by zero"
            return f"{src} overflowed"
        if node.op == "**":
            if a == 0 and b < 0:
                return f"{src} is undefined (0 to a negative power)"
            if a < 0 and not float(b).is_integer():
                return f"{src} is undefined (a negative number to a fractional power)"
            return f"{src} overflowed"
        return f"{src} overflowed"
    return f"{src} is not finite"


class Expression:
    """An immutable, checked and compiled expression over ``variables``.

    Call it with one array per variable (broadcast together) to get a float64 array.
    """

    __slots__ = ("_f32", "_f64", "_source", "_tree", "_variables")

    def __init__(self, tree: Node, variables: tuple[str, ...], source: str | None = None) -> None:
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "_variables", tuple(variables))
        object.__setattr__(self, "_source", source if source is not None else to_source(tree))
        object.__setattr__(self, "_f64", _compile(tree, self._variables, np.float64))
        object.__setattr__(self, "_f32", _compile(tree, self._variables, np.float32))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Expression is immutable")

    @property
    def source(self) -> str:
        return self._source

    @property
    def variables(self) -> tuple[str, ...]:
        return self._variables

    @property
    def tree(self) -> Node:
        return self._tree

    def __str__(self) -> str:
        return self._source

    def __repr__(self) -> str:
        return f"Expression({self._source!r}, variables={self._variables!r})"

    def __call__(self, *args: object, dtype: type[np.floating] = np.float64) -> np.ndarray:
        """f(*args) elementwise: ``args`` broadcast together, one per variable, in order.

        Returns an array of ``dtype`` (float64 or float32) with the broadcast shape; non-finite
        values are left in the result.
        """
        if len(args) != len(self._variables):
            raise EngineError(
                f"the function takes {len(self._variables)} input(s) "
                f"({', '.join(self._variables)}), got {len(args)}"
            )
        f = self.evaluator(dtype)
        dt = np.float32 if f is self._f32 else np.float64
        env = tuple(
            a if type(a) is np.ndarray and a.dtype == dt else np.asarray(a, dtype=dt) for a in args
        )
        shapes = {a.shape for a in env}
        shape = shapes.pop() if len(shapes) == 1 else np.broadcast_shapes(*(a.shape for a in env))
        with np.errstate(all="ignore"):
            y = f(env)
        if type(y) is not np.ndarray or y.dtype != dt or y.shape != shape:
            y = np.broadcast_to(np.asarray(y, dtype=dt), shape).copy()
        return y

    def evaluator(self, dtype: type[np.floating] = np.float64) -> Callable[[Env], np.ndarray]:
        """The raw compiled closure ``env -> f(*env)`` for hot loops.

        No conversion, broadcasting or ``np.errstate``: the caller passes a tuple of arrays of
        ``dtype`` and silences floating-point warnings itself.
        """
        dt = np.dtype(dtype)
        if dt == np.float64:
            return self._f64
        if dt == np.float32:
            return self._f32
        raise EngineError("dtype must be float64 or float32")

    def diff(self, var: str) -> Expression:
        """The exact derivative with respect to ``var`` (chain rule, lightly simplified)."""
        if var not in self._variables:
            raise EngineError(
                f"cannot differentiate with respect to {var!r}; use one of "
                f"{_variables_hint(self._variables)}"
            )
        return Expression(_d(self._tree, var), self._variables)

    def latex(self) -> str:
        """The expression in LaTeX."""
        return to_latex(self._tree)

    def explain_nonfinite(self, *point: float) -> str | None:
        """At a scalar point, names the innermost piece whose value is not finite, or None."""
        env = tuple(np.float64(p) for p in point)

        def walk(node: Node) -> tuple[float, str | None]:
            if isinstance(node, Const):
                return node.value, None
            if isinstance(node, Var):
                v = float(env[self._variables.index(node.name)])
                return v, (None if math.isfinite(v) else f"{node.name} is not finite")
            children = [node.a, node.b] if isinstance(node, Bin) else [node.a]
            values = []
            for c in children:
                v, why = walk(c)
                if why is not None:
                    return v, why
                values.append(v)
            with np.errstate(all="ignore"):
                if isinstance(node, Neg):
                    v = float(-values[0])
                elif isinstance(node, Bin):
                    v = float(_BINOPS[node.op](np.float64(values[0]), np.float64(values[1])))
                else:
                    v = float(_UFUNCS[node.name](np.float64(values[0])))
            if math.isfinite(v):
                return v, None
            return v, _describe(node, values, v)

        return walk(self._tree)[1]
