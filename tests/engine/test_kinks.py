"""The kink and pole detector of typed expressions (app.engine.expr.kinks) and the notes on
cancellation, expand and shadowed constants: the issue's cases, and generated ones."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import numdiff
from app.engine.expr import parse
from app.engine.expr.graph import compute_graph
from app.engine.expr.kinks import find_singular, step_warnings

H = 1e-5


def codes(ws):
    return [w["code"] for w in ws]


# ------------------------------------------------------------------ the cases


def test_abs_at_0_is_not_differentiable_with_either_method():
    for method in ("central", "forward"):
        d = numdiff.derivative("abs(x)", 0.0, method=method)
        assert codes(d["warnings"]) == ["not_differentiable"]
        msg = d["warnings"][0]["msg"]
        assert "abs(x)" in msg and "x = 0" in msg and "abs'(0) = sign(0) = 0" in msg
        assert d["warnings"][0]["loc"] == ["x0"]
        assert d["verdict"] == "kink"  # central: 0 against 0, and still no derivative


def test_relu_at_0_names_the_pytorch_convention_and_the_verdict_is_kink():
    d = numdiff.derivative("relu(x)", 0.0)
    assert (d["derivative"], d["exact"]) == (0.5, 0.0)
    assert codes(d["warnings"]) == ["not_differentiable"]
    assert "relu'(0) = 0, as PyTorch" in d["warnings"][0]["msg"]
    assert d["verdict"] == "kink"


def test_one_over_x_next_to_its_pole():
    d = numdiff.derivative("1/x", 1e-6)
    assert d["derivative"] > 0 > d["exact"]  # the wrong sign: ±h straddles the pole
    assert codes(d["warnings"]) == ["singularity_in_step"]
    assert "1/x" in d["warnings"][0]["msg"] and "x = 0" in d["warnings"][0]["msg"]
    assert d["verdict"] == "kink"


def test_gradient_of_relu_times_x2_flags_only_x1s_step():
    g = numdiff.gradient("relu(x1) * x2", [0.0, 2.0])
    assert list(g["gradient"]) == [1.0, 0.0] and list(g["exact"]) == [0.0, 0.0]
    assert codes(g["warnings"]) == ["not_differentiable"]
    assert g["verdict"] == "kink"
    _, at = step_warnings(parse("relu(x1) * x2", ("x1", "x2")).tree, ("x1", "x2"), [0, 2], H, ())
    assert at.tolist() == [True, False]


def test_graph_of_relu_at_0():
    r = compute_graph("relu(x)", {"x": 0.0})
    assert (r["gradients"]["x"], r["numeric"]["x"]) == (0.0, 0.5)
    assert codes(r["warnings"]) == ["not_differentiable"] and r["verdict"] == "kink"
    assert r["warnings"][0]["loc"] == ["values"]


def test_kinks_follow_composition():
    d = numdiff.derivative("abs(sin(x))", math.pi)
    assert codes(d["warnings"]) == ["kink_in_step"]
    assert "sin(x) = 0" in d["warnings"][0]["msg"]
    assert numdiff.derivative("abs(sin(x))", 3.0)["warnings"] == []


def test_smooth_points_say_nothing_and_keep_their_numbers():
    d = numdiff.derivative("x**2 + 5", 1.0)
    assert d["warnings"] == [] and d["verdict"] == "good"
    assert d["derivative"] == 2.0000000000131024  # the contract's example, to the last digit
    g = numdiff.gradient("x1**2 + x2**3 + 1", [2.0, 3.0])
    assert g["warnings"] == [] and g["verdict"] == "good"


@pytest.mark.parametrize(
    ("expr", "x0"),
    [("log(x)", 3e-6), ("sqrt(x)", 3e-6), ("x**0.5", 2e-6), ("log1p(x)", -1 + 4e-6)],
)
def test_domain_edges_within_the_step(expr, x0):
    """The endpoint refuses these (f(x0 - h) has no value): the detector still names them."""
    ws = step_warnings(parse(expr, ("x",)).tree, ("x",), [x0], 1e-5, ("x0",))[0]
    assert codes(ws) == ["singularity_in_step"]


@pytest.mark.parametrize(
    ("expr", "x0"), [("tan(x)", math.pi / 2 - 1e-7), ("x**-2", 1e-6), ("1/(x - 1)", 1 + 1e-6)]
)
def test_poles_within_the_step(expr, x0):
    d = numdiff.derivative(expr, x0, h=1e-5)
    assert codes(d["warnings"]) == ["singularity_in_step"]
    assert d["verdict"] == "kink"


def test_step_sweep_names_the_first_step_that_straddles():
    r = numdiff.step_sweep("abs(x)", 1e-3, h_min=1e-8, h_max=1e-1, num=8)
    assert codes(r["warnings"]) == ["kink_in_step"]
    assert "from h = 0.001" in r["warnings"][0]["msg"]
    r32 = numdiff.step_sweep("abs(x)", 1e-3, h_min=1e-8, h_max=1e-1, num=8, dtype="float32")
    assert codes(r32["warnings"]) == ["kink_in_step"]
    assert numdiff.step_sweep("sin(x)", 1.0)["warnings"] == []


def test_descent_into_a_kink_says_how_often_its_gradient_straddled_it():
    r = numdiff.descent("abs(x1) + x2**2", [0.3, 1.0], lr=0.1, steps=50)
    assert "kink_in_step" in codes(r["warnings"])
    assert numdiff.descent("x1**2 + x2**2", [0.3, 1.0], lr=0.1, steps=50)["warnings"] == []


def test_cancellation_notes_name_log1p():
    d = numdiff.derivative("log(1 + x)", 1e-12)
    assert codes(d["warnings"]) == ["cancellation"]
    assert "log1p" in d["warnings"][0]["msg"]
    assert codes(numdiff.derivative("exp(x) - 1", 1e-12)["warnings"]) == ["cancellation"]
    assert numdiff.derivative("log(1 + x)", 0.5)["warnings"] == []
    assert numdiff.derivative("log1p(x)", 1e-12)["warnings"] == []


def test_expand_warns_with_both_values():
    r = compute_graph("log1p(x)", {"x": 1e-20}, expand=True)
    assert r["output"] == 0.0
    (w,) = r["warnings"]
    assert w["code"] == "expand_precision" and "1e-20" in w["msg"] and "0 at" in w["msg"]
    assert compute_graph("log1p(x)", {"x": 1e-20})["output"] == 1e-20
    assert compute_graph("log1p(x)", {"x": 0.5}, expand=True)["warnings"] == []


MICROGRAD_SANITY = "z = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x\ny"
MICROGRAD_MORE_OPS = """c = a + b
d = a*b + b**3
c += c + 1
c += 1 + c + (-a)
d += d*2 + relu(b + a)
d += 3*d + relu(b - a)
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g"""


def test_micrograds_two_test_programs_run_as_transcribed():
    r = compute_graph(MICROGRAD_SANITY, {"x": -4.0})
    assert (r["output"], r["gradients"]["x"]) == (-20.0, 46.0)
    assert r["warnings"] == []
    r = compute_graph(MICROGRAD_MORE_OPS, {"a": -4.0, "b": 2.0})
    assert r["output"] == pytest.approx(24.70408163265306, rel=1e-12)
    assert r["gradients"]["a"] == pytest.approx(138.83381924198252, rel=1e-12)
    assert r["gradients"]["b"] == pytest.approx(645.5772594752186, rel=1e-12)
    assert codes(r["warnings"]) == ["shadowed_constant"]
    assert "line 7" in r["warnings"][0]["msg"]


def test_a_constant_means_itself_before_the_line_that_rebinds_it():
    r = compute_graph("q = e*x\ne = 2*x\nq + e", {"x": 1.0})
    assert r["output"] == pytest.approx(math.e + 2)


# ------------------------------------------------------------------ generated


INNER = ["sin(x)", "x**3 - x", "exp(x) - 2", "tanh(2*x)", "x", "cos(x) + x", "sigmoid(x) - 0.3"]
OUTER_KINK = ["abs({})", "relu({})", "sqrt(({})**2)"]
OUTER_POLE = ["1/({})", "log(abs({}))", "tan(({}) + pi/2)"]
WRAP = ["{}", "sin({})", "exp(-({}))*2", "({})*x + 1", "-({})**3"]


def _build(inner, outer, wrap, c):
    u = f"{inner} - ({c!r})"
    return wrap.format(outer.format(u))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(INNER),
    st.sampled_from(OUTER_KINK + OUTER_POLE),
    st.sampled_from(WRAP),
    st.floats(-2, 2),
    st.floats(-1, 1),
    st.sampled_from([1e-5, 1e-3, 1e-7]),
)
def test_a_kink_or_pole_within_the_step_is_always_flagged(inner, outer, wrap, x0, frac, h):
    """The inner function's value at x0 + frac·h becomes the kink or pole (c), so that one lies
    inside [x0 - h, x0 + h], or at x0 itself when frac = 0."""
    x_star = x0 + frac * h
    c = float(parse(inner, ("x",))(x_star))
    f = parse(_build(inner, outer, wrap, c), ("x",))
    hits = find_singular(f.tree, ("x",), [np.array([x0 - h])], [np.array([x0 + h])])
    assert hits, (f.source, x0, h)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(INNER),
    st.sampled_from(OUTER_KINK + OUTER_POLE),
    st.sampled_from(WRAP),
    st.floats(-2, 2),
    st.floats(-2, 2),
)
def test_false_alarms_are_rare_and_only_near_a_kink(inner, outer, wrap, x0, c):
    """Away from kinks (the argument at least 100 h from its kink over the step, sampled
    densely) the detector stays silent; near them it may speak."""
    h = 1e-5
    f = parse(_build(inner, outer, wrap, c), ("x",))
    u = parse(f"{inner} - ({c!r})", ("x",))
    xs = np.linspace(x0 - 100 * h, x0 + 100 * h, 2001)
    us = u(xs)
    near = np.any(np.abs(us) < 1e-3) or np.any(np.diff(np.sign(us)) != 0)
    if "tan" in outer:
        near = near or np.any(np.abs(np.cos(us + math.pi / 2)) < 1e-3)
    hits = find_singular(f.tree, ("x",), [np.array([x0 - h])], [np.array([x0 + h])])
    if not near:
        assert not hits, (f.source, x0)


def test_over_warning_rate_on_smooth_random_points_is_bounded():
    """Random kinked expressions at random points: warnings where no kink lies within ±h (by
    dense sampling of the argument) stay below 1% of the points."""
    rng = np.random.default_rng(7)
    false, total = 0, 0
    for _ in range(400):
        inner, outer, wrap = (rng.choice(INNER), rng.choice(OUTER_KINK), rng.choice(WRAP))
        c, x0 = rng.uniform(-2, 2), rng.uniform(-2, 2)
        f = parse(_build(inner, outer, wrap, c), ("x",))
        u = parse(f"{inner} - ({c!r})", ("x",))
        us = u(np.linspace(x0 - H, x0 + H, 201))
        truly = np.any(us == 0) or np.any(np.diff(np.sign(us)) != 0)
        flagged = bool(find_singular(f.tree, ("x",), [np.array([x0 - H])], [np.array([x0 + H])]))
        false += flagged and not truly
        total += 1
    assert false / total < 0.01


def test_total_cancellation_of_rounded_values_is_told_and_exact_arithmetic_is_not():
    assert codes(numdiff.derivative("exp(x) - 1", 1e-300)["warnings"]) == ["cancellation"]
    assert numdiff.derivative("x*2 - x**3 + 6", 2.0)["warnings"] == []  # 4 - 8 + 6: exact
    assert numdiff.derivative("x - 1", 1.0000001)["warnings"] == []  # Sterbenz: exact


def test_a_step_below_the_spacing_of_floats_is_told():
    d = numdiff.derivative("abs(x)", 1e300)
    assert d["derivative"] == 0 and d["verdict"] == "wrong"
    assert codes(d["warnings"]) == ["step_rounded"] and d["warnings"][0]["loc"] == ["h"]
    assert numdiff.derivative("abs(x)", 1e3)["warnings"] == []


def test_every_function_row_has_bounds_that_enclose_its_values():
    """Each row's interval extension holds f over random boxes (the detector's premise)."""
    from app.engine.expr.table import FUNCTIONS

    rng = np.random.default_rng(3)
    for f in FUNCTIONS.values():
        assert f.bounds is not None, f.name
        lo = rng.uniform(-4, 4, 200)
        hi = lo + rng.choice([1e-6, 1e-2, 1.0, 5.0], 200)
        blo, bhi = f.bounds(lo, hi)
        for t in np.linspace(0, 1, 17):
            u = lo + t * (hi - lo)
            with np.errstate(all="ignore"):
                y = f.numpy(u)
            tol = 1e-12 * np.abs(y) + 1e-300
            ok = ~np.isfinite(y) | ((blo <= y + tol) & (y - tol <= bhi))
            assert ok.all(), (f.name, lo[~ok][:1], hi[~ok][:1])
