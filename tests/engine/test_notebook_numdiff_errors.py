"""The notebook's section-4 mistakes (NOTES.md points 6, 7 and 8) are not repeated.

Each test first shows the notebook's behaviour with a faithful copy of its code, then checks that
the engine gets it right.
"""

import numpy as np
import pytest

from app.engine.numdiff import derivative, descent, gradient

H = 1e-5


class NotebookDifferentiate:
    """The notebook's ``Differentiate`` class (In [101]), kept only to demonstrate its bugs."""

    def __init__(self, func_1):
        self.h = H
        self.dx = None
        self.func_1 = func_1

    def d1_diff(self, f, x):
        self.dx = (f(x + self.h) - f(x - self.h)) / (2 * self.h)
        return self.dx

    def tangent(self, series, f, x_loc):
        y_loc = f(x_loc)
        self.d1_diff(self.func_1, x_loc)  # bug 6: differentiates func_1, not f
        return self.dx * series + (y_loc - self.dx * x_loc)

    def dn_diff(self, f, x):
        grad = np.zeros_like(x)
        for i in range(len(x)):
            temp_val = x[i]
            x[i] = temp_val + self.h  # bug 7: perturbs the caller's array
            fxh1 = f(x)
            x[i] = temp_val - self.h
            fxh2 = f(x)
            grad[i] = (fxh1 - fxh2) / (2 * self.h)
            x[i] = temp_val
        self.dx = grad
        return grad

    def gradient_descent(self, f, init_x, lr=0.01, step_num=1000):
        x = init_x
        for _ in range(step_num):
            self.dn_diff(f, x)
            x -= lr * self.dx  # bug 7: updates the caller's array in place
        return x


def func_1(x):
    return x**2 + 5


def func_2(x):
    return x[0] ** 2 + x[1] ** 3 + 1


# ---- point 6: the tangent uses the f it was given ------------------------------------------


def test_point6_notebook_tangent_uses_the_wrong_function():
    nb = NotebookDifferentiate(func_1)
    xs = np.array([0.0, 1.0, 2.0])
    wrong = nb.tangent(xs, np.sin, 1.0)  # slope of x²+5 (2), not of sin (cos 1)
    assert wrong[2] - wrong[1] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("expr", "x0", "slope"),
    [("sin(x)", 1.0, np.cos(1.0)), ("x**3", 2.0, 12.0), ("x**2 + 5", 1.0, 2.0)],
)
def test_point6_tangent_uses_the_given_function(expr, x0, slope):
    r = derivative(expr, x0, x_min=-2, x_max=3, num=6)
    assert r["tangent"]["slope"] == pytest.approx(slope, rel=1e-9)
    x, t = r["curve"]["x"], r["curve"]["tangent"]
    np.testing.assert_allclose(np.diff(t) / np.diff(x), slope, rtol=1e-8)
    # The tangent touches the curve at x0.
    assert r["tangent"]["slope"] * x0 + r["tangent"]["intercept"] == pytest.approx(r["value"])


# ---- point 7: nothing is perturbed or updated in place; integer arrays work ------------------


def test_point7_notebook_integer_array_gives_garbage():
    nb = NotebookDifferentiate(func_1)
    x = np.array([2, 3])  # int64: x[i] = 2 + 1e-5 -> 2 and 2 - 1e-5 -> 1
    garbage = nb.dn_diff(func_2, x)
    np.testing.assert_array_equal(garbage, [150000, 949999])  # instead of (4, 27)
    x = np.array([2.0, 3.0])
    nb.gradient_descent(func_2, x, step_num=5)
    assert x[0] != 2.0  # the caller's array has been moved


@pytest.mark.parametrize("point", [[2, 3], np.array([2, 3]), np.array([2.0, 3.0]), (2, 3.0)])
def test_point7_gradient_accepts_integers_and_does_not_modify(point):
    before = np.array(point, copy=True)
    r = gradient("x1**2 + x2**3 + 1", point)
    np.testing.assert_allclose(r["gradient"], [4.0, 27.0], atol=1e-6)
    np.testing.assert_array_equal(np.asarray(point), before)
    assert np.asarray(point).dtype == before.dtype


@pytest.mark.parametrize("start", [[2, 3], np.array([2, 3]), np.array([2.0, 3.0])])
def test_point7_descent_accepts_integers_and_does_not_modify(start):
    before = np.array(start, copy=True)
    r = descent("x1**2 + x2**3 + 1", start, lr=0.01, steps=1000)
    np.testing.assert_allclose(r["final"], [3.36597239e-09, 3.28189298e-02], rtol=1e-8)
    np.testing.assert_array_equal(np.asarray(start), before)
    assert r["path"].dtype == np.float64
    # The returned arrays are independent of each other.
    r["final"][0] = 99.0
    assert r["path"][-1, 0] != 99.0


# ---- point 8: the gradient is a vector, not a sum -------------------------------------------


def test_point8_gradient_is_the_vector_of_partials():
    r = gradient("x1**2 + x2**3 + 1", [2.0, 3.0])
    assert r["gradient"].shape == (2,)
    np.testing.assert_allclose(r["gradient"], [4.0, 27.0], atol=1e-6)
    assert not np.isclose(np.sum(r["gradient"]), r["gradient"]).any()  # 31 is neither entry
    r = gradient("x1*x2*x3", [1.0, 2.0, 3.0])
    np.testing.assert_allclose(r["gradient"], [6.0, 3.0, 2.0], rtol=1e-9)
    np.testing.assert_array_equal(r["exact"], [6.0, 3.0, 2.0])
