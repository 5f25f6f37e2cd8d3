"""Judge one number a learner computed on a computational graph, and name the mistake.

The learner answers a node's forward ``value``, its gradient ``grad`` = ∂f/∂node (f the output),
or the ``local`` derivative of one of its input edges, ∂node/∂(input k). The truth comes from
:func:`app.engine.expr.graph.compute_graph`; the answer is read by
:func:`app.engine.exercises.answers.parse_answer` and accepted within its tolerance.

A wrong answer is compared with the numbers the common mistakes produce, built from the true
numbers, and the first that fits (in this order) is the diagnosis:

``forward_value``
    the node's forward value, typed for its gradient (or its local derivative);
``one_path``
    a gradient summed over only some of the node's uses (a value used twice contributes
    ∂f/∂q · ∂q/∂x through each use; the gradient is the sum);
``forgot_upstream``
    a use's local derivative ∂q/∂x alone (or their sum), not multiplied by ∂f/∂q;
``local_swapped``
    through a product q = x · y, the node's own value x in place of the other input y;
``sign``
    the truth's magnitude with the wrong sign;
``other``
    none of these.

The words say it with the learner's own number and the true numbers. Beside the diagnosis, a
hint climbs a ladder with ``attempt``: 1 where to look (the node's uses, or its inputs), 2 the
chain-rule template with every number but the answer, 3 and later the answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from app.engine.errors import EngineError
from app.engine.exercises.answers import Answer, parse_answer
from app.engine.expr.calculus import derivative
from app.engine.expr.graph import build_graph, check_variables, compute_graph, node_text
from app.engine.expr.nodes import Fn, Var, with_children
from app.engine.expr.parser import parse_program
from app.engine.expr.printing import to_source
from app.engine.limits import DEFAULT_LIMITS, Limits

__all__ = ["DIAGNOSES", "QUANTITIES", "check_graph_answer", "fmt"]

QUANTITIES = ("value", "grad", "local")
DIAGNOSES = ("forward_value", "one_path", "forgot_upstream", "local_swapped", "sign", "other")
_MAX_SUBSETS_EDGES = 8  # above this many uses, one_path looks at single paths only
_HOLE = "@"

# How each operation passes a change on, in CS231n's words ("patterns in backward flow").
_RULES = {
    "add": "a sum passes a change on unchanged: ∂(a + b)/∂a = ∂(a + b)/∂b = 1",
    "sub": "∂(a − b)/∂a = 1 and ∂(a − b)/∂b = −1",
    "mul": "a product swaps its inputs: ∂(a · b)/∂a = b and ∂(a · b)/∂b = a",
    "div": "∂(a / b)/∂a = 1/b and ∂(a / b)/∂b = −a/b²",
    "pow": "∂(a**b)/∂a = b · a**(b − 1) and ∂(a**b)/∂b = a**b · log(a)",
    "neg": "∂(−a)/∂a = −1",
}


def fmt(v: float) -> str:
    """A number for words: whole numbers as such, others to 4 significant digits, with −."""
    if v == 0:
        return "0"
    text = str(int(v)) if float(v).is_integer() and abs(v) < 1000000000000.0 else f"{v:.4g}"
    return text.replace("-", "−")


def _product(factors: list[float]) -> str:
    """``(−4) · 1``-style text: a negative factor after the first in parentheses."""
    parts = [fmt(f) if k == 0 or f >= 0 else f"({fmt(f)})" for k, f in enumerate(factors)]
    return " · ".join(parts)


@dataclass(frozen=True)
class _Edge:
    use: int  # the node that uses this one
    k: int  # as its k-th input
    upstream: float  # ∂f/∂use
    local: float  # ∂use/∂(input k)

    @property
    def share(self) -> float:
        return self.upstream * self.local


class _Graph:
    """The computed graph with the words for its nodes."""

    def __init__(self, result: dict, texts: list[str], trees: list) -> None:
        self.nodes: list[dict] = result["nodes"]
        self.out: int = result["output_id"]
        self.reach = set(result["backward_order"])
        self.texts = texts
        self.trees = trees

    def sym(self, i: int) -> str:
        """The node's short name: ``x``, ``q``, ``f`` for an unnamed output, ``(x + y)``."""
        n = self.nodes[i]
        if n.get("name"):
            return n["name"]
        if n["op"] in ("var", "const"):
            return n["label"]
        if i == self.out:
            return "f"
        text = self.texts[i]
        return text if text.replace("_", "").isalnum() or text.endswith(")") else f"({text})"

    def define(self, i: int) -> str:
        """``q = x * y`` for a named node (or the output), else its text."""
        n = self.nodes[i]
        if n["op"] in ("var", "const"):
            return n["label"]
        if n.get("name") or i == self.out:
            return f"{self.sym(i)} = {self.texts[i]}"
        return self.texts[i]

    def d(self, top: int, i: int) -> str:
        return f"∂{self.sym(top)}/∂{self.sym(i)}"

    def edges(self, i: int) -> list[_Edge]:
        """Each edge from node i to a use that leads to the output, uses in backward order."""
        out = []
        for j in sorted(self.reach, reverse=True):
            n = self.nodes[j]
            for k, src in enumerate(n["inputs"]):
                if src == i:
                    out.append(_Edge(j, k, n["grad"], n["local"][k]))
        return out

    def edge_text(self, i: int, e: _Edge) -> str:
        """Where an edge goes: ``r = x + z``, or ``q = x * x (as its 2nd input)``."""
        text = self.define(e.use)
        if self.nodes[e.use]["inputs"].count(i) > 1:
            text += f" (as its {_ordinal(e.k)} input)"
        return text

    def share_words(self, i: int, e: _Edge) -> tuple[str, str]:
        """The chain-rule term of an edge in symbols and in numbers."""
        if e.use == self.out:  # the upstream factor is the seed 1: the local rule alone
            return self.local_rule(e.use, e.k), fmt(e.local)
        return f"{self.d(self.out, e.use)} · {self.d(e.use, i)}", _product([e.upstream, e.local])

    def local_rule(self, i: int, k: int) -> str:
        """∂node/∂(input k) as a formula in the inputs' names, e.g. ``y`` or ``cos(q)``."""
        names = [self.sym(j) for j in self.nodes[i]["inputs"]]
        holes = [Var(_HOLE) if m == k else Var(names[m]) for m in range(len(names))]
        text = to_source(derivative(with_children(self.trees[i], holes), _HOLE))
        return text.replace(_HOLE, names[k]).replace("-", "−")

    def plugged(self, i: int) -> str:
        """Node i's operation with its inputs' values: ``−2 + 5``, ``exp(0.5)``."""
        n = self.nodes[i]
        args = [self.nodes[j]["value"] for j in n["inputs"]]
        if not args:  # a variable or a constant
            return fmt(n["value"])
        if n["op"] in ("add", "sub", "mul", "div", "pow"):
            a = fmt(args[0]) if args[0] >= 0 or n["op"] != "pow" else f"({fmt(args[0])})"
            b = fmt(args[1]) if args[1] >= 0 else f"({fmt(args[1])})"
            sign = {"add": "+", "sub": "−", "mul": "·", "div": "/", "pow": "**"}[n["op"]]
            return f"{a} {sign} {b}" if n["op"] != "pow" else f"{a}**{b}"
        if n["op"] == "neg":
            return f"−({fmt(args[0])})"
        return f"{n['label']}({fmt(args[0])})"


def _ordinal(k: int) -> str:
    return {0: "1st", 1: "2nd", 2: "3rd"}.get(k, f"{k + 1}th")


# --------------------------------------------------------------------------------------------
# Candidates: (diagnosis, the number that mistake gives, the words that name it).


def _grad_candidates(g: _Graph, i: int, ans: str) -> list[tuple[str, float, str]]:
    n, out = g.nodes[i], []
    d_i = g.d(g.out, i)
    out.append(
        (
            "forward_value",
            n["value"],
            f"{ans} is {g.sym(i)}'s value in the forward pass; the question asks for {d_i}.",
        )
    )
    if i == g.out:
        out.append(("sign", -1.0, f"Right size, wrong sign: {d_i} = 1, the seed of the pass."))
        return out
    edges = g.edges(i)
    truth = n["grad"]
    # one_path: the sum over a proper subset of the uses
    if len(edges) >= 2:
        sizes = range(1, len(edges)) if len(edges) <= _MAX_SUBSETS_EDGES else range(1, 2)
        for size in sizes:
            for kept in combinations(range(len(edges)), size):
                got = sum(edges[m].share for m in kept)
                missing = [e for m, e in enumerate(edges) if m not in kept]
                out.append(("one_path", got, _one_path_words(g, i, edges, kept, missing, ans)))
    # forgot_upstream: a local derivative alone, or the sum of them
    for e in edges:
        if e.use == g.out:
            continue  # there the upstream factor is the seed 1
        out.append(
            (
                "forgot_upstream",
                e.local,
                f"{ans} is {g.d(e.use, i)}, the local derivative. Multiply by the gradient "
                f"arriving at {g.sym(e.use)}, {g.d(g.out, e.use)} = {fmt(e.upstream)}: "
                f"{d_i} = {_product([e.upstream, e.local])}"
                + (" + the other uses' shares." if len(edges) > 1 else "."),
            )
        )
    if len(edges) > 1:
        out.append(
            (
                "forgot_upstream",
                sum(e.local for e in edges),
                f"{ans} is the sum of the local derivatives. Multiply each by the gradient "
                f"arriving at its use: {d_i} = "
                + " + ".join(_product([e.upstream, e.local]) for e in edges)
                + ".",
            )
        )
    # local_swapped: through a product, the node's own value in place of the other input
    for e in edges:
        use = g.nodes[e.use]
        if use["op"] != "mul":
            continue
        other = use["inputs"][1 - e.k]
        got = truth - e.share + e.upstream * n["value"]
        out.append(
            (
                "local_swapped",
                got,
                f"For {g.define(e.use)}, {g.d(e.use, i)} is the other input, "
                f"{g.sym(other)} = {fmt(g.nodes[other]['value'])}, not {g.sym(i)} = "
                f"{fmt(n['value'])} itself.",
            )
        )
    symbols = " + ".join(g.share_words(i, e)[0] for e in edges) or "0"
    numbers = " + ".join(g.share_words(i, e)[1] for e in edges) or "0"
    out.append(
        (
            "sign",
            -truth,
            f"Right size, wrong sign: {d_i} = {symbols} = {numbers}; count the minus signs.",
        )
    )
    return out


def _one_path_words(
    g: _Graph, i: int, edges: list[_Edge], kept: tuple[int, ...], missing: list[_Edge], ans: str
) -> str:
    through = " and ".join(g.edge_text(i, edges[m]) for m in kept)
    many = "paths" if len(kept) > 1 else "path"
    words = [f"{ans} is only the {many} through {through}."]
    for e in missing:
        sym, num = g.share_words(i, e)
        words.append(
            f"{g.sym(i)} also feeds {g.edge_text(i, e)}: its share is {sym} = {num}"
            + (f" = {fmt(e.share)}." if sym.count("·") else ".")
        )
    both = "both" if len(edges) == 2 else f"all {len(edges)}"
    words.append(f"The gradient is the sum over {both} uses.")
    return " ".join(words)


def _value_candidates(g: _Graph, i: int, ans: str) -> list[tuple[str, float, str]]:
    v = g.nodes[i]["value"]
    return [("sign", -v, f"Right size, wrong sign: {g.define(i)} = {g.plugged(i)}.")]


def _local_candidates(g: _Graph, i: int, k: int, ans: str) -> list[tuple[str, float, str]]:
    n = g.nodes[i]
    src = n["inputs"][k]
    dk = g.d(i, src)
    out = [
        (
            "forward_value",
            n["value"],
            f"{ans} is {g.sym(i)}'s value in the forward pass; the question asks for {dk}, how "
            f"{g.sym(i)} changes when {g.sym(src)} moves.",
        )
    ]
    if n["op"] == "mul":
        other = n["inputs"][1 - k]
        out.append(
            (
                "local_swapped",
                g.nodes[src]["value"],
                f"For {g.define(i)}, {dk} is the other input, {g.sym(other)} = "
                f"{fmt(g.nodes[other]['value'])}, not {g.sym(src)} itself.",
            )
        )
    out.append(
        (
            "sign",
            -n["local"][k],
            f"Right size, wrong sign: {dk} = {g.local_rule(i, k)}.",
        )
    )
    return out


# --------------------------------------------------------------------------------------------
# The hint ladder.


def _function_rule(name: str) -> str:
    """A function's derivative rule from the table, e.g. ``∂exp(u)/∂u = exp(u)``."""
    u = Var("u")
    rule = to_source(derivative(Fn(name, u), "u")).replace("-", "−")
    return f"∂{name}(u)/∂u = {rule}"


def _grad_ladder(g: _Graph, i: int, attempt: int) -> str:
    d_i = g.d(g.out, i)
    if i == g.out:
        return f"{d_i} = 1: the backward pass starts at the output with 1."
    edges = g.edges(i)
    if not edges:
        return f"{g.sym(i)} does not lead to the output: {d_i} = 0."
    if attempt <= 1:
        uses = " and ".join(g.edge_text(i, e) for e in edges)
        if len(edges) == 1:
            e = edges[0]
            return (
                f"{g.sym(i)} feeds {uses} only: {d_i} is the gradient arriving at "
                f"{g.sym(e.use)} times the local derivative {g.d(e.use, i)}."
            )
        return (
            f"Look at where {g.sym(i)} is used: it feeds {uses}. {d_i} collects a share from "
            "each use: the gradient arriving there times the local derivative."
        )
    symbols = " + ".join(g.share_words(i, e)[0] for e in edges)
    numbers = " + ".join(g.share_words(i, e)[1] for e in edges)
    if attempt == 2:
        return f"{d_i} = {symbols} = {numbers} = ?"
    total = fmt(g.nodes[i]["grad"])
    return f"{d_i} = {symbols} = {numbers}" + ("." if numbers == total else f" = {total}.")


def _value_ladder(g: _Graph, i: int, attempt: int) -> str:
    n = g.nodes[i]
    if n["op"] == "var":
        return f"{n['label']} is an input: its value is given, {n['label']} = {fmt(n['value'])}."
    if n["op"] == "const":
        return f"{n['label']} is a constant."
    if attempt <= 1:
        inputs = " and ".join(dict.fromkeys(g.sym(j) for j in n["inputs"]))
        return f"{g.define(i)}: take the forward values of {inputs}."
    end = "?" if attempt == 2 else f"{fmt(n['value'])}."
    return f"{g.define(i)} = {g.plugged(i)} = {end}"


def _local_ladder(g: _Graph, i: int, k: int, attempt: int) -> str:
    n = g.nodes[i]
    src = n["inputs"][k]
    dk = g.d(i, src)
    if attempt <= 1:
        rule = _RULES.get(n["op"]) or _function_rule(n["op"])
        others = " and the other input stays" if len(n["inputs"]) > 1 else ""
        return f"{dk}: how {g.define(i)} changes when {g.sym(src)} moves{others}; {rule}."
    given = ", ".join(
        f"{g.sym(j)} = {fmt(g.nodes[j]['value'])}" for j in dict.fromkeys(n["inputs"])
    )
    end = "?" if attempt == 2 else f"{fmt(n['local'][k])}."
    return f"{dk} = {g.local_rule(i, k)} with {given}: {end}"


# --------------------------------------------------------------------------------------------


def _graph_words(
    expr: str, values: Mapping[str, float], expand: bool, limits: Limits
) -> tuple[list[str], list]:
    """Each node as text and its expression tree (for the words and the local rules)."""
    variables = tuple(values)
    check_variables(variables)
    graph = build_graph(
        parse_program(expr, variables, limits), variables, expand, limits.max_graph_nodes
    )
    return [node_text(graph, n.id) for n in graph.nodes], [n.tree for n in graph.nodes]


def check_graph_answer(
    expr: str,
    values: Mapping[str, float],
    node: int,
    quantity: str,
    answer: float | str,
    attempt: int = 1,
    input: int | None = None,
    reveal: bool = False,
    expand: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Judge ``answer`` for node ``node``'s ``quantity`` (``value``, ``grad`` or ``local`` of
    input edge ``input``) on the graph of ``expr`` at ``values`` (``expand``: with composite
    functions staged in primitives, as ``/api/v1/graph`` draws it).

    Returns ``correct``, ``diagnosis`` (None when correct, else one of :data:`DIAGNOSES`),
    ``hint`` (words with the numbers: the diagnosis, then the ladder's step for ``attempt``),
    ``highlight`` (node ids the hint points at), ``quantity``, ``node``, ``attempt``, and
    ``expected`` only with ``reveal``. EngineError for a bad program, node, quantity or answer.
    """
    if quantity not in QUANTITIES:
        raise EngineError(f"quantity must be one of {', '.join(QUANTITIES)}", ("quantity",))
    if attempt < 1:
        raise EngineError("attempt counts from 1", ("attempt",))
    result = compute_graph(expr, values, expand=expand, limits=limits)
    n_nodes = len(result["nodes"])
    if not 0 <= node < n_nodes:
        raise EngineError(f"node must be a node id, 0 to {n_nodes - 1}", ("node",))
    texts, trees = _graph_words(expr, values, expand, limits)
    g = _Graph(result, texts, trees)
    n = g.nodes[node]
    k = 0
    if quantity == "local":
        if not n["inputs"]:
            raise EngineError(
                f"node {node} ({g.sym(node)}) has no inputs, so no local derivative", ("node",)
            )
        if input is None or not 0 <= input < len(n["inputs"]):
            raise EngineError(
                f"input must be the index of one of node {node}'s input edges, 0 to "
                f"{len(n['inputs']) - 1}",
                ("input",),
            )
        k = input
        truth = n["local"][k]
    else:
        truth = n[quantity]
    if truth is None or not math.isfinite(truth):
        raise EngineError(f"this number is not finite at node {node}", ("node",))
    got = parse_answer(answer)
    shown = got.text if got.text is not None else fmt(got.value)

    if quantity == "grad":
        ladder = _grad_ladder(g, node, attempt)
        candidates = _grad_candidates(g, node, shown)
        highlight = sorted({e.use for e in g.edges(node)})
    elif quantity == "value":
        ladder = _value_ladder(g, node, attempt)
        candidates = _value_candidates(g, node, shown)
        highlight = list(dict.fromkeys(n["inputs"]))
    else:
        ladder = _local_ladder(g, node, k, attempt)
        candidates = _local_candidates(g, node, k, shown)
        highlight = [n["inputs"][k]]

    diagnosis, words = _diagnose(got, truth, candidates)
    if diagnosis is None:
        hint = "Right: " + _right(g, node, quantity, k)
    elif diagnosis == "other" or attempt >= 2:
        hint = " ".join(w for w in (words, ladder) if w)
    else:
        hint = words
    out = {
        "correct": diagnosis is None,
        "diagnosis": diagnosis,
        "hint": hint,
        "highlight": highlight,
        "node": node,
        "quantity": quantity,
        "attempt": attempt,
    }
    if quantity == "local":
        out["input"] = k
    if reveal:
        out["expected"] = truth
    return out


def _right(g: _Graph, i: int, quantity: str, k: int) -> str:
    """The confirmation of a right answer: the computation in numbers."""
    return {
        "grad": lambda: _grad_ladder(g, i, 3),
        "value": lambda: _value_ladder(g, i, 3),
        "local": lambda: _local_ladder(g, i, k, 3),
    }[quantity]()


def _diagnose(
    got: Answer, truth: float, candidates: list[tuple[str, float, str]]
) -> tuple[str | None, str]:
    """None when right; else the first mistake whose number the answer matches, or other."""
    if got.matches(truth):
        return None, ""
    for name, number, words in candidates:
        if math.isfinite(number) and not _same(number, truth) and got.matches(number):
            return name, words
    return "other", ""


def _same(a: float, b: float) -> bool:
    """Two numbers a learner could not tell apart (a mistake that gives the truth is none)."""
    return abs(a - b) <= max(1e-9, 1e-9 * max(abs(a), abs(b)))
