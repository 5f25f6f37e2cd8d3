"""Central-difference helpers and the comparison rule."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn.gradcheck import (
    REL_FLOOR,
    central_difference,
    compare,
    numeric_gradient,
    numeric_gradient_batched,
    numeric_gradient_rows,
)


def test_the_relative_error_floor_is_cs231ns():
    assert REL_FLOOR == 1e-8


def test_numeric_gradient_of_a_polynomial_and_no_mutation():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    a.flags.writeable = False
    g = numeric_gradient(lambda v: float(np.sum(v**3)), a, 1e-5)
    np.testing.assert_allclose(g, 3 * a**2, rtol=1e-9)
    np.testing.assert_array_equal(a, [[1.0, -2.0], [0.5, 3.0]])


def test_integer_array_is_not_garbage():
    g = numeric_gradient(lambda v: float(v[0] ** 2 + v[1] ** 3 + 1), np.array([2, 3]))
    np.testing.assert_allclose(g, [4.0, 27.0], rtol=1e-9)


def test_batched_equals_one_at_a_time():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(3, 4))
    a = rng.normal(size=(3, 4))

    def f(v):
        return float(np.sum(np.tanh(v * M)))

    def f_batch(vk):
        assert vk.shape[1:] == a.shape
        return np.sum(np.tanh(vk * M), axis=(1, 2)), []  # smooth: no kink marks

    grad, at_kink = numeric_gradient_batched(f_batch, a, 1e-5, chunk=5)
    np.testing.assert_allclose(grad, numeric_gradient(f, a, 1e-5))
    assert at_kink is None


@pytest.mark.parametrize("chunk", [1, 3, 5, 12, 64])
def test_batched_copies_move_exactly_one_entry_each(chunk):
    a = np.arange(12.0).reshape(3, 4) / 7
    seen = []

    def f_batch(vk):
        seen.append(vk.copy())
        return vk.sum(axis=(1, 2)), []

    numeric_gradient_batched(f_batch, a, 1e-3, chunk=chunk)
    moved = []
    for copies in seen:
        k = copies.shape[0] // 2
        for sign, block in ((1, copies[:k]), (-1, copies[k:])):
            for c in block:
                (i,) = np.flatnonzero(c != a)  # one entry, and only one, is moved
                assert c.flat[i] == a.flat[i] + sign * 1e-3
                moved.append((sign, i))
    assert sorted(moved) == sorted((s, i) for s in (1, -1) for i in range(12))


def test_central_difference_elementwise():
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(central_difference(np.sin, x, 1e-5), np.cos(x), atol=1e-10)


def test_step_below_float_spacing():
    assert np.isnan(central_difference(np.sin, np.array([1e20]), 1e-5)[0])
    with pytest.raises(EngineError, match="too small") as err:
        numeric_gradient(lambda v: float(v.sum()), np.array([1e20]), 1e-5)
    assert err.value.loc == ("h",)


def test_compare_formulas():
    a = np.array([1.0, 0.0, 1e-9, 2.0])
    n = np.array([1.0 + 1e-6, 0.0, 0.0, 2.1])
    rel, max_rel, judgement = compare(a, n)
    np.testing.assert_allclose(rel, [1e-6 / (2 + 1e-6), 0.0, 1e-9 / 1e-8, 0.1 / 4.1])
    assert max_rel == pytest.approx(0.1)  # the 1e-9 vs 0 entry: its floor is 1e-8
    assert judgement.verdict == "wrong" and not judgement.passed  # 0.1 of the scale 2.1
    assert judgement.scale == 2.1
    # Without it: 1e-6 of the scale is acceptable, and the 1e-9 entry (rel_error 0.1) is not
    # judged by itself but against the tensor's scale.
    kept = compare(a[:3], n[:3])[2]
    assert kept.verdict == "acceptable" and kept.passed


def test_row_wise_input_check_equals_moving_one_entry_of_the_whole_batch():
    """numeric_gradient_rows is the same derivative as perturbing single entries of the batch."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 3))
    x.flags.writeable = False
    W = rng.normal(size=(3, 4))

    def rows(xk):  # row n's term depends on row n only: a tanh layer and a squared norm
        return 0.5 * np.sum(np.tanh(xk @ W) ** 2, axis=-1)

    by_rows, at_kink = numeric_gradient_rows(lambda xk: (rows(xk), []), x, 1e-5)
    assert at_kink is None
    by_entries = numeric_gradient(lambda a: rows(a).mean(), x, 1e-5)
    y = np.tanh(x @ W)
    exact = ((y * (1 - y**2)) @ W.T) / x.shape[0]
    assert np.allclose(by_rows, by_entries, rtol=1e-6, atol=1e-12)
    assert compare(exact, by_rows)[1] < 1e-8


def test_kink_marks_name_exactly_the_entries_whose_step_straddles_a_kink():
    """relu(a) summed: entries within h of 0 are marked, the others are not."""
    a = np.array([[-1.0, 0.0, 3e-6], [2.0, -4e-6, 0.5]])

    def f_batch(ak):
        return np.maximum(ak, 0).sum(axis=(1, 2)), [ak > 0]

    grad, at_kink = numeric_gradient_batched(f_batch, a, 1e-5, chunk=4)
    np.testing.assert_array_equal(at_kink, [[False, True, True], [False, True, False]])
    np.testing.assert_allclose(grad[~at_kink], (a > 0)[~at_kink], rtol=1e-9)

    def f_rows(xk):
        return np.maximum(xk, 0).sum(axis=-1), [xk > 0]

    _, rows_kink = numeric_gradient_rows(f_rows, a, 1e-5, chunk=2)
    np.testing.assert_array_equal(rows_kink, at_kink)


def test_compare_leaves_kinked_entries_out_of_the_verdict():
    a, n = np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 2.0])  # entry 0: a kink's half-slope
    assert compare(a, n)[2].verdict == "wrong"
    rel, max_rel, judgement = compare(a, n, np.array([True, False, False]))
    assert judgement.verdict == "kink" and judgement.passed
    assert max_rel == 0.0 and rel[0] == 1.0  # still reported, not judged
    # A disagreement away from the kink is judged as such: wrong, not kink.
    off = n + np.array([0, 0.5, 0])
    assert compare(a, off, np.array([True, False, False]))[2].verdict == "wrong"
    assert compare(a[:1], n[:1], np.array([True]))[1] is None  # nothing left to judge
