"""Affine and softmax layers: gradients, stability, purity, initialisation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from app.engine.errors import EngineError
from app.engine.gradcheck import layer_check, numeric_gradient
from app.engine.layers import (
    affine_forward,
    init_affine,
    softmax,
    softmax_forward,
    softmax_jacobian,
)


def _projection_check(forward, args, names):
    """Check backward against central differences of L = sum(y * g) for a fixed random g."""
    rng = np.random.default_rng(7)
    g = rng.normal(size=forward(*args)[0].shape)
    results = layer_check(forward, args, g, 1e-5)
    for name, (_, passed) in zip(names, results, strict=True):
        assert passed, name
    return max(max_rel for max_rel, _ in results)


def test_affine_gradients():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    assert _projection_check(affine_forward, [x, W, b], ["x", "W", "b"]) <= 1e-7


def test_affine_gradients_with_row_bias():
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=(5, 2)), rng.normal(size=(2, 4)), rng.normal(size=(1, 4))
    y, backward = affine_forward(x, W, b)
    _, grads = backward(np.ones_like(y))
    assert grads["b"].shape == (1, 4)
    assert _projection_check(affine_forward, [x, W, b], ["x", "W", "b"]) <= 1e-7


def test_affine_backward_formulas():
    rng = np.random.default_rng(2)
    x, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dy = rng.normal(size=(6, 3))
    y, backward = affine_forward(x, W, b)
    dx, grads = backward(dy)
    np.testing.assert_allclose(y, x @ W + b)
    np.testing.assert_allclose(dx, dy @ W.T)
    np.testing.assert_allclose(grads["W"], x.T @ dy)
    np.testing.assert_allclose(grads["b"], dy.sum(axis=0))


def test_softmax_gradients():
    x = np.random.default_rng(3).normal(0, 1, size=(5, 4))
    assert _projection_check(lambda a: softmax_forward(a), [x], ["x"]) <= 1e-7


def test_layers_never_write_into_arguments():
    rng = np.random.default_rng(4)
    arrays = [rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), rng.normal(size=4)]
    dy = rng.normal(size=(3, 4))
    copies = [a.copy() for a in [*arrays, dy]]
    for a in [*arrays, dy]:
        a.flags.writeable = False
    affine_forward(*arrays)[1](dy)
    softmax_forward(dy)[1](dy)
    for a, c in zip([*arrays, dy], copies, strict=True):
        np.testing.assert_array_equal(a, c)


def test_integer_inputs_are_promoted():
    y, backward = affine_forward([[1, 2]], [[1, 0], [0, 1]], [0, 0])
    assert y.dtype == np.float64
    dx, grads = backward(np.array([[1, 1]]))
    assert dx.dtype == grads["W"].dtype == np.float64
    assert softmax(np.array([[1, 2, 3]])).dtype == np.float64
    assert softmax(np.array([[1, 2]], dtype=np.float32)).dtype == np.float32


@settings(max_examples=80, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=8),
        elements=st.floats(-1e300, 1e300),
    )
)
def test_softmax_rows_sum_to_one_for_any_logits(x):
    y = softmax(x)
    assert np.all(np.isfinite(y))
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 6),
    c=st.integers(1, 6),
    scale=st.sampled_from([1.0, 1e3, 1e6]),
    seed=st.integers(0, 2**32 - 1),
)
def test_softmax_backward_finite_for_far_apart_logits(n, c, scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c)) * scale  # logits up to millions apart
    _, backward = softmax_forward(x)
    dx, grads = backward(rng.normal(size=(n, c)))
    assert grads == {}
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx.sum(axis=-1), 0.0, atol=1e-10)  # J has zero row sums


def test_softmax_logits_1e3_apart():
    y = softmax(np.array([[0.0, 1000.0, -1000.0], [1e3, 1e3, 1e3]]))
    np.testing.assert_allclose(y, [[0.0, 1.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize("init", ["he", "xavier", "normal"])
def test_init_affine(init):
    W, b = init_affine(300, 200, init, seed=5)
    assert W.shape == (300, 200) and b.shape == (200,)
    assert np.all(b == 0)
    std = {"he": np.sqrt(2 / 300), "xavier": np.sqrt(2 / 500), "normal": 0.01}[init]
    assert W.std() == pytest.approx(std, rel=0.02)
    np.testing.assert_array_equal(W, init_affine(300, 200, init, seed=5)[0])
    W32, _ = init_affine(300, 200, init, seed=5, dtype=np.float32)
    np.testing.assert_array_equal(W32, W.astype(np.float32))


def test_init_affine_rejects_bad_arguments():
    with pytest.raises(EngineError, match="unknown init"):
        init_affine(2, 3, "glorot")
    with pytest.raises(EngineError, match="positive whole number"):
        init_affine(0, 3)


def test_affine_shape_errors_are_sentences():
    with pytest.raises(EngineError, match="expects input width 4, got 3") as err:
        affine_forward(np.ones((2, 3)), np.ones((4, 5)), np.zeros(5))
    assert err.value.loc == ("W",)
    with pytest.raises(EngineError, match="b must have 5 entries"):
        affine_forward(np.ones((2, 4)), np.ones((4, 5)), np.zeros(4))


def test_softmax_jacobian_matches_numeric():
    x = np.array([0.3, -1.2, 2.0, 0.5])
    _, J = softmax_jacobian(x)
    numeric = np.stack(
        [numeric_gradient(lambda a, i=i: softmax(a)[i], x) for i in range(4)]
    )  # row i = d y_i / d x
    np.testing.assert_allclose(J, numeric, atol=1e-10)
    with pytest.raises(EngineError):
        softmax_jacobian(np.ones((2, 2)))


def test_softmax_of_logits_at_the_edge_of_float64_warns_nothing():
    y, J = softmax_jacobian(np.array([1e308, -1e308, 0.0]))
    assert np.array_equal(y, [1.0, 0.0, 0.0]) and np.all(J == 0)


def test_float32_cast_of_huge_inputs_is_reported_not_warned():
    from app.engine.stack import run_network

    layers = [{"type": "gelu"}, {"type": "affine", "out": 1}]
    with pytest.raises(EngineError, match="finite"):
        run_network([[1e300, 1.0]], [[0.5]], layers, "mse", dtype="float32")
