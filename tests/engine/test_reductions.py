"""The fast reductions give numpy's own bits on every shape, narrow or not."""

import numpy as np
import pytest

from app.engine.reductions import col_sum, row_max, row_sum

SHAPES = [(n, c) for n in (1, 2, 7, 127, 128, 129, 1000) for c in (1, 2, 3, 4, 7, 8, 9, 33)]


def _data(shape, dtype, seed=0):
    """Mixed signs and magnitudes 1e-6..1e6, so a different order of additions would show."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 10 ** rng.uniform(-6, 6, shape)
    a.flat[:: max(1, a.size // 7)] = -0.0  # signed zeros: numpy's sum starts from +0.0
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES)
def test_same_bits_as_numpy(shape, dtype):
    a = _data(shape, dtype)
    for fast, ref in [
        (row_max(a), a.max(axis=-1, keepdims=True)),
        (row_sum(a), a.sum(axis=-1, keepdims=True)),
        (row_sum(a, keepdims=False), a.sum(axis=-1)),
        (col_sum(a), a.sum(axis=0)),
    ]:
        assert fast.dtype == ref.dtype and fast.shape == ref.shape
        assert np.array_equal(fast, ref)
        assert np.array_equal(np.signbit(fast), np.signbit(ref))


@pytest.mark.parametrize("lead", [(3,), (2, 5)])
def test_leading_axes(lead):
    a = _data((*lead, 300, 3), np.float64, seed=1)
    assert np.array_equal(row_max(a), a.max(axis=-1, keepdims=True))
    assert np.array_equal(row_sum(a), a.sum(axis=-1, keepdims=True))


def test_col_sum_of_a_view_falls_back_to_numpy():
    a = _data((400, 6), np.float64)[:, ::2]  # not C-ordered
    assert np.array_equal(col_sum(a), a.sum(axis=0))


def test_nothing_written_into_the_argument():
    a = _data((500, 3), np.float64)
    before = a.copy()
    row_max(a), row_sum(a), col_sum(a)
    assert np.array_equal(a, before)
