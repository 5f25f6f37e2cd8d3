"""The overflow-safe normalisation shared by layer norm (and batch norm)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.engine.nn.layers import LayerNorm
from app.engine.nn.moments import normalize, underflowing_scale
from app.engine.nn.network import run_network


def textbook(x, eps, axis=-1):
    mu = x.mean(axis=axis, keepdims=True)
    xc = x - mu
    inv = 1.0 / np.sqrt((xc * xc).mean(axis=axis, keepdims=True) + eps)
    return xc * inv, inv


@pytest.mark.parametrize(
    ("dtype", "big"), [(np.float32, 1e20), (np.float64, 1e154), (np.float64, 1e300)]
)
def test_a_row_whose_variance_overflows_is_normalised_not_zeroed(dtype, big):
    x = np.array([[big, -big, 0.0]], dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        naive, _ = textbook(x, 1e-5)
    assert not np.any(naive)  # the bug: all zeros
    xhat, inv = normalize(x, 1e-5)
    assert xhat.dtype == dtype and inv.dtype == dtype
    np.testing.assert_allclose(xhat, [[1.2247449, -1.2247449, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(inv * big, [[1.2247449 / 1.0]], rtol=1e-6)  # 1/sqrt(2/3 big^2)


def test_only_the_overflowing_rows_change_and_the_input_is_kept():
    x = np.array([[1e200, 3e199, -2e200, 0.0], [0.3, -1.2, 2.0, 0.1]])
    before = x.copy()
    xhat, _ = normalize(x, 1e-5)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(xhat[1:], textbook(x[1:], 1e-5)[0])
    np.testing.assert_allclose(xhat[0], textbook(x[:1] / 1e200, 1e-5 / 1e400)[0][0], rtol=1e-14)
    assert np.isfinite(xhat).all()


def test_batch_norm_axis_works_the_same_way():
    x = np.array([[1e20, 1.0], [-1e20, 2.0], [0.0, 3.0]], dtype=np.float32)
    xhat, inv = normalize(x, 1e-5, axis=0)
    assert inv.shape == (1, 2)
    np.testing.assert_allclose(xhat[:, 0], [1.2247449, -1.2247449, 0], rtol=1e-6)
    np.testing.assert_array_equal(xhat[:, 1:], textbook(x[:, 1:], 1e-5, axis=0)[0])


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float64, (3, 5), elements=st.floats(-1e6, 1e6)),
    st.sampled_from([np.float64, np.float32]),
)
def test_ordinary_rows_keep_the_textbook_bits(x, dtype):
    x = x.astype(dtype)
    xhat, inv = normalize(x, 1e-5)
    want, want_inv = textbook(x, 1e-5)
    np.testing.assert_array_equal(xhat, want)
    np.testing.assert_array_equal(inv, want_inv)


def test_the_layer_is_exact_at_1e20_in_float32_through_the_network():
    d = run_network(
        [[1e20, -1e20, 0.0]], [[0, 0, 0]], [{"type": "layernorm"}], "mse", dtype="float32"
    )
    np.testing.assert_allclose(d["forward"][0]["output"], [[1.2247449, -1.2247449, 0]], rtol=1e-6)
    assert d["warnings"] == []


def test_a_spread_beyond_one_over_tiny_warns_that_the_gradient_underflows():
    x = np.array([[3e38, -3e38, 0.0]], dtype=np.float32)
    assert underflowing_scale(x).tolist() == [[True]]
    assert not underflowing_scale(np.array([[1e20, -1e20, 0]], dtype=np.float32)).any()
    d = run_network(x.tolist(), [[0, 0, 0]], [{"type": "layernorm"}], "mse", dtype="float32")
    np.testing.assert_allclose(d["forward"][0]["output"], [[1.2247449, -1.2247449, 0]], rtol=1e-6)
    assert [w["code"] for w in d["warnings"]] == ["layernorm_gradient_underflow"]
    assert d["warnings"][0]["loc"] == ["layers", 0]
    assert LayerNorm.fragile  # the hook network.layer_warnings reads
