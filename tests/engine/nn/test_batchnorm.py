"""batchnorm: PyTorch's BatchNorm1d by hand (training and evaluation, running statistics),
overflow-safe statistics, N = 1 refused, the network's gradient check (float32 and float64),
training with resume bit for bit, evaluation on the running statistics, and the export."""

import json

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn.batchnorm import BatchNormSpec
from app.engine.nn.datasets import make_data
from app.engine.nn.layers import build_layer
from app.engine.nn.network import run_network
from app.engine.nn.train import Resume, prepare

RNG = np.random.default_rng(3)
X = RNG.normal(1.0, 2.0, (6, 3))
GAMMA, BETA = np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
MEAN, VAR = np.array([0.5, -1.0, 0.2]), np.array([2.0, 0.5, 1.5])


def bn(dtype=np.float64, **kw):
    spec = BatchNormSpec(GAMMA, BETA, MEAN, VAR, **kw)
    return build_layer(spec, 0, 3, "x", dtype)


def by_hand(x, training=True, eps=1e-5):
    """BatchNorm1d's forward, written out per column."""
    x = np.asarray(x, dtype=np.float64)
    mu, var = (x.mean(0), x.var(0)) if training else (MEAN, VAR)  # biased variance (ddof 0)
    return GAMMA * (x - mu) / np.sqrt(var + eps) + BETA


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
def test_forward_is_batchnorm1d(dtype, training):
    layer, p = bn(dtype, training=training)
    y, _ = layer.forward(X.astype(dtype), p)
    assert y.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(y, by_hand(X.astype(dtype), training), rtol=tol, atol=tol)


def test_running_statistics_follow_pytorchs_rule():
    layer, p = bn()
    new = layer.updated(X, p)
    N = len(X)
    # momentum 0.1; the running variance takes the unbiased batch variance (ddof 1)
    np.testing.assert_allclose(new["running_mean"], 0.9 * MEAN + 0.1 * X.mean(0), rtol=1e-14)
    np.testing.assert_allclose(new["running_var"], 0.9 * VAR + 0.1 * X.var(0) * N / (N - 1),
                               rtol=1e-14)  # fmt: skip
    for a in p.values():
        a.flags.writeable = False
    layer.updated(X, p)  # nothing written into p


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e300), (np.float32, 1e36)])
def test_statistics_cannot_overflow_where_the_answer_is_representable(dtype, big):
    layer, p = bn(dtype)
    x = (X * big).astype(dtype)  # squares and sums of these overflow; the answer does not
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is honest
        y, backward = layer.forward(x, p)
        dx, grads = backward(np.ones_like(y))
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y, by_hand(X, eps=0.0), rtol=tol, atol=tol)  # eps is negligible
    assert np.all(np.isfinite(dx)) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_a_batch_of_one_row_is_refused_with_the_reason():
    with pytest.raises(EngineError, match="a batch of 1 row has variance 0") as err:
        run_network([[1.0, 2.0]], [0], [{"type": "batchnorm"}], "softmax_cross_entropy")
    assert err.value.loc == ("layers", 0)
    r = run_network([[1.0, 2.0]], [0], [{"type": "batchnorm", "training": False}],
                    "softmax_cross_entropy")  # fmt: skip
    assert np.isfinite(r["loss"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("training", [True, False])
def test_the_networks_gradient_check_passes_every_entry(dtype, training):
    """Central differences of every parameter and of x; in training mode a row's loss reads
    every row, so x is moved one entry at a time (a column at a time would be wrong)."""
    x = RNG.normal(0, 2, (5, 3)).tolist()
    layers = [
        {"type": "affine", "out": 4, "seed": 1},
        {"type": "batchnorm", "gamma": [1.2, -0.7, 0.9, 1.1], "beta": [0.1, 0.0, -0.2, 0.3],
         "running_mean": [0.1, 0.2, 0.3, 0.4], "running_var": [1.0, 2.0, 0.5, 1.5],
         "training": training},
        {"type": "tanh"},
        {"type": "affine", "out": 2, "seed": 2},
    ]  # fmt: skip
    r = run_network(x, [0, 1, 1, 0, 1], layers, "softmax_cross_entropy", gradcheck=True,
                    dtype=dtype)  # fmt: skip
    checked = {(c["index"], c["param"]) for c in r["gradcheck"]}
    assert {(1, "gamma"), (1, "beta"), (0, "x")} <= checked
    assert (1, "running_mean") not in checked  # carried, not trained: no gradient
    assert all(c["passed"] for c in r["gradcheck"]), [
        (c["param"], c["max_rel_error"]) for c in r["gradcheck"]
    ]


STACK = [
    {"type": "affine", "out": 8, "init": "he", "seed": 0},
    {"type": "batchnorm"},
    {"type": "relu"},
    {"type": "affine", "out": 2, "init": "xavier", "seed": 1},
]
XOR = make_data("xor", 200, 0.3, 2, seed=0)


def run(**kw):
    kw = {"optimizer": "adam", "lr": 0.03, "epochs": 6, "boundary_every": 0,
          "batch_size": 16} | kw  # fmt: skip
    return list(prepare(XOR, STACK, "softmax_cross_entropy", **kw).stream())


def as_json(lines):
    return [json.loads(json.dumps(line, default=lambda a: a.tolist())) for line in lines]


def test_training_updates_the_running_statistics_and_evaluates_on_them():
    lines = as_json(run())
    done, report = lines[-1], lines[-2]
    p = next(q for q in done["params"] if q["index"] == 1)
    assert set(p) == {"index", "gamma", "beta", "running_mean", "running_var"}
    assert p["running_mean"] != [0.0] * 8 and p["running_var"] != [1.0] * 8
    # the test loss is the network in evaluation mode on the running statistics
    trained = [dict(s) for s in STACK]
    for q in done["params"]:
        trained[q["index"]] |= {k: v for k, v in q.items() if k != "index"}
    trained[1]["training"] = False
    r = run_network(XOR.x_test.tolist(), XOR.y_test.tolist(), trained, "softmax_cross_entropy")
    assert r["loss"] == pytest.approx(report["test_loss"], rel=1e-12)
    trained[1]["training"] = True  # the batch's own statistics give another loss
    r2 = run_network(XOR.x_test.tolist(), XOR.y_test.tolist(), trained, "softmax_cross_entropy")
    assert r2["loss"] != pytest.approx(report["test_loss"], rel=1e-9)


def test_resume_carries_the_running_statistics_bit_for_bit():
    whole = as_json(run(epochs=6))
    first = as_json(run(epochs=3))
    done = first[-1]
    resume = Resume(done["params"], done["optimizer_state"], done["epoch"], done["step"])
    rest = as_json(run(epochs=6, resume=resume))
    assert rest[-1] == whole[-1]
    assert rest[-2] == whole[-2]


def test_a_mini_batch_of_one_row_is_refused_before_training():
    with pytest.raises(EngineError, match="one batch has a single row") as err:
        prepare(XOR, STACK, "softmax_cross_entropy", batch_size=len(XOR.x_train) - 1)
    assert err.value.loc == ("batch_size",)
