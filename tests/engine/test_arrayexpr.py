"""The array-expression language: values as numpy computes them, shapes inferred before anything
runs, and every hostile answer refused up front with a sentence that names the problem."""

import numpy as np
import pytest

from app.engine.arrayexpr import parse_answer
from app.engine.errors import EngineError
from app.engine.limits import DEFAULT_LIMITS, Limits
from tests.attacks import ATTACKS, CONSTRUCTS

SHAPES = {"x": (4, 3), "W": (3, 2), "b": (2,), "dy": (4, 2), "N": ()}


def values(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return {k: np.asarray(rng.normal(size=s) + 0.5, dtype=dtype) for k, s in SHAPES.items()}


def sm(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# (answer, the same computed by numpy directly)
CASES = [
    ("x.T @ dy", lambda v: v["x"].T @ v["dy"]),
    ("dy @ W.T", lambda v: v["dy"] @ v["W"].T),
    ("sum(dy, axis=0)", lambda v: v["dy"].sum(axis=0)),
    ("sum(dy)", lambda v: v["dy"].sum()),
    ("mean(x, axis=1, keepdims=True)", lambda v: v["x"].mean(axis=1, keepdims=True)),
    ("max(x, axis=-1)", lambda v: v["x"].max(axis=-1)),
    ("x @ W + b", lambda v: v["x"] @ v["W"] + v["b"]),
    ("-dy * (dy > 0.5)", lambda v: -v["dy"] * (v["dy"] > 0.5)),
    ("where(dy <= 0, 0.1 * dy, dy)", lambda v: np.where(v["dy"] <= 0, 0.1 * v["dy"], v["dy"])),
    ("softmax(dy, axis=1)", lambda v: sm(v["dy"], 1)),
    ("softmax(dy, 0)", lambda v: sm(v["dy"], 0)),
    ("softmax(dy)", lambda v: sm(v["dy"], 1)),
    ("ones_like(x) @ W", lambda v: np.ones((4, 3)) @ v["W"]),
    ("zeros_like(b) + 2", lambda v: np.zeros(2) + 2),
    (
        "exp(dy) / sqrt(abs(dy)) + tanh(dy) - log(abs(dy))",
        lambda v: (
            np.exp(v["dy"]) / np.sqrt(np.abs(v["dy"])) + np.tanh(v["dy"]) - np.log(np.abs(v["dy"]))
        ),
    ),
    ("sigmoid(x) ** 2 / N", lambda v: (1 / (1 + np.exp(-v["x"]))) ** 2 / v["N"]),
    ("(x == x) * (x != 0) * pi", lambda v: np.ones((4, 3)) * np.pi),
    ("b.T", lambda v: v["b"]),
    ("x @ W @ b", lambda v: v["x"] @ v["W"] @ v["b"]),
    ("b @ b", lambda v: v["b"] @ v["b"]),
    ("g = dy * 2\ng += 1\ng / N", lambda v: (v["dy"] * 2 + 1) / v["N"]),
    ("h = x.T; k = h @ dy; k - 1", lambda v: v["x"].T @ v["dy"] - 1),
]


@pytest.mark.parametrize(("answer", "numpy"), CASES, ids=[c for c, _ in CASES])
def test_values_and_shapes(answer, numpy):
    v = values()
    program = parse_answer(answer, SHAPES)
    got = program(v)
    want = np.asarray(numpy(v))
    assert program.shape == want.shape == got.shape  # the shape was known before running
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_inputs_untouched():
    v = values(np.float32)
    before = {k: a.copy() for k, a in v.items()}
    got = parse_answer("0.1 * exp(x) @ W + pi * N", SHAPES)(v, np.float32)
    assert got.dtype == np.float32
    want = 0.1 * np.exp(v["x"]) @ v["W"] + np.float32(np.pi) * v["N"]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    for k, a in v.items():
        np.testing.assert_array_equal(a, before[k])


def test_work_is_counted_before_running():
    assert parse_answer("x.T @ dy", SHAPES).work == 3 * 4 * 2
    assert parse_answer("sum(dy + 1, axis=0)", SHAPES).work == 8 + 8


def refusal(answer, shapes=SHAPES, limits=DEFAULT_LIMITS):
    with pytest.raises(EngineError) as info:
        parse_answer(answer, shapes, limits)
    assert info.value.loc == ("answer",)
    assert len(info.value.msg) < 300
    return info.value.msg


@pytest.mark.parametrize(("answer", "words"), CONSTRUCTS, ids=[c for c, _ in CONSTRUCTS])
def test_constructs_of_the_attack_list_are_named(answer, words):
    assert words in refusal(answer)


@pytest.mark.parametrize("answer", ATTACKS, ids=range(len(ATTACKS)))
def test_attack_list_is_refused_or_harmless(answer):
    """Every attack is refused before it runs, or is plain arithmetic that runs at once."""
    try:
        program = parse_answer(answer, SHAPES)
    except EngineError as exc:
        assert exc.loc == ("answer",)
        return
    assert program.work <= 100
    program(values())  # a number, perhaps inf or NaN: the judge reports it as wrong


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("x @ W.T", "x is 4×3 and W.T is 2×3, so the inner sizes 3 and 2 differ"),
        ("x + dy", "shapes 4×3 and 4×2 do not broadcast"),
        ("2 @ x", "@ needs arrays on both sides"),
        ("x.shape", "attribute access is not allowed ('.shape')"),
        ("x.T.sum()", "attribute access is not allowed"),
        ("dy.__class__.__mro__", "attribute access is not allowed"),
        ("sum(dy, 0)", "got 2 positional arguments"),
        ("sum(dy, axis=x)", "must be written out as a literal"),
        ("sum(dy, axis=1+0)", "must be written out as a literal"),
        ("sum(dy, axis=0.5)", "axis must be a whole number"),
        ("sum(dy, axis=2)", "axis 2 is out of range"),
        ("sum(dy, keepdims=1)", "keepdims must be True or False"),
        ("sum(dy, dtype=int)", "only the keyword arguments axis and keepdims"),
        ("sum(dy, out=dy)", "only the keyword arguments axis and keepdims"),
        ("sum(dy, **{'axis': 0})", "'**' arguments are not allowed"),
        ("sum(*dy)", "starred arguments are not allowed"),
        ("exp(dy, out=dy)", "keyword arguments are not allowed in exp()"),
        ("where(dy > 0, dy)", "three arguments"),
        ("softmax(dy, axis=1, keepdims=True)", "softmax takes an array and an axis"),
        ("True * dy", "True/False are only allowed as keepdims"),
        ("z", "name 'z' is not allowed; use x, W, b, dy, N"),
        ("np.sum(dy)", "attribute access is not allowed"),
        ("__import__('os')", "function '__import__' is not allowed"),
        ("eval('1')", "function 'eval' is not allowed"),
        ("dy(2)", "'dy' is an array, not a function"),
        ("sum", "'sum' is a function"),
        ("x < dy < 1", "chained comparisons are not allowed"),
        ("x in dy", "only the comparisons"),
        ("x & (x > 0)", "the operator '&' is not allowed"),
        ("x // 2", "the operator '//' is not allowed"),
        ("not x", "'not' is not allowed"),
        ("~x", "'~' is not allowed"),
        ("dy = 1\ndy", "'dy' is given"),
        ("sum = 1\nsum", "'sum' is a function"),
        ("g = 1", "the last line must be the answer"),
        ("g + 1\ng = 2\ng", "line 1 is an expression but not the last line"),
        ("h = g\ng = 1\nh", "'g' is used before a line assigns it"),
        ("g += 1\ng", "needs a value of g from a line above"),
        ("a, c = x, x\na", "assigning several names at once"),
        ("x.T = 1\nx", "assignment to an attribute"),
        ("import os\nx", "'import' is not allowed"),
        ("1e999 * x", "too large for a float"),
        ("'a' * 3", "strings are not allowed"),
        ("1j * x", "complex numbers are not allowed"),
        ("", "the answer is empty"),
        ("x" + " + x" * 300, "too long"),
        ("(" * 40 + "x" + ")" * 40, "nested too deeply"),
        ("+".join(["x"] * 250), "too big"),
    ],
)
def test_refusals_name_the_problem(answer, words):
    assert words in refusal(answer)


BIG = {"x": (1024, 256), "N": ()}


def test_a_hostile_matmul_chain_is_refused_before_it_runs():
    assert parse_answer("ones_like(x) @ ones_like(x).T", BIG).shape == (1024, 1024)
    msg = refusal("a = ones_like(x) @ ones_like(x).T\nb = a @ a\nb @ b", BIG)
    assert "more than 2e+09 operations" in msg and "b @ b" in msg
    msg = refusal("(x @ x.T) @ (x @ x.T) @ (x @ x.T)", BIG)
    assert "operations" in msg


def test_intermediates_are_bounded_by_the_matrix_side_squared():
    small = Limits(max_batch=8, max_side=4)  # 64 entries per intermediate
    shapes = {"c": (60, 1), "r": (1, 60)}
    msg = refusal("c + r", shapes, small)
    assert "'c + r' would be 60×60 = 3,600 entries (limit 64" in msg
    msg = refusal("sum(c @ r)", shapes, small)
    assert "would be 60×60" in msg
    assert parse_answer("c.T @ c", shapes, small).shape == (1, 1)


def test_memory_alive_at_once_is_bounded():
    small = Limits(max_batch=8, max_side=8)  # 64 entries each, 256 alive at once
    shapes = {"x": (8, 8)}
    lines = [f"a{i} = x + {i}" for i in range(5)]
    msg = refusal("\n".join([*lines, "a0"]), shapes, small)
    assert "entries in memory at once (limit 256)" in msg
    assert parse_answer("\n".join([*lines[:2], "a0 + a1"]), shapes, small)


def test_ones_like_does_not_compute_its_argument():
    program = parse_answer("ones_like(log(0 * x))", SHAPES)
    assert np.array_equal(program(values()), np.ones((4, 3)))
