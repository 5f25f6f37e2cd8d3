"""Derivative, tangent, gradient, Hessian, step sweep and 2-D grids of typed functions."""

import dataclasses
import math

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.expr import parse
from app.engine.limits import DEFAULT_LIMITS
from app.engine.numdiff import (
    count_nonfinite,
    derivative,
    gradient,
    gradient_points,
    grid2d,
    hessian,
    step_sweep,
)


def test_derivative_of_the_notebook_function():
    r = derivative("x**2 + 5", 1.0)
    assert r["value"] == 6.0
    assert r["derivative"] == pytest.approx(2.0, abs=1e-9)
    assert r["derivative"] == 2.0000000000131024  # the notebook's printed d1_diff(func_1, 1)
    assert r["exact"] == 2.0
    assert r["error"] == abs(r["derivative"] - 2.0)
    assert r["tangent"]["slope"] == pytest.approx(2.0, abs=1e-9)
    assert r["tangent"]["intercept"] == pytest.approx(4.0, abs=1e-9)
    c = r["curve"]
    np.testing.assert_array_equal(c["x"], np.linspace(-5, 5, 1001))
    np.testing.assert_allclose(c["y"], c["x"] ** 2 + 5)
    np.testing.assert_allclose(c["tangent"], 2 * c["x"] + 4, atol=1e-9)
    np.testing.assert_allclose(c["dy"], 2 * c["x"])
    assert r["nonfinite"] == 0
    assert r["latex"] == {"f": "{x}^{2} + 5", "df": "2 x"}


@pytest.mark.parametrize(
    ("method", "expected_error"), [("central", 1e-9), ("forward", 1e-4), ("backward", 1e-4)]
)
def test_methods(method, expected_error):
    r = derivative("exp(x)", 0.5, method=method)
    assert r["error"] < expected_error
    assert r["exact"] == pytest.approx(math.exp(0.5), rel=1e-15)
    if method == "forward":
        assert r["derivative"] > r["exact"]  # convex: forward slope overestimates
    if method == "backward":
        assert r["derivative"] < r["exact"]


def test_curve_counts_nonfinite_points():
    r = derivative("log(x)", 1.0, x_min=-1, x_max=1, num=5)  # x = -1, -0.5, 0, 0.5, 1
    # y: nan, nan, -inf; dy = 1/x: finite, finite, inf -> 3 + 1 (tangent is finite)
    assert r["nonfinite"] == 4
    assert count_nonfinite(np.array([np.nan, 1.0, np.inf]), np.array([-np.inf])) == 3


@pytest.mark.parametrize(
    ("expr", "x0", "phrase"),
    [
        ("exp(x)", 1000.0, "f(x0) is not finite: exp(x) overflowed"),
        ("log(x)", 0.0, "f(x0) is not finite: log(x) is -infinity"),
        ("1/x", 0.0, "f(x0) is not finite: 1/x divides by zero"),
        ("sqrt(x)", 0.0, "f at x0 - h is not finite: sqrt(x) is undefined"),
        ("x**2 + 1e308*x", 1e300, "f(x0) is not finite"),
    ],
)
def test_nonfinite_scalars_raise(expr, x0, phrase):
    with pytest.raises(EngineError) as info:
        derivative(expr, x0)
    assert phrase in info.value.msg
    assert info.value.loc == ("x0",)


def test_exact_derivative_not_finite_raises():
    with pytest.raises(EngineError, match="exact derivative f'\\(x0\\) is not finite"):
        derivative("sqrt(x)", 0.0, method="forward")


def test_gradient_of_the_notebook_function():
    r = gradient("x1**2 + x2**3 + 1", [2.0, 3.0])
    assert r["value"] == 32.0
    np.testing.assert_allclose(r["gradient"], [4.0, 27.0], atol=1e-6)
    np.testing.assert_array_equal(r["exact"], [4.0, 27.0])
    assert r["gradient"].shape == (2,)


def test_gradient_five_variables_in_one_call(monkeypatch):
    from app.engine.expr import expression

    calls = []
    original = expression.compile_tree

    def counting(*args, **kwargs):
        run = original(*args, **kwargs)

        def counted(env):
            calls.append(np.broadcast_shapes(*(np.shape(a) for a in env)))
            return run(env)

        return counted

    monkeypatch.setattr(expression, "compile_tree", counting)
    expr = "x1*x2 + x3**2 - sin(x4) + exp(x5/10)"
    point = [1.0, 2.0, 3.0, 0.5, 1.0]
    r = gradient(expr, point)
    assert calls[0] == (11,)  # one call for value and all 2n perturbed points
    want = [2.0, 1.0, 6.0, -math.cos(0.5), math.exp(0.1) / 10]
    np.testing.assert_allclose(r["gradient"], want, rtol=1e-9)
    np.testing.assert_allclose(r["exact"], want, rtol=1e-15)


def test_gradient_points_layout():
    P = gradient_points(np.array([1.0, 2.0]), 0.5)
    np.testing.assert_array_equal(P, [[1, 2], [1.5, 2], [1, 2.5], [0.5, 2], [1, 1.5]])


def test_gradient_names_the_variables_of_the_point():
    with pytest.raises(EngineError, match="name 'x3' is not allowed; use x1, x2"):
        gradient("x1 + x3", [1.0, 2.0])
    assert gradient("x1**2", [3])["exact"].tolist() == [6.0]


def test_gradient_nonfinite_raises():
    with pytest.raises(EngineError) as info:
        gradient("log(x1) + x2", [0.0, 1.0])
    assert info.value.loc == ("point",)
    assert "f(point) is not finite: log(x1)" in info.value.msg
    with pytest.raises(EngineError, match=r"∂f/∂x1 is not finite.*log of the negative"):
        gradient("log(x1)", [1e-6])


def test_hessian():
    H = hessian("x1**2 + x2**3 + 1 + x1*x2", [2.0, 3.0])
    np.testing.assert_allclose(H, [[2.0, 1.0], [1.0, 18.0]], atol=1e-5)
    np.testing.assert_array_equal(H, H.T)
    H3 = hessian(parse("sin(x1)*x2 + x3**4", ("x1", "x2", "x3")), [0.3, 2.0, 1.0])
    want = [[-2 * math.sin(0.3), math.cos(0.3), 0], [math.cos(0.3), 0, 0], [0, 0, 12]]
    np.testing.assert_allclose(H3, want, atol=1e-5)
    assert hessian(parse("x**3", ("x",)), [2.0])[0, 0] == pytest.approx(12.0, rel=1e-6)
    with pytest.raises(EngineError, match="the point has 1"):
        hessian(parse("x1*x2", ("x1", "x2")), [1.0])


def test_step_sweep_float64_best_steps():
    r = step_sweep("sin(x)", 1.0)
    assert r["h"].shape == (61,)
    np.testing.assert_allclose(r["h"], np.logspace(-16, -1, 61))
    assert r["exact"] == math.cos(1.0)
    # Round-off ~ eps/h against truncation ~ h (forward) or h² (central):
    assert 1e-10 <= r["best_h"]["forward"] <= 1e-6
    assert 1e-7 <= r["best_h"]["central"] <= 1e-3
    # Tiny steps are dominated by round-off, big ones by truncation.
    assert r["forward_error"][0] > 1e-3 and r["central_error"][0] > 1e-3
    assert r["forward_error"][-1] == pytest.approx(
        abs((math.sin(1.1) - math.sin(1)) / 0.1 - math.cos(1))
    )
    assert r["nonfinite"] == 0


def test_step_sweep_float32_shows_roundoff_earlier():
    r64 = step_sweep("sin(x)", 1.0)
    r32 = step_sweep("sin(x)", 1.0, dtype="float32")
    assert r32["best_h"]["forward"] > 30 * r64["best_h"]["forward"]
    assert r32["best_h"]["central"] > 30 * r64["best_h"]["central"]
    assert 1e-5 <= r32["best_h"]["forward"] <= 1e-2
    assert 1e-4 <= r32["best_h"]["central"] <= 1e-1
    assert np.nanmin(r32["central_error"]) > 1e-7  # float32 cannot do better than ~1e-6
    # h below float32 resolution at x0 = 1: x0 + h == x0, the forward difference is 0
    assert r32["forward_error"][0] == pytest.approx(math.cos(1.0))


def test_step_sweep_nonfinite_exact_derivative():
    with pytest.raises(EngineError, match="f'\\(x0\\) is not finite"):
        step_sweep("sqrt(x)", 0.0)


def test_grid2d_uses_plotly_orientation():
    r = grid2d("x1 + 10*x2", 0, 2, 0, 1, num=3)
    np.testing.assert_array_equal(r["x1"], [0, 1, 2])
    np.testing.assert_array_equal(r["x2"], [0, 0.5, 1])
    # z[i][j] = f(x1[j], x2[i])
    np.testing.assert_array_equal(r["z"], [[0, 1, 2], [5, 6, 7], [10, 11, 12]])
    assert r["nonfinite"] == 0
    assert grid2d("log(x1)", -1, 1, 0, 1, num=3)["nonfinite"] == 6
    assert grid2d("x1*x2", -1, 1, -1, 1)["z"].shape == (81, 81)


def test_expression_limits_are_passed_through():
    small = dataclasses.replace(DEFAULT_LIMITS, max_expr_chars=5)
    for call in (
        lambda: derivative("x + x + x", 1.0, limits=small),
        lambda: step_sweep("x + x + x", 1.0, limits=small),
        lambda: gradient("x1 + x1", [1.0], limits=small),
        lambda: hessian("x1 + x1", [1.0], limits=small),
        lambda: grid2d("x1 + x2", 0, 1, 0, 1, limits=small),
    ):
        with pytest.raises(EngineError, match="limit 5"):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: derivative("x", 0.0, x_min=-1.7e308, x_max=1.7e308, num=3),
        lambda: derivative("x**2", 0.0, x_min=-1e308, x_max=1e308, num=5),
        lambda: derivative("1e300*x", 1e300),
        lambda: derivative("x", 1e308, h=1e307),
        lambda: step_sweep("x**2", 1e300, dtype="float32"),
        lambda: step_sweep("x**3", 1e100),
        lambda: grid2d("x1*x2", -1.7e308, 1.7e308, -1e308, 1e308, num=5),
        lambda: gradient("x1**2*x2", [1e200, 1e200]),
        lambda: hessian("x1**3 + x2", [1e120, 1.0]),
    ],
)
def test_extreme_inputs_give_engine_errors_or_counts_never_warnings(call):
    # pytest turns RuntimeWarning into an error, so any unsilenced overflow fails here.
    try:
        r = call()
    except EngineError as exc:
        assert exc.msg
        return
    if isinstance(r, dict) and "nonfinite" in r:
        assert isinstance(r["nonfinite"], int)
