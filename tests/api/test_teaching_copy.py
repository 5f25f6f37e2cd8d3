"""Step mode's teaching copy (static/js/pages/network/teach.js) against the engine's records: every
registered kind has its worked formula there, and each agrees with the engine on sample points.
The copy is evaluated by Node, the engine by numpy; nothing here compares the API with itself."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.layers import LAYER_KINDS, build_layer, spec_from_dict
from app.engine.nn.losses import LOSSES, as_targets

ROOT = Path(__file__).resolve().parents[2]
TEACH = ROOT / "static/js/pages/network/teach.js"
NODE = shutil.which("node")
XS = [-3.7, -1.2, -0.3, 0.0, 0.4, 1.1, 2.9]
ROW = [0.3, -1.4, 2.2, 0.9]
DY = [0.5, -0.25, 1.5, -2.0]
GAMMA, BETA = [1.5, -0.5, 2.0, 0.7], [0.1, 0.2, -0.3, 0.4]
Y_ROWS = [[0.2, -1.3, 2.5], [1.7, 0.4, -0.6]]
T_ROWS = [[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]

SCRIPT = """
const t = await import(process.argv[1]);
const [xs, row, dy, gamma, beta, yOf, tRows] = JSON.parse(process.argv[2]);
const out = {names: {}, f: {}, df: {}, seed: {}, rows: {}};
for (const k of ["FORWARDS", "DERIVATIVES", "SEEDS", "ROWS", "COLUMNS"]) {
  out.names[k] = Object.keys(t[k]);
}
const alpha = JSON.parse(process.argv[3]);
for (const [name, fn] of Object.entries(t.FORWARDS)) {
  out.f[name] = xs.map((x) => fn(x, alpha[name])[0]);
}
for (const [name, fn] of Object.entries(t.DERIVATIVES)) {
  out.df[name] = xs.map((x) => fn(x, t.FORWARDS[name](x, alpha[name])[0], alpha[name])[0]);
}
for (const [name, fn] of Object.entries(t.SEEDS)) {
  const yRows = yOf[name] ?? yOf[""];
  out.seed[name] = yRows.map((ys, n) => ys.map((_, j) => fn(ys, tRows[n], j, yRows.length, n)[0]));
}
const p = {gamma, beta, eps: 1e-5};
for (const [name, r] of Object.entries(t.ROWS)) {
  out.rows[name] = {
    forward: row.map((_, j) => r.forward(row, j, p)[0]),
    backward: row.map((_, j) => r.backward(row, dy, j, p)[0]),
  };
}
// a batch layer on the column `row` over 4 samples (as a column of a batch), both modes
out.cols = {};
for (const [name, c] of Object.entries(t.COLUMNS)) {
  out.cols[name] = {};
  for (const training of [true, false]) {
    const q = {gamma: gamma[0], beta: beta[0], mean: 0.3, variance: 1.7, eps: 1e-5, training};
    out.cols[name][training] = {
      forward: row.map((_, n) => c.forward(row, n, q)[0]),
      backward: row.map((_, n) => c.backward(row, dy, n, q)[0]),
    };
  }
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def copy() -> dict:
    if NODE is None:
        pytest.skip("node is not installed (make node_modules/.installed needs it)")
    alpha = {n: a.alpha_or_default(None) for n, a in ACTIVATIONS.items()}
    y_of = {name: _outputs(name).tolist() for name in LOSSES} | {"": Y_ROWS}
    args = json.dumps([XS, ROW, DY, GAMMA, BETA, y_of, T_ROWS])
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", SCRIPT, TEACH.as_uri(), args, json.dumps(alpha)],
        capture_output=True, text=True, check=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout)


def _kinds(step: str) -> set[str]:
    return {name for name, k in LAYER_KINDS.items() if k.step == step}


def test_every_registered_kind_has_its_worked_formula(copy):
    names = copy["names"]
    assert set(names["FORWARDS"]) == set(ACTIVATIONS) == _kinds("elementwise")
    assert set(names["DERIVATIVES"]) == set(ACTIVATIONS)
    assert set(names["SEEDS"]) == set(LOSSES)
    assert set(names["ROWS"]) == _kinds("row")
    assert set(names["COLUMNS"]) == _kinds("batch")
    assert _kinds("affine") == {"affine"}  # step.js's own branch (W, b)
    assert set(LAYER_KINDS) == set().union(*(_kinds(s) for s in ("affine", "elementwise", "row",
                                                                  "batch")))  # fmt: skip


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_each_activation_agrees_with_the_record(copy, name):
    act, x = ACTIVATIONS[name], np.array(XS)
    np.testing.assert_allclose(copy["f"][name], act.f(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(copy["df"][name], act.df(x), rtol=1e-12, atol=1e-15)


def _outputs(name: str) -> np.ndarray:
    """The last layer's outputs a loss sees: probabilities (a softmax of Y_ROWS) where it
    expects them, else Y_ROWS as they are."""
    y = np.array(Y_ROWS)
    if LOSSES[name].expects != "probabilities":
        return y
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_each_seed_agrees_with_the_record(copy, name):
    y = _outputs(name)
    t = as_targets(np.array(T_ROWS), y.shape, name)
    np.testing.assert_allclose(copy["seed"][name], LOSSES[name].grad(y, t), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(_kinds("row")))
def test_each_row_layer_agrees_with_the_record(copy, name):
    x, dy = np.array([ROW]), np.array([DY])
    given = {"gamma": GAMMA, "beta": BETA} if LAYER_KINDS[name].params else {}
    layer, p = build_layer(spec_from_dict({"type": name, **given}), 0, 4, "x", np.float64)
    y, backward = layer.forward(x, p)
    dx, _ = backward(dy)
    np.testing.assert_allclose(copy["rows"][name]["forward"], y[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(copy["rows"][name]["backward"], dx[0], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(_kinds("batch")))
@pytest.mark.parametrize("training", [True, False])
def test_each_batch_layer_agrees_with_the_record(copy, name, training):
    """One column of four samples: the copy's entries against the layer's own forward and
    backward (running mean 0.3, variance 1.7 in evaluation mode)."""
    x, dy = np.array(ROW)[:, None], np.array(DY)[:, None]
    spec = {"type": name, "gamma": GAMMA[:1], "beta": BETA[:1], "running_mean": [0.3],
            "running_var": [1.7], "training": training}  # fmt: skip
    layer, p = build_layer(spec_from_dict(spec), 0, 1, "x", np.float64)
    y, backward = layer.forward(x, p)
    dx, _ = backward(dy)
    got = copy["cols"][name][str(training).lower()]
    np.testing.assert_allclose(got["forward"], y[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["backward"], dx[:, 0], rtol=1e-12, atol=1e-15)
