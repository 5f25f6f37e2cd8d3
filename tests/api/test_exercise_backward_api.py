"""POST /api/v1/exercises/backward over HTTP: verdicts as 200s, bad answers as 422s at
["body", "answer"] naming the problem, the truth only with reveal."""

import numpy as np
import pytest

from app.schemas.exercise_backward import BACKWARD_EXAMPLE
from tests.api.helpers import assert_error
from tests.attacks import ATTACKS, CONSTRUCTS

URL = "/api/v1/exercises/backward"
NETWORK = BACKWARD_EXAMPLE["network"]


def check(client, answer, index=0, tensor="W", reveal=False, network=NETWORK):
    body = {"network": network, "target": {"index": index, "tensor": tensor}, "answer": answer}
    return client.post(URL, json=body | {"reveal": reveal})


def test_the_openapi_example_is_exact(client):
    r = client.post(URL, json=BACKWARD_EXAMPLE)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["verdict"] == "exact" and d["diagnosis"] is None
    assert d["shape"] == d["expected_shape"] == [2, 4]
    assert d["max_abs_diff"] == 0.0
    assert d["wrong_cells"] == [[False] * 4] * 2
    assert d["names"] == {"x": [2, 2], "y": [2, 4], "W": [2, 4], "b": [4], "dy": [2, 4], "N": []}
    assert "expected" not in d and "reference" not in d
    example = client.get("/openapi.json").json()["components"]["schemas"]
    assert example["BackwardExerciseRequest"]["examples"] == [BACKWARD_EXAMPLE]


def test_reveal_sends_the_engines_gradient_and_a_reference(client):
    d = check(client, "zeros_like(W)", reveal=True).json()
    run = client.post("/api/v1/network/run", json=NETWORK | {"gradcheck": False}).json()
    assert d["expected"] == run["backward"][0]["grads"]["W"]
    assert d["reference"] == "x.T @ dy"
    assert d["verdict"] == "wrong"


def test_the_notebook_gradients(client):
    """Affine, sigmoid, softmax and cross-entropy of the contract's example network."""
    for index, tensor, answer in [
        (3, "x", "y * (dy - sum(dy * y, axis=1, keepdims=True))"),
        (2, "W", "x.T @ dy"),
        (2, "b", "sum(dy, axis=0)"),
        (1, "x", "dy * y * (1 - y)"),
        (0, "x", "dy @ W.T"),
        (4, "seed", "-t / (N * y)"),
        (None, "seed", "-t / y / N"),
    ]:
        d = check(client, answer, index, tensor).json()
        assert d["verdict"] in ("exact", "close"), (index, tensor, d)


def test_a_wrong_answer_is_a_200_with_its_diagnosis(client):
    r = check(client, "(x.T @ dy).T")
    assert r.status_code == 200
    d = r.json()
    assert (d["verdict"], d["diagnosis"]) == ("shape", "transposed")
    assert d["hint"].startswith("Your dW is 4×2 and matches dWᵀ. dW has W's shape, 2×4")
    d = check(client, "dy", 2, "b").json()
    assert (d["verdict"], d["diagnosis"]) == ("shape", "missing_sum")
    d = check(client, "N * (x.T @ dy)", 2, "W").json()
    assert (d["verdict"], d["diagnosis"]) == ("wrong", "batch_scale")
    assert np.array(d["wrong_cells"]).shape == (4, 3)
    d = check(client, "log(0 * sum(dy, axis=0))", 2, "b").json()
    assert d["verdict"] == "wrong" and d["max_abs_diff"] is None and d["nonfinite"] == 0


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("dW", "name 'dW' is not allowed; use x, y, W, b, dy, N"),
        ("dy @ x", "dy is 2×4 and x is 2×2, so the inner sizes 4 and 2 differ"),
        ("x.__class__", "attribute access is not allowed"),
        ("sum(dy, axis=x)", "must be written out as a literal"),
        ("__import__('os').system('id')", "attribute access is not allowed"),
        ("__import__('os')", "function '__import__' is not allowed"),
        ("", "the answer is empty"),
        ("x" * 2000, "too long"),
    ],
)
def test_bad_answers_are_422_at_the_answer(client, answer, words):
    assert_error(check(client, answer), 422, "answer", words)
    d = check(client, answer).json()["detail"][0]
    assert d["loc"] == ["body", "answer"] and len(d["msg"]) < 300


def test_an_oversize_intermediate_is_refused_before_it_runs(client):
    network = NETWORK | {"x": [[0.5, -0.5]] * 1024, "targets": [0] * 1024}
    answer = "p = ones_like(x) @ ones_like(x).T\nq = p @ p\nq @ q"
    assert_error(check(client, answer, network=network), 422, "answer", "operations")


@pytest.mark.parametrize("answer", ATTACKS, ids=range(len(ATTACKS)))
def test_attack_list_is_refused_or_judged(client, answer):
    """Each attack is a 422 at the answer, or harmless arithmetic judged as a wrong answer."""
    r = check(client, answer)
    if len(answer) > 500_000:  # the 1 MiB string is stopped by the body limit
        assert r.status_code == 413
        return
    if r.status_code == 200:
        assert r.json()["verdict"] in ("wrong", "shape")
        return
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"][0]["loc"] == ["body", "answer"]


@pytest.mark.parametrize(("answer", "phrase"), CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_the_message_names_the_construct(client, answer, phrase):
    assert_error(check(client, answer), 422, "answer", phrase)


@pytest.mark.parametrize(
    ("target", "loc", "words"),
    [
        ({"index": 9, "tensor": "x"}, "index", "index must name a layer, 0 to 3"),
        ({"index": 1, "tensor": "W"}, "tensor", "layer 1 (sigmoid) has no gradient 'W'"),
        ({"index": 0, "tensor": "seed"}, "index", "whose index is 4"),
        ({"index": -1, "tensor": "x"}, "index", ""),
    ],
)
def test_bad_targets(client, target, loc, words):
    body = {"network": NETWORK, "target": target, "answer": "dy"}
    assert_error(client.post(URL, json=body), 422, loc, words)


def test_a_bad_network_is_reported_inside_network(client):
    network = NETWORK | {"targets": [0, 7]}
    r = check(client, "x.T @ dy", network=network)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:3] == ["body", "network", "targets"]


def test_a_planted_bug_runs_and_the_learner_is_judged_against_the_true_layer(client):
    """A layer's `bug` runs its wrong code here as on /network/run: the gradient arriving at the
    affine layer below the bugged sigmoid is the bugged network's, and the affine layer's own
    (correct) gradient of it is the truth the learner's `x.T @ dy` matches."""
    layers = [
        {"type": "affine", "W": [[0.5, -0.3], [0.2, 0.8]], "b": [0.1, -0.1]},
        {"type": "sigmoid", "bug": "sigmoid_from_x"},
        {"type": "affine", "W": [[1.0, -1.0], [0.5, 0.5]], "b": [0.0, 0.0]},
    ]
    net = {"x": [[0.3, -0.7], [1.1, 0.2], [-0.4, 0.9]], "targets": [0, 1, 1], "layers": layers,
           "loss": "softmax_cross_entropy", "gradcheck": False}  # fmt: skip
    bugged = client.post("/api/v1/network/run", json=net).json()
    clean = client.post("/api/v1/network/run", json=net | {"layers": [
        {k: v for k, v in layer.items() if k != "bug"} for layer in layers]}).json()  # fmt: skip
    bugged_dW = bugged["backward"][0]["grads"]["W"]
    assert bugged_dW != clean["backward"][0]["grads"]["W"]  # the bug shows below it
    body = {"network": net, "target": {"index": 0, "tensor": "W"}, "answer": "x.T @ dy",
            "reveal": True}  # fmt: skip
    r = client.post("/api/v1/exercises/backward", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] in ("exact", "close")
    np.testing.assert_allclose(out["expected"], bugged_dW, rtol=1e-12)
    # the bugged layer itself: judged against the right formula, so the bug's own is wrong
    body = {"network": net, "target": {"index": 1, "tensor": "x"}, "answer": "dy * x * (1 - x)"}
    assert client.post("/api/v1/exercises/backward", json=body).json()["verdict"] == "wrong"
    body["answer"] = "dy * y * (1 - y)"
    assert client.post("/api/v1/exercises/backward", json=body).json()["verdict"] in (
        "exact",
        "close",
    )
