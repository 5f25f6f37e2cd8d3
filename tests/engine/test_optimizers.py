"""Gradient descent with every optimizer: convergence, divergence, warnings, the notebook's run."""

import time

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.optimizers import DEFAULTS, OPTIMIZERS, descent

# A convex quadratic with minimum where its gradient (2(x1-1) + x2/2, 6(x2+2) + x1/2) vanishes.
QUADRATIC = "(x1 - 1)**2 + 3*(x2 + 2)**2 + 0.5*x1*x2"
MINIMUM = np.linalg.solve([[2.0, 0.5], [0.5, 6.0]], [2.0, -12.0])

LR = {
    "sgd": 0.05,
    "momentum": 0.05,
    "nesterov": 0.05,
    "adagrad": 0.5,
    "rmsprop": 0.05,
    "adam": 0.05,
}


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_converges_on_a_convex_quadratic(optimizer):
    r = descent(QUADRATIC, [2.0, 3.0], lr=LR[optimizer], steps=5000, optimizer=optimizer)
    assert r["stopped"] == "converged"
    np.testing.assert_allclose(r["final"], MINIMUM, atol=1e-7)
    assert r["grad_norms"][-1] < 1e-8
    k = r["steps_taken"]
    assert r["path"].shape == (k + 1, 2)
    assert r["values"].shape == r["grad_norms"].shape == (k + 1,)
    np.testing.assert_array_equal(r["path"][0], [2.0, 3.0])
    np.testing.assert_array_equal(r["path"][-1], r["final"])
    assert r["values"][-1] < r["values"][0]
    assert r["nonfinite"] == 0


def test_notebook_run_reproduces_its_printed_result():
    # In[105]: diff.gradient_descent(func_2, input_val) -> array([3.36597239e-09, 3.28189298e-02])
    r = descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000)
    assert r["stopped"] == "max_steps"
    assert r["steps_taken"] == 1000
    assert r["path"].shape == (1001, 2)
    np.testing.assert_allclose(r["final"], [3.36597239e-09, 3.28189298e-02], rtol=1e-8)
    # x1 shrinks by (1 - 2 lr) per step exactly as the closed form says.
    assert r["final"][0] == pytest.approx(2 * 0.98**1000, rel=1e-6)


def test_thousand_steps_are_fast():
    descent("x1**2 + x2**3 + 1", [2.0, 3.0])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000)
        times.append(time.perf_counter() - t0)
    assert min(times) < 0.1


def test_diverged_keeps_the_offending_point():
    r = descent("x1**2", [1.0], lr=1.5, steps=100)
    assert r["stopped"] == "diverged"
    assert abs(r["values"][-1]) > 1e12
    assert np.all(np.abs(r["values"][:-1]) <= 1e12)
    assert r["steps_taken"] == len(r["path"]) - 1 < 100
    assert r["lr_limit"] == pytest.approx(1.0, rel=1e-6)
    assert r["warning"].startswith("lr 1.5 is above 2/λmax = 1 at the start point")


def test_diverged_on_nonfinite_value():
    r = descent("exp(x1**2)", [5.0], lr=1.0, steps=100)
    assert r["stopped"] == "diverged"
    assert not np.isfinite(r["values"][-1]) or abs(r["values"][-1]) > 1e12
    r = descent("-x1**3", [1.0], lr=0.5, steps=1000)  # unbounded below
    assert r["stopped"] == "diverged"


def test_stopped_reasons_and_steps():
    r = descent("x1**2 + x2**2", [0.0, 0.0])
    assert r["stopped"] == "converged" and r["steps_taken"] == 0
    assert r["path"].shape == (1, 2)
    r = descent("x1**2 + x2**2", [1.0, 1.0], lr=0.01, steps=10)
    assert r["stopped"] == "max_steps" and r["steps_taken"] == 10
    np.testing.assert_allclose(r["final"], 0.98**10, rtol=1e-9)
    r = descent("x1**2", [1.0], lr=0.01, steps=0)
    assert r["stopped"] == "max_steps" and r["path"].tolist() == [[1.0]]
    r = descent("x1**2", [1.0], lr=0.1, steps=10_000, tol=1e-3)
    assert r["stopped"] == "converged" and r["grad_norms"][-1] < 1e-3 <= r["grad_norms"][-2]


def test_constant_function_converges_immediately():
    r = descent("5", [1.0, 2.0])
    assert r["stopped"] == "converged" and r["values"].tolist() == [5.0]
    assert r["lr_limit"] is None and r["warning"] is None


def test_lr_warning_only_when_unstable():
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.05, steps=5)
    assert r["lr_limit"] == pytest.approx(0.1, rel=1e-6) and r["warning"] is None
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.5, steps=5)
    assert "above 2/λmax = 0.1" in r["warning"]
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.15, steps=5, optimizer="momentum")
    assert r["warning"] is None  # heavy ball is stable up to 2(1+μ)/λmax = 0.19
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.2, steps=5, optimizer="momentum")
    assert "2(1+μ)/λmax" in r["warning"]
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.5, steps=5, optimizer="adam")
    assert r["warning"] is None


@pytest.mark.parametrize(("optimizer", "mu"), [("momentum", 0.9), ("nesterov", 0.9)])
def test_momentum_stability_bounds_match_the_warning(optimizer, mu):
    # On f = x², λ = 2; just below the bound converges, just above diverges.
    factor = (1 + mu) if optimizer == "momentum" else (1 + mu) / (1 + 2 * mu)
    bound = 2 / 2 * factor
    below = descent("x1**2", [1.0], lr=0.95 * bound, steps=10_000, optimizer=optimizer)
    above = descent("x1**2", [1.0], lr=1.05 * bound, steps=10_000, optimizer=optimizer)
    assert below["stopped"] == "converged" and below["warning"] is None
    assert above["stopped"] == "diverged" and above["warning"] is not None


def test_options_and_defaults():
    assert DEFAULTS["adam"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert DEFAULTS["momentum"]["momentum"] == 0.9
    assert set(DEFAULTS) == set(OPTIMIZERS)
    r = descent("x1**2", [1.0], steps=3, optimizer="momentum", options={"momentum": 0.5})
    assert r["options"] == {"momentum": 0.5}
    # v1 = g0 = 2; x1 = 1 - 0.01*2 = 0.98; v2 = 0.5*2 + 1.96 = 2.96; x2 = 0.98 - 0.0296
    assert r["path"][2, 0] == pytest.approx(0.98 - 0.0296, rel=1e-9)
    with pytest.raises(EngineError, match="adam has no option 'momentum'") as info:
        descent("x1**2", [1.0], optimizer="adam", options={"momentum": 0.9})
    assert info.value.loc == ("momentum",)
    with pytest.raises(EngineError, match=r"beta2 must be in \[0, 1\)"):
        descent("x1**2", [1.0], optimizer="adam", options={"beta2": 1.0})
    with pytest.raises(EngineError, match="eps must be positive"):
        descent("x1**2", [1.0], optimizer="rmsprop", options={"eps": 0})


def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes Adam's first step ≈ lr·sign(g) whatever the gradient's size.
    r = descent("1000*x1**2 - x2", [1.0, 1.0], lr=0.1, steps=1, optimizer="adam")
    np.testing.assert_allclose(r["path"][1], [0.9, 1.1], rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "loc"),
    [
        ({"lr": 0.0}, ("lr",)),
        ({"lr": -1}, ("lr",)),
        ({"steps": 10_001}, ("steps",)),
        ({"steps": -1}, ("steps",)),
        ({"steps": 2.5}, ("steps",)),
        ({"optimizer": "lbfgs"}, ("optimizer",)),
        ({"h": 0.0}, ("h",)),
        ({"tol": -1.0}, ("tol",)),
        ({"start": []}, ("start",)),
        ({"start": [1.0, float("nan")]}, ("start", 1)),
        ({"expr": "x1 + y"}, ("expr",)),
    ],
)
def test_descent_validates(kwargs, loc):
    args = {"expr": "x1**2 + x2**2", "start": [1.0, 1.0], **kwargs}
    with pytest.raises(EngineError) as info:
        descent(**args)
    assert info.value.loc == loc


def test_start_is_not_modified():
    start = [2.0, 3.0]
    arr = np.array([2.0, 3.0])
    descent("x1**2 + x2**3 + 1", start, steps=50)
    descent("x1**2 + x2**3 + 1", arr, steps=50)
    assert start == [2.0, 3.0]
    np.testing.assert_array_equal(arr, [2.0, 3.0])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_extreme_start_diverges_without_warnings(optimizer):
    r = descent("x1**2 + exp(x2)", [1e200, 800.0], lr=1.0, steps=50, optimizer=optimizer)
    assert r["stopped"] == "diverged" and r["steps_taken"] == 0
    assert r["nonfinite"] >= 1
