"""The exported script: one numpy line per layer kind, and the numbers the stream reported."""

import subprocess
import sys

import numpy as np
import pytest

from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.datasets import make_data
from app.engine.nn.export import FORWARD_CODE, python_script
from app.engine.nn.layers import LAYERS, softmax
from app.engine.nn.train import prepare


def test_every_layer_kind_but_affine_has_a_numpy_line():
    assert set(FORWARD_CODE) == set(LAYERS) - {"affine"}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_line_computes_the_registry_function(name):
    act = ACTIVATIONS[name]
    alpha = act.alpha_or_default(None)
    x = np.linspace(-30, 30, 600).reshape(-1, 3)
    line = eval(f"lambda x, a: {FORWARD_CODE[name]}", {"np": np})  # noqa: S307
    np.testing.assert_allclose(line(x, alpha), act.f(x), rtol=1e-12, atol=1e-300)


def test_the_softmax_line():
    z = np.random.default_rng(0).normal(0, 5, (7, 4))
    line = eval(f"lambda x, a: {FORWARD_CODE['softmax']}", {"np": np})  # noqa: S307
    np.testing.assert_allclose(line(z, 0.0), softmax(z), rtol=1e-13)


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
            [{"type": "affine", "out": 6}, {"type": "elu", "alpha": 0.5},
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
    ],
    ids=["csv-softmax-ce", "xor-sign-mse", "sine-regression"],
)  # fmt: skip
def test_the_script_prints_what_the_stream_reported(tmp_path, data, layers, loss):
    lines = list(prepare(data, layers, loss, "adam", lr=0.03, epochs=40, report_every=40).stream())
    report, done = lines[-2], lines[-1]
    out = run_script(tmp_path, python_script(data, layers, done["params"], loss))
    n = len(data.y_test)
    if data.regression:
        assert out == f"test loss (mse): {report['test_loss']:.6g}\n"
    else:
        acc = report["test_accuracy"]
        assert out == f"test accuracy: {acc:.4f} ({round(acc * n)}/{n})\n"
