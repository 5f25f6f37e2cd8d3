"""The computational graph: CS231n's circuits to the last bit, reverse mode against the symbolic
derivative and central differences, programs, expansion, refusals, limits and overflow."""

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.errors import EngineError
from app.engine.expr import FUNCTIONS
from app.engine.expr.graph import compute_graph
from app.engine.limits import DEFAULT_LIMITS
from tests.attacks import ATTACKS

CIRCUIT = {"x": -2.0, "y": 5.0, "z": -4.0}
NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
NEURON_EXPR = "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"


def limits(**kw):
    return dataclasses.replace(DEFAULT_LIMITS, **kw)


def by_id(r: dict) -> dict[int, dict]:
    return {n["id"]: n for n in r["nodes"]}


def test_cs231n_circuit_as_in_the_contract():
    r = compute_graph("(x + y) * z", CIRCUIT)
    assert r["output"] == -12.0
    keys = ("id", "op", "label", "inputs", "value", "grad", "local")
    assert r["nodes"] == [
        dict(zip(keys, row, strict=True))
        for row in [
            (0, "var", "x", [], -2.0, -4.0, []),
            (1, "var", "y", [], 5.0, -4.0, []),
            (2, "var", "z", [], -4.0, 3.0, []),
            (3, "add", "+", [0, 1], 3.0, -4.0, [1.0, 1.0]),
            (4, "mul", "*", [3, 2], -12.0, 1.0, [-4.0, 3.0]),
        ]
    ]
    assert r["forward_order"] == [0, 1, 2, 3, 4] and r["backward_order"] == [4, 3, 2, 1, 0]
    assert r["gradients"] == r["exact"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert r["numeric"] == pytest.approx(r["exact"], rel=1e-9)
    assert r["nonfinite"] == 0 and r["output_id"] == 4


def test_cs231n_circuit_as_a_program_names_its_steps():
    r = compute_graph("q = x + y\nf = q * z", CIRCUIT)
    nodes = by_id(r)
    assert (nodes[3]["name"], nodes[4]["name"]) == ("q", "f")
    assert "name" not in nodes[0]
    assert r["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert compute_graph("q = x + y; q * z", CIRCUIT)["gradients"] == r["gradients"]


@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("expr", [NEURON_EXPR, "sigmoid(w0*x0 + w1*x1 + w2)"])
def test_cs231n_sigmoid_neuron(expr, expand):
    r = compute_graph(expr, NEURON, expand=expand)
    s = 1 / (1 + math.exp(-1.0))  # w0 x0 + w1 x1 + w2 = 1
    ds = s * (1 - s)
    want = {"w0": ds * -1.0, "x0": ds * 2.0, "w1": ds * -2.0, "x1": ds * -3.0, "w2": ds}
    assert r["output"] == s
    assert round(r["output"], 2) == 0.73
    for k, v in want.items():
        assert r["gradients"][k] == pytest.approx(v, rel=4e-16, abs=0)  # one or two ulp
        assert r["exact"][k] == pytest.approx(v, rel=4e-16, abs=0)
        assert r["numeric"][k] == pytest.approx(v, rel=1e-9)
    rounded = {k: round(v, 2) for k, v in r["gradients"].items()}
    assert rounded == {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}


def test_a_variable_used_twice_is_one_node_with_two_edges():
    r = compute_graph("x * x", {"x": 3.0})
    assert [n["op"] for n in r["nodes"]] == ["var", "mul"]
    assert r["nodes"][1]["inputs"] == [0, 0] and r["nodes"][1]["local"] == [3.0, 3.0]
    assert r["gradients"]["x"] == 6.0  # the sum over both edges


def test_no_algebra_constants_are_nodes_and_literals_stay_as_typed():
    r = compute_graph("2*3*x + -1 + pi", {"x": 1.0})
    consts = [n["label"] for n in r["nodes"] if n["op"] == "const"]
    assert consts == ["2", "3", "-1", "pi"]  # 2*3 is not folded; -1 is one literal
    assert [n["op"] for n in r["nodes"]].count("mul") == 2
    r = compute_graph("x**2", {"x": 0.0})
    assert by_id(r)[2]["local"][0] == 0.0  # d(x²)/dx at 0, not 0·∞


@pytest.mark.parametrize("name", [f.name for f in FUNCTIONS.values() if f.expand])
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.0, 0.7, 1.9])
def test_expansion_gives_the_same_gradients(name, x):
    expr = f"{name}(x*y) + y"
    values = {"x": x, "y": 0.3}  # x*y > -1, inside log1p's domain
    one = compute_graph(expr, values)
    staged = compute_graph(expr, values, expand=True)
    assert name in [n["op"] for n in one["nodes"]]
    assert name not in [n["op"] for n in staged["nodes"]]
    assert len(staged["nodes"]) > len(one["nodes"])
    assert staged["output"] == pytest.approx(one["output"], rel=1e-14, abs=1e-15)
    for v in values:
        assert staged["gradients"][v] == pytest.approx(one["gradients"][v], rel=1e-12, abs=1e-15)
    assert staged["exact"] == one["exact"]  # the symbolic derivative ignores the staging


def test_a_program_equals_the_inlined_expression_and_shares_its_steps():
    values = {"w": 0.5, "x": 1.5, "b": -0.25}
    program = compute_graph("a = w*x + b\ns = sigmoid(a)\ns*s + a", values)
    inlined = compute_graph("sigmoid(w*x + b)*sigmoid(w*x + b) + (w*x + b)", values)
    for v in values:
        assert program["gradients"][v] == pytest.approx(inlined["gradients"][v], rel=1e-14)
        assert program["exact"][v] == pytest.approx(inlined["exact"][v], rel=1e-14)
    assert program["output"] == inlined["output"]
    assert [n["op"] for n in program["nodes"]].count("sigmoid") == 1  # one node, two edges
    assert [n["op"] for n in inlined["nodes"]].count("sigmoid") == 2


def test_reassignment_and_augmented_assignment():
    r = compute_graph("c = x*2\nc += 1\nc *= c\nc -= x\nc /= 2\nc", {"x": 3.0})
    names = [n.get("name") for n in r["nodes"] if n.get("name")]
    assert names == ["c", "c (2)", "c (3)", "c (4)", "c (5)"]
    assert r["output"] == ((3 * 2 + 1) ** 2 - 3) / 2
    assert r["gradients"]["x"] == pytest.approx((2 * 7 * 2 - 1) / 2)
    alias = compute_graph("a = x + 1\nb = a\nb", {"x": 1.0})
    assert [n.get("name") for n in alias["nodes"]] == [None, None, "a"]  # b is another name


def test_unused_variables_and_steps_get_zero_and_are_not_in_the_backward_pass():
    r = compute_graph("u = log(x)\nx*2", {"x": 0.0, "y": 4.0})
    assert r["gradients"] == {"x": 2.0, "y": 0.0}  # log(0)'s infinite partial stays out
    assert r["backward_order"][0] == r["output_id"]
    unused = {n["id"] for n in r["nodes"] if n.get("name") == "u"} | {1}
    assert not unused & set(r["backward_order"])
    assert r["nonfinite"] == 2  # u = -inf and its local partial 1/0


@pytest.mark.parametrize(
    ("program", "phrase"),
    [
        ("x.y = 1", "assignment to an attribute"),
        ("x[0] = 1", "assignment to a subscript"),
        ("a, b = 1, 2", "assigning several names at once"),
        ("[a, b] = 1, 2", "assigning several names at once"),
        ("a = b = 1", "chained assignment"),
        ("a: int = 1", "annotation"),
        ("del x", "'del' is not allowed"),
        ("if x: a = 1", "'if' is not allowed"),
        ("for i in x: pass", "'for' is not allowed"),
        ("while x: pass", "'while' is not allowed"),
        ("import os", "'import' is not allowed"),
        ("from os import path", "'import' is not allowed"),
        ("def f(): pass", "'def' is not allowed"),
        ("x **= 2", "the operator '**=' is not allowed; use +=, -=, *= or /="),
        ("x //= 2", "the operator '//=' is not allowed"),
        ("c += 1", "needs a value of c from a line above"),
        ("a = q + 1\nq = 2\na", "'q' is used before a line assigns it"),
        ("x + 1\nx", "line 1 is an expression but not the last line"),
        ("exp = x\nexp", "'exp' is a function, so it cannot name a step"),
        ("__class__ = x\nx", "'__class__' cannot name a step"),
        ("Q = x\nQ", "'Q' cannot name a step"),
        ("toolongname = x\nx", "cannot name a step"),
        ("a = x.real\na", "attribute access is not allowed"),
        ("a = (t := x)\na", "assignment (:=) is not allowed"),
        ("a = x\n  b = a", "could not parse"),  # indentation is ignored: it parses
        ("a = x +\nb", "could not parse: invalid syntax at line 1"),
    ],
)
def test_refused_statements_name_the_construct(program, phrase):
    if phrase == "could not parse" and "  b" in program:
        assert compute_graph(program, {"x": 1.0})["output"] == 1.0
        return
    with pytest.raises(EngineError) as info:
        compute_graph(program, {"x": 1.0})
    assert phrase in info.value.msg
    assert info.value.loc == ("expr",)


@pytest.mark.parametrize(
    ("names", "phrase"),
    [
        (("exp",), "'exp' is a function"),
        (("sign",), "'sign' is a function"),
        (("e",), "'e' is a constant"),
        (("__class__",), "'__class__' cannot name a variable"),
        (("X",), "cannot name a variable"),
        (("abcdefghi",), "cannot name a variable: use 1 to 8 characters"),
        (("1x",), "cannot name a variable"),
        (("if",), "'if' is a Python keyword"),
        ((), "give 1 to 8 variables, got 0"),
        (tuple("abcdefghi"), "give 1 to 8 variables, got 9"),
    ],
)
def test_variable_names(names, phrase):
    with pytest.raises(EngineError) as info:
        compute_graph("1", dict.fromkeys(names, 1.0))
    assert phrase in info.value.msg and info.value.loc == ("values",)


def test_variable_names_that_are_allowed():
    r = compute_graph("w_1 + abc12345 + x", {"w_1": 1.0, "abc12345": 2.0, "x": 3.0})
    assert r["output"] == 6.0 and list(r["gradients"]) == ["w_1", "abc12345", "x"]


@pytest.mark.parametrize("source", ATTACKS, ids=lambda s: repr(s[:30]))
def test_attacks_are_refused(source):
    with pytest.raises(EngineError) as info:
        compute_graph(source, {"x": 1.0})
    assert len(info.value.msg) < 300


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        ("x" * 1000, "name 'xxxxxxxxxxxxxxxxxxx…' is not allowed; use x"),
        ("+".join(["x"] * 1000), "too long: 1999 characters (limit 1024)"),
        ("*".join(["x"] * 300), "more than 200 nodes"),
        ("x.__class__", "attribute access is not allowed"),
        ("exp(x)(1)", "'exp(x)' cannot be called"),
    ],
)
def test_hostile_programs(source, phrase):
    with pytest.raises(EngineError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        compute_graph(source, {"x": 1.0})


def test_limits_on_lines_characters_and_nodes():
    with pytest.raises(EngineError, match=r"the program has 33 lines \(limit 32\)"):
        compute_graph("\n".join(["a = x"] * 32 + ["a"]), {"x": 1.0})
    compute_graph("\n".join(["a = x"] * 31 + ["a"]), {"x": 1.0})
    with pytest.raises(EngineError, match=r"too long: 11 characters \(limit 10\)"):
        compute_graph("a = x + x\na", {"x": 1.0}, limits=limits(max_graph_chars=10))
    small = limits(max_graph_nodes=6)
    assert len(compute_graph("sigmoid(x + 1)", {"x": 1.0}, limits=small)["nodes"]) == 4
    with pytest.raises(EngineError, match=r"more than 6 nodes .*primitives of expanded"):
        compute_graph("sigmoid(x + 1)", {"x": 1.0}, expand=True, limits=small)


def test_shared_steps_are_differentiated_in_linear_time(monkeypatch):
    # a30 = x^(2^30): inlined it would be a tree of 2^30 leaves; the graph has 31 nodes and the
    # symbolic derivative visits each once per variable (counting rule applications).
    from app.engine.expr import calculus

    calls = []
    rule = calculus._Differentiator.rule
    monkeypatch.setattr(
        calculus._Differentiator, "rule", lambda self, n: calls.append(1) or rule(self, n)
    )
    program = "a1 = x*x\n" + "".join(f"a{i + 1} = a{i}*a{i}\n" for i in range(1, 30)) + "a30"
    r = compute_graph(program, {"x": 1.0})
    assert len(r["nodes"]) == 31
    assert r["gradients"]["x"] == r["exact"]["x"] == 2.0**30
    # 31 nodes for the exact gradient; each local partial d(a*b)/da is 3 rules (*, a, b).
    assert len(calls) == 31 + 30 * 2 * 3


def test_output_overflow_names_the_node():
    with pytest.raises(EngineError) as info:
        compute_graph("exp(1000)", {"x": 1.0})
    assert "exp(1000) overflowed at node 2" in info.value.msg
    assert "exp of 1000 is above the largest float" in info.value.msg
    assert info.value.loc == ("expr",)
    with pytest.raises(EngineError) as info:
        compute_graph("q = 2*x\nexp(q) + 1", {"x": 400.0})
    assert "exp(q) overflowed at node 3" in info.value.msg and info.value.loc == ("values",)
    with pytest.raises(EngineError, match=r"1/x divides by zero at node 2"):
        compute_graph("1/x", {"x": 0.0})


def test_nonfinite_inside_a_finite_output_is_counted():
    r = compute_graph("sigmoid(x)", {"x": -1000.0}, expand=True)  # exp(1000) inside
    assert r["output"] == 0.0
    exp_node = next(n for n in r["nodes"] if n["op"] == "exp")
    assert math.isinf(exp_node["value"])
    assert r["nonfinite"] >= 1
    assert compute_graph("sigmoid(x)", {"x": -1000.0})["nonfinite"] == 0


# ----------------------------------------------------------------------------------------------
# Properties: reverse mode = the symbolic gradient; central differences agree at smooth points.

_leaf = st.sampled_from(["x", "y", "x", "y", "0.5", "2", "1.5", "pi"])


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]}){t[1]}({t[2]})"
    )
    call = st.tuples(st.sampled_from(["sin", "cos", "tanh", "sigmoid", "sinh"]), children).map(
        lambda t: f"{t[0]}({t[1]})"
    )
    wrapped = children.map(lambda c: f"log1p(({c})**2) / (1 + ({c})**2)")
    return binary | call | wrapped | children.map(lambda c: f"-({c})")


smooth_st = st.recursive(_leaf, _extend, max_leaves=6).filter(lambda s: len(s) <= 256)
point_st = st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=smooth_st, point=point_st, expand=st.booleans())
def test_reverse_mode_equals_the_symbolic_gradient(source, point, expand):
    values = {"x": point[0], "y": point[1]}
    try:
        r = compute_graph(source, values, expand=expand)
    except EngineError as exc:
        assert "too big" in exc.msg or "nested too deeply" in exc.msg or "nodes" in exc.msg
        return
    for v in values:
        exact, reverse = r["exact"][v], r["gradients"][v]
        assert abs(reverse - exact) <= 1e-12 * max(1.0, abs(exact)), (source, v, reverse, exact)
        numeric = r["numeric"][v]
        scale = max(1.0, abs(exact), abs(r["output"]))
        assert abs(numeric - exact) <= 1e-7 * scale, (source, v, numeric, exact)
