"""The gradient check's one verdict rule (app.engine.verdicts.judge), through the network."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.nn.network import gradient_check, passes, prepare, run_network
from app.engine.verdicts import PASSING, VERDICT_RULES, VERDICTS, judge

ISSUE_FLOAT32 = {
    "x": [[0.3, -0.7], [1.1, 0.2]],
    "targets": [0, 1],
    "layers": [
        {"type": "affine", "W": [[0.3, -0.2], [0.1, 0.4]], "b": [0, 0.1]},
        {"type": "tanh"},
        {"type": "affine", "W": [[1, -1], [0.5, 0.5]], "b": [0, 0]},
    ],
    "loss": "softmax_cross_entropy",
}


def test_the_issues_float32_check_is_a_correct_gradient_and_says_so_once():
    d = run_network(**ISSUE_FLOAT32, gradcheck=True, dtype="float32")
    w0 = d["gradcheck"][0]
    assert (w0["index"], w0["param"]) == (0, "W")
    assert w0["max_rel_error"] > 0.1  # rel_error keeps its meaning: true zeros vs float32 noise
    assert w0["verdict"] in ("good", "acceptable") and w0["passed"]
    for c in d["gradcheck"]:
        assert c["passed"] == (c["verdict"] in PASSING)


def test_a_tiny_entry_of_a_large_tensor_is_judged_against_the_scale():
    a = np.array([0.158, -0.02, 6.5e-8])
    n = a + np.array([1e-11, -2e-11, 4e-9])  # the small entry: rel_error 0.03, scaled 2.5e-8
    j = judge(a, n)
    assert j.verdict == "good" and j.scale == pytest.approx(0.158)


def test_the_verdict_order_and_the_constants_are_served():
    assert VERDICTS == ("good", "acceptable", "kink", "suspicious", "wrong")
    for r in VERDICT_RULES.values():
        assert r.good < r.acceptable < 1e-3 < r.wrong  # a 1e-3 error is never acceptable


def test_kink_needs_the_detector_and_a_wrong_backward_away_from_kinks_is_wrong():
    a, n = np.array([0.0, 1.0]), np.array([0.5, 1.0])
    assert judge(a, n).verdict == "wrong"
    assert judge(a, n, np.array([True, False])).verdict == "kink"
    assert judge(a, n + np.array([0, 0.1]), np.array([True, False])).verdict == "wrong"
    assert judge(a, n + np.array([0, 1e-3]), np.array([True, False])).verdict == "suspicious"


SMOOTH = ["sigmoid", "tanh", "softplus", "gelu", "identity"]


@st.composite
def stacks(draw):
    n_layers = draw(st.integers(1, 3))
    layers = []
    for _ in range(n_layers):
        layers.append(
            {
                "type": "affine",
                "out": draw(st.integers(1, 8)),
                "init": "xavier",
                "seed": draw(st.integers(0, 999)),
            }
        )
        layers.append({"type": draw(st.sampled_from(SMOOTH))})
    N, D = draw(st.integers(1, 5)), draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, D))
    loss = draw(st.sampled_from(["mse", "softmax_cross_entropy"]))
    C = layers[-2]["out"]
    t = rng.standard_normal((N, C)) if loss == "mse" else rng.integers(0, C, N)
    return x.tolist(), t.tolist(), layers, loss, draw(st.sampled_from(["float64", "float32"]))


def _checked(stack):
    x, t, layers, loss, dtype = stack
    net, params, xa, ta = prepare(x, t, layers, loss, dtype)
    _, outputs, grads, _ = passes(net, params, xa, ta)
    return net, params, xa, ta, grads, outputs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks())
def test_correct_gradients_of_smooth_stacks_are_never_suspicious_or_wrong(stack):
    d = run_network(*stack[:4], gradcheck=True, dtype=stack[4])
    for c in d["gradcheck"]:
        assert c["verdict"] in ("good", "acceptable"), (c["param"], c["max_scaled_error"])
        assert c["passed"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks(), st.integers(0, 10**6), st.sampled_from([1, -1]), st.floats(1e-3, 1.0))
def test_one_analytic_entry_off_by_1e_3_of_the_scale_is_always_caught(stack, pick, sign, size):
    """The harness: the same stacks, one analytic entry moved by >= 1e-3 of the tensor's scale
    (the scale the verdict uses: max(largest |entry|, the dtype's floor))."""
    net, params, x, t, grads, outputs = _checked(stack)
    tensors = [(i, k) for i, (_, g) in enumerate(grads) for k in g] + [(0, "x")]
    i, name = tensors[pick % len(tensors)]
    analytic = grads[i][0] if name == "x" else grads[i][1][name]
    rule = VERDICT_RULES[stack[4]]
    scale = max(float(np.abs(analytic).max()), rule.scale_floor)
    broken = analytic.copy()
    flat = broken.reshape(-1)
    j = pick % flat.size
    flat[j] += sign * size * scale
    if name == "x":
        grads = [(broken, grads[0][1]), *grads[1:]]
    else:
        grads = [*grads[:i], (grads[i][0], {**grads[i][1], name: broken}), *grads[i + 1 :]]
    items, _ = gradient_check(net, params, x, t, grads, 1e-5, outputs)
    item = next(c for c in items if (c["index"], c["param"]) == (i, name))
    assert item["verdict"] in ("suspicious", "wrong") and not item["passed"]
