"""From text to a checked tree: the allow-list of the expression language.

A string such as ``"x1**2 + sin(x2)"`` is parsed with :func:`ast.parse` and checked against an
allow-list: numbers, the declared variables, ``pi``, ``e``, ``+ - * / **``, unary ``-``/``+`` and
one-argument calls of the functions of :mod:`app.engine.expr.table`. Nothing is ever passed to
``eval``, ``exec`` or ``compile``. A *program* (:func:`parse_program`) may also hold statements
``name = expression`` and ``name += expression`` (``-= *= /=``) with a single plain name as the
target, nothing else; a step may rebind a constant's name (``e = ...``) from its line on, as
Python does (the graph warns), never a function's. Every rejection is an
:class:`EngineError` (loc ``("expr",)``) whose message names the offending piece.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from dataclasses import dataclass

from app.engine.errors import EngineError
from app.engine.expr.nodes import Bin, Const, Fn, Neg, Node, Var, fold
from app.engine.expr.table import CONSTANTS, FUNCTIONS, USER_FUNCTIONS
from app.engine.limits import DEFAULT_LIMITS, Limits

__all__ = ["NAME_RULE", "Program", "Step", "check_name", "parse_expression", "parse_program"]

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
    ast.Pow: "**",
}

_AST_BINOPS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
_AUG_OPS = ("+", "-", "*", "/")

# Statements a program may not hold, by the keyword that starts them.
_FORBIDDEN_STATEMENTS: dict[type, str] = {
    ast.Delete: "del",
    ast.If: "if",
    ast.For: "for",
    ast.AsyncFor: "for",
    ast.While: "while",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "def",
    ast.ClassDef: "class",
    ast.Return: "return",
    ast.Pass: "pass",
    ast.Break: "break",
    ast.Continue: "continue",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Raise: "raise",
    ast.Try: "try",
    ast.With: "with",
    ast.AsyncWith: "with",
    ast.Assert: "assert",
    ast.Match: "match",
}

_TARGETS: dict[type, str] = {
    ast.Attribute: "assignment to an attribute (x.y = ...) is not allowed",
    ast.Subscript: "assignment to a subscript (x[0] = ...) is not allowed",
    ast.Tuple: "assigning several names at once (a, b = ...) is not allowed; "
    "write one name = expression per line",
    ast.List: "assigning several names at once ([a, b] = ...) is not allowed; "
    "write one name = expression per line",
    ast.Starred: "starred assignment is not allowed",
}

NAME_RULE = "1 to 8 characters: a lowercase letter, then lowercase letters, digits or _"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,7}")

_ALLOWED_WHITESPACE = frozenset(" \t\n\r")
_SPACES = str.maketrans("\t\n\r", "   ")
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_LOC = ("expr",)


def _short(text: str, most: int = 40) -> str:
    """``text`` cut to ``most`` characters, so a message never echoes a long input."""
    return text if len(text) <= most else text[: most - 1] + "…"


def check_name(name: str, what: str, loc: tuple[str | int, ...] = _LOC) -> None:
    """EngineError unless ``name`` may name ``what`` (a variable, a step): the rule NAME_RULE,
    and not a function, constant or Python keyword."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        shown = _short(name, 20) if isinstance(name, str) else type(name).__name__
        raise EngineError(f"'{shown}' cannot name {what}: use {NAME_RULE}", loc)
    for taken, kind in ((FUNCTIONS, "a function"), (CONSTANTS, "a constant")):
        if name in taken:
            raise EngineError(f"'{name}' is {kind}, so it cannot name {what}", loc)
    if keyword.iskeyword(name):
        raise EngineError(f"'{name}' is a Python keyword, so it cannot name {what}", loc)


def split_assignment(st: ast.stmt, loc: tuple[str | int, ...] = _LOC) -> tuple[ast.Name, ast.expr]:
    """The one plain name a line ``name = e`` or ``name op= e`` assigns, and ``e``; an
    EngineError at ``loc`` for any other target."""
    if isinstance(st, ast.Assign):
        if len(st.targets) != 1:
            raise EngineError("chained assignment (a = b = ...) is not allowed", loc)
        target, value = st.targets[0], st.value
    else:
        assert isinstance(st, ast.AugAssign)
        target, value = st.target, st.value
    if not isinstance(target, ast.Name):
        raise EngineError(_TARGETS.get(type(target), "assign to a single plain name only"), loc)
    return target, value


def assigned_names(statements: list[ast.stmt]) -> set[str]:
    """Every plain name some line of ``statements`` assigns."""
    return {
        t.id
        for st in statements
        if isinstance(st, ast.Assign | ast.AugAssign)
        for t in (st.targets if isinstance(st, ast.Assign) else [st.target])
        if isinstance(t, ast.Name)
    }


@dataclass(frozen=True)
class _Bounds:
    chars: int
    nodes: int
    depth: int
    what: str  # "expression" or "program"

    @property
    def article(self) -> str:
        return "an expression" if self.what == "expression" else "a program"


def _precheck(source: object, bounds: _Bounds) -> str:
    """Checks that need no parser: type, length, characters, bracket nesting (one linear scan)."""
    what = bounds.what
    if not isinstance(source, str):
        raise EngineError(f"the {what} must be a string", _LOC)
    if len(source) > bounds.chars:
        raise EngineError(
            f"the {what} is too long: {len(source)} characters (limit {bounds.chars})", _LOC
        )
    if not source.strip():
        raise EngineError("the expression is empty; type a function such as x**2", _LOC)
    depth = 0
    deepest = 0
    for ch in source:
        code = ord(ch)
        if code == 0:
            raise EngineError(f"the {what} contains a NUL byte (U+0000)", _LOC)
        if code > 127:
            raise EngineError(
                f"character {ch!r} (U+{code:04X}) is not allowed; use plain ASCII", _LOC
            )
        if (code < 32 or code == 127) and ch not in _ALLOWED_WHITESPACE:
            raise EngineError(
                f"control character U+{code:04X} is not allowed in {bounds.article}", _LOC
            )
        if ch in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSERS:
            depth -= 1
    if deepest > bounds.depth:
        raise EngineError(
            f"brackets are nested too deeply: {deepest} levels (limit {bounds.depth})", _LOC
        )
    if what == "program":  # one statement per line, indentation ignored
        return "\n".join(line.strip() for line in source.splitlines()).strip()
    # Tabs and line breaks are plain spaces in a one-line formula.
    return source.translate(_SPACES).strip()


def _python_parse(source: str, mode: str) -> ast.AST:
    """``ast.parse``; every parser failure becomes an EngineError."""
    try:
        return ast.parse(source, mode=mode)
    except SyntaxError as exc:
        if mode == "exec" and exc.lineno:
            where = f" at line {exc.lineno}, column {exc.offset}"
        else:
            where = f" at column {exc.offset}" if exc.offset else " at the end"
        raise EngineError(f"could not parse: {exc.msg}{where}", _LOC) from None
    except (RecursionError, MemoryError):
        raise EngineError("could not parse: the expression is nested too deeply", _LOC) from None
    except (ValueError, OverflowError) as exc:
        raise EngineError(f"could not parse: {exc}", _LOC) from None


def _syntax_children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions of an AST node (a call's function name is not one; anything else
    in its place is, so that it is counted before it is refused)."""
    if isinstance(node, ast.Call):
        func = [] if isinstance(node.func, ast.Name) else [node.func]
        return [*func, *node.args, *(k.value for k in node.keywords)]
    return [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]


def _check_size(bodies: list[ast.AST], bounds: _Bounds) -> None:
    """Counts nodes and measures depth without recursion, so any parsed tree is safe to walk."""
    count = 0
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(b, 1) for b in bodies]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.operator | ast.unaryop | ast.boolop | ast.cmpop):
            continue
        count += 1
        deepest = max(deepest, depth)
        if count > bounds.nodes:
            raise EngineError(
                f"the {bounds.what} is too big: more than {bounds.nodes} nodes "
                f"(numbers, names and operations; limit {bounds.nodes})",
                _LOC,
            )
        stack.extend((c, depth + 1) for c in _syntax_children(node))
    if deepest > bounds.depth:
        raise EngineError(
            f"the {bounds.what} is nested too deeply: depth {deepest} (limit {bounds.depth})",
            _LOC,
        )


Value = tuple[Node, float | None]  # a tree and, if it has no variables, its float64 value


class _Converter:
    """Turns a size-checked Python AST into a tree of :data:`Node` (allow-list only).

    ``env`` maps each name in scope (the variables, then a program's steps) to its tree; a name
    used twice gives the same object twice, so the tree is a DAG that shares it.
    """

    def __init__(
        self, source: str, variables: tuple[str, ...], functions: frozenset[str] | None = None
    ) -> None:
        self.source = source
        self.variables = variables
        self.functions = functions if functions is not None else frozenset(USER_FUNCTIONS)
        self.env: dict[str, Value] = {v: (Var(v), None) for v in variables}
        self.later: set[str] = set()  # names a program assigns further down
        self.shadowed: list[tuple[str, int]] = []  # constants a step rebinds, and the line

    def segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node)
        return _short(text) if text is not None else "?"

    def fail(self, msg: str) -> EngineError:
        return EngineError(msg, _LOC)

    def convert(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                a, va = self.convert(node.operand)
                tree = Neg(a)
                return tree, (None if va is None else fold(tree, (va,)))
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

    def constant(self, node: ast.Constant) -> Value:
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

    def hint(self) -> str:
        return ", ".join(self.variables)

    def name(self, node: ast.Name) -> Value:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return Const(value, node.id), value
        if node.id in self.functions:
            raise self.fail(
                f"'{node.id}' is a function; call it with an argument, e.g. {node.id}(x)"
            )
        if node.id in self.later:
            raise self.fail(f"'{node.id}' is used before a line assigns it")
        raise self.fail(f"name '{_short(node.id, 20)}' is not allowed; use {self.hint()}")

    def binop(self, node: ast.BinOp) -> Value:
        op = _AST_BINOPS.get(type(node.op))
        if op is None:
            sym = _FORBIDDEN_OPS.get(type(node.op), type(node.op).__name__)
            raise self.fail(f"the operator '{sym}' is not allowed; allowed: + - * / **")
        a, va = self.convert(node.left)
        b, vb = self.convert(node.right)
        return self.combine(op, a, va, b, vb, node)

    def combine(
        self, op: str, a: Node, va: float | None, b: Node, vb: float | None, node: ast.AST
    ) -> Value:
        tree = Bin(op, a, b)
        if va is None or vb is None:
            return tree, None
        v = fold(tree, (va, vb))
        if op == "**" and math.isinf(v) and va != 0:
            # A constant power that overflows (9**9**9**9): say so now, not as a NaN later.
            raise self.fail(
                f"exponent too large: {self.segment(node)} overflows a float "
                "(the largest is about 1.8e308)"
            )
        return tree, v

    def call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            self.convert(node.func)  # refuses what is not allowed anywhere (x.f, lambda)
            raise self.fail(f"'{self.segment(node.func)}' cannot be called")
        fname = node.func.id
        if fname in self.env:
            kind = "a variable" if fname in self.variables else "a step of the program"
            raise self.fail(f"'{fname}' is {kind}, not a function; write {fname}*(...) to multiply")
        if fname not in self.functions:
            raise self.fail(
                f"function '{_short(fname, 20)}' is not allowed; "
                f"allowed: {', '.join(USER_FUNCTIONS)}"
            )
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in {fname}()")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("starred arguments are not allowed")
        if len(node.args) != 1:
            raise self.fail(f"{fname} takes exactly one argument, got {len(node.args)}")
        a, va = self.convert(node.args[0])
        tree = Fn(fname, a)
        return tree, (None if va is None else fold(tree, (va,)))

    def statement(self, st: ast.stmt) -> tuple[str, Value]:
        """``name = e`` or ``name op= e``: the name and its new tree, now in scope."""
        target, value = split_assignment(st)
        name = target.id
        if name in CONSTANTS and name not in self.env:  # e = ...: from here on, e is the step
            self.shadowed.append((name, st.lineno))
        elif name not in CONSTANTS:
            check_name(name, "a step")
        if isinstance(st, ast.Assign):
            result = self.convert(value)
        else:
            op = _AST_BINOPS.get(type(st.op))
            if op not in _AUG_OPS:
                sym = _FORBIDDEN_OPS.get(type(st.op), type(st.op).__name__)
                raise self.fail(f"the operator '{sym}=' is not allowed; use +=, -=, *= or /=")
            if name not in self.env:
                raise self.fail(f"'{name} {op}= ...' needs a value of {name} from a line above")
            a, va = self.env[name]
            b, vb = self.convert(value)
            result = self.combine(op, a, va, b, vb, st)
        self.env[name] = result
        return name, result


def _bounds(limits: Limits, program: bool) -> _Bounds:
    if program:
        return _Bounds(
            limits.max_graph_chars, limits.max_graph_nodes, limits.max_expr_depth, "program"
        )
    return _Bounds(
        limits.max_expr_chars, limits.max_expr_nodes, limits.max_expr_depth, "expression"
    )


def parse_expression(
    source: str, variables: tuple[str, ...], limits: Limits = DEFAULT_LIMITS
) -> tuple[Node, str]:
    """The checked tree of ``source`` over ``variables`` and the source as parsed (stripped).

    Raises EngineError (loc ``("expr",)``) naming what is not allowed or which limit is exceeded.
    """
    bounds = _bounds(limits, program=False)
    text = _precheck(source, bounds)
    body = _python_parse(text, "eval").body  # type: ignore[attr-defined]
    _check_size([body], bounds)
    tree, _ = _Converter(text, tuple(variables)).convert(body)
    return tree, text


def parse_template(source: str, variables: tuple[str, ...]) -> Node:
    """A rule of the table (trusted text over u, du): every function allowed, no limits."""
    body = ast.parse(source, mode="eval").body
    return _Converter(source, variables, frozenset(FUNCTIONS)).convert(body)[0]


@dataclass(frozen=True)
class Step:
    """One line ``name = ...`` of a program; ``tree`` shares the trees of the names it uses."""

    name: str
    tree: Node


@dataclass(frozen=True)
class Program:
    """The steps of a program in order and the tree of its output (the last line)."""

    steps: tuple[Step, ...]
    output: Node
    shadowed: tuple[tuple[str, int], ...] = ()  # (constant, line) a step rebinds, as Python does


def parse_program(
    source: str, variables: tuple[str, ...], limits: Limits = DEFAULT_LIMITS
) -> Program:
    """Lines (or ``;``-separated statements) ``name = e`` / ``name op= e``, the last an
    expression or an assignment, whose value is the output. A single expression is a program.
    """
    bounds = _bounds(limits, program=True)
    text = _precheck(source, bounds)
    statements = _python_parse(text, "exec").body  # type: ignore[attr-defined]
    if len(statements) > limits.max_graph_lines:
        raise EngineError(
            f"the program has {len(statements)} lines (limit {limits.max_graph_lines})", _LOC
        )
    for st in statements:
        if not isinstance(st, ast.Expr | ast.Assign | ast.AugAssign):
            kind = _FORBIDDEN_STATEMENTS.get(type(st))
            what = f"'{kind}'" if kind else type(st).__name__
            if isinstance(st, ast.AnnAssign):
                what = "an annotation (a: ...)"
            raise EngineError(
                f"{what} is not allowed in a program; write lines name = expression", _LOC
            )
    _check_size([st.value for st in statements], bounds)
    conv = _Converter(text, tuple(variables))
    conv.later = assigned_names(statements)
    steps: list[Step] = []
    output: Node | None = None
    for i, st in enumerate(statements):
        if isinstance(st, ast.Expr):
            if i != len(statements) - 1:
                raise EngineError(
                    f"line {st.lineno} is an expression but not the last line; "
                    "give it a name (q = ...) or remove it",
                    _LOC,
                )
            output = conv.convert(st.value)[0]
        else:
            name, (output, _) = conv.statement(st)
            steps.append(Step(name, output))
    assert output is not None  # a non-empty module has a last statement
    return Program(tuple(steps), output, tuple(conv.shadowed))
