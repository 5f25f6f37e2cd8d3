"""The nudge test: actual loss changes against the gradient's first-order prediction."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn.network import run_network
from app.engine.nn.nudge import nudge

RNG = np.random.default_rng(11)
X = RNG.normal(size=(5, 3))
T = [0, 2, 1, 1, 0]
SMOOTH = [
    {"type": "affine", "out": 4, "seed": 1},
    {"type": "tanh"},
    {"type": "affine", "out": 3, "seed": 2},
]
DELTAS = np.logspace(-5, -2, 7)


def test_actual_change_equals_direct_re_evaluation():
    r = nudge(
        X, T, SMOOTH, "softmax_cross_entropy", index=2, param="W", entry=[1, 2], deltas=DELTAS
    )
    base = run_network(X, T, SMOOTH, "softmax_cross_entropy")
    W = base["params"][1]["W"]
    layers = [*SMOOTH[:2], {"type": "affine", "W": W, "b": base["params"][1]["b"]}]
    for d, actual in zip(DELTAS, r["actual"], strict=True):
        moved = W.copy()
        moved[1, 2] += d
        layers[2] = {"type": "affine", "W": moved, "b": base["params"][1]["b"]}
        direct = run_network(X, T, layers, "softmax_cross_entropy")["loss"] - base["loss"]
        assert actual == pytest.approx(direct, rel=1e-9, abs=1e-15)
    assert r["grad"] == base["backward"][2]["grads"]["W"][1, 2]
    np.testing.assert_array_equal(r["predicted"], r["grad"] * DELTAS)


def test_the_gap_shrinks_like_delta_squared_where_smooth():
    r = nudge(X, T, SMOOTH, "softmax_cross_entropy", index=0, param="b", entry=[3], deltas=DELTAS)
    assert not r["crossed_kink"].any() and r["warnings"] == []
    assert 1.9 < r["order"] < 2.1
    assert np.all(np.diff(r["gap"]) > 0)  # bigger nudges, bigger gap


def test_a_nudge_across_a_relu_kink_is_said_and_breaks_the_square_law():
    layers = [
        {"type": "affine", "W": [[1.0, -1.0]], "b": [1e-3, 0.5]},  # column 0 sits 1e-3 above 0
        {"type": "relu"},
        {"type": "affine", "W": [[2.0], [1.0]], "b": [0.0]},
    ]
    deltas = -np.logspace(-5, -1, 9)  # nudging b0 down crosses the kink once |d| > 1e-3
    r = nudge([[0.0]], [[1.0]], layers, "mse", index=0, param="b", entry=[0], deltas=deltas)
    np.testing.assert_array_equal(
        r["crossed_kink"], np.abs(deltas) >= 1e-3
    )  # at 0: relu's left side
    assert [w["code"] for w in r["warnings"]] == ["nudge_crosses_kink"]
    kinked = np.abs(deltas) > 2e-3  # well past the kink
    # past the kink the relu is flat: the actual change stops growing, the prediction does not
    assert np.all(r["gap"][kinked] > 0.1 * np.abs(r["predicted"][kinked]))


def test_nudging_an_input_entry():
    r = nudge(
        X, T, SMOOTH, "softmax_cross_entropy", index=0, param="x", entry=[2, 1], deltas=DELTAS
    )
    base = run_network(X, T, SMOOTH, "softmax_cross_entropy")
    assert r["grad"] == base["backward"][0]["grad_input"][2, 1]
    assert 1.9 < r["order"] < 2.1


def test_inputs_are_not_written():
    x = X.copy()
    x.flags.writeable = False
    nudge(x, T, SMOOTH, "softmax_cross_entropy", index=0, param="x", entry=[0, 0], deltas=DELTAS)
    np.testing.assert_array_equal(x, X)


@pytest.mark.parametrize(
    ("kw", "loc", "words"),
    [
        ({"index": 7, "param": "W", "entry": [0, 0]}, ("index",), "no layer 7"),
        ({"index": 1, "param": "W", "entry": [0, 0]}, ("param",), "has no parameter 'W'"),
        ({"index": 0, "param": "W", "entry": [3, 0]}, ("entry",), "shape is [3, 4]"),
        ({"index": 0, "param": "b", "entry": [0, 0]}, ("entry",), "outside"),
    ],
)
def test_a_wrong_target_is_named(kw, loc, words):
    with pytest.raises(EngineError) as err:
        nudge(X, T, SMOOTH, "softmax_cross_entropy", deltas=DELTAS, **kw)
    assert err.value.loc == loc and words in err.value.msg
