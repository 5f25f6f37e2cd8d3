"""Predictions judged before the reveal: slope, best step size, a sketched derivative."""

import numpy as np
import pytest

from app.engine import numdiff
from app.engine.errors import EngineError
from app.engine.exercises.predict import THRESHOLDS, predict
from app.engine.nn.activations import ACTIVATIONS


def test_slope_verdicts_against_the_exact_derivative():
    truth = np.cos(1.0)  # 0.5403
    assert predict("slope", expr="sin(x)", x0=1.0, answer="0.54")["verdict"] == "close"
    r = predict("slope", expr="sin(x)", x0=1.0, answer=0.5)
    assert r["expected"] == pytest.approx(truth, rel=1e-12)
    assert r["error"] == pytest.approx(abs(0.5 - truth))
    assert predict("slope", expr="sin(x)", x0=1.0, answer=0.3)["verdict"] == "near"
    assert predict("slope", expr="sin(x)", x0=1.0, answer=-1)["verdict"] == "far"
    # relative to the slope when it is steep
    r = predict("slope", expr="x**3", x0=3.0, answer=25)  # 27
    assert r["error"] == pytest.approx(2 / 27) and r["verdict"] == "close"
    assert predict("slope", expr="x**2", x0=1.0, answer="2")["score"] == 1.0


def test_slope_on_a_kink_accepts_either_side():
    for answer in (-1, 0, 0.5, 1):
        r = predict("slope", expr="abs(x)", x0=0.0, answer=answer)
        assert r["verdict"] == "close" and r["kink"] == {"left": -1.0, "right": 1.0}
    assert predict("slope", expr="abs(x)", x0=0.0, answer=2)["verdict"] == "far"
    assert "kink" not in predict("slope", expr="abs(x)", x0=0.5, answer=1)


def test_best_h_within_a_factor_of_ten_is_close():
    best = numdiff.step_sweep("sin(x)", 1.0)["best_h"]["central"]
    r = predict("best_h", expr="sin(x)", x0=1.0, answer=best * 9)
    assert r["verdict"] == "close" and r["expected"] == best
    assert predict("best_h", expr="sin(x)", x0=1.0, answer=best / 50)["verdict"] == "near"
    assert predict("best_h", expr="sin(x)", x0=1.0, answer=1e-12)["verdict"] == "far"
    fwd = predict("best_h", expr="sin(x)", x0=1.0, method="forward", answer=1e-8)
    assert fwd["verdict"] == "close"
    assert fwd["rule_of_thumb"] == pytest.approx(np.sqrt(np.finfo(float).eps))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_true_derivative_scores_perfect_and_a_flat_line_does_not(name):
    x = np.linspace(-3, 3, 61)
    dy = ACTIVATIONS[name].df(x)
    r = predict("sketch", activation=name, x=list(x), y=list(dy))
    assert r["verdict"] == "close" and r["error"] < 0.02
    assert np.allclose(r["expected"], dy)
    off = predict("sketch", activation=name, x=list(x), y=list(dy + 0.5))
    assert off["error"] == pytest.approx(0.5 / max(1, np.ptp(dy)), rel=0.05)


def test_sketch_worst_point_and_kink():
    x = np.linspace(-3, 3, 41)
    y = (x > 0).astype(float)
    y[35] = 3.0  # a slip at x = 2.25
    r = predict("sketch", activation="relu", x=list(x), y=list(y))
    assert r["worst_x"] == pytest.approx(2.25, abs=0.02)
    assert r["kinks"] == [0.0]
    # a jump drawn between the two points around 0 is not wrong there
    y[35] = 1.0
    assert predict("sketch", activation="relu", x=list(x), y=list(y))["error"] == 0.0
    flat = predict("sketch", activation="tanh", x=list(x), y=[0.0] * 41)
    assert flat["verdict"] == "far" and flat["worst_x"] == pytest.approx(0.0, abs=0.02)
    assert THRESHOLDS["sketch"] == {"close": 0.1, "near": 0.25}


def test_nothing_writes_into_the_callers_lists():
    x, y = [0.0, 1.0, 2.0], [1.0, 1.0, 1.0]
    predict("sketch", activation="relu", x=x, y=y)
    assert x == [0.0, 1.0, 2.0] and y == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("kw", "loc"),
    [
        ({"kind": "sketch", "activation": "relu", "x": [0, 1], "y": [1]}, ("y",)),
        ({"kind": "sketch", "activation": "relu", "x": [1, 0], "y": [1, 1]}, ("x",)),
        ({"kind": "sketch", "activation": "nope", "x": [0, 1], "y": [1, 1]}, ("activation",)),
        ({"kind": "sketch", "activation": "relu"}, ("x",)),
        ({"kind": "slope", "expr": "sin(x)", "x0": 1.0}, ("answer",)),
        ({"kind": "slope", "expr": "sin(y)", "x0": 1.0, "answer": 1}, ("expr",)),
        ({"kind": "slope", "expr": "log(x)", "x0": -1.0, "answer": 1}, ("x0",)),
        ({"kind": "best_h", "expr": "sin(x)", "x0": 1.0, "answer": 0}, ("answer",)),
        (
            {"kind": "best_h", "expr": "sin(x)", "x0": 1.0, "answer": 1e-5, "method": "backward"},
            ("method",),
        ),
        ({"kind": "guess"}, ("kind",)),
    ],
)
def test_bad_requests_name_the_field(kw, loc):
    with pytest.raises(EngineError) as e:
        predict(**kw)
    assert e.value.loc == loc
