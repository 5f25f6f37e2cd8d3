"""run_network: the contract's shape, gradient checks of random stacks, presets, errors."""

import re

import numpy as np
import pytest

from app.engine import cost
from app.engine.errors import EngineError
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.network import (
    gradcheck_cost,
    gradient_check,
    passes,
    prepare,
    run_network,
    shapes_of,
)
from app.engine.nn.presets import PRESETS, TITLES, contract_example, notebook_example, toy_2d

ACT_NAMES = sorted(ACTIVATIONS)

CONTRACT_EXAMPLE = contract_example()


def random_stack(seed: int) -> dict:
    """A random 2-5 layer stack; seed picks the activation so every one is covered."""
    rng = np.random.default_rng(seed)
    N, width = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    x = rng.normal(0, 1.5, size=(N, width))
    layers = []
    n_layers = int(rng.integers(2, 6))
    for k in range(n_layers):
        if k % 2 == 0 or k == n_layers - 1:
            out = int(rng.integers(1, 6))
            layers.append({"type": "affine", "in": width, "out": out, "init": "xavier", "seed": k})
            width = out
        else:
            name = ACT_NAMES[(seed + k) % len(ACT_NAMES)]
            layer = {"type": name}
            if ACTIVATIONS[name].default_alpha is not None and rng.random() < 0.5:
                layer["alpha"] = float(rng.uniform(0.05, 2.0))
            layers.append(layer)
    loss = ("cross_entropy", "softmax_cross_entropy", "mse")[seed % 3]
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    targets = rng.integers(0, width, size=N) if loss != "mse" else rng.normal(size=(N, width))
    return {"x": x, "targets": targets, "layers": layers, "loss": loss}


def _run(case: dict, **kw) -> dict:
    return run_network(case["x"], case["targets"], case["layers"], case["loss"], **kw)


def test_contract_example_response_shape():
    r = _run(CONTRACT_EXAMPLE, gradcheck=True)
    assert set(r) == {"loss", "forward", "backward", "params", "seed", "gradcheck", "warnings"}
    assert isinstance(r["loss"], float)
    assert r["seed"].shape == r["forward"][-1]["output"].shape
    assert [f["type"] for f in r["forward"]] == ["affine", "sigmoid", "affine", "softmax"]
    assert [f["output"].shape for f in r["forward"]] == [(2, 4), (2, 4), (2, 3), (2, 3)]
    assert [b["index"] for b in r["backward"]] == [0, 1, 2, 3]
    assert [b["grad_input"].shape for b in r["backward"]] == [(2, 2), (2, 4), (2, 4), (2, 3)]
    assert set(r["backward"][0]["grads"]) == {"W", "b"} and "grads" not in r["backward"][1]
    assert [p["index"] for p in r["params"]] == [0, 2]
    assert r["params"][1]["W"].shape == (4, 3) and r["params"][1]["b"].shape == (3,)
    checks = [(c["index"], c["param"]) for c in r["gradcheck"]]
    assert checks == [(0, "W"), (0, "b"), (2, "W"), (2, "b"), (0, "x")]
    assert all(c["passed"] for c in r["gradcheck"])
    for c in r["gradcheck"]:
        assert c["numeric"].shape == c["rel_error"].shape
        assert c["max_rel_error"] == pytest.approx(float(c["rel_error"].max()))
    assert _run(CONTRACT_EXAMPLE)["gradcheck"] is None


def test_backward_chains_through_every_layer():
    r = _run(CONTRACT_EXAMPLE)
    p, fwd = r["params"], r["forward"]
    dW2 = fwd[1]["output"].T @ r["backward"][3]["grad_input"]  # x^T dy of layer 2
    np.testing.assert_allclose(r["backward"][2]["grads"]["W"], dW2)
    np.testing.assert_allclose(
        r["backward"][2]["grad_input"], r["backward"][3]["grad_input"] @ p[1]["W"].T
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_stacks_pass_gradcheck_float64(seed):
    r = _run(random_stack(seed), gradcheck=True)
    for c in r["gradcheck"]:
        assert c["passed"], (c["index"], c["param"])
        assert c["max_rel_error"] < 1e-4, (c["index"], c["param"], c["max_rel_error"])


@pytest.mark.parametrize("seed", range(0, 40, 5))
def test_the_float64_check_reusing_the_pass_gives_the_bits_of_a_fresh_forward(seed):
    """A float64 pass's outputs serve as the check's layer inputs: the same items as the check
    that runs the forward itself, and nothing written into the pass's arrays."""
    case = random_stack(seed)
    net, params, x, t = prepare(case["x"], case["targets"], case["layers"], case["loss"], "float64")
    _, outputs, grads, _ = passes(net, params, x, t)
    kept = [y.copy() for y in outputs], [{k: v.copy() for k, v in p.items()} for p in params]
    reused = gradient_check(net, params, x, t, grads, 1e-5, outputs)
    fresh = gradient_check(net, params, x, t, grads, 1e-5)
    assert reused[1] == fresh[1]
    for a, b in zip(reused[0], fresh[0], strict=True):
        assert a.keys() == b.keys()
        for k in a:
            assert np.array_equal(a[k], b[k]), k
    assert all(np.array_equal(a, b) for a, b in zip(outputs, kept[0], strict=True))
    for p, q in zip(params, kept[1], strict=True):
        assert all(np.array_equal(p[k], q[k]) for k in p)


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_random_stacks_pass_gradcheck_float32(seed):
    r = _run(random_stack(seed), gradcheck=True, dtype="float32")
    assert r["forward"][-1]["output"].dtype == np.float32
    assert r["backward"][0]["grad_input"].dtype == np.float32
    for c in r["gradcheck"]:
        assert c["numeric"].dtype == np.float64
        assert c["passed"], (c["index"], c["param"], c["max_rel_error"])


def test_float32_and_float64_agree_to_float32_precision():
    case = random_stack(5)
    r64, r32 = _run(case), _run(case, dtype="float32")
    assert r32["loss"] == pytest.approx(r64["loss"], rel=1e-5)


def test_caller_arrays_are_never_written():
    case = notebook_example(seed=3)
    x = case["x"][:50].copy()
    t = case["targets"][:50].copy()
    W, b = case["layers"][0]["W"].copy(), case["layers"][0]["b"].copy()
    frozen = [x, t, W, b]
    copies = [a.copy() for a in frozen]
    for a in frozen:
        a.flags.writeable = False
    layers = [{"type": "affine", "W": W, "b": b}, {"type": "sigmoid"}, {"type": "softmax"}]
    r = run_network(x, t, layers, "cross_entropy", gradcheck=True, dtype="float32")
    r = run_network(x, t, layers, "cross_entropy", gradcheck=True)
    for a, c in zip(frozen, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    W_used = r["params"][0]["W"]
    assert W_used.flags.writeable and not np.shares_memory(W_used, W)  # a copy, not an alias
    for item in r["forward"] + r["backward"]:
        for a in (item.get("output"), item.get("grad_input")):
            assert a is None or not any(np.shares_memory(a, c) for c in frozen)


def test_integer_inputs_are_promoted():
    r = run_network([[1, 2], [3, 4]], [0, 1], [{"type": "affine", "W": [[1, 0], [0, 1]]}], "mse")
    assert r["forward"][0]["output"].dtype == np.float64
    assert r["params"][0]["b"].tolist() == [0.0, 0.0]  # b defaults to zeros
    assert r["backward"][0]["grads"]["W"].dtype == np.float64


def test_row_bias_and_inferred_in():
    layers = [
        {"type": "affine", "W": [[1.0, 2.0]], "b": [[0.5, -0.5]]},
        {"type": "relu"},
        {"type": "affine", "out": 3, "seed": 1},
    ]
    r = run_network([[1.0], [2.0]], [0, 2], layers, "softmax_cross_entropy", gradcheck=True)
    assert r["params"][0]["b"].shape == (2,)
    assert r["params"][1]["W"].shape == (2, 3)
    assert all(c["passed"] for c in r["gradcheck"])


def test_presets():
    assert set(PRESETS) == set(TITLES) == {"notebook", "toy_2d"}
    r = _run(toy_2d(), gradcheck=True)
    assert all(c["passed"] for c in r["gradcheck"])
    assert _run(PRESETS["toy_2d"]())["loss"] == r["loss"]  # seeded


def test_notebook_preset_loss_and_gradcheck():
    case = notebook_example()
    assert case["x"].shape == (1000, 2) and case["x"].dtype == np.float64
    assert case["x"].min() >= 0 and case["x"].max() <= 99 and np.all(case["x"] == case["x"].round())
    assert case["targets"].shape == (1000,) and set(np.unique(case["targets"])) <= {0, 1, 2, 3}
    r = _run(case, gradcheck=True)
    assert 1.0 <= r["loss"] <= 2.0
    assert abs(r["loss"] - np.log(4)) < 0.3
    assert all(c["passed"] for c in r["gradcheck"])


# --- errors: a sentence and a location -----------------------------------------------------


def _layers_with_bad_width():
    return [
        {"type": "affine", "in": 2, "out": 3},
        {"type": "tanh"},
        {"type": "affine", "W": np.ones((4, 2)), "b": [0, 0]},
    ]


def test_shape_mismatch_sentence():
    with pytest.raises(EngineError) as err:
        run_network(np.ones((5, 2)), [0] * 5, _layers_with_bad_width(), "softmax_cross_entropy")
    assert "layer 2 (affine) expects input width 4, got 3" in err.value.msg
    assert "layer 1 (tanh)" in err.value.msg
    assert err.value.loc == ("layers", 2, "W")


@pytest.mark.parametrize(
    ("layers", "loc", "message"),
    [
        (
            [{"type": "affine", "in": 3, "out": 2}],
            ("layers", 0, "in"),
            "expects input width 3, got 2",
        ),
        ([{"type": "affine", "in": 3, "W": np.ones((2, 2))}], ("layers", 0, "in"), "in=3"),
        ([{"type": "affine", "W": np.ones((2, 2)), "b": [1, 2, 3]}], ("layers", 0, "b"), "b must"),
        ([{"type": "affine"}], ("layers", 0, "out"), "needs either W"),
        ([{"type": "affine", "out": 2, "init": "zeros"}], ("layers", 0, "init"), "unknown init"),
        ([{"type": "relu6"}], ("layers", 0, "type"), "unknown type 'relu6'"),
        ([{"type": "relu", "alpha": 0.1}], ("layers", 0, "alpha"), "takes no alpha"),
        ([{"type": "affine", "W": [[1, float("nan")], [0, 1]]}], ("layers", 0, "W"), "finite"),
        ([], ("layers",), "non-empty"),
    ],
)
def test_layer_errors(layers, loc, message):
    with pytest.raises(EngineError) as err:
        run_network(np.ones((2, 2)), [0, 1], layers, "mse")
    assert message in err.value.msg
    assert err.value.loc == loc


def test_unknown_type_lists_the_allowed_types():
    with pytest.raises(EngineError) as err:
        run_network(np.ones((2, 2)), [0, 1], [{"type": "conv"}], "mse")
    for name in ["affine", "softmax", *ACT_NAMES]:
        assert name in err.value.msg


def test_cross_entropy_needs_softmax_last():
    with pytest.raises(EngineError, match="softmax_cross_entropy") as err:
        run_network(np.ones((2, 2)), [0, 1], [{"type": "affine", "out": 2}], "cross_entropy")
    assert err.value.loc == ("loss",)


def test_bad_targets():
    with pytest.raises(EngineError, match="classes are 0 to 2") as err:
        run_network(
            np.ones((2, 2)), [0, 3], [{"type": "affine", "out": 3}], "softmax_cross_entropy"
        )
    assert err.value.loc == ("targets",)
    assert "layer 0 (affine) outputs 3 columns" in err.value.msg  # names the layer that set it


@pytest.mark.parametrize(
    ("kw", "loc"),
    [({"dtype": "float16"}, ("dtype",))],
)
def test_bad_options(kw, loc):
    with pytest.raises(EngineError) as err:
        _run(CONTRACT_EXAMPLE, **kw)
    assert err.value.loc == loc


def test_bad_x():
    with pytest.raises(EngineError) as err:
        run_network([1.0, 2.0], [0], [{"type": "relu"}], "mse")
    assert err.value.loc == ("x",)
    with pytest.raises(EngineError):
        run_network([[1.0], [2.0, 3.0]], [0], [{"type": "relu"}], "mse")


def test_gradcheck_budget():
    layers = [{"type": "affine", "out": 64}, {"type": "relu"}, {"type": "affine", "out": 64}]
    with pytest.raises(EngineError, match="forward passes") as err:
        run_network(np.ones((64, 64)), np.zeros((64, 64)), layers, "mse", gradcheck=True)
    assert "gradcheck off" in err.value.msg
    assert re.search(r"about [0-9.]+ (s|min|h) of computing", err.value.msg)
    assert err.value.loc == ("gradcheck",)


def test_gradcheck_cost_comes_from_the_one_cost_model():
    """Twice the rows: twice the check's work; the budget's multiply-adds are the cost model's,
    from the specs alone or from the built network."""
    layers = [{"type": "affine", "out": 8}, {"type": "gelu"}, {"type": "layernorm"}]
    layers += [{"type": "affine", "out": 3}, {"type": "softmax"}]
    us = []
    for N in (64, 128):
        net, params, x, _ = prepare(np.ones((N, 4)), [0] * N, layers, "cross_entropy", "float64")
        assert cost.stack_shapes(4, layers) == shapes_of(net, params)
        assert gradcheck_cost(net, params, x) == cost.gradcheck_macs(N, 4, shapes_of(net, params))
        us.append(cost.network_run(N, 4, layers, gradcheck=True).us)
    assert us[1] == pytest.approx(2 * us[0], rel=0.1)


def test_overflow_is_reported_not_nan():
    layers = [{"type": "affine", "W": [[1e30]]}, {"type": "affine", "W": [[1e30]]}]
    with pytest.raises(EngineError, match="overflowed float32") as err:
        run_network([[1e3]], [[0.0]], layers, "mse", dtype="float32")
    assert err.value.loc == ("layers", 1)
    with pytest.raises(EngineError, match="overflowed"):
        run_network([[1e200]], [[0.0]], [{"type": "identity"}], "mse")


def test_null_fields_as_sent_by_a_schema_dump():
    """Layers dumped with every optional field set to None behave as if the field were absent."""
    nulls = {"W": None, "b": None, "in": None, "init": None, "seed": None, "alpha": None}
    layers = [
        {**nulls, "type": "affine", "out": 3},
        {**nulls, "type": "leaky_relu"},
        {**nulls, "type": "affine", "out": 2},
    ]
    r1 = run_network(np.ones((2, 2)), [0, 1], layers, "softmax_cross_entropy")
    r2 = run_network(
        np.ones((2, 2)),
        [0, 1],
        [
            {"type": "affine", "out": 3, "seed": 0},
            *[{"type": "leaky_relu", "alpha": 0.01}, {"type": "affine", "out": 2, "init": "he"}],
        ],
        "softmax_cross_entropy",
    )
    assert r1["loss"] == r2["loss"]
    np.testing.assert_array_equal(r1["params"][0]["W"], r2["params"][0]["W"])


# ------------------------------------------------------------------ warnings and kinks


def test_underflowed_cross_entropy_is_capped_and_said():
    """Logits [0, 1000], target 0: the probability underflows; the fused loss is exact."""
    layers = [{"type": "identity"}, {"type": "softmax"}]
    r = run_network([[0.0, 1000.0]], [0], layers, "cross_entropy", gradcheck=True)
    tiny = np.finfo(np.float64).tiny
    assert r["loss"] == pytest.approx(-np.log(tiny))  # 708.4, not 1000
    np.testing.assert_array_equal(r["backward"][0]["grad_input"], [[0.0, 0.0]])  # vanished
    (w,) = r["warnings"]
    assert w["code"] == "cross_entropy_underflow" and w["loc"] == ["loss"]
    assert "softmax_cross_entropy" in w["msg"] and "row 0" in w["msg"]
    fused = run_network([[0.0, 1000.0]], [0], [{"type": "identity"}], "softmax_cross_entropy")
    assert fused["loss"] == 1000.0 and fused["warnings"] == []
    np.testing.assert_array_equal(fused["backward"][0]["grad_input"], [[-1.0, 1.0]])


def test_underflow_starts_near_a_gap_of_87_in_float32():
    layers = [{"type": "identity"}, {"type": "softmax"}]
    for gap, warned in ((80.0, False), (90.0, True)):
        r = run_network([[0.0, gap]], [0], layers, "cross_entropy", dtype="float32")
        assert bool(r["warnings"]) is warned, gap
        assert bool(run_network([[0.0, gap]], [0], layers, "cross_entropy")["warnings"]) is False


def test_softmax_before_the_fused_loss_is_flagged_at_that_layer():
    layers = [{"type": "affine", "out": 3}, {"type": "softmax"}]
    r = run_network(np.ones((2, 2)), [0, 1], layers, "softmax_cross_entropy")
    assert [(w["code"], w["loc"]) for w in r["warnings"]] == [("double_softmax", ["layers", 1])]
    assert "layer 1 (softmax)" in r["warnings"][0]["msg"]


def _relu_at_zero(x0: float):
    layers = [
        {"type": "affine", "W": [[1.0, 2.0]], "b": [0.0, 0.5]},  # column 0 is x itself
        {"type": "relu"},
        {"type": "affine", "W": [[1.5], [-0.5]], "b": [0.0]},
    ]
    return run_network([[x0]], [[1.0]], layers, "mse", gradcheck=True)


def test_a_relu_input_at_its_kink_is_marked_not_failed():
    """relu(0): the central difference straddles the kink (slope 1/2), the analytic side uses
    relu'(0) = 0. The straddling entries are marked at_kink and the rest still judged."""
    r = _relu_at_zero(0.0)
    by = {(c["index"], c["param"]): c for c in r["gradcheck"]}
    assert all(c["passed"] for c in r["gradcheck"])
    assert by[(0, "W")]["kinks"] == 0  # x = 0, so moving W does not move the relu's input
    b0 = by[(0, "b")]
    assert b0["kinks"] == 1 and b0["at_kink"].tolist() == [True, False]
    assert b0["rel_error"][0] == pytest.approx(1.0)  # still shown: the straddle is visible
    # y = 1.5 relu(b0) - 0.5 relu(0.5) = -0.25; dL/dy = y - 1: the straddle sees relu's
    # average slope 1/2 at 0, the analytic side relu'(0) = 0
    assert b0["numeric"][0] == pytest.approx(-1.25 * 1.5 * 0.5, rel=1e-5)  # + O(h)
    assert r["backward"][0]["grads"]["b"][0] == 0.0
    assert by[(0, "x")]["at_kink"].tolist() == [[True]]
    assert by[(2, "W")]["kinks"] == 0 and "at_kink" not in by[(2, "W")]  # after the relu: smooth
    codes = [(w["code"], w["loc"]) for w in r["warnings"]]
    assert codes == [("kink_in_step", ["layers", 0]), ("kink_in_step", ["x"])]


def test_away_from_the_kink_nothing_is_marked():
    r = _relu_at_zero(0.25)
    assert all(c["passed"] and c["kinks"] == 0 for c in r["gradcheck"]) and r["warnings"] == []


def test_a_callers_x_of_the_working_dtype_is_read_in_place():
    """x is only read and never returned, so prepare does not copy it (W and b, which the
    response returns, are copied: test_caller_arrays_are_never_written)."""
    from app.engine.nn.network import prepare

    x = np.arange(6.0).reshape(3, 2)
    x.flags.writeable = False
    layers = [{"type": "affine", "W": [[1.0], [2.0]]}]
    assert prepare(x, [[0.0]] * 3, layers, "mse", "float64")[2] is x
    assert not np.shares_memory(prepare(x, [[0.0]] * 3, layers, "mse", "float32")[2], x)
