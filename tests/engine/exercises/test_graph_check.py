"""Judging a learner's numbers on a computational graph: every diagnosis, by hand and at random."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.errors import EngineError
from app.engine.exercises.graph_check import DIAGNOSES, check_graph_answer
from app.engine.exercises.random_graph import OPS, random_graph
from app.engine.expr.graph import compute_graph

CS231N = ("q = x + y\nf = q * z", {"x": -2, "y": 5, "z": -4})  # x0 y1 z2 q3 f4
TWICE = ("q = x * y\nr = x + z\nf = q + r", {"x": 2, "y": 3, "z": 1})  # x0 y1 z2 q3 r4 f5
THRICE = ("q = x * y\nr = x + z\ns = exp(x)\nf = q * r + s", {"x": 0.5, "y": 3, "z": 1})


def check(program, node, quantity, answer, **kw):
    expr, values = program
    return check_graph_answer(expr, values, node, quantity, answer, **kw)


def test_cs231n_right_answers_are_accepted_as_typed():
    for node, grad in [(0, -4), (1, -4), (2, 3), (3, -4), (4, 1)]:
        assert check(CS231N, node, "grad", grad)["correct"]
        assert check(CS231N, node, "grad", f"{grad}.0")["correct"]
    assert check(CS231N, 3, "value", "-2 + 5")["correct"]
    assert check(CS231N, 4, "local", "-4", input=0)["correct"]
    assert check(CS231N, 4, "local", 3, input=1)["correct"]


def test_forward_value_names_the_value_and_the_question():
    r = check(CS231N, 3, "grad", 3)
    assert (r["correct"], r["diagnosis"]) == (False, "forward_value")
    assert r["hint"] == "3 is q's value in the forward pass; the question asks for ∂f/∂q."


def test_forgot_upstream_with_the_numbers():
    r = check(CS231N, 0, "grad", 1)
    assert r["diagnosis"] == "forgot_upstream"
    assert "1 is ∂q/∂x, the local derivative" in r["hint"]
    assert "∂f/∂q = −4: ∂f/∂x = −4 · 1" in r["hint"]


def test_sign():
    r = check(CS231N, 0, "grad", "4")
    assert r["diagnosis"] == "sign"
    assert r["hint"].startswith("Right size, wrong sign: ∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1")
    assert check(CS231N, 3, "value", -3)["diagnosis"] == "sign"


def test_local_swapped_on_a_product():
    r = check(CS231N, 4, "local", 3, input=0)  # ∂f/∂q = z = −4, typed q = 3
    assert r["diagnosis"] == "forward_value" or r["diagnosis"] == "local_swapped"
    r = check(CS231N, 4, "local", -4, input=1)  # ∂f/∂z = q = 3, typed z = −4
    assert r["diagnosis"] == "local_swapped"
    assert r["hint"] == "For f = q*z, ∂f/∂z is the other input, q = 3, not z itself."
    # in a gradient: ∂f/∂y through q = x * y with x's own value (y's value) in place of x
    r = check(TWICE, 1, "grad", 3)  # truth ∂f/∂y = x = 2; typed y = 3 = value → forward_value
    assert r["diagnosis"] == "forward_value"
    prog = ("q = x * y\nf = q * z", {"x": 2, "y": 3, "z": 5})
    r = check(prog, 1, "grad", 15)  # truth z·x = 10; typed z·y = 15
    assert r["diagnosis"] == "local_swapped"
    assert "the other input, x = 2, not y = 3 itself" in r["hint"]


def test_one_path_in_learning_words():
    r = check(TWICE, 0, "grad", 3)  # truth 3 + 1 = 4
    assert r["diagnosis"] == "one_path"
    assert r["hint"] == (
        "3 is only the path through q = x*y. x also feeds r = x + z: its share is "
        "∂f/∂r · ∂r/∂x = 1 · 1 = 1. The gradient is the sum over both uses."
    )
    assert check(TWICE, 0, "grad", 1)["diagnosis"] == "one_path"
    assert check(TWICE, 0, "grad", "3 + 1")["correct"]


def test_x_times_x_and_a_value_used_three_times():
    # x * x: one path gives x·upstream, the value itself when the product is the output
    assert check(("x * x", {"x": 3}), 0, "grad", 3)["diagnosis"] == "forward_value"
    assert check(("x * x", {"x": 3}), 0, "grad", 6)["correct"]
    prog = ("q = x * x\nf = q * y", {"x": 3, "y": 2})  # ∂f/∂x = y·x + y·x = 12
    r = check(prog, 0, "grad", 6)
    assert r["diagnosis"] == "one_path"
    assert "as its" in r["hint"]
    # three uses: truth = r·y + q·1 + exp(x) at x = .5: shares 4.5, 1.5, e^.5
    expr, values = THRICE
    g = compute_graph(expr, values)
    x = g["nodes"][0]
    assert len([n for n in g["nodes"] if 0 in n["inputs"]]) == 3
    shares = [n["grad"] * n["local"][n["inputs"].index(0)] for n in g["nodes"] if 0 in n["inputs"]]
    assert sum(shares) == pytest.approx(x["grad"])
    for k in range(3):
        assert check(THRICE, 0, "grad", shares[k])["diagnosis"] == "one_path"
        two = sum(shares) - shares[k]
        r = check(THRICE, 0, "grad", two)
        assert r["diagnosis"] == "one_path"
        assert "all 3 uses" in r["hint"]


def test_hint_ladder_climbs_with_attempts():
    h1 = check(TWICE, 0, "grad", 99, attempt=1)
    h2 = check(TWICE, 0, "grad", 99, attempt=2)
    h3 = check(TWICE, 0, "grad", 99, attempt=3)
    assert h1["diagnosis"] == h2["diagnosis"] == "other"
    assert "Look at where x is used: it feeds" in h1["hint"] and "= 4" not in h1["hint"]
    assert h1["highlight"] == [3, 4]
    assert h2["hint"].endswith("= ?") and "1 · 3" in h2["hint"]
    assert h3["hint"].endswith("= 4.")
    assert "expected" not in h3
    assert check(TWICE, 0, "grad", 99, reveal=True)["expected"] == 4
    v2 = check(CS231N, 3, "value", 99, attempt=2)
    assert v2["hint"] == "q = x + y = −2 + 5 = ?"
    l1 = check(CS231N, 4, "local", 0, input=0)
    assert "a product swaps its inputs" in l1["hint"]


def test_bad_requests_name_the_field():
    for kw, loc in [
        ({"node": 9}, ("node",)),
        ({"quantity": "hessian"}, ("quantity",)),
        ({"quantity": "local", "input": 2, "node": 4}, ("input",)),
        ({"quantity": "local", "node": 0}, ("node",)),
        ({"answer": "import os"}, ("answer",)),
        ({"attempt": 0}, ("attempt",)),
    ]:
        args = {"node": 0, "quantity": "grad", "answer": 1, **kw}
        with pytest.raises(EngineError) as e:
            check_graph_answer(CS231N[0], CS231N[1], **args)
        assert e.value.loc == loc


MISTAKES = ("forward_value", "one_path", "forgot_upstream", "local_swapped", "sign")


def _patterns(g, i):
    """Each mistake's number for node i's gradient, built from the true numbers."""
    nodes, out = g["nodes"], g["output_id"]
    n = nodes[i]
    edges = [
        (j, k) for j in g["backward_order"] for k, s in enumerate(nodes[j]["inputs"]) if s == i
    ]
    share = [nodes[j]["grad"] * nodes[j]["local"][k] for j, k in edges]
    found = [("forward_value", n["value"]), ("sign", -n["grad"])]
    if len(edges) > 1:
        found.append(("one_path", share[0]))
    for j, k in edges:
        if j != out:
            found.append(("forgot_upstream", nodes[j]["local"][k]))
        if nodes[j]["op"] == "mul":
            found.append(
                (
                    "local_swapped",
                    n["grad"]
                    - nodes[j]["grad"] * nodes[j]["local"][k]
                    + nodes[j]["grad"] * n["value"],
                )
            )
    return found


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    nodes=st.integers(1, 6),
    ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=4, unique=True),
)
def test_random_programs_right_accepted_mistakes_diagnosed(seed, nodes, ops):
    try:
        p = random_graph(seed, nodes, ops)
    except EngineError:
        return  # e.g. only log: no small values fit; tested in test_random_graph
    expr, values = p["expr"], p["values"]
    g = compute_graph(expr, values)
    for n in g["nodes"]:
        i = n["id"]
        assert check_graph_answer(expr, values, i, "grad", n["grad"])["correct"]
        assert check_graph_answer(expr, values, i, "grad", f"{n['grad']:.6g}")["correct"]
        assert check_graph_answer(expr, values, i, "value", repr(n["value"]))["correct"]
        for k, local in enumerate(n["local"]):
            assert check_graph_answer(expr, values, i, "local", local, input=k)["correct"]
        for kind, wrong in _patterns(g, i):
            if abs(wrong - n["grad"]) <= max(1e-6 * abs(n["grad"]), 1e-9):
                continue  # the mistake gives the truth here: no mistake
            r = check_graph_answer(expr, values, i, "grad", wrong)
            assert not r["correct"]
            # the contract's order decides when an earlier mistake gives the same number
            assert DIAGNOSES.index(r["diagnosis"]) <= DIAGNOSES.index(kind), (kind, r)


# micrograd's test programs (test/test_engine.py: test_sanity_check, test_more_ops; its e is
# k here, since e is the constant)
MICROGRAD = [
    ("z = 2 * x + 2 + x\nq = relu(z) + z * x\nh = relu(z * z)\ny = h + q + q * x", {"x": -4}),
    (
        "c = a + b\nd = a * b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d * 2 + relu(b + a)\n"
        "d += 3 * d + relu(b - a)\nk = c - d\nf = k**2\ng = f / 2.0\ng += 10.0 / f",
        {"a": -4, "b": 2},
    ),
]


@pytest.mark.parametrize(("expr", "values"), MICROGRAD)
def test_micrograd_programs_every_number_accepted_and_sign_diagnosed(expr, values):
    g = compute_graph(expr, values)
    for n in g["nodes"]:
        i = n["id"]
        assert check_graph_answer(expr, values, i, "value", n["value"])["correct"]
        if not math.isfinite(n["grad"]):  # k**2 at k < 0: ∂/∂(the constant 2) is log(k)·k²
            assert n["op"] == "const"
            with pytest.raises(EngineError, match="not finite"):
                check_graph_answer(expr, values, i, "grad", 0)
            continue
        assert check_graph_answer(expr, values, i, "grad", f"{n['grad']:.8g}")["correct"]
        for k, local in enumerate(n["local"]):
            if math.isfinite(local):
                assert check_graph_answer(expr, values, i, "local", local, input=k)["correct"]
        if n["grad"] not in (0, n["value"], -n["value"]):
            r = check_graph_answer(expr, values, i, "grad", -n["grad"])
            assert r["diagnosis"] in ("one_path", "forgot_upstream", "local_swapped", "sign")
    # micrograd's own numbers: dy/dx = 46 (sanity check); dg/da = 138.83, dg/db = 645.58
    if "a" in values:
        assert check_graph_answer(expr, values, 0, "grad", "138.83")["correct"]
        assert check_graph_answer(expr, values, 1, "grad", "645.58")["correct"]
    else:
        assert check_graph_answer(expr, values, 0, "grad", "46")["correct"]
