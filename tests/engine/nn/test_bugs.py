"""The bug registry: its code is the code that runs, its right code is the engine's, and the
gradient check (or a wrote_input warning) catches every bug whenever its shows_when holds."""

import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.engine.errors import EngineError
from app.engine.nn import bug_code
from app.engine.nn.bugs import BUGS, PlantedLayer
from app.engine.nn.layers import LAYERS, spec_from_dict
from app.engine.nn.losses import get_loss
from app.engine.nn.network import run_network

ACTS = ("sigmoid", "tanh", "relu")
LAYER_KINDS = ("affine", "softmax", "layernorm", *ACTS)


def test_at_least_ten_bugs_with_the_notebooks_five():
    assert len(BUGS) >= 10
    notebook = sorted(b.source for b in BUGS.values() if "seed notebook" in b.source)
    assert [s.split("(error ")[1][0] for s in notebook] == ["1", "2", "3", "4", "5"]
    for bug in BUGS.values():
        assert bug.applies_to in LAYER_KINDS or bug.applies_to in (
            "cross_entropy",
            "softmax_cross_entropy",
            "mse",
        )
        assert bug.explanation and bug.shows_when and bug.wrong != bug.right
        assert bug.caught_by in ("gradient check", "wrote_input")


def test_the_code_shown_is_the_code_that_runs():
    """Each record's text is its function's own source, and a planted layer calls that very
    function (no second copy anywhere)."""
    for bug in BUGS.values():
        assert bug.wrong == inspect.getsource(bug.wrong_fn)
        assert bug.wrong.startswith(f"def {bug.wrong_fn.__name__}(")
        assert bug.wrong_fn is getattr(bug_code, bug.wrong_fn.__name__)
        assert bug.right == inspect.getsource(bug.right_fn)
        assert bug.record()["wrong"] == bug.wrong
        assert "BUG" in bug.wrong and "BUG" not in bug.right  # the line to look at is marked


def _layer(kind, width, rng):
    d = {"type": kind}
    if kind == "affine":
        d |= {"out": 3, "seed": int(rng.integers(1000))}
    return LAYERS[kind](spec_from_dict(d), 0, width, "x", np.float64)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), N=st.integers(1, 5), D=st.integers(2, 4))
def test_right_code_is_the_engines_layer(seed, N, D):
    """The right code each record shows computes what the engine's own layer computes."""
    rng = np.random.default_rng(seed)
    x, eps = rng.standard_normal((N, D)), {"eps": 1e-5}
    for bug in BUGS.values():
        if bug.is_loss:
            continue
        layer, p = _layer(bug.applies_to, D, rng)
        y, back = layer.forward(x, p)
        dy = rng.standard_normal(y.shape)
        dx, grads = back(dy)
        y2, back2 = bug.right_fn(x, **p, **{k: eps[k] for k in bug.options})
        dx2, grads2 = back2(dy)
        np.testing.assert_allclose(y2, y, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dx2, dx, rtol=1e-9, atol=1e-12)
        assert grads2.keys() == grads.keys()
        for k in grads:
            np.testing.assert_allclose(grads2[k], grads[k], rtol=1e-9, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), N=st.integers(1, 5), C=st.integers(2, 4), onehot=st.booleans())
def test_right_code_is_the_engines_loss(seed, N, C, onehot):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, C))
    y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    t = rng.integers(0, C, N)
    t = np.eye(C)[t] if onehot else t
    for bug in BUGS.values():
        if not bug.is_loss:
            continue
        a = y if bug.applies_to == "cross_entropy" else z
        L, back = get_loss(bug.applies_to).forward(a, t)
        L2, back2 = bug.right_fn(a, t)
        assert pytest.approx(float(L), rel=1e-12) == L2
        np.testing.assert_allclose(back2()[0], back(1.0)[0], rtol=1e-9, atol=1e-14)


# ------------------------------------------------------------------- caught when shows_when


def _stack(bug, rng, n_hidden):
    """A random stack that holds the bug's layer kind (or ends in its loss), and where it is."""
    hidden = [str(rng.choice(ACTS)) for _ in range(n_hidden)]
    if bug.applies_to in ACTS:
        hidden[int(rng.integers(n_hidden))] = bug.applies_to
    layers = []
    for act in hidden:
        layers.append({"type": "affine", "out": int(rng.integers(2, 5)), "seed": _s(rng)})
        if bug.applies_to == "layernorm" and len(layers) == 1:
            layers.append({"type": "layernorm"})
        layers.append({"type": act})
    layers.append({"type": "affine", "out": int(rng.integers(2, 5)), "seed": _s(rng)})
    if bug.is_loss:
        loss = bug.applies_to
    elif bug.applies_to == "softmax":
        loss = "cross_entropy"
    else:
        loss = str(rng.choice(["softmax_cross_entropy", "cross_entropy", "mse"]))
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    where = [i for i, la in enumerate(layers) if la["type"] == bug.applies_to]
    index = len(layers) if bug.is_loss else int(rng.choice(where))
    return layers, loss, index


def _s(rng):
    return int(rng.integers(0, 2**31))


def _arriving(run, index, n_layers):
    """The input of layer ``index`` and the gradient arriving at its output, from a clean run."""
    outs = [np.asarray(f["output"]) for f in run["forward"]]
    a = np.asarray(run["x"]) if index == 0 else outs[index - 1]
    if index == n_layers:
        return outs[-1], None
    up = run["seed"] if index == n_layers - 1 else run["backward"][index + 1]["grad_input"]
    return a, np.asarray(up)


def _dead_relu(run, layers):
    """Is some relu layer dead for the whole batch? It passes no gradient down, so it hides a
    bug above it from every tensor below: no check can see through it (a limit of checking,
    not of the registry)."""
    outs = [np.asarray(run["x"])] + [np.asarray(f["output"]) for f in run["forward"]]
    return any(la["type"] == "relu" and not np.any(outs[i] > 0) for i, la in enumerate(layers))


@pytest.mark.parametrize("name", list(BUGS))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 5), depth=st.integers(1, 2))
def test_every_bug_is_caught_whenever_it_shows(name, seed, N, depth):
    bug = BUGS[name]
    rng = np.random.default_rng(seed)
    layers, loss, index = _stack(bug, rng, depth)
    x = rng.standard_normal((N, int(rng.integers(1, 4))))
    C = next(la["out"] for la in reversed(layers) if la["type"] == "affine")
    t = rng.integers(0, C, N) if loss != "mse" or rng.random() < 0.5 else rng.random((N, C))
    clean = run_network(x, t, layers, loss, gradcheck=True)
    clean["x"] = x
    assert all(c["passed"] for c in clean["gradcheck"])
    a, dy = _arriving(clean, index, len(layers))
    assume(bug.shows(a, t, dy))
    assume(not _dead_relu(clean, layers))
    planted = {"loss_bug": name} if bug.is_loss else {"bugs": {index: name}}
    run = run_network(x, t, layers, loss, gradcheck=True, **planted)
    wrote = [w for w in run["warnings"] if w["code"] == "wrote_input"]
    failed = [c for c in run["gradcheck"] if not c["passed"]]
    if bug.caught_by == "wrote_input":
        assert wrote and wrote[0]["loc"] == ["layers", index]
    else:
        assert failed, (layers, loss, index)


def test_a_bug_must_fit_its_layer():
    x, layers = [[1.0, 2.0]], [{"type": "affine", "out": 2}, {"type": "relu"}]
    with pytest.raises(EngineError, match="applies to sigmoid layers") as e:
        run_network(x, [0], layers, "softmax_cross_entropy", bugs={1: "sigmoid_from_x"})
    assert e.value.loc == ("layers", 1, "bug")
    with pytest.raises(EngineError, match="not to the loss mse") as e:
        run_network(x, [0], layers, "mse", loss_bug="softmax_cross_entropy_no_mean")
    assert e.value.loc == ("loss_bug",)


def _boom(*args, **kwargs):
    raise AssertionError("buggy code ran")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 5))
def test_a_run_without_bug_never_runs_buggy_code(seed, N):
    rng = np.random.default_rng(seed)
    bug = BUGS[str(rng.choice(list(BUGS)))]
    layers, loss, index = _stack(bug, rng, 2)
    x = rng.standard_normal((N, 3))
    C = next(la["out"] for la in reversed(layers) if la["type"] == "affine")
    t = rng.integers(0, C, N)
    planted = {"loss_bug": bug.name} if bug.is_loss else {"bugs": {index: bug.name}}
    with pytest.MonkeyPatch.context() as mp:  # every bug's wrong code fails the test if called
        for name, b in BUGS.items():
            mp.setitem(BUGS, name, dataclasses.replace(b, wrong_fn=_boom))
        run_network(x, t, layers, loss, gradcheck=True)
        with pytest.raises(AssertionError, match="buggy code ran"):  # the patch is in force
            run_network(x, t, layers, loss, **planted)


def test_perturbed_copies_run_the_same_code_one_at_a_time():
    rng = np.random.default_rng(1)
    layer, p = _layer("affine", 3, rng)
    planted = PlantedLayer(layer, BUGS["affine_dW_transposed"], {"W": 2, "b": 1}, [])
    x = rng.standard_normal((4, 3))
    copies = np.stack([p["W"], 2 * p["W"]])
    ys, _ = planted.forward(x, {**p, "W": copies})
    np.testing.assert_array_equal(ys[1], bug_code.affine_dW_transposed(x, 2 * p["W"], p["b"])[0])
    assert planted.kind == "affine" and planted.index == 0
