"""The exported script: one numpy line per layer kind, and the numbers the stream reported."""

import subprocess
import sys

import numpy as np
import pytest

from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.datasets import make_data
from app.engine.nn.export import FORWARD_CODE, python_script
from app.engine.nn.layers import LAYER_KINDS, LAYERS
from app.engine.nn.network import build_network
from app.engine.nn.train import prepare


def test_every_layer_kind_has_a_numpy_line():
    assert set(FORWARD_CODE) == set(LAYERS)
    assert all(FORWARD_CODE.values())


def line(kind: str):
    """The kind's line as the script defines it, after the helper it calls (if any)."""
    args = ", ".join(("x", *LAYER_KINDS[kind].args))
    scope = {"np": np}
    exec(LAYER_KINDS[kind].helper, scope)  # noqa: S102  # our own source, as the script has it
    return eval(f"lambda {args}: {FORWARD_CODE[kind]}", scope)  # noqa: S307


# every activation at its default alpha, and those that take one at another
CASES = [(n, None) for n in sorted(ACTIVATIONS)] + [
    (n, 0.3) for n in sorted(ACTIVATIONS) if ACTIVATIONS[n].default_alpha is not None
]


@pytest.mark.parametrize(("name", "alpha"), CASES)
def test_the_line_computes_the_registry_function(name, alpha):
    act = ACTIVATIONS[name]
    x = np.linspace(-30, 30, 600).reshape(-1, 3)
    args = (act.alpha_or_default(alpha),) if LAYER_KINDS[name].args else ()
    got = line(name)(x, *args)
    np.testing.assert_allclose(got, act.f(x, alpha), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "affine", "out": 3, "seed": 4},
        {"type": "layernorm", "gamma": [1.5, -0.5, 2.0, 1.0], "beta": [0.1, 0.2, 0.3, 0.4]},
        {"type": "softmax"},
        {"type": "batchnorm", "gamma": [1.5, -0.5, 2.0, 1.0], "beta": [0.1, 0.2, 0.3, 0.4],
         "running_mean": [0.5, -1.0, 0.0, 2.0], "running_var": [2.0, 0.5, 1.0, 3.0],
         "training": False},  # the script evaluates: the running statistics
    ],
)  # fmt: skip
def test_the_line_computes_the_layer(spec):
    x = np.random.default_rng(0).normal(0, 3, (7, 4))
    net, params = build_network([spec], 4, "mse")
    layer, p = net.layers[0], params[0]
    args = [p[k] if k in p else getattr(layer, k) for k in LAYER_KINDS[spec["type"]].args]
    np.testing.assert_allclose(line(spec["type"])(x, *args), layer.forward(x, p)[0], rtol=1e-12)


def test_the_layernorm_line_does_not_overflow_where_the_engine_does_not():
    """The textbook variance of [1e200, -1e200, 0] is inf (and x̂ 0); the engine normalises it
    (app/engine/nn/moments.py), and so must the script."""
    x = np.array([[1e200, -1e200, 0.0], [1.0, 2.0, 4.0], [3e-300, -1e-300, 0.0]])
    net, params = build_network([{"type": "layernorm", "beta": [0.5, 0.0, -0.5]}], 3, "mse")
    want = net.layers[0].forward(x, params[0])[0]
    np.testing.assert_allclose(want[0], [np.sqrt(1.5) + 0.5, -np.sqrt(1.5), -0.5], rtol=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is harmless
        got = line("layernorm")(x, params[0]["gamma"], params[0]["beta"], 1e-5)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def run_script(tmp_path, text: str) -> str:
    path = tmp_path / "trained.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=True)  # fmt: skip
    return done.stdout


@pytest.mark.parametrize(
    ("data", "layers", "loss"),
    [
        (
            make_data("csv", csv="\n".join(f"{i % 9},{i % 4},{(i % 9) > 4}" for i in range(80))
                      .replace("True", "1").replace("False", "0"), seed=2),
            [{"type": "affine", "out": 6}, {"type": "layernorm"}, {"type": "elu", "alpha": 0.5},
             {"type": "affine", "out": 2}, {"type": "softmax"}],
            "cross_entropy",
        ),
        (
            make_data("xor", 200, 0.3, seed=1),
            [{"type": "affine", "out": 8}, {"type": "tanh"}, {"type": "affine", "out": 1}],
            "mse",
        ),
        (
            make_data("sine", 200, 0.1, seed=3),
            [{"type": "affine", "out": 12}, {"type": "gelu"}, {"type": "affine", "out": 1}],
            "mse",
        ),
        (
            make_data("sine", 200, 0.1, seed=3),
            [{"type": "affine", "out": 12}, {"type": "mish"}, {"type": "affine", "out": 1}],
            "huber",
        ),
        (
            make_data("xor", 200, 0.3, seed=1),
            [{"type": "affine", "out": 8}, {"type": "leaky_relu", "alpha": 0.2},
             {"type": "affine", "out": 1}],
            "huber",
        ),
        (
            make_data("xor", 200, 0.3, seed=1),
            [{"type": "affine", "out": 8}, {"type": "batchnorm"}, {"type": "relu"},
             {"type": "affine", "out": 2}],
            "softmax_cross_entropy",
        ),
    ],
    ids=["csv-softmax-ce", "xor-sign-mse", "sine-regression", "sine-huber", "xor-sign-huber",
         "xor-batchnorm"],
)  # fmt: skip
def test_the_script_prints_what_the_stream_reported(tmp_path, data, layers, loss):
    lines = list(prepare(data, layers, loss, "adam", lr=0.03, epochs=40, report_every=40).stream())
    report, done = lines[-2], lines[-1]
    out = run_script(tmp_path, python_script(data, layers, done["params"], loss))
    n = len(data.y_test)
    if data.regression:
        assert out == f"test loss ({loss}): {report['test_loss']:.6g}\n"
    else:
        acc = report["test_accuracy"]
        assert out == f"test accuracy: {acc:.4f} ({round(acc * n)}/{n})\n"
