"""The computational graph of a typed expression or small program: forward and reverse mode.

The graph follows the text as typed, with no algebra: ``x * x`` is a product of ``x`` with itself,
each literal is a node of op ``"const"``, and each variable is ONE node however often it is used,
with an edge to each use; a named step (``q = x + y``) is one node that every later use of ``q``
shares. With ``expand``, a composite function is staged in primitives (``sigmoid(u)`` as
``1/(1 + exp(-u))``: the ``expand`` rows of :mod:`app.engine.expr.table`).

Forward: each node's value from its inputs', in id order (a topological order: inputs first,
variables at ids 0..k-1 in the order the request names them). Backward: seeded with 1 at the
output, in reverse order each node's gradient is the sum over the edges to its uses of (the use's
gradient × the local partial on that edge); ``local[k]`` = ∂node/∂(input k) comes from the same
derivative rules as the symbolic derivative. Beside the reverse-mode gradients: the exact ones
(symbolic derivative of the whole program) and central differences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from app.engine.errors import EngineError, warning
from app.engine.expr.calculus import derivative
from app.engine.expr.cancellation import cancellation_warnings
from app.engine.expr.compile import compile_tree, evaluate, why
from app.engine.expr.expression import Expression
from app.engine.expr.kinks import step_warnings
from app.engine.expr.nodes import (
    Bin,
    Const,
    Fn,
    Neg,
    Node,
    Var,
    children,
    fold,
    post_order,
    substitute,
    with_children,
)
from app.engine.expr.parser import Program, check_name, parse_program, parse_template
from app.engine.expr.printing import number_text, to_source
from app.engine.expr.table import CONSTANTS, FUNCTIONS, OPERATORS
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.verdicts import judge_at_point

__all__ = [
    "MAX_NAMES",
    "Graph",
    "GraphNode",
    "build_graph",
    "check_variables",
    "compute_graph",
    "node_text",
]

MAX_NAMES = 8  # variables of a request (the REST contract: 1 to 8 names)
_HOLE = "@"  # the placeholder variable of a local partial (no user name can be it)
_EXPANSIONS: dict[str, Node] = {
    f.name: parse_template(f.expand, ("u",)) for f in FUNCTIONS.values() if f.expand
}


@dataclass(frozen=True)
class GraphNode:
    """One node: ``tree`` is the expression node it computes (its operation, for evaluation)."""

    id: int
    op: str  # "var", "const", an operator's name ("add", "mul", ...), "neg" or a function name
    label: str  # "x", "2", "+", "exp", ...
    inputs: tuple[int, ...]
    tree: Node
    name: str | None = None  # the step that assigns it, "q" or "q (2)" when q is reassigned


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]  # in id order, which is a topological order
    output: int  # the id of the output node
    variables: tuple[str, ...]
    tree: Node  # the output as one (unexpanded) tree over the variables, for exact/numeric


def check_variables(names: tuple[str, ...]) -> None:
    """EngineError unless ``names`` are 1 to 8 valid variable names (loc ``values``)."""
    if not 1 <= len(names) <= MAX_NAMES:
        raise EngineError(f"give 1 to {MAX_NAMES} variables, got {len(names)}", ("values",))
    for name in names:
        check_name(name, "a variable", ("values",))


def _negative_literal(n: Node) -> bool:
    """``-3`` as typed: a minus applied to a number (not to pi or e)."""
    return isinstance(n, Neg) and isinstance(n.a, Const) and n.a.name is None


def _op_label(tree: Node) -> tuple[str, str]:
    if isinstance(tree, Bin):
        return OPERATORS[tree.op].op, tree.op
    if isinstance(tree, Fn):
        return tree.name, tree.name
    return "neg", "-"


class _Builder:
    """Places expression nodes on the graph, once each (by identity), expanding if asked."""

    def __init__(self, variables: tuple[str, ...], expand: bool, max_nodes: int) -> None:
        self.expand = expand
        self.max_nodes = max_nodes
        self.nodes: list[GraphNode] = []
        self.ids: dict[int, int] = {}  # id(expression node) -> graph id
        self.keep: list[Node] = []  # expansions stay alive, so their ids stay unique
        self.var_ids = {v: self.add("var", v, (), Var(v)) for v in variables}

    def add(self, op: str, label: str, inputs: tuple[int, ...], tree: Node) -> int:
        if len(self.nodes) >= self.max_nodes:
            raise EngineError(
                f"the graph has more than {self.max_nodes} nodes (limit {self.max_nodes}"
                + (", counting the primitives of expanded functions)" if self.expand else ")"),
                ("expr",),
            )
        self.nodes.append(GraphNode(len(self.nodes), op, label, inputs, tree))
        return len(self.nodes) - 1

    def place(self, root: Node) -> int:
        order = post_order(root)
        literal = {id(n.a) for n in order if _negative_literal(n)}  # one node with its minus
        for n in order:
            if id(n) not in self.ids and id(n) not in literal:
                self.ids[id(n)] = self.node(n)
        return self.ids[id(root)]

    def node(self, n: Node) -> int:
        if isinstance(n, Var):
            return self.var_ids[n.name]
        if isinstance(n, Const):
            return self.add("const", n.name or number_text(n.value), (), n)
        if _negative_literal(n):
            value = Const(-n.a.value)  # type: ignore[union-attr]  # -3 is one constant
            return self.add("const", number_text(value.value), (), value)
        if isinstance(n, Fn) and self.expand and n.name in _EXPANSIONS:
            staged = substitute(_EXPANSIONS[n.name], {"u": n.a})
            self.keep.append(staged)
            return self.place(staged)
        op, label = _op_label(n)
        return self.add(op, label, tuple(self.ids[id(c)] for c in children(n)), n)


def build_graph(
    program: Program, variables: tuple[str, ...], expand: bool = False, max_nodes: int = 200
) -> Graph:
    """The graph of a parsed program over ``variables``; EngineError above ``max_nodes`` nodes."""
    b = _Builder(variables, expand, max_nodes)
    names: dict[int, str] = {}
    assigned: dict[str, int] = {}
    for step in program.steps:
        i = b.place(step.tree)
        assigned[step.name] = assigned.get(step.name, 0) + 1
        if i not in names and b.nodes[i].op != "var":
            k = assigned[step.name]
            names[i] = step.name if k == 1 else f"{step.name} ({k})"
    out = b.place(program.output)
    nodes = tuple(
        GraphNode(n.id, n.op, n.label, n.inputs, n.tree, names.get(n.id)) for n in b.nodes
    )
    return Graph(nodes, out, variables, program.output)


def _partials(tree: Node, args: list[float]) -> list[float]:
    """∂tree/∂(operand k) at the operands' values ``args``, by the symbolic rules: operand k
    becomes a variable, the others constants at their values (so ``x**2`` is ``2x`` even at 0)."""
    out = []
    for k in range(len(args)):
        holes = [Var(_HOLE) if j == k else Const(float(a)) for j, a in enumerate(args)]
        d = derivative(with_children(tree, holes), _HOLE)
        out.append(evaluate(d, {_HOLE: args[k]})[id(d)])
    return out


def _forward(graph: Graph, values: Mapping[str, float]) -> list[float]:
    out: list[float] = []
    for n in graph.nodes:
        if n.op == "var":
            out.append(float(values[n.label]))
        elif n.op == "const":
            out.append(n.tree.value)  # type: ignore[union-attr]
        else:
            out.append(fold(n.tree, [out[j] for j in n.inputs]))
    return out


def _backward(graph: Graph, local: list[list[float]]) -> tuple[list[float], list[int]]:
    """Gradients d(output)/d(node) and the order they were completed (output first); nodes
    that do not lead to the output keep gradient 0 and pass nothing on."""
    reach = {graph.output}
    for i in range(graph.output, -1, -1):
        if i in reach:
            reach.update(graph.nodes[i].inputs)
    grads = [0.0] * len(graph.nodes)
    grads[graph.output] = 1.0
    order = sorted(reach, reverse=True)
    for i in order:
        for j, partial in zip(graph.nodes[i].inputs, local[i], strict=True):
            grads[j] += grads[i] * partial  # the use's gradient × the local partial
    return grads, order


def _node_text(graph: Graph, i: int, most: int = 60) -> str:
    """Node i as text, other named steps by their names, e.g. ``exp(-q)``; long ones cut."""
    memo: dict[int, Node] = {}
    size: dict[int, int] = {}
    for n in graph.nodes[: i + 1]:
        if n.op == "var" or (n.name and n.id != i):
            memo[n.id], size[n.id] = Var(n.name or n.label), 1
        elif n.op == "const":
            memo[n.id], size[n.id] = n.tree, 1
        else:
            memo[n.id] = with_children(n.tree, [memo[j] for j in n.inputs])
            size[n.id] = min(1 + sum(size[j] for j in n.inputs), 10**6)
    if size[i] > most:
        return f"{graph.nodes[i].label}(…)"
    return to_source(memo[i])


def node_text(graph: Graph, i: int, most: int = 60) -> str:
    """Node ``i`` as text with the other named steps by their names (for exercises' words)."""
    return _node_text(graph, i, most)


def _overflow(graph: Graph, values: list[float]) -> EngineError:
    """The error for an output that is not finite, naming the first node that went non-finite."""
    varies: set[int] = set()  # nodes whose value depends on a variable
    for n in graph.nodes:
        if n.op == "var" or varies.intersection(n.inputs):
            varies.add(n.id)
        if math.isfinite(values[n.id]):
            continue
        args = [values[j] for j in n.inputs]
        what, detail = why(n.tree, args) if n.inputs else ("is not finite", None)
        text = _node_text(graph, n.id)
        extra = f" ({detail})" if detail else ""
        loc = ("values",) if n.id in varies else ("expr",)  # the values make it overflow
        return EngineError(f"the output is not finite: {text} {what} at node {n.id}{extra}", loc)
    return EngineError("the output is not finite", ("expr",))  # not reached


def _exact_and_numeric(
    graph: Graph, point: np.ndarray, h: float
) -> tuple[list[float], list[float]]:
    """The symbolic gradient of the whole output and its central-difference estimate."""
    env = tuple(np.float64(v) for v in point)
    with np.errstate(all="ignore"):
        exact = [
            float(compile_tree(derivative(graph.tree, v), graph.variables, np.float64)(env))
            for v in graph.variables
        ]
        f = Expression(graph.tree, graph.variables, source="output")
        _, numeric = f.central_gradient(h)(point)
    return exact, [float(g) for g in numeric]


def compute_graph(
    expr: str,
    values: Mapping[str, float],
    expand: bool = False,
    h: float = 1e-5,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Parse ``expr`` (an expression or a program) over the variables named in ``values``, run
    its graph forward and backward, and give the gradients three ways.

    Returns ``output``, ``output_id``, ``nodes`` (each ``id, op, label, inputs, value, grad,
    local`` and, for a named step, ``name``), ``forward_order``, ``backward_order``,
    ``gradients`` (reverse mode), ``exact`` (symbolic), ``numeric`` (central differences with
    step ``h``), ``nonfinite`` (how many of those numbers are NaN or ±inf), ``expand`` and ``h``.
    EngineError for bad names, a program outside the allow-list or the limits, or an output
    that is not finite (naming the node where it stopped being finite).
    """
    variables = tuple(values)
    check_variables(variables)
    program = parse_program(expr, variables, limits)
    graph = build_graph(program, variables, expand, limits.max_graph_nodes)
    vals = _forward(graph, values)
    if not math.isfinite(vals[graph.output]):
        raise _overflow(graph, vals)
    local = [
        _partials(n.tree, [vals[j] for j in n.inputs]) if n.inputs else [] for n in graph.nodes
    ]
    grads, order = _backward(graph, local)
    point = np.array([float(values[v]) for v in variables])
    exact, numeric = _exact_and_numeric(graph, point, h)
    nodes = []
    for n in graph.nodes:
        node = {
            "id": n.id,
            "op": n.op,
            "label": n.label,
            "inputs": list(n.inputs),
            "value": vals[n.id],
            "grad": grads[n.id],
            "local": local[n.id],
        }
        if n.name:
            node["name"] = n.name
        nodes.append(node)
    var_ids = range(len(variables))
    gradients = {v: grads[i] for v, i in zip(variables, var_ids, strict=True)}
    warnings, at_kink = graph_warnings(graph, program, values, h, expand)
    reverse = np.array([grads[i] for i in var_ids])
    verdict = judge_at_point(reverse, np.array(numeric), at_kink).verdict
    numbers = [*vals, *grads, *(p for ps in local for p in ps), *exact, *numeric]
    return {
        "output": vals[graph.output],
        "output_id": graph.output,
        "nodes": nodes,
        "forward_order": [n.id for n in graph.nodes],
        "backward_order": order,
        "gradients": gradients,
        "exact": dict(zip(variables, exact, strict=True)),
        "numeric": dict(zip(variables, numeric, strict=True)),
        "nonfinite": sum(not math.isfinite(x) for x in numbers),
        "expand": expand,
        "h": h,
        "verdict": verdict,
        "warnings": warnings,
    }


def graph_warnings(
    graph: Graph, program: Program, values: Mapping[str, float], h: float, expand: bool
) -> tuple[list[dict], np.ndarray]:
    """The graph's warnings: a kink or pole at the point or within ±h of it (and which
    variables' steps straddle one), digits lost to cancellation, a staging of ``expand`` that
    loses digits, and each constant a step rebinds."""
    point = [float(values[v]) for v in graph.variables]
    found, at_kink = step_warnings(graph.tree, graph.variables, point, h, ("values",))
    f = Expression(graph.tree, graph.variables, source="output")
    found += cancellation_warnings(f, point, ("expr",))
    if expand:
        found += expand_warnings(graph.tree, dict(zip(graph.variables, point, strict=True)))
    for name, line in program.shadowed:
        found.append(
            warning(
                "shadowed_constant",
                f"line {line} assigns {name}, so from there on {name} is that step, not the "
                f"constant {name} = {CONSTANTS[name]:.6g} (as in Python); earlier lines still "
                "mean the constant.",
                ("expr",),
            )
        )
    return found, at_kink


def expand_warnings(tree: Node, env: Mapping[str, float]) -> list[dict]:
    """``expand_precision`` for each composite function whose staging in primitives loses more
    than half the digits at its argument's value (``log1p(u)`` as ``log(1 + u)`` at u = 1e-20
    gives 0), with both values."""
    values = evaluate(tree, env)
    out = []
    for n in post_order(tree):
        if not (isinstance(n, Fn) and n.name in _EXPANSIONS):
            continue
        u, direct = values[id(n.a)], values[id(n)]
        staged_tree = _EXPANSIONS[n.name]
        staged = evaluate(staged_tree, {"u": u})[id(staged_tree)]
        if not (math.isfinite(direct) and math.isfinite(staged)):
            continue
        if abs(staged - direct) <= 1e-8 * max(abs(direct), abs(staged)):
            continue
        f = FUNCTIONS[n.name]
        out.append(
            warning(
                "expand_precision",
                f"expanded, {n.name}(u) is staged as {f.expand}, which gives {staged:.17g} at "
                f"u = {u:.6g} where {n.name} itself gives {direct:.17g}: the staging loses "
                f"digits there (the graph shows the staged values; without expand the "
                f"output uses {n.name}).",
                ("expand",),
            )
        )
    return out
