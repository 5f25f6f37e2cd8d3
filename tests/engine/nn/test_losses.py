"""Losses: values, gradients against central differences, targets, stability."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.errors import EngineError
from app.engine.nn.gradcheck import compare, layer_check, numeric_gradient
from app.engine.nn.layers import softmax
from app.engine.nn.losses import LOSSES, as_targets
from app.engine.nn.network import run_network
from tests.engine.helpers import loss_forward

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(0, 2, size=(6, 4))
PROBS = softmax(LOGITS)
INDICES = np.array([0, 3, 1, 2, 2, 0])
SOFT = softmax(RNG.normal(size=(6, 4)))  # probability-row targets


def _y_for(name):
    return PROBS if name == "cross_entropy" else LOGITS


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("targets", [INDICES, SOFT], ids=["indices", "rows"])
def test_loss_gradient_matches_central_difference(name, targets):
    y = _y_for(name)
    _, backward = loss_forward(name, y, targets)
    dy = backward()
    assert dy.shape == y.shape
    numeric = numeric_gradient(lambda a: loss_forward(name, a, targets)[0], y, 1e-6)
    _, max_rel, judgement = compare(dy, numeric)
    assert judgement.verdict == "good"
    assert max_rel <= 1e-7, max_rel


def test_mse_with_real_rows():
    t = RNG.normal(size=(6, 4))
    L, backward = loss_forward("mse", LOGITS, t)
    assert pytest.approx(0.5 * np.sum((LOGITS - t) ** 2) / 6) == L
    np.testing.assert_allclose(backward(), (LOGITS - t) / 6)


def test_mse_with_one_column_and_1d_real_targets():
    y = np.array([[0.5], [1.5]])
    L, backward = loss_forward("mse", y, np.array([1.0, 1.0]))
    assert pytest.approx(0.5 * (0.25 + 0.25) / 2) == L
    np.testing.assert_allclose(backward(), [[-0.25], [0.25]])


def test_mse_with_class_indices_uses_one_hot():
    t = as_targets(np.array([1, 0]), (2, 3), "mse", np.float64)
    np.testing.assert_array_equal(t, [[0, 1, 0], [1, 0, 0]])


def test_cross_entropy_clips_at_tiny_not_1e_minus_7():
    y = np.array([[1e-10, 1 - 1e-10], [0.0, 1.0]])
    t = np.array([0, 1])
    L, backward = loss_forward("cross_entropy", y, t)
    assert pytest.approx(-np.log(1e-10) / 2, rel=1e-15) == L  # no +1e-7 bias
    dy = backward()
    assert dy[0, 0] == -1 / 1e-10 / 2  # exactly -t / y / N
    assert np.all(np.isfinite(dy))
    L0, _ = loss_forward("cross_entropy", np.array([[0.0, 1.0]]), np.array([0]))
    assert pytest.approx(-np.log(np.finfo(np.float64).tiny)) == L0  # y = 0: finite, ~708


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 5),
    c=st.integers(2, 5),
    scale=st.sampled_from([1.0, 1e3, 1e100]),
    seed=st.integers(0, 2**32 - 1),
)
def test_softmax_cross_entropy_is_stable(n, c, scale, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, c)) * scale
    t = rng.integers(0, c, size=n)
    L, backward = loss_forward("softmax_cross_entropy", z, t)
    dz = backward()
    assert np.isfinite(L) and L >= 0
    assert np.all(np.isfinite(dz))
    np.testing.assert_allclose(dz.sum(axis=1), 0.0, atol=1e-12)


def test_float32_stays_float32():
    for name in LOSSES:
        y = _y_for(name).astype(np.float32)
        _, backward = loss_forward(name, y, INDICES)
        assert backward().dtype == np.float32


def test_loss_overflow_is_reported():
    with pytest.raises(EngineError, match="the mse loss overflowed") as err:
        run_network([[1e200, 0.0]], [[0.0, 0.0]], [{"type": "identity"}], "mse")
    assert err.value.loc == ("loss",)


@pytest.mark.parametrize("name", LOSSES)
def test_the_layer_check_serves_losses_too(name):
    """A loss answers the layer protocol, so the one layer_check verifies its backward."""
    y, t = _y_for(name), as_targets(INDICES, (6, 4), name)
    results = layer_check(lambda a, p: LOSSES[name].forward(a, t), y, {}, 1.0, 1e-6)
    assert list(results) == ["x"] and results["x"][1] and results["x"][0] <= 1e-7


def test_a_seed_other_than_one_scales_the_gradient():
    t = as_targets(INDICES, (6, 4), "mse")
    _, backward = LOSSES["mse"].forward(LOGITS, t)
    np.testing.assert_array_equal(backward(np.float64(2.0))[0], 2.0 * backward(1.0)[0])


@pytest.mark.parametrize(
    ("t", "loss", "message"),
    [
        ([0, 4, 1, 1, 1, 1], "cross_entropy", "outputs 4 columns, so the classes are 0 to 3"),
        ([0, -1, 1, 1, 1, 1], "softmax_cross_entropy", "not a class index"),
        ([0] * 5 + [7] + [1] * 94, "cross_entropy", "target 7 (row 5) is not a class index"),
        ([0, 1, 1], "cross_entropy", "3 targets for 6 inputs"),
        (np.ones((6, 3)) / 3, "cross_entropy", "targets have shape (6, 3)"),
        (np.full((6, 4), 0.3), "softmax_cross_entropy", "must sum to 1"),
        ([0.5, 1, 1, 1, 1, 1], "cross_entropy", "whole numbers"),
        ([0.5, 1, 1, 1, 1, 1], "mse", "one row of 4 real values"),
        ([[0, 1]], "mse", "targets have shape (1, 2)"),
        (["a"] * 6, "mse", "class indices or rows"),
    ],
)
def test_bad_targets_are_explained(t, loss, message):
    with pytest.raises(EngineError) as err:
        as_targets(t, (len(t), 4) if len(t) > 6 else (6, 4), loss, np.float64)
    assert message in err.value.msg
    assert err.value.loc == ("targets",)


def test_unknown_loss():
    with pytest.raises(EngineError, match="unknown loss") as err:
        loss_forward("hinge", LOGITS, INDICES)
    assert all(name in err.value.msg for name in LOSSES)


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def _logits_at_the_edges(rng, shape, dtype):
    """Ordinary logits, with some rows ~1e308 apart (z - m is -inf there), zeros, NaN."""
    z = rng.normal(0, 3, size=shape)
    big = np.finfo(dtype).max
    z[..., 0, :2] = [big, -big]  # e^(z - m) underflows, z - m overflows to -inf
    z[..., 1, :] = 0.0
    return z.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("lead", [(), (5,)])
@pytest.mark.parametrize("C", [3, 4, 9])
@pytest.mark.parametrize("name", LOSSES)
def test_class_indices_give_the_bits_of_one_hot_rows(name, C, lead, dtype):
    """as_targets(..., indices=True) hands the cross-entropies the indices, which they read
    one entry per row: loss, per-row terms and gradient equal those of one-hot rows exactly,
    in the -inf / NaN corners too (the network's float64 gradient check relies on it)."""
    rng = np.random.default_rng(C)
    N = 300  # wide enough for the column-wise reductions
    z = _logits_at_the_edges(rng, (*lead, N, C), dtype)
    y = softmax(z) if name == "cross_entropy" else z
    t = rng.integers(0, C, N)
    idx = as_targets(t, (N, C), name, dtype, indices=True)
    rows = as_targets(t, (N, C), name, dtype)
    assert idx.ndim == (2 if LOSSES[name].expects == "values" else 1) and rows.ndim == 2
    loss = LOSSES[name]
    with np.errstate(all="ignore"):
        for case in (y, np.where(np.arange(C) == 1, np.nan, y)):
            _same(loss.rows(case, idx), loss.rows(case, rows))
            L_idx, back_idx = loss.forward(case, idx)
            L_rows, back_rows = loss.forward(case, rows)
            _same(L_idx, L_rows)
            if not lead:
                _same(back_idx(1.0)[0], back_rows(1.0)[0])
        y2 = y[0] if lead else y  # warnings are for the plain (N, C) pass
        assert loss.fragile(y2, idx) == loss.fragile(y2, rows)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("indices", [True, False])
def test_backward_called_twice_gives_the_same_fresh_gradient(name, indices):
    """The first gradient reuses the loss's own temporaries; a second call must neither see
    them overwritten nor hand back the same memory."""
    rng = np.random.default_rng(4)
    z = rng.standard_normal((6, 3))
    t = rng.integers(0, 3, 6) if indices else np.eye(3)[rng.integers(0, 3, 6)]
    y = z if name != "cross_entropy" else np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = LOSSES[name]
    L, backward = loss.forward(y, t)
    first, _ = backward(1.0)
    kept = first.copy()
    second, _ = backward(1.0)
    assert np.array_equal(first, kept) and np.array_equal(second, kept)
    assert not np.shares_memory(first, second)
    assert np.array_equal(loss.grad(y, t), kept)
    assert np.array_equal(loss.forward(y, t)[0], L)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_far_apart_keep_the_index_path_and_its_bits(dtype):
    """Rows whose logits are each close together but ~1e308 from the other rows' (max m - min z
    overflows, every z - m is finite) read the class entries and give one-hot rows' bits."""
    big = np.finfo(dtype).max
    z = np.array([[big, big / 2, big / 4], [-big, -big / 2, -big / 3], [0.0, 1.0, 2.0]], dtype)
    t = np.array([0, 2, 1])  # each row's largest logit or near it: a finite loss
    loss = LOSSES["softmax_cross_entropy"]
    idx, rows = as_targets(t, z.shape, loss.name, dtype, indices=True), np.eye(3, dtype=dtype)[t]
    L_idx, back_idx = loss.forward(z, idx)
    L_rows, back_rows = loss.forward(z, rows)
    assert np.isfinite(L_idx)
    _same(L_idx, L_rows)
    _same(back_idx(1.0)[0], back_rows(1.0)[0])


def _huber_by_hand(y, t):
    """PyTorch's HuberLoss(delta=1, reduction="none") per element, summed per row, mean over N."""
    total = 0.0
    for yn, tn in zip(np.asarray(y).tolist(), np.asarray(t).tolist(), strict=True):
        for a, b in zip(yn, tn, strict=True):
            d = abs(a - b)
            total += 0.5 * d * d if d <= 1.0 else d - 0.5
    return total / len(y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huber_is_pytorchs_per_element_loss_summed_over_outputs_over_n(dtype):
    y = np.array([[0.2, -3.0, 1.0], [2.5, 0.0, -0.4]], dtype=dtype)
    t = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -1.5]], dtype=dtype)
    L, backward = loss_forward("huber", y, t)
    assert pytest.approx(_huber_by_hand(y, t), rel=1e-6 if dtype == np.float32 else 1e-15) == L
    dy = backward()
    assert dy.dtype == dtype
    # clip(y - t, -1, 1) / N: inside |d| <= 1 the mse gradient, beyond it +-1/N
    np.testing.assert_allclose(dy, [[0.1, -0.5, 0.5], [0.5, -0.5, 0.5]], rtol=1e-6)


def test_huber_squares_no_large_difference():
    with np.errstate(all="raise"):
        L, backward = loss_forward("huber", np.array([[1e300, -1e300]]), np.array([[0.0, 0.0]]))
        assert pytest.approx(2e300) == L
        np.testing.assert_array_equal(backward(), [[1.0, -1.0]])


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_loss_writes_into_neither_its_outputs_nor_its_targets(name):
    y, t = _y_for(name).copy(), as_targets(SOFT, (6, 4), name)
    y.flags.writeable = False
    t.flags.writeable = False
    _, backward = LOSSES[name].forward(y, t)
    backward(1.0)  # a write into y or t would raise here


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_exported_line_computes_the_record_loss(name, dtype):
    """The numpy expression the exported script prints is the record's own loss."""
    y = _y_for(name).astype(dtype)
    t = as_targets(SOFT, (6, 4), name, dtype)
    code = eval(f"lambda y, t: {LOSSES[name].code}", {"np": np})  # noqa: S307
    L, _ = LOSSES[name].forward(y, t)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    assert float(code(y, t)) == pytest.approx(float(L), rel=tol)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [6, 10, 200])
def test_the_training_steps_gradient_is_the_records_gradient_bit_for_bit(name, dtype, n):
    """``step_grad`` (the gradient alone, as a training step asks for it on one-hot rows, or on
    any rows for a loss on values) gives ``grad``'s very bits, and writes into neither input."""
    rng = np.random.default_rng(n)
    z = rng.normal(0, 3, size=(n, 4)).astype(dtype)
    y = softmax(z) if name == "cross_entropy" else z
    loss = LOSSES[name]
    targets = rng.integers(0, 4, n) if loss.expects != "values" else rng.normal(size=(n, 4))
    t = as_targets(targets, (n, 4), name, dtype)
    y.flags.writeable = False
    t.flags.writeable = False
    assert loss.step_grad is not None
    fast, slow = loss.step_grad(y, t), loss.grad(y, t)
    assert fast.dtype == slow.dtype and fast.shape == slow.shape
    assert fast.tobytes() == slow.tobytes()
