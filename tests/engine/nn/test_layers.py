"""Every registered layer kind through the one protocol: gradients, purity, leading axes,
dtype; then affine and softmax specifics (stability, initialisation, shape messages)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from app.engine.errors import EngineError
from app.engine.nn.activations import ACTIVATIONS, ActivationSpec
from app.engine.nn.batchnorm import BatchNormSpec
from app.engine.nn.gradcheck import layer_check, numeric_gradient
from app.engine.nn.layers import (
    LAYERS,
    AffineSpec,
    LayerNormSpec,
    SoftmaxSpec,
    build_layer,
    init_affine,
    softmax,
    softmax_jacobian,
)


def build(spec, width, dtype=np.float64):
    """A layer and its initial parameters from the registry, fed ``width`` columns."""
    return build_layer(spec, 0, width, "x", dtype)


# Every registered kind, with a spec that builds it (affine given W or drawn from a seed).
KINDS = [
    ("affine", AffineSpec(n_out=3, seed=1)),
    ("softmax", SoftmaxSpec()),
    ("layernorm", LayerNormSpec()),
    ("batchnorm", BatchNormSpec()),
    ("batchnorm eval", BatchNormSpec(training=False)),
    *[(name, ActivationSpec(name)) for name in ACTIVATIONS],
    ("leaky_relu alpha=0.2", ActivationSpec("leaky_relu", 0.2)),
    ("elu alpha=2", ActivationSpec("elu", 2.0)),
]


def test_every_registered_kind_is_covered():
    assert set(LAYERS) == {spec.type for _, spec in KINDS}


@pytest.mark.parametrize(("name", "spec"), KINDS, ids=[k for k, _ in KINDS])
def test_backward_matches_central_differences(name, spec):
    """dx and every parameter gradient, through L = sum(y * g) for a random g."""
    rng = np.random.default_rng(7)
    layer, params = build(spec, 4)
    params = {k: rng.normal(size=v.shape) for k, v in params.items()}  # non-zero b too
    if "running_var" in params:
        params["running_var"] = np.abs(params["running_var"]) + 0.5  # a variance
    x = rng.normal(size=(6, 4))
    for kink in getattr(layer, "kinks", ()):
        x[np.abs(x - kink) < 1e-3] += 2e-3  # away from kinks (kinks are tested on their own)
    g = rng.normal(size=layer.forward(x, params)[0].shape)
    results = layer_check(layer.forward, x, params, g, 1e-5)
    assert set(results) == {"x", *params} - set(getattr(layer, "buffers", ()))
    for what, (max_rel, passed) in results.items():
        # the gradient check's rule, and a relative error no worse than float64 round-off over
        # h = 1e-5 gives at the smallest entries (1e-7 failed a correct eval-mode batchnorm)
        assert passed and max_rel <= 1e-6, (what, max_rel)


@pytest.mark.parametrize(("name", "spec"), KINDS, ids=[k for k, _ in KINDS])
def test_layers_never_write_into_arguments(name, spec):
    rng = np.random.default_rng(4)
    layer, params = build(spec, 4)
    x = rng.normal(size=(3, 4))
    y, backward = layer.forward(x, params)
    dy = rng.normal(size=y.shape)
    frozen = [x, dy, *params.values()]
    copies = [a.copy() for a in frozen]
    for a in frozen:
        a.flags.writeable = False
    y, backward = layer.forward(x, params)
    backward(dy)
    for a, c in zip(frozen, copies, strict=True):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(("name", "spec"), KINDS, ids=[k for k, _ in KINDS])
def test_leading_axes_give_the_same_rows(name, spec):
    """The gradient check runs copies through the same forward: x (K, N, D) row by row equal."""
    rng = np.random.default_rng(5)
    layer, params = build(spec, 4)
    xs = rng.normal(size=(3, 5, 4))
    batched = layer.forward(xs, params)[0]
    for k in range(3):
        np.testing.assert_allclose(batched[k], layer.forward(xs[k], params)[0], rtol=1e-15)


@pytest.mark.parametrize(("name", "spec"), KINDS, ids=[k for k, _ in KINDS])
def test_float32_stays_float32(name, spec):
    layer, params = build(spec, 4, np.float32)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    y, backward = layer.forward(x, params)
    dx, grads = backward(np.ones_like(y))
    assert y.dtype == dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_affine_backward_formulas():
    rng = np.random.default_rng(2)
    x, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dy = rng.normal(size=(6, 3))
    layer, _ = build(AffineSpec(W=W, b=b), 4)
    y, backward = layer.forward(x, {"W": W, "b": b})
    dx, grads = backward(dy)
    np.testing.assert_allclose(y, x @ W + b)
    np.testing.assert_allclose(dx, dy @ W.T)
    np.testing.assert_allclose(grads["W"], x.T @ dy)
    np.testing.assert_allclose(grads["b"], dy.sum(axis=0))


def test_affine_accepts_a_row_bias_and_copies_what_it_is_given():
    W, b = np.ones((2, 4)), np.arange(4.0).reshape(1, 4)
    _, params = build(AffineSpec(W=W, b=b), 2)
    assert params["b"].shape == (4,)
    assert not np.shares_memory(params["W"], W)


def test_integer_inputs_are_promoted():
    _, params = build(AffineSpec(W=[[1, 0], [0, 1]], b=[0, 0]), 2)
    assert params["W"].dtype == params["b"].dtype == np.float64
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
    layer, _ = build(SoftmaxSpec(), c)
    _, backward = layer.forward(x, {})
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
        build_layer(AffineSpec(W=np.ones((4, 5))), 2, 3, "layer 1 (relu)", np.float64)
    assert err.value.loc == ("layers", 2, "W") and "layer 1 (relu) has 3 columns" in err.value.msg
    with pytest.raises(EngineError, match="b must have 5 entries"):
        build(AffineSpec(W=np.ones((4, 5)), b=np.zeros(4)), 4)


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
    from app.engine.nn.network import run_network

    layers = [{"type": "gelu"}, {"type": "affine", "out": 1}]
    with pytest.raises(EngineError, match="finite"):
        run_network([[1e300, 1.0]], [[0.5]], layers, "mse", dtype="float32")


def test_layernorm_normalises_each_row_and_is_checked_through_a_network():
    from app.engine.nn.network import run_network

    x = np.random.default_rng(3).normal(2.0, 3.0, size=(5, 4))
    layer, params = build(LayerNormSpec(), 4)
    y = layer.forward(x, params)[0]
    np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-12)
    v = x.var(axis=1)
    np.testing.assert_allclose(y.var(axis=1), v / (v + 1e-5), rtol=1e-12)
    layers = [
        {"type": "affine", "out": 3, "seed": 2},
        {"type": "layernorm", "gamma": [1.0, 2.0, 0.5], "beta": [0.1, 0.0, -0.2]},
        {"type": "tanh"},
        {"type": "affine", "out": 2, "seed": 3},
    ]
    r = run_network(x, [0, 1, 1, 0, 1], layers, "softmax_cross_entropy", gradcheck=True)
    checked = [(c["index"], c["param"]) for c in r["gradcheck"]]
    assert (1, "gamma") in checked and (1, "beta") in checked
    assert all(c["passed"] and c["max_rel_error"] < 1e-6 for c in r["gradcheck"]), checked
    assert r["params"][1]["gamma"].tolist() == [1.0, 2.0, 0.5]
