"""The backward-pass exercise: every gradient of every layer kind and loss has an accepted
reference answer (float64 and float32), each diagnosis fires on a constructed wrong answer with
the learner's numbers, and bad targets or answers are refused with the problem named."""

import numpy as np
import pytest

from app.engine.arrayexpr import parse_answer
from app.engine.errors import EngineError
from app.engine.exercises.backward import (
    REFERENCES,
    SEEDS,
    close_mask,
    judge_backward,
    names_for,
    reference_answers,
)
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.layers import LAYERS
from app.engine.nn.losses import LOSSES

RNG = np.random.default_rng(3)
X = (RNG.normal(size=(5, 3)) + 0.05).round(3).tolist()
W0 = RNG.normal(size=(3, 4)).round(3).tolist()

# A layer spec per kind, placed after an affine (so its input is a varied 5×4 matrix).
SPECS = {
    "affine": {"type": "affine", "out": 4, "seed": 2, "b": [0.1, -0.2, 0.3, 0.0]},
    "softmax": {"type": "softmax"},
    "layernorm": {"type": "layernorm", "gamma": [1.5, 0.5, -1.0, 2.0], "beta": [0, 1, 2, 3]},
    "batchnorm": {"type": "batchnorm", "gamma": [1.5, 0.5, -1.0, 2.0], "beta": [0, 1, 2, 3]},
    **{name: {"type": name} for name in ACTIVATIONS},
}
SPECS["leaky_relu"]["alpha"] = 0.2
SPECS["elu"]["alpha"] = 2.0


def network(kind, loss="softmax_cross_entropy", dtype="float64"):
    layers = [{"type": "affine", "W": W0, "b": [0.01, -0.02, 0.03, 0.0]}, SPECS[kind]]
    layers.append({"type": "affine", "out": 3, "seed": 1})
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    values = LOSSES[loss].expects == "values"  # mse, huber: real-valued target rows
    targets = RNG.normal(size=(5, 3)).tolist() if values else [0, 2, 1, 1, 0]
    return {"x": X, "targets": targets, "layers": layers, "loss": loss, "dtype": dtype}


def gradients_of(kind):
    """The gradients a layer of this kind has: its input's and each parameter's."""
    names = names_for(network(kind), 1, "x").names
    return ["x", *(k for k in names if k in ("W", "b", "gamma", "beta"))]


def test_every_kind_has_references():
    """Fails when a layer kind (batchnorm: issue 20), activation or loss lacks a reference."""
    assert set(LAYERS) <= set(SPECS), "add a spec for the new kind here"
    for kind in LAYERS:
        assert kind in REFERENCES, f"{kind}: add its reference answers to REFERENCES"
        assert set(REFERENCES[kind]) == set(gradients_of(kind)), kind
    assert set(SEEDS) == set(LOSSES)


CASES = [
    (kind, tensor, answer)
    for kind, table in REFERENCES.items()
    for tensor, answers in table.items()
    for answer in answers
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("kind", "tensor", "answer"), CASES, ids=[f"{k}-{t}" for k, t, _ in CASES])
def test_reference_answers_are_accepted(kind, tensor, answer, dtype):
    result = judge_backward(network(kind, dtype=dtype), 1, tensor, answer, reveal=True)
    assert result["verdict"] in ("exact", "close"), (result["hint"], result["max_abs_diff"])
    assert not result["wrong_cells"].any()
    assert result["diagnosis"] is None
    assert result["reference"] == reference_answers(kind, tensor)[0]
    assert result["expected"].dtype == np.dtype(dtype)


SEED_CASES = [(loss, answer) for loss, answers in SEEDS.items() for answer in answers]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("loss", "answer"), SEED_CASES, ids=[c[0] for c in SEED_CASES])
def test_seed_answers_are_accepted(loss, answer, dtype):
    net = network("tanh", loss, dtype)
    index = len(net["layers"])
    for i in (index, None):
        result = judge_backward(net, i, "seed", answer)
        assert result["verdict"] in ("exact", "close"), result["hint"]
        assert set(result["names"]) == {"y", "t", "N"}
        assert "expected" not in result and "reference" not in result


def test_the_seed_sees_one_hot_targets():
    names = names_for(network("tanh"), None, "seed").names
    np.testing.assert_array_equal(names["t"], np.eye(3)[[0, 2, 1, 1, 0]])
    assert names["N"] == 5


def test_names_of_a_layer():
    names, expected, kind, warnings = names_for(network("leaky_relu"), 1, "x")
    assert list(names) == ["x", "y", "alpha", "dy", "N"] and names["alpha"] == 0.2
    assert kind == "leaky_relu" and expected.shape == (5, 4) and warnings == []
    names = names_for(network("layernorm"), 1, "gamma").names
    assert list(names) == ["x", "y", "gamma", "beta", "eps", "dy", "N"]
    names = names_for(network("affine"), 1, "W").names
    assert list(names) == ["x", "y", "W", "b", "dy", "N"]


def test_an_underflowed_cross_entropy_is_told():
    """A target class's probability below the smallest normal float: the engine caps the log,
    so -t / (N y) is not its seed there, and the response says why (a warning in network)."""
    net = {
        "x": [[0.0, 0.0], [1.0, -1.0]],
        "targets": [0, 1],
        "layers": [
            {"type": "affine", "W": [[800.0, -800.0], [0.0, 0.0]], "b": [0, 0]},
            {"type": "softmax"},
        ],
        "loss": "cross_entropy",
        "dtype": "float64",
    }
    r = judge_backward(net, 2, "seed", "-t / (N * y)")
    assert [w["code"] for w in r["warnings"]] == ["cross_entropy_underflow"]
    assert r["warnings"][0]["loc"] == ["network", "loss"]
    assert r["verdict"] == "wrong"


# ------------------------------------------------------------------------------ diagnoses


def judge(answer, index=0, tensor="W", kind="sigmoid", reveal=False, **kw):
    return judge_backward(network(kind, **kw), index, tensor, answer, reveal=reveal)


def test_transposed_shape():
    r = judge("dy.T @ x", reveal=True)
    assert (r["verdict"], r["diagnosis"]) == ("shape", "transposed")
    assert r["shape"] == [4, 3] and r["expected_shape"] == [3, 4]
    assert r["hint"] == "Your dW is 4×3 and matches dWᵀ. dW has W's shape, 3×4: x.T @ dy."
    assert r["wrong_cells"] is None and r["max_abs_diff"] is None
    assert "x.T @ dy" not in judge("dy.T @ x")["hint"]  # the fix only with reveal


def test_transposed_square():
    """The second affine is 4×3; a 3-wide first layer makes a square 3×3 W to transpose."""
    net = network("sigmoid")
    net["layers"][2] = {"type": "affine", "out": 4, "seed": 1}
    net["layers"].insert(3, {"type": "affine", "out": 3, "seed": 5})
    net["layers"][0] = {"type": "affine", "out": 4, "seed": 4}
    r = judge_backward(net, 2, "W", "(x.T @ dy).T")
    assert (r["verdict"], r["diagnosis"]) == ("wrong", "transposed")
    assert "matches dWᵀ" in r["hint"]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("N * x.T @ dy", "N = 5 times the truth"),
        ("x.T @ dy / N", "1/N = 1/5 of the truth"),
    ],
)
def test_batch_scale(answer, words):
    r = judge(answer)
    assert (r["verdict"], r["diagnosis"]) == ("wrong", "batch_scale")
    assert words in r["hint"]
    assert r["wrong_cells"].all()


def test_batch_scale_of_the_seed():
    r = judge("(softmax(y, axis=1) - t)", index=None, tensor="seed")
    assert r["diagnosis"] == "batch_scale"
    assert r["hint"].startswith("Every entry is N = 5 times the truth: the loss is a mean")


def test_missing_sum():
    r = judge("dy", tensor="b", reveal=True)
    assert (r["verdict"], r["diagnosis"]) == ("shape", "missing_sum")
    assert r["hint"].startswith("Your db is 5×4, one row per input. db has b's shape, 4: sum")
    assert "(reference: sum(dy, axis=0))" in r["hint"]


def test_keepdims_is_not_a_missing_sum():
    r = judge("sum(dy, axis=0, keepdims=True)", tensor="b")
    assert (r["verdict"], r["diagnosis"]) == ("shape", "other")
    assert "the right numbers in the wrong shape" in r["hint"] and "keepdims" in r["hint"]


def test_sign():
    r = judge("-(dy @ W.T)", tensor="x")
    assert (r["verdict"], r["diagnosis"]) == ("wrong", "sign")
    assert "negative" in r["hint"]


def test_other_with_the_wrong_cells():
    """dy * y forgets (1 - y): every cell is off; one changed cell is the only wrong cell."""
    r = judge("dy * y", index=1, tensor="x")
    assert (r["verdict"], r["diagnosis"]) == ("wrong", "other")
    assert r["hint"].startswith("20 of 20 entries of your dx are off; the largest difference, ")
    truth = judge("dy * y * (1 - y)", index=1, tensor="x", reveal=True)["expected"]
    r = judge("dy * y * (1 - y) + 0.5 * (dy == max(dy))", index=1, tensor="x")
    assert r["wrong_cells"].sum() == 1
    row, col = np.argwhere(r["wrong_cells"])[0]
    assert f"at row {row}, column {col}" in r["hint"]
    assert r["max_abs_diff"] == pytest.approx(0.5, rel=1e-9)
    assert truth.shape == (5, 4)


def test_a_wrong_shape_says_both_shapes():
    r = judge("x.T", tensor="W")
    assert (r["verdict"], r["diagnosis"]) == ("shape", "other")
    assert r["hint"] == "Your dW is 3×5, but dW has W's shape, 3×4."


def test_a_non_finite_answer_is_wrong_not_an_error():
    r = judge("log(0 * x.T @ dy)")
    assert (r["verdict"], r["diagnosis"], r["max_abs_diff"]) == ("wrong", "other", None)
    assert "not finite in 12 of 12 entries (the first at row 0, column 0)" in r["hint"]


def test_zeros_are_not_close_to_a_tiny_gradient():
    """The atol shrinks with the tensor's scale: 1e-6 times the truth is far from 0."""
    e = np.array([[1e-7, -2e-7], [3e-7, 0.0]])
    assert not close_mask(np.zeros_like(e), e)[0, 0]
    assert close_mask(e * (1 + 1e-6), e).all()
    e32 = (np.arange(6.0).reshape(2, 3) * 100).astype(np.float32)
    assert close_mask(e32 + np.float32(2e-4), e32).all()  # a few float32 ulps at scale 500
    assert not close_mask(e32 + np.float32(1e-2), e32)[0, 0]


def test_expected_is_the_engines_gradient():
    from app.engine.nn.network import run_network

    net = network("sigmoid")
    run = run_network(net["x"], net["targets"], net["layers"], net["loss"])
    r = judge_backward(net, 0, "W", "0 * W", reveal=True)
    np.testing.assert_array_equal(r["expected"], run["backward"][0]["grads"]["W"])


@pytest.mark.parametrize(
    ("index", "tensor", "loc", "words"),
    [
        (7, "x", ("target", "index"), "index must name a layer, 0 to 2"),
        (None, "x", ("target", "index"), "index must name a layer"),
        (1, "W", ("target", "tensor"), "layer 1 (sigmoid) has no gradient 'W'; its gradients: x"),
        (0, "gamma", ("target", "tensor"), "its gradients: x, W, b"),
        (2, "seed", ("target", "index"), "the seed belongs to the loss, whose index is 3"),
    ],
)
def test_bad_targets(index, tensor, loc, words):
    with pytest.raises(EngineError) as info:
        judge_backward(network("sigmoid"), index, tensor, "dy")
    assert info.value.loc == loc and words in info.value.msg


def test_unknown_names_list_the_layers_names():
    with pytest.raises(EngineError) as info:
        judge("dW", tensor="W")
    assert info.value.loc == ("answer",)
    assert info.value.msg == "name 'dW' is not allowed; use x, y, W, b, dy, N"
    with pytest.raises(EngineError, match="name 'x' is not allowed; use y, t, N"):
        judge("x", index=None, tensor="seed")


def test_a_gradient_that_cancels_to_rounding_noise_is_judged_on_dys_scale():
    """Layernorm over two features (eps 1e-12): x̂ is ±1 whatever x is, so dx is 0 up to
    rounding. Two correct float32 formulas then differ by noise far above dx's own scale, but
    within 64·eps of dy's (seen failing with a tolerance on dx's scale alone). Rows whose two
    features nearly coincide amplify the noise by 1/σ beyond any such floor: a known limit."""
    from app.engine.exercises.backward import _LAYERNORM_DX

    rng = np.random.default_rng(17)
    net = {
        "x": (rng.normal(size=(29, 3)) * 3).tolist(),
        "targets": rng.normal(size=(29, 3)).tolist(),
        "layers": [
            {"type": "affine", "out": 2, "seed": 18},
            {"type": "layernorm", "gamma": [1.5, -2.5], "beta": [0.3, -0.1], "eps": 1e-12},
            {"type": "affine", "out": 3, "seed": 19},
        ],
        "loss": "mse",
        "dtype": "float32",
    }
    names, expected, *_ = names_for(net, 1, "x")
    dy_scale = float(np.abs(names["dy"]).max())
    assert np.abs(expected).max() < 1e-4 * dy_scale  # dx is noise on dy's scale
    r = judge_backward(net, 1, "x", _LAYERNORM_DX)
    assert r["verdict"] in ("exact", "close"), r["max_abs_diff"]
    assert r["max_abs_diff"] <= 64 * np.finfo(np.float32).eps * dy_scale
    shapes = {k: v.shape for k, v in names.items()}
    mine = parse_answer(_LAYERNORM_DX, shapes)(names, np.float32)
    assert not close_mask(mine, expected).all()  # on dx's own scale: called wrong
    assert close_mask(mine, expected, dy_scale).all()
    assert judge_backward(net, 1, "x", "dy * gamma")["verdict"] == "wrong"
