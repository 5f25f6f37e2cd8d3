"""Planted bugs and the bug hunt over HTTP: /meta lists the registry, /network/run runs a named
bug or a challenge's hidden one, every other endpoint refuses them, and a guess is judged."""

import pytest

from app.schemas import NETWORK_EXAMPLE, TRAIN_EXAMPLE
from tests.api.helpers import assert_error

HUNT, GUESS, RUN = "/api/v1/exercises/hunt", "/api/v1/exercises/hunt/guess", "/api/v1/network/run"


def failed(result):
    return [(c["index"], c["param"]) for c in result["gradcheck"] if not c["passed"]]


def test_meta_lists_every_bug_with_its_code(client):
    bugs = client.get("/api/v1/meta").json()["bugs"]
    assert len(bugs) >= 10
    fields = {"name", "applies_to", "wrong", "right", "explanation", "source", "shows_when"}
    assert all(fields <= set(b) for b in bugs)
    relu = next(b for b in bugs if b["name"] == "relu_in_place")
    assert "dy[x <= 0] = 0" in relu["wrong"] and relu["caught_by"] == "wrote_input"


def test_a_named_bug_runs_and_the_check_shows_it(client):
    body = {**NETWORK_EXAMPLE, "include": ["backward"]}
    assert failed(client.post(RUN, json=body).json()) == []
    layers = [dict(la) for la in body["layers"]]
    layers[1]["bug"] = "sigmoid_from_x"
    r = client.post(RUN, json={**body, "layers": layers})
    assert r.status_code == 200
    assert (0, "W") in failed(r.json()) and (2, "W") not in failed(r.json())
    r = client.post(RUN, json={**body, "loss_bug": "cross_entropy_block"})
    assert r.status_code == 200 and (2, "W") in failed(r.json())


def test_an_in_place_write_is_a_wrote_input_warning(client):
    layers = [
        {"type": "affine", "in": 2, "out": 3, "seed": 1},
        {"type": "relu", "bug": "relu_in_place"},
        {"type": "affine", "out": 2, "seed": 2},
    ]
    x = [[1.0, -2.0], [-0.5, 0.3], [2.0, 1.0]]
    body = {"x": x, "targets": [0, 1, 1], "layers": layers, "loss": "softmax_cross_entropy"}
    r = client.post(RUN, json=body).json()
    wrote = [w for w in r["warnings"] if w["code"] == "wrote_input"]
    assert wrote and wrote[0]["loc"] == ["layers", 1] and "wrote into" in wrote[0]["msg"]


def test_a_bug_for_another_kind_is_refused_beside_it(client):
    layers = [dict(la) for la in NETWORK_EXAMPLE["layers"]]
    layers[1]["bug"] = "tanh_from_x"
    r = client.post(RUN, json={**NETWORK_EXAMPLE, "layers": layers})
    assert_error(r, 422, "bug", "applies to tanh layers")
    r = client.post(RUN, json={**NETWORK_EXAMPLE, "loss_bug": "softmax_cross_entropy_no_mean"})
    assert_error(r, 422, "loss_bug", "not to the loss cross_entropy")
    layers[1]["bug"] = "no_such_bug"
    assert_error(client.post(RUN, json={**NETWORK_EXAMPLE, "layers": layers}), 422, "bug")


@pytest.mark.parametrize(
    ("path", "base"),
    [
        ("/api/v1/network/nudge", {**NETWORK_EXAMPLE, "index": 0, "param": "W", "entry": [0, 0]}),
        ("/api/v1/train", TRAIN_EXAMPLE),
    ],
)
def test_every_other_endpoint_refuses_bugs(client, path, base):
    base = {k: v for k, v in base.items() if k not in ("gradcheck", "h")}
    layers = [dict(la) for la in base["layers"]]
    layers[0]["bug"] = "affine_db_no_sum"
    assert_error(client.post(path, json={**base, "layers": layers}), 422, "bug", "only by")
    assert_error(client.post(path, json={**base, "loss_bug": "x"}), 422, "loss_bug", "only by")
    if path.endswith("train"):  # the nudge is a hunt's tool: it takes a challenge (below)
        challenge = client.post(HUNT, json={"seed": 1, "level": 1}).json()["challenge"]
        assert_error(client.post(path, json={**base, "challenge": challenge}), 422, "challenge")


def test_the_nudge_of_a_challenge_runs_its_hidden_bug(client):
    hunt = client.post(HUNT, json={"seed": 2, "level": 1}).json()
    assert hunt["network"]["layers"][0]["type"] == "affine"
    nudge = {**hunt["network"], "index": 0, "param": "W", "entry": [0, 0], "num": 8}
    clean = client.post("/api/v1/network/nudge", json=nudge).json()
    r = client.post("/api/v1/network/nudge", json={**nudge, "challenge": hunt["challenge"]})
    assert r.status_code == 200
    assert clean["order"] == pytest.approx(2, abs=0.3)  # smooth and right: the gap goes like Δ²
    assert r.json()["loss"] == clean["loss"] and r.json()["grad"] != clean["grad"]
    assert r.json()["order"] < 1.5  # the wrong gradient: the gap shrinks only like Δ


def test_a_hunt_is_won_over_http(client):
    r = client.post(HUNT, json={"seed": 12, "level": 1})
    assert r.status_code == 200
    hunt = r.json()
    assert client.post(HUNT, json={"seed": 12, "level": 1}).json() == hunt  # stateless
    network, token = hunt["network"], hunt["challenge"]
    assert "bug" not in str(network)
    assert failed(client.post(RUN, json=network).json()) == []
    r = client.post(RUN, json={**network, "challenge": token})
    run = r.json()
    bad = failed(run) or [w for w in run["warnings"] if w["code"] == "wrote_input"]
    assert bad
    bugs = client.get("/api/v1/meta").json()["bugs"]
    assert not [b["name"] for b in bugs if b["name"] in r.text]  # the run never says which
    # Try every place and gradient the page offers; exactly one is right.
    places = hunt["places"]
    n = len(network["layers"])
    assert [p["index"] for p in places] == list(range(n + 1))
    assert places[0]["tensors"] == ["x", "W", "b"] and places[-1]["tensors"] == ["seed"]
    guesses = [(p["index"], t) for p in places for t in p["tensors"]]
    answers = [
        client.post(GUESS, json={"challenge": token, "index": i, "tensor": t}).json()
        for i, t in guesses
    ]
    right = [g for g, a in zip(guesses, answers, strict=True) if a["correct"]]
    assert len(right) == 1
    won = answers[guesses.index(right[0])]
    assert won["bug"]["index"] == right[0][0] and won["bug"]["wrong"] and won["bug"]["right"]
    assert all(a["bug"] is None and a["hint"] for a in answers if not a["correct"])


def test_giving_up_reveals_the_bug(client):
    token = client.post(HUNT, json={"seed": 4, "level": 3}).json()["challenge"]
    r = client.post(GUESS, json={"challenge": token, "index": 0, "tensor": "x", "give_up": True})
    bug = r.json()["bug"]
    assert r.json()["correct"] is False and bug["give_up"] is True and bug["explanation"]


def test_hunt_input_errors(client):
    assert_error(client.post(HUNT, json={"seed": 1, "level": 9}), 422, "level")
    assert_error(client.post(HUNT, json={"seed": -1}), 422, "seed")
    r = client.post(GUESS, json={"challenge": "AAAAAAAA", "index": 0, "tensor": "x"})
    assert_error(r, 422, "challenge", "not one the server gave out")
    r = client.post(RUN, json={**NETWORK_EXAMPLE, "challenge": "not a token!"})
    assert_error(r, 422, "challenge")
