"""The finiteness check: the same verdict as ``isfinite(a).all()`` on every kind of array."""

import numpy as np
import pytest

from app.engine.arrays import all_finite


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 17, -1])
def test_one_non_finite_entry_is_found(dtype, bad, where):
    a = np.random.default_rng(0).standard_normal((256, 33)).astype(dtype)
    a.reshape(-1)[where] = bad
    assert not all_finite(a)
    assert not all_finite(a.T)  # not contiguous: the exact check


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finite_entries_whose_squares_overflow_are_finite(dtype):
    """The sum of squares overflows (a finite array that the fast path cannot clear): then
    isfinite decides, and the verdict is still 'finite'."""
    big = np.finfo(dtype).max
    a = np.ones((128, 128), dtype=dtype)
    a[0, :2] = big, -big
    assert all_finite(a) and all_finite(a[:, :1])
    a[-1, -1] = np.inf
    assert not all_finite(a)


@pytest.mark.parametrize(
    "a",
    [
        np.zeros((0, 3)),
        np.float64(2.5),
        np.array(3.0),
        np.arange(6, dtype=np.int64),
        np.array([np.finfo(np.float64).tiny / 4, -0.0, 1e-320]),
        np.ones((2, 3, 4), dtype=np.float32)[:, ::2],
        np.ones((100, 100, 2), dtype=np.float32)[..., 0],
        np.full((100, 100), 1e200),
    ],
)
def test_agrees_with_isfinite(a):
    assert all_finite(a) == bool(np.isfinite(a).all())


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("shape", [(1,), (2, 2), (4, 8), (33,)])
def test_small_arrays_tested_entry_by_entry_give_the_same_verdict(dtype, bad, shape):
    a = np.full(shape, np.finfo(dtype).max, dtype=dtype)
    assert all_finite(a) and all_finite(a.T)
    a.reshape(-1)[-1] = bad
    assert not all_finite(a) and not all_finite(a.T)
