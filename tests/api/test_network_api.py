import numpy as np
import pytest

from app.schemas import NETWORK_EXAMPLE
from tests.api.helpers import assert_error


def run(client, body):
    return client.post("/api/v1/network/run", json=body)


def test_contract_example_shapes_and_fields(client):
    r = run(client, NETWORK_EXAMPLE)
    assert r.status_code == 200, r.text
    d = r.json()
    assert set(d) >= {"loss", "forward", "backward", "params", "gradcheck"}
    assert [f["type"] for f in d["forward"]] == ["affine", "sigmoid", "affine", "softmax"]
    assert [np.shape(f["output"]) for f in d["forward"]] == [(2, 4), (2, 4), (2, 3), (2, 3)]
    assert [b["index"] for b in d["backward"]] == [0, 1, 2, 3]
    assert np.shape(d["backward"][0]["grad_input"]) == (2, 2)
    assert np.shape(d["backward"][2]["grads"]["W"]) == (4, 3)
    assert np.shape(d["backward"][2]["grads"]["b"]) == (3,)
    assert [p["index"] for p in d["params"]] == [0, 2]
    assert d["params"][0]["W"] == NETWORK_EXAMPLE["layers"][0]["W"]
    checked = {(g["index"], g["param"]) for g in d["gradcheck"]}
    assert checked == {(0, "W"), (0, "b"), (2, "W"), (2, "b"), (0, "x")}
    assert all(g["passed"] and g["max_rel_error"] < 1e-6 for g in d["gradcheck"])


def test_loss_and_gradients_match_a_hand_computation(client):
    d = run(client, NETWORK_EXAMPLE).json()
    x = np.array(NETWORK_EXAMPLE["x"])
    W0 = np.array(d["params"][0]["W"])
    W2, b2 = np.array(d["params"][1]["W"]), np.array(d["params"][1]["b"])
    a = 1 / (1 + np.exp(-(x @ W0)))
    z = a @ W2 + b2
    y = np.exp(z - z.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    t = np.eye(3)[[0, 2]]
    assert np.isclose(d["loss"], -np.log(y[t == 1]).mean(), rtol=1e-12)
    dz = (y - t) / 2  # fused softmax + cross-entropy gradient
    assert np.allclose(d["backward"][2]["grads"]["W"], a.T @ dz, rtol=1e-9, atol=1e-12)


def test_seeded_init_is_reproducible(client):
    a = run(client, NETWORK_EXAMPLE).json()["params"][1]["W"]
    b = run(client, NETWORK_EXAMPLE).json()["params"][1]["W"]
    assert a == b


def test_notebook_preset_has_loss_of_order_one_and_passes_the_check(client):
    presets = client.get("/api/v1/network/presets").json()["presets"]
    notebook = next(p for p in presets if p["name"] == "notebook")
    assert np.shape(notebook["x"]) == (1000, 2)
    body = {k: notebook[k] for k in ("x", "targets", "layers", "loss")} | {"gradcheck": True}
    r = run(client, body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert 1.0 <= d["loss"] <= 2.0  # about ln 4; the notebook's 6952 came from its indexing bugs
    assert all(g["passed"] for g in d["gradcheck"])


def test_every_preset_runs(client):
    for p in client.get("/api/v1/network/presets").json()["presets"]:
        body = {k: p[k] for k in ("x", "targets", "layers", "loss")}
        assert run(client, body).status_code == 200, p["name"]


def test_shape_mismatch_names_the_layer_and_both_widths(client):
    body = {
        "x": [[1.0, 2.0]],
        "targets": [0],
        "layers": [
            {"type": "affine", "in": 2, "out": 4},
            {"type": "relu"},
            {"type": "affine", "W": [[1.0, 0.0]] * 3, "b": [0.0, 0.0]},
            {"type": "softmax"},
        ],
    }
    assert_error(run(client, body), 422, "layers", "layer 2 (affine) expects input width 3, got 4")


def test_mse_and_fused_loss(client):
    x = [[0.5, -1.0], [2.0, 0.1], [0.0, 0.3]]
    layers = [{"type": "affine", "in": 2, "out": 2, "seed": 3}, {"type": "tanh"}]
    t = [[0.1, 0.2], [0.3, -0.4], [0.0, 0.5]]
    d = run(client, {"x": x, "targets": t, "layers": layers, "loss": "mse"}).json()
    y = np.array(d["forward"][-1]["output"])
    assert np.isclose(d["loss"], 0.5 * ((y - np.array(t)) ** 2).sum() / 3, rtol=1e-12)
    assert np.allclose(d["backward"][-1]["grad_input"], (y - np.array(t)) / 3 * (1 - y**2))
    assert all(g["passed"] for g in d["gradcheck"])
    body = {"x": x, "targets": [0, 1, 1], "layers": layers[:1], "loss": "softmax_cross_entropy"}
    d = run(client, body).json()
    z = np.array(d["forward"][0]["output"])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.allclose(
        d["backward"][0]["grad_input"],
        (p - np.eye(2)[[0, 1, 1]]) / 3 @ np.array(d["params"][0]["W"]).T,
    )


def test_float32_runs_in_float32_and_still_checks(client):
    body = NETWORK_EXAMPLE | {"dtype": "float32"}
    d = run(client, body).json()
    assert all(g["passed"] for g in d["gradcheck"])
    assert max(g["max_rel_error"] for g in d["gradcheck"]) > 1e-12  # float32 round-off shows


def test_leaky_relu_alpha_and_defaults(client):
    base = {"x": [[-2.0, 1.0]], "targets": [[0.0, 0.0]], "loss": "mse", "gradcheck": False}
    d = run(client, base | {"layers": [{"type": "leaky_relu"}]}).json()
    assert d["forward"][0]["output"] == [[-0.02, 1.0]]
    d = run(client, base | {"layers": [{"type": "leaky_relu", "alpha": 0.2}]}).json()
    assert d["forward"][0]["output"] == [[-0.4, 1.0]]


def test_bad_targets_are_explained(client):
    body = NETWORK_EXAMPLE | {"targets": [0, 7]}
    assert_error(run(client, body), 422, "targets")
    body = NETWORK_EXAMPLE | {"targets": [0]}
    assert_error(run(client, body), 422, "targets", "there are 1 targets for 2 inputs")


def test_limits_are_named(client):
    layers = [{"type": "relu"}] * 33
    body = {"x": [[1.0]], "targets": [[0.0]], "layers": layers, "loss": "mse"}
    assert_error(run(client, body), 422, "layers", "32")
    body = {
        "x": [[1.0]],
        "targets": [[0.0]],
        "loss": "mse",
        "layers": [{"type": "affine", "in": 1, "out": 257}],
    }
    assert_error(run(client, body), 422, "out", "256")


def test_ragged_matrix_is_explained(client):
    body = NETWORK_EXAMPLE | {"x": [[1.0, 2.0], [3.0]]}
    assert_error(run(client, body), 422, words="rectangular")


@pytest.mark.parametrize("field", ["x", "targets"])
def test_ragged_matrix_is_named_at_its_field_counting_rows_from_1(client, field):
    """Issue 27 item 15: the message goes beside its box, with rows counted as the page does."""
    body = {
        "x": [[1.0, 2.0]] * 3,
        "targets": [[0.0, 1.0]] * 3,
        "layers": [{"type": "relu"}],
        "loss": "mse",
    }
    body[field] = [[1.0, 2.0], [3.0, 4.0], [5.0]]
    msgs = assert_error(run(client, body), 422, field, "row 1 has 2 numbers, row 3 has 1")
    assert "row 0" not in msgs, msgs


def test_softmax_jacobian(client):
    r = client.post("/api/v1/softmax/jacobian", json={"x": [1.0, 2.0, 3.0]})
    assert r.status_code == 200
    d = r.json()
    y = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert np.allclose(d["y"], y, rtol=1e-14)
    assert np.allclose(d["jacobian"], np.diag(y) - np.outer(y, y), rtol=1e-13, atol=1e-16)
    r = client.post("/api/v1/softmax/jacobian", json={"x": [1000.0, 0.0, -1000.0]})
    assert r.status_code == 200 and r.json()["y"][0] == 1.0


def test_warnings_and_kink_marks_over_http(client):
    """The fragile cases of the contract's "Warnings" reach the client with code, msg and loc."""
    layers = [{"type": "identity"}, {"type": "softmax"}]
    body = {"x": [[0.0, 1000.0]], "targets": [0], "layers": layers, "loss": "cross_entropy"}
    r = run(client, body).json()
    assert [w["code"] for w in r["warnings"]] == ["cross_entropy_underflow"]
    assert r["warnings"][0]["loc"] == ["loss"]
    kinked = {
        "x": [[0.0]],
        "targets": [[1.0]],
        "layers": [{"type": "affine", "W": [[1.0]], "b": [0.0]}, {"type": "relu"}],
        "loss": "mse",
    }
    r = run(client, kinked).json()
    assert all(c["passed"] for c in r["gradcheck"])
    x_check = r["gradcheck"][-1]
    assert x_check["param"] == "x" and x_check["kinks"] == 1 and x_check["at_kink"] == [[True]]
    assert {w["code"] for w in r["warnings"]} == {"kink_in_step"}
    plain = run(client, {**kinked, "x": [[0.5]]}).json()
    assert plain["warnings"] == [] and "at_kink" not in plain["gradcheck"][0]


def test_a_layernorm_layer_runs_and_is_checked(client):
    body = {
        "x": [[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]],
        "targets": [0, 1],
        "layers": [{"type": "layernorm", "gamma": [1.0, 0.5, 2.0]}, {"type": "affine", "out": 2}],
        "loss": "softmax_cross_entropy",
    }
    d = run(client, body).json()
    assert d["params"][0] == {"index": 0, "gamma": [1.0, 0.5, 2.0], "beta": [0.0, 0.0, 0.0]}
    assert {(c["index"], c["param"]) for c in d["gradcheck"]} >= {(0, "gamma"), (0, "beta")}
    assert all(c["passed"] for c in d["gradcheck"])
    bad = {**body, "layers": [{"type": "layernorm", "gamma": [1.0]}, body["layers"][1]]}
    assert_error(run(client, bad), 422, "gamma", "3 entries")


def test_nudge_over_http(client):
    from app.schemas import NUDGE_EXAMPLE

    r = client.post("/api/v1/network/nudge", json=NUDGE_EXAMPLE)
    assert r.status_code == 200, r.text
    d = r.json()
    assert len(d["deltas"]) == len(d["actual"]) == len(d["gap"]) == 13
    assert d["deltas"][0] == pytest.approx(1e-6) and d["deltas"][-1] == pytest.approx(1.0)
    grad = run(client, NETWORK_EXAMPLE).json()["backward"][2]["grads"]["W"][1][0]
    assert d["grad"] == grad and d["predicted"][-1] == pytest.approx(grad)
    assert 1.8 < d["order"] < 2.2 and d["crossed_kink"] == [False] * 13
    down = client.post("/api/v1/network/nudge", json={**NUDGE_EXAMPLE, "sign": -1}).json()
    assert down["deltas"][0] == pytest.approx(-1e-6)
    bad = {**NUDGE_EXAMPLE, "index": 1}
    assert_error(client.post("/api/v1/network/nudge", json=bad), 422, "param", "no parameter")
    bad = {**NUDGE_EXAMPLE, "entry": [9, 0]}
    assert_error(client.post("/api/v1/network/nudge", json=bad), 422, "entry", "shape is [4, 3]")


def test_a_nudge_of_batchnorm_moves_gamma_and_refuses_its_running_statistics(client):
    from app.schemas import NUDGE_EXAMPLE

    layers = [NUDGE_EXAMPLE["layers"][0], {"type": "batchnorm"}, *NUDGE_EXAMPLE["layers"][1:]]
    body = {**NUDGE_EXAMPLE, "layers": layers, "index": 1, "param": "gamma", "entry": [2]}
    r = client.post("/api/v1/network/nudge", json=body)
    assert r.status_code == 200, r.text
    assert 1.8 < r.json()["order"] < 2.2  # the gap shrinks like Δ²: the gradient is right
    bad = {**body, "param": "running_mean"}
    assert_error(client.post("/api/v1/network/nudge", json=bad), 422, "param", "not trained")


def test_include_trims_the_response_to_what_the_client_draws(client):
    body = {**NETWORK_EXAMPLE, "x": [[1.0, 2.0]] * 200, "targets": [0, 2] * 100}
    full = run(client, body)
    lean = run(client, {**body, "include": []})
    assert lean.status_code == 200
    d = lean.json()
    assert set(d) == {"loss", "gradcheck", "warnings", "nonfinite"}
    assert d["loss"] == full.json()["loss"]
    verdicts = [(c["param"], c["passed"], c["max_rel_error"]) for c in d["gradcheck"]]
    assert verdicts == [
        (c["param"], c["passed"], c["max_rel_error"]) for c in full.json()["gradcheck"]
    ]
    assert "numeric" not in d["gradcheck"][0]
    assert len(lean.content) * 50 < len(full.content)  # bytes, not seconds
    some = run(client, {**body, "include": ["params"]}).json()
    assert "params" in some and "forward" not in some and "backward" not in some
    assert_error(run(client, {**body, "include": ["everything"]}), 422, "include")


@pytest.mark.parametrize(
    ("loss", "targets"),
    [
        ("softmax_cross_entropy", [0, 2, 1]),
        ("cross_entropy", [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]),
        ("mse", [[0.1, -0.2, 0.3], [0.0, 1.0, 0.5], [-1.0, 0.2, 0.0]]),
    ],
)
def test_seed_is_the_loss_gradient_the_backward_pass_starts_from(client, loss, targets):
    x = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]
    layers = [{"type": "affine", "in": 2, "out": 3, "seed": 1}]
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    d = run(client, {"x": x, "targets": targets, "layers": layers, "loss": loss}).json()
    seed, y = np.array(d["seed"]), np.array(d["forward"][-1]["output"])
    t = np.array(targets)
    n = len(x)
    if loss == "softmax_cross_entropy":
        p = np.exp(y - y.max(axis=1, keepdims=True))
        expected = (p / p.sum(axis=1, keepdims=True) - np.eye(3)[t]) / n
    elif loss == "cross_entropy":
        expected = -t / (n * y)
    else:
        expected = (y - t) / n
    np.testing.assert_allclose(seed, expected, rtol=1e-12, atol=1e-15)
    # The seed is what the backward pass starts from: dW = xᵀ·(dL/dz) through the first layer.
    dz = seed if len(layers) == 1 else np.array(d["backward"][1]["grad_input"])
    np.testing.assert_allclose(d["backward"][0]["grads"]["W"], np.array(x).T @ dz, rtol=1e-12)
    lean = run(client, {"x": x, "targets": targets, "layers": layers, "loss": loss, "include": []})
    assert "seed" not in lean.json()


def test_a_target_past_the_width_is_reported_at_the_layer_that_chose_the_width_too(client):
    layers = [
        {"type": "affine", "in": 2, "out": 3, "seed": 0},
        {"type": "relu"},
        {"type": "affine", "in": 3, "out": 1, "seed": 0},
        {"type": "sigmoid"},
    ]
    body = {"x": [[0.0, 1.0], [1.0, 0.0]], "targets": [0, 1], "layers": layers}
    r = run(client, {**body, "loss": "softmax_cross_entropy"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", "targets"], ["body", "layers", 2]]
    assert "layer 2 (affine) outputs 1 column" in detail[0]["msg"]
    assert detail[0]["msg"] == detail[1]["msg"]
    rows = run(client, {**body, "targets": [[0.0, 1.0], [1.0, 0.0]], "loss": "mse"})
    assert [d["loc"] for d in rows.json()["detail"]] == [["body", "targets"], ["body", "layers", 2]]
    short = run(client, {**body, "targets": [0], "loss": "mse"})  # the count, not the width
    assert [d["loc"] for d in short.json()["detail"]] == [["body", "targets"]]
    assert "there are 1 targets for 2 inputs" in short.json()["detail"][0]["msg"]


def test_batchnorm_over_one_row_is_a_422_that_says_why(client):
    body = {"x": [[1.0, 2.0]], "targets": [0], "layers": [{"type": "batchnorm"}],
            "loss": "softmax_cross_entropy"}  # fmt: skip
    assert_error(run(client, body), 422, "layers", "a batch of 1 row has variance 0")
    body["layers"] = [{"type": "batchnorm", "training": False, "running_mean": [0.5, 0.5]}]
    r = run(client, body)
    assert r.status_code == 200, r.text
    assert set(r.json()["params"][0]) == {"index", "gamma", "beta", "running_mean", "running_var"}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_huber_mish_and_batchnorm_pass_the_gradient_check(client, dtype):
    body = {
        "dtype": dtype,
        "x": [[0.5, -1.0], [2.0, 0.3], [-1.5, 1.2]],
        "targets": [[0.2, 3.0], [-1.0, 0.4], [2.5, -0.7]],
        "layers": [{"type": "affine", "out": 3, "seed": 4}, {"type": "batchnorm"},
                   {"type": "mish"}, {"type": "affine", "out": 2, "seed": 5}],
        "loss": "huber", "gradcheck": True,
    }  # fmt: skip
    r = run(client, body)
    assert r.status_code == 200, r.text
    assert all(g["passed"] for g in r.json()["gradcheck"])
