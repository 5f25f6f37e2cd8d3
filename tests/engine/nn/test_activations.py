"""Activations: exact derivatives against central differences, stability, dtype, purity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from app.engine.errors import EngineError
from app.engine.nn.activations import (
    ACTIVATIONS,
    ActivationLayer,
    ActivationSpec,
    activation_curve,
    get_activation,
)
from app.engine.nn.gradcheck import central_difference, compare


def activation_forward(name, x, alpha=None):
    """The activation layer's ``forward(x, {})`` for an (N, D) x, via the registry's builder."""
    x = np.asarray(x)
    layer, params = ActivationLayer.build(ActivationSpec(name, alpha), 0, x.shape[-1], "x", None)
    y, backward = layer.forward(x, params)
    return y, lambda dy: backward(dy)[0]


NAMES = sorted(ACTIVATIONS)
# (name, alpha) pairs: every activation at its default, plus non-default alphas
CASES = [(n, None) for n in NAMES] + [
    ("leaky_relu", 0.2),
    ("leaky_relu", -0.5),
    ("elu", 0.5),
    ("elu", 2.0),
]


def _points_away_from_kinks(name, alpha, n=4000, seed=0):
    """Points in [-4, 4] at least 1e-3 from any kink or f'' break."""
    act = ACTIVATIONS[name]
    x = np.random.default_rng(seed).uniform(-4.0, 4.0, n)
    for k in act.kinks_for(alpha) + act.smooth_breaks:
        x = x[np.abs(x - k) > 1e-3]
    return x


@pytest.mark.parametrize(("name", "alpha"), CASES)
def test_derivative_matches_central_difference(name, alpha):
    act = ACTIVATIONS[name]
    x = _points_away_from_kinks(name, alpha)
    numeric = central_difference(lambda v: act.f(v, alpha), x, 1e-5)
    # the gradient check's own rule (the tensor's scale, the dtype's floor): a relative error at
    # random points fails a correct f' where it is tiny (mish: 4.6e-7 at f' ~ 5e-6)
    _, max_rel, judgement = compare(act.df(x, alpha), numeric)
    assert judgement.verdict == "good", max_rel


@pytest.mark.parametrize(("name", "alpha"), CASES)
def test_backward_is_upstream_times_derivative(name, alpha):
    rng = np.random.default_rng(1)
    x = rng.normal(0, 3, (5, 7))
    dy = rng.normal(0, 1, (5, 7))
    y, backward = activation_forward(name, x, alpha)
    np.testing.assert_array_equal(y, ACTIVATIONS[name].f(x, alpha))
    np.testing.assert_array_equal(backward(dy), dy * ACTIVATIONS[name].df(x, alpha))


@pytest.mark.parametrize("name", NAMES)
def test_inputs_and_upstream_are_never_written(name):
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    dy = np.ones((3, 4))
    x.flags.writeable = False
    dy.flags.writeable = False
    x0, dy0 = x.copy(), dy.copy()
    _, backward = activation_forward(name, x)
    backward(dy)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dy, dy0)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_kept_and_integers_promoted(name):
    act = ACTIVATIONS[name]
    x32 = np.array([-2.0, -0.5, 0.5, 2.0], dtype=np.float32)
    assert act.f(x32).dtype == np.float32
    assert act.df(x32).dtype == np.float32
    y = act.f([-2, -1, 1, 2])
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, act.f(np.array([-2.0, -1.0, 1.0, 2.0])))
    _, backward = activation_forward(name, x32)
    assert backward(np.ones(4, dtype=np.float32)).dtype == np.float32


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
        elements=st.floats(allow_nan=False, allow_infinity=False),
    ),
)
def test_finite_everywhere_without_warnings(name, x):
    """Any finite float64, up to ±1.8e308, gives finite f and f' with no RuntimeWarning."""
    act = ACTIVATIONS[name]
    y, dydx = act.f(x), act.df(x)
    assert y.shape == dydx.shape == x.shape
    assert np.all(np.isfinite(y))
    assert np.all(np.isfinite(dydx))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "gelu", "silu", "elu"])
def test_large_magnitudes_have_the_right_limits(name):
    act = ACTIVATIONS[name]
    x = np.array([-1e4, -1000.0, 1000.0, 1e4])
    y, dydx = act.f(x), act.df(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dydx))
    np.testing.assert_allclose(dydx[2:], 1.0 if name not in ("sigmoid", "tanh") else 0.0)


def test_gelu_is_the_tanh_form():
    x = np.linspace(-5, 5, 101)
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(ACTIVATIONS["gelu"].f(x), expected, rtol=1e-12, atol=1e-15)


def test_contract_conventions():
    assert ACTIVATIONS["relu"].df(np.array([0.0]))[0] == 0.0  # relu'(0) = 0
    assert ACTIVATIONS["leaky_relu"].default_alpha == 0.01
    assert ACTIVATIONS["elu"].default_alpha == 1.0
    assert ACTIVATIONS["relu"].default_alpha is None
    assert ACTIVATIONS["relu"].kinks == (0.0,)
    assert ACTIVATIONS["leaky_relu"].kinks == (0.0,)
    assert ACTIVATIONS["elu"].kinks_for(2.0) == (0.0,)
    assert ACTIVATIONS["elu"].kinks_for(None) == ()
    for act in ACTIVATIONS.values():
        assert act.formula and act.derivative
    assert {"relu", "sigmoid", "tanh", "leaky_relu", "elu", "softplus", "gelu", "identity"} <= set(
        ACTIVATIONS
    )


def test_alpha_on_activation_without_alpha_is_an_error():
    with pytest.raises(EngineError, match="takes no alpha"):
        activation_forward("relu", np.ones(3), alpha=0.1)


def test_unknown_activation_lists_the_allowed_names():
    with pytest.raises(EngineError) as err:
        get_activation("relu6")
    assert "relu6" in err.value.msg
    for name in NAMES:
        assert name in err.value.msg


@pytest.mark.parametrize("name", NAMES)
def test_curve_keys_and_small_error(name):
    c = activation_curve(name, -10, 10, 2001, upstream=10.0)
    assert set(c) == {"x", "y", "dy", "dy_numeric", "backward", "max_abs_error", "verdict"}
    assert c["verdict"] in ("good", "acceptable", "kink")  # the server's, for the page
    np.testing.assert_array_equal(c["x"], np.linspace(-10, 10, 2001))
    for key in ("x", "y", "dy", "dy_numeric", "backward"):
        assert c[key].dtype == np.float64 and c[key].shape == (2001,)
    np.testing.assert_allclose(c["backward"], 10.0 * c["dy"])
    assert isinstance(c["max_abs_error"], float)
    assert c["max_abs_error"] < 1e-9


def test_curve_skips_kinks_but_shows_them():
    c = activation_curve("relu", -1, 1, 3)  # x = -1, 0, 1: 0 is a kink
    assert c["dy_numeric"][1] == pytest.approx(0.5)  # the straddling difference is shown ...
    assert c["max_abs_error"] == 0.0  # ... but not counted


def test_curve_reports_overflow_as_nonfinite_not_warning():
    c = activation_curve("gelu", -3, 3, 11, upstream=1.7e308)
    assert not np.all(np.isfinite(c["backward"]))  # gelu'(1.2) = 1.1: 1.7e308 * 1.1 overflows


@pytest.mark.parametrize(
    ("kwargs", "loc"),
    [
        ({"x_min": 1.0, "x_max": -1.0}, ("x_max",)),
        ({"num": 1}, ("num",)),
        ({"h": 0.0}, ("h",)),
        ({"h": float("nan")}, ("h",)),
        ({"x_min": -1.7e308, "x_max": 1.7e308}, ("x_max",)),
    ],
)
def test_curve_rejects_bad_arguments(kwargs, loc):
    args = {"x_min": -1.0, "x_max": 1.0, "num": 11} | kwargs
    with pytest.raises(EngineError) as err:
        activation_curve("sigmoid", **args)
    assert err.value.loc == loc


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if ACTIVATIONS[a].keeps_finite])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_keeps_finite_holds_at_the_ends_of_the_float_range(name, dtype):
    """The network skips the overflow scan of a layer that keeps_finite: finite x must give a
    finite f(x), and a finite dy a finite dx, even at the largest floats."""
    big, tiny = np.finfo(dtype).max, np.finfo(dtype).tiny
    x = np.array([[-big, big, -1.0, 0.0, -0.0, tiny, -tiny, 88.7, -88.7, 1e-40]], dtype=dtype)
    layer, p = ActivationLayer.build(ActivationSpec(name), 0, x.shape[1], "x", dtype)
    with np.errstate(all="raise", under="ignore"):
        y, backward = layer.forward(x, p)
        for dy in (np.full_like(x, big), np.full_like(x, -big)):
            dx, _ = backward(dy)
            assert np.isfinite(dx).all() and dx.dtype == dtype
    assert np.isfinite(y).all()
