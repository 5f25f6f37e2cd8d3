"""One test per mistake of the seed notebook (shared/seed/NOTES.md) that the engine must not repeat.

Points 6, 7 and 8 (numerical differentiation of typed functions) are tested with app/engine/numdiff.
"""

import warnings

import numpy as np

from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.layers import LAYERS, ActivationSpec, SoftmaxSpec, softmax, softmax_jacobian
from app.engine.nn.network import run_network
from app.engine.nn.presets import notebook_example
from tests.engine.helpers import loss_forward


def layer(spec, width):
    return LAYERS[spec.type](spec, 0, width, "x", np.float64)[0]


def test_note1_softmax_normalises_rows():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 0.0, -5.0]])
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)  # each sample is a distribution over classes
    np.testing.assert_allclose(y[1], softmax(x[1]))  # row 1 is independent of row 0
    # the notebook's column version would make columns sum to 1 instead
    column_version = np.exp(x - x.max(axis=0)) / np.exp(x - x.max(axis=0)).sum(axis=0)
    assert not np.allclose(y, column_version)
    # subtracting each row's own max: a huge row next to a small one stays exact
    z = np.array([[1000.0, 1001.0], [0.0, 1.0]])
    np.testing.assert_allclose(softmax(z)[0], softmax(z)[1])
    assert np.all(softmax(z) > 0)


def test_note2_cross_entropy_picks_each_rows_own_class():
    y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    t = np.array([0, 2])
    L, _ = loss_forward("cross_entropy", y, t)
    assert -(np.log(0.7) + np.log(0.8)) / 2 == L  # y[arange(N), t], not the N x N block y[:, t]
    notebook_value = -np.sum(np.log(y[:, t] + 1e-7)) / 2
    assert abs(L - notebook_value) > 0.5
    # the notebook's section 3 example: a loss near ln 4, not 6952
    r = run_network(**notebook_example())
    assert 1.0 <= r["loss"] <= 2.0


def test_note3_softmax_with_loss_backward_subtracts_one_per_row():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0]])
    t = np.array([1, 1, 0])
    _, backward = loss_forward("softmax_cross_entropy", z, t)
    dz = backward()
    expected = softmax(z).copy()
    expected[np.arange(3), t] -= 1.0  # one 1 per row, at that row's label
    np.testing.assert_allclose(dz, expected / 3)
    np.testing.assert_allclose(dz.sum(axis=1), 0.0, atol=1e-15)
    # same gradient from one-hot rows
    _, backward_rows = loss_forward("softmax_cross_entropy", z, np.eye(3)[t])
    np.testing.assert_allclose(backward_rows(), dz)


def test_note4_softmax_backward_uses_upstream_and_full_jacobian():
    x = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -3.0, 0.2]])
    dy = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 0.0, 1.0, 0.0]])
    y, backward = layer(SoftmaxSpec(), 4).forward(x, {})
    dx, _ = backward(dy)
    for n in range(2):
        _, J = softmax_jacobian(x[n])
        np.testing.assert_allclose(dx[n], J.T @ dy[n])  # vector-Jacobian product, row by row
    assert not np.allclose(dx, y * (1 - y))  # not the notebook's diagonal, upstream ignored
    dx2, _ = backward(2 * dy)
    np.testing.assert_allclose(dx2, 2 * dx)  # linear in the upstream gradient


def test_note5_relu_backward_leaves_upstream_untouched():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    dy = np.full((2, 2), 10.0)
    _, backward = layer(ActivationSpec("relu"), 2).forward(x, {})
    dx, _ = backward(dy)
    np.testing.assert_array_equal(dy, 10.0)  # the caller's upstream is unchanged
    np.testing.assert_array_equal(dx, [[0.0, 10.0], [10.0, 0.0]])
    assert not np.shares_memory(dx, dy)
    dy.flags.writeable = False  # and works on read-only upstream arrays
    for name in ACTIVATIONS:
        layer(ActivationSpec(name), 2).forward(x, {})[1](dy)


def test_note9_jacobian_is_diag_minus_outer_product():
    x = np.array([0.1, 2.0, -1.0])
    y, J = softmax_jacobian(x)
    np.testing.assert_allclose(J, np.diag(y) - np.outer(y, y))  # diag(y) - y y^T (3 x 3)
    assert J.shape == (3, 3)
    np.testing.assert_allclose(J, J.T)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-16)
    # Y^T Y for a row vector would be the 1 x 1 scalar sum(y^2): not a Jacobian
    assert np.ndim(y[None, :] @ y[:, None]) == 2 and (y[None, :] @ y[:, None]).shape == (1, 1)


def test_note10_mse_and_cross_entropy_backward_are_implemented():
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    L, backward = loss_forward("mse", y, t)
    assert 0.5 * np.sum((y - t) ** 2) / 2 == L
    np.testing.assert_allclose(backward(), (y - t) / 2)
    L, backward = loss_forward("cross_entropy", y, t)
    assert -(np.log(0.8) + np.log(0.6)) / 2 == L
    np.testing.assert_allclose(backward(), -t / y / 2)


def test_note11_sigmoid_does_not_overflow():
    x = np.array([-1e4, -1000.0, -745.0, 0.0, 745.0, 1000.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ACTIVATIONS["sigmoid"].f(x)
        dy = ACTIVATIONS["sigmoid"].df(x)
    np.testing.assert_array_equal(y[[0, 1, 3, 5, 6]], [0.0, 0.0, 0.5, 1.0, 1.0])
    assert np.all(np.isfinite(dy)) and dy[3] == 0.25
    assert 0 < y[2] < 1e-300  # e^-745 is still represented, not flushed by an overflow
