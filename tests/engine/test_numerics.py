"""The stable sigmoid: the values of its defining formula, bit for bit, at every edge."""

import numpy as np
import pytest

from app.engine.numerics import sigmoid


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_is_r_or_e_times_r(dtype):
    """sigma(x) = r = 1/(1+e) for x >= 0 and e r otherwise, e = exp(-|x|): computed without
    copyto(where=), the same bits, NaN and signed zeros included."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(5000) * 40).astype(dtype)
    x[:9] = [-0.0, 0.0, np.nan, np.inf, -np.inf, 1e-40, -1e-40, -800.0, 800.0]
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    r = 1 / (1 + e)
    expected = np.where(x >= 0, r, e * r)
    got = sigmoid(x)
    assert got.dtype == dtype
    assert np.array_equal(got, expected, equal_nan=True)
    assert not np.signbit(got[~np.isnan(got)]).any()
