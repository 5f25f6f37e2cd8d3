"""The optimizer records and the descent of an expression with each: convergence, divergence,
warnings, the notebook's run, pure steps on tensors of any shape, state that survives JSON."""

import json

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.numdiff import descent
from app.engine.optimizers import OPTIMIZERS, state_from_json, state_to_json

# A convex quadratic with minimum where its gradient (2(x1-1) + x2/2, 6(x2+2) + x1/2) vanishes.
QUADRATIC = "(x1 - 1)**2 + 3*(x2 + 2)**2 + 0.5*x1*x2"
MINIMUM = np.linalg.solve([[2.0, 0.5], [0.5, 6.0]], [2.0, -12.0])

LR = {"adagrad": 0.5}  # 0.05 for the others
# Hyper-parameters that move the fixed point off f's minimum, switched off for convergence.
NO_DECAY = {"weight_decay": 0.0}


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_converges_on_a_convex_quadratic(optimizer):
    options = {k: v for k, v in NO_DECAY.items() if k in OPTIMIZERS[optimizer].defaults}
    lr = LR.get(optimizer, 0.05)
    r = descent(QUADRATIC, [2.0, 3.0], lr=lr, steps=5000, optimizer=optimizer, options=options)
    assert r["stopped"] == "converged"
    np.testing.assert_allclose(r["final"], MINIMUM, atol=1e-7)
    assert r["grad_norms"][-1] < 1e-8
    k = r["steps_taken"]
    assert r["path"].shape == (k + 1, 2)
    assert r["values"].shape == r["grad_norms"].shape == (k + 1,)
    np.testing.assert_array_equal(r["path"][0], [2.0, 3.0])
    np.testing.assert_array_equal(r["path"][-1], r["final"])
    assert r["values"][-1] < r["values"][0]
    assert r["nonfinite"] == 0


def test_notebook_run_reproduces_its_printed_result():
    # In[105]: diff.gradient_descent(func_2, input_val) -> array([3.36597239e-09, 3.28189298e-02])
    r = descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000)
    assert r["stopped"] == "max_steps"
    assert r["steps_taken"] == 1000
    assert r["path"].shape == (1001, 2)
    np.testing.assert_allclose(r["final"], [3.36597239e-09, 3.28189298e-02], rtol=1e-8)
    # x1 shrinks by (1 - 2 lr) per step exactly as the closed form says.
    assert r["final"][0] == pytest.approx(2 * 0.98**1000, rel=1e-6)


def test_one_evaluation_per_step(monkeypatch):
    # Counting work, not seconds: the value and the whole gradient come from one call of f.
    from app.engine.expr import expression

    calls = []
    original = expression.compile_tree

    def counting(*args, **kwargs):
        run = original(*args, **kwargs)
        return lambda env: calls.append(1) or run(env)

    monkeypatch.setattr(expression, "compile_tree", counting)
    r = descent("x1**2 + x2**3 + 1", [2.0, 3.0], lr=0.01, steps=1000)
    hessian_calls = 1  # the lr limit 2/λmax at the start
    assert len(calls) == r["steps_taken"] + 1 + hessian_calls


def test_diverged_keeps_the_offending_point():
    r = descent("x1**2", [1.0], lr=1.5, steps=100)
    assert r["stopped"] == "diverged"
    assert abs(r["values"][-1]) > 1e12
    assert np.all(np.abs(r["values"][:-1]) <= 1e12)
    assert r["steps_taken"] == len(r["path"]) - 1 < 100
    assert r["lr_limit"] == pytest.approx(1.0, rel=1e-6)
    assert r["warning"].startswith("lr 1.5 is above 2/λmax = 1 at the start point")


def test_diverged_on_nonfinite_value():
    r = descent("exp(x1**2)", [5.0], lr=1.0, steps=100)
    assert r["stopped"] == "diverged"
    assert not np.isfinite(r["values"][-1]) or abs(r["values"][-1]) > 1e12
    r = descent("-x1**3", [1.0], lr=0.5, steps=1000)  # unbounded below
    assert r["stopped"] == "diverged"


def test_stopped_reasons_and_steps():
    r = descent("x1**2 + x2**2", [0.0, 0.0])
    assert r["stopped"] == "converged" and r["steps_taken"] == 0
    assert r["path"].shape == (1, 2)
    r = descent("x1**2 + x2**2", [1.0, 1.0], lr=0.01, steps=10)
    assert r["stopped"] == "max_steps" and r["steps_taken"] == 10
    np.testing.assert_allclose(r["final"], 0.98**10, rtol=1e-9)
    r = descent("x1**2", [1.0], lr=0.1, steps=10_000, tol=1e-3)
    assert r["stopped"] == "converged" and r["grad_norms"][-1] < 1e-3 <= r["grad_norms"][-2]


def test_constant_function_converges_immediately():
    r = descent("5", [1.0, 2.0])
    assert r["stopped"] == "converged" and r["values"].tolist() == [5.0]
    assert r["lr_limit"] is None and r["warning"] is None


def test_lr_warning_only_when_unstable():
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.05, steps=5)
    assert r["lr_limit"] == pytest.approx(0.1, rel=1e-6) and r["warning"] is None
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.5, steps=5)
    assert "above 2/λmax = 0.1" in r["warning"]
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.15, steps=5, optimizer="momentum")
    assert r["warning"] is None  # heavy ball is stable up to 2(1+μ)/λmax = 0.19
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.2, steps=5, optimizer="momentum")
    assert "2(1+μ)/λmax" in r["warning"]
    r = descent("x1**2 + 10*x2**2", [1.0, 1.0], lr=0.5, steps=5, optimizer="adam")
    assert r["warning"] is None


@pytest.mark.parametrize(("optimizer", "mu"), [("momentum", 0.9), ("nesterov", 0.9)])
def test_momentum_stability_bounds_match_the_warning(optimizer, mu):
    # On f = x², λ = 2; just below the bound converges, just above diverges.
    factor = (1 + mu) if optimizer == "momentum" else (1 + mu) / (1 + 2 * mu)
    bound = 2 / 2 * factor
    below = descent("x1**2", [1.0], lr=0.95 * bound, steps=10_000, optimizer=optimizer)
    above = descent("x1**2", [1.0], lr=1.05 * bound, steps=10_000, optimizer=optimizer)
    assert below["stopped"] == "converged" and below["warning"] is None
    assert above["stopped"] == "diverged" and above["warning"] is not None


def test_options_and_defaults():
    assert dict(OPTIMIZERS["adam"].defaults) == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert OPTIMIZERS["momentum"].defaults["momentum"] == 0.9
    # the first six keep their places (a new record goes after them: colours are by index)
    assert list(OPTIMIZERS)[:6] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    with pytest.raises(TypeError):
        OPTIMIZERS["adam"].defaults["eps"] = 1.0  # a record's defaults are read-only
    r = descent("x1**2", [1.0], steps=3, optimizer="momentum", options={"momentum": 0.5})
    assert r["options"] == {"momentum": 0.5}
    # v1 = g0 = 2; x1 = 1 - 0.01*2 = 0.98; v2 = 0.5*2 + 1.96 = 2.96; x2 = 0.98 - 0.0296
    assert r["path"][2, 0] == pytest.approx(0.98 - 0.0296, rel=1e-9)
    with pytest.raises(EngineError, match="adam has no option 'momentum'") as info:
        descent("x1**2", [1.0], optimizer="adam", options={"momentum": 0.9})
    assert info.value.loc == ("momentum",)
    with pytest.raises(EngineError, match="sgd has no option 'eps'; its options are: none"):
        OPTIMIZERS["sgd"].options({"eps": 0.1})


def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes Adam's first step ≈ lr·sign(g) whatever the gradient's size.
    r = descent("1000*x1**2 - x2", [1.0, 1.0], lr=0.1, steps=1, optimizer="adam")
    np.testing.assert_allclose(r["path"][1], [0.9, 1.1], rtol=1e-6)


def test_descent_checks_the_expression():
    with pytest.raises(EngineError) as info:
        descent("x1 + y", [1.0, 1.0])
    assert info.value.loc == ("expr",)


def test_start_is_not_modified():
    start = [2.0, 3.0]
    arr = np.array([2.0, 3.0])
    descent("x1**2 + x2**3 + 1", start, steps=50)
    descent("x1**2 + x2**3 + 1", arr, steps=50)
    assert start == [2.0, 3.0]
    np.testing.assert_array_equal(arr, [2.0, 3.0])


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_extreme_start_diverges_without_warnings(optimizer):
    r = descent("x1**2 + exp(x2)", [1e200, 800.0], lr=1.0, steps=50, optimizer=optimizer)
    assert r["stopped"] == "diverged" and r["steps_taken"] == 0
    assert r["nonfinite"] >= 1


# ----------------------------------------------------------------------------------------------
# The records on their own, as a training loop uses them: lists of tensors of any shape.

SHAPES = [(3, 2), (2,), (), (1, 1, 4)]


def _tensors(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in SHAPES]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_step_is_pure_and_keeps_shapes(name):
    rule = OPTIMIZERS[name]
    params, grads = _tensors(0), _tensors(1)
    state = rule.init([p.shape for p in params])
    assert set(state) == set(rule.slots)
    before = [a.copy() for a in (*params, *grads, *(x for xs in state.values() for x in xs))]
    new, new_state = rule.step(params, grads, state, 1, 0.1, rule.options())
    after = [*params, *grads, *(x for xs in state.values() for x in xs)]
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)  # nothing the caller holds was written into
    assert [p.shape for p in new] == [p.shape for p in params]
    assert all(p.dtype == np.float64 for p in new)
    for slot in rule.slots:
        assert [a.shape for a in new_state[slot]] == [p.shape for p in params]
    assert not any(np.shares_memory(a, b) for a in new for b in params)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_tensor_steps_as_if_it_were_alone(name):
    # A list of tensors is the same as each tensor on its own, flattened or not.
    rule, o = OPTIMIZERS[name], OPTIMIZERS[name].options()
    params, grads = _tensors(2), _tensors(3)
    together, _ = rule.step(params, grads, rule.init([p.shape for p in params]), 3, 0.05, o)
    for p, g, want in zip(params, grads, together, strict=True):
        (alone,), _ = rule.step([p.ravel()], [g.ravel()], rule.init([(p.size,)]), 3, 0.05, o)
        np.testing.assert_array_equal(alone, want.ravel())


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_survives_json_and_resumes_bit_for_bit(name):
    rule, o = OPTIMIZERS[name], OPTIMIZERS[name].options()
    rng = np.random.default_rng(4)
    params = _tensors(5)
    state = rule.init([p.shape for p in params])
    grads_seq = [[rng.normal(size=s) for s in SHAPES] for _ in range(8)]

    def run(params, state, ts):
        for t in ts:
            params, state = rule.step(params, grads_seq[t - 1], state, t, 0.01, o)
        return params, state

    straight, _ = run(params, state, range(1, 9))
    half, half_state = run(params, state, range(1, 5))
    text = json.dumps({"params": [p.tolist() for p in half], "state": state_to_json(half_state)})
    data = json.loads(text)
    resumed, _ = run(
        [np.array(p, dtype=np.float64) for p in data["params"]],
        state_from_json(data["state"]),
        range(5, 9),
    )
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit


def test_adam_matches_its_formula_by_hand():
    # Two steps of Adam on one number, written out from the paper (Kingma & Ba, Algorithm 1).
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    x, m, v = 1.0, 0.0, 0.0
    for t, g in ((1, 0.5), (2, -0.25)):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    rule = OPTIMIZERS["adam"]
    p, s = [np.array(1.0)], rule.init([()])
    for t, g in ((1, 0.5), (2, -0.25)):
        p, s = rule.step(p, [np.array(g)], s, t, lr, rule.options())
    assert float(p[0]) == pytest.approx(x, rel=1e-15)


def test_sgd_exactly_at_two_over_lambda_max_warns_though_the_bound_rounds_above_it():
    r = descent("x1**2 + x2**2", [1.0, 1.0], lr=1.0, steps=20)
    assert r["lr_limit"] > 1.0  # 1.0000000005: a finite-difference Hessian
    assert "oscillate" in r["warning"] and r["stopped"] == "max_steps"
    assert [w["code"] for w in r["warnings"]] == ["lr_above_stability_bound"]


def test_warning_uses_each_records_bound():
    assert OPTIMIZERS["adam"].warning(10.0, 0.1, OPTIMIZERS["adam"].options()) is None
    sgd = OPTIMIZERS["sgd"]
    assert sgd.warning(0.1 * (1 - 2e-6), 0.1, {}) is None
    assert "oscillate" in sgd.warning(0.1, 0.1, {})  # on the bound: |1 - lr λ| = 1
    assert "2/λmax = 0.1" in sgd.warning(0.2, 0.1, {})
    nesterov = OPTIMIZERS["nesterov"]
    o = nesterov.options({"momentum": 0.5})
    assert nesterov.warning(0.1 * 1.5 / 2.0 * 0.99, 0.1, o) is None
    assert "2(1+μ)/((1+2μ)λmax) = 0.075" in nesterov.warning(0.08, 0.1, o)


def test_adamw_matches_pytorchs_formula_by_hand():
    # torch.optim.AdamW: p *= 1 - lr·wd (decoupled, before the moments), then Adam's step.
    b1, b2, eps, lr, wd = 0.9, 0.999, 1e-8, 0.1, 0.01
    x, m, v = 1.0, 0.0, 0.0
    for t, g in ((1, 0.5), (2, -0.25), (3, 0.125)):
        x = x * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    rule = OPTIMIZERS["adamw"]
    assert dict(rule.defaults) == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}
    p, s = [np.array(1.0)], rule.init([()])
    for t, g in ((1, 0.5), (2, -0.25), (3, 0.125)):
        p, s = rule.step(p, [np.array(g)], s, t, lr, rule.options())
    assert float(p[0]) == pytest.approx(x, rel=1e-15)


def test_adamw_without_decay_is_adam_and_with_it_stops_off_the_minimum():
    adam = descent(QUADRATIC, [2.0, 3.0], lr=0.05, steps=300, optimizer="adam")
    plain = descent(QUADRATIC, [2.0, 3.0], lr=0.05, steps=300, optimizer="adamw",
                    options={"weight_decay": 0.0})  # fmt: skip
    np.testing.assert_array_equal(plain["path"], adam["path"])
    decayed = descent(QUADRATIC, [2.0, 3.0], lr=0.05, steps=5000, optimizer="adamw",
                      options={"weight_decay": 0.1})  # fmt: skip
    assert decayed["stopped"] == "max_steps"  # the decay's pull keeps the gradient from 0
    gap = np.abs(decayed["final"] - MINIMUM).max()
    assert 1e-4 < gap < 0.1  # pulled toward 0, off f's minimum
    assert np.linalg.norm(decayed["final"]) < np.linalg.norm(MINIMUM)


def test_every_hyper_parameter_is_described_once():
    from app.engine.optimizers import HYPERS

    for o in OPTIMIZERS.values():
        assert o.label and o.latex
        for name, default in o.defaults.items():
            h = HYPERS[name]
            assert h.lo < default if h.lo_open else h.lo <= default
            assert default <= h.hi if h.hi_closed else default < h.hi


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_rule_in_place_gives_the_rules_bits(name):
    """``rule_into`` (the training loop's update, written into x and the state) takes ten steps
    to the very bits of the pure ``rule``, options off their defaults included."""
    opt = OPTIMIZERS[name]
    rng = np.random.default_rng(3)
    options = opt.options({k: v * 0.7 for k, v in opt.defaults.items()})
    x = rng.normal(size=50)
    state = {k: [np.abs(rng.normal(size=50))] for k in opt.slots}
    x_in, slots_in = x.copy(), tuple(s[0].copy() for s in state.values())
    for t in range(1, 11):
        g = rng.normal(size=50)
        (x,), state = opt.step([x], [g], state, t, 0.05, options)
        opt.rule_into(x_in, g.copy(), slots_in, t, 0.05, options)
        assert x_in.tobytes() == x.tobytes()
        for k, s in zip(opt.slots, slots_in, strict=True):
            assert s.tobytes() == state[k][0].tobytes()
