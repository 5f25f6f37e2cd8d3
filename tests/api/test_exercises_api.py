"""The exercise endpoints over HTTP: graph/check, graph/random, exercises/predict."""

import pytest

from tests.api.helpers import assert_error
from tests.attacks import ATTACKS

CS231N = {"expr": "q = x + y\nf = q * z", "values": {"x": -2, "y": 5, "z": -4}}
TWICE = {"expr": "q = x * y\nr = x + z\nf = q + r", "values": {"x": 2, "y": 3, "z": 1}}


def check(client, **kw):
    return client.post("/api/v1/graph/check", json=kw)


def test_contract_example_is_accepted(client):
    r = check(client, **CS231N, node=0, quantity="grad", answer=-4.0, attempt=1)
    assert r.status_code == 200
    body = r.json()
    assert body["correct"] is True and body["diagnosis"] is None
    assert "expected" not in body


@pytest.mark.parametrize(
    ("program", "node", "answer", "diagnosis"),
    [
        (CS231N, 3, 3, "forward_value"),
        (TWICE, 0, "3", "one_path"),
        (CS231N, 0, "1", "forgot_upstream"),
        (CS231N, 0, "4", "sign"),
        (CS231N, 2, "-4/3*0 + 3", None),
        (TWICE, 0, 17, "other"),
    ],
)
def test_each_diagnosis_over_http(client, program, node, answer, diagnosis):
    body = check(client, **program, node=node, quantity="grad", answer=answer).json()
    assert body["diagnosis"] == diagnosis
    assert body["correct"] is (diagnosis is None)
    assert body["hint"]


def test_local_swapped_and_reveal(client):
    body = check(client, **CS231N, node=4, quantity="local", input=1, answer=-4, reveal=True).json()
    assert body["diagnosis"] == "local_swapped" and body["expected"] == 3.0 and body["input"] == 1
    assert "other input, q = 3" in body["hint"]


def test_typed_precision(client):
    expr = {"expr": "f = sigmoid(x)", "values": {"x": 0.5}}  # σ'(0.5) = 0.235004
    assert check(client, **expr, node=1, quantity="local", input=0, answer="0.235").json()[
        "correct"
    ]
    assert check(client, **expr, node=1, quantity="local", input=0, answer="0.24").json()["correct"]
    assert not check(client, **expr, node=1, quantity="local", input=0, answer="0.2").json()[
        "correct"
    ]


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"node": 99}, "node", "node id"),
        ({"quantity": "hess"}, "quantity", ""),
        ({"quantity": "local", "node": 4}, "input", "input"),
        ({"answer": "import os"}, "answer", "not"),
        ({"answer": True}, "answer", "number"),
        ({"answer": "1" * 300}, "answer", "at most"),
        ({"attempt": 0}, "attempt", ""),
        ({"expr": "__import__('os')"}, "expr", ""),
        ({"values": {"x": -2, "y": 5}}, "expr", ""),
        ({"extra": 1}, "extra", ""),
    ],
)
def test_bad_input_is_422_naming_the_field(client, change, loc, words):
    body = {**CS231N, "node": 0, "quantity": "grad", "answer": 1, **change}
    msg = assert_error(check(client, **body), 422, loc, words)
    assert "1" * 60 not in msg


def test_random_same_body_same_program_and_accepted_by_graph(client):
    body = {"seed": 7, "nodes": 8, "ops": ["add", "mul", "exp", "relu"]}
    a = client.post("/api/v1/graph/random", json=body).json()
    assert client.post("/api/v1/graph/random", json=body).json() == a
    assert a["expr"].count("\n") == 7
    g = client.post("/api/v1/graph", json={"expr": a["expr"], "values": a["values"]})
    assert g.status_code == 200
    ops = {n["op"] for n in g.json()["nodes"]} - {"var", "const"}
    assert ops <= set(body["ops"])


def test_random_ten_circuits_all_accepted_and_checkable(client):
    for seed in range(10):
        a = client.post("/api/v1/graph/random", json={"seed": seed}).json()
        g = client.post("/api/v1/graph", json={"expr": a["expr"], "values": a["values"]}).json()
        for n in g["nodes"]:
            r = check(
                client,
                expr=a["expr"],
                values=a["values"],
                node=n["id"],
                quantity="grad",
                answer=n["grad"],
            )
            assert r.json()["correct"], (a, n)


def test_random_new_numbers_keep_the_program(client):
    a = client.post("/api/v1/graph/random", json={"seed": 3, "expr": CS231N["expr"]}).json()
    assert a["expr"] == CS231N["expr"] and set(a["values"]) == {"x", "y", "z"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 2**60}, "seed"),
        ({"nodes": 0}, "nodes"),
        ({"nodes": 16}, "nodes"),
        ({"ops": ["max"]}, "ops"),
        ({"ops": []}, "ops"),
        ({"seed": "1"}, "seed"),
        ({"expr": "f = log(log(log(log(x))))"}, "expr"),
    ],
)
def test_random_bad_input(client, body, loc):
    assert_error(client.post("/api/v1/graph/random", json=body), 422, loc)


def test_predict_three_kinds(client):
    post = lambda b: client.post("/api/v1/exercises/predict", json=b)  # noqa: E731
    s = post({"kind": "slope", "expr": "sin(x)", "x0": 1.0, "answer": 0.5}).json()
    assert s["verdict"] == "close" and s["expected"] == pytest.approx(0.5403023058681398)
    b = post(
        {"kind": "best_h", "expr": "sin(x)", "x0": 1.0, "method": "central", "answer": 1e-5}
    ).json()
    assert b["verdict"] == "close" and 1e-6 < b["expected"] < 1e-4
    xs = [i / 10 for i in range(-30, 31)]
    k = post({"kind": "sketch", "activation": "relu", "x": xs, "y": [0.0] * 61}).json()
    assert k["verdict"] == "far" and 0 < k["worst_x"] <= 3 and len(k["expected"]) == 61
    for body in (s, b, k):
        assert 0 <= body["score"] <= 1


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "slope", "expr": "sin(x)", "x0": 1.0}, "answer"),
        ({"kind": "slope", "expr": "sin(q)", "x0": 1.0, "answer": 1}, "expr"),
        ({"kind": "nope"}, "kind"),
        ({"kind": "sketch", "activation": "relu", "x": [0.0] * 2002, "y": [0.0] * 2002}, "x"),
        ({"kind": "sketch", "activation": "relu", "x": [0, 1], "y": [0, 1, 2]}, "y"),
        ({"kind": "sketch", "activation": "relu", "x": [0, 0], "y": [0, 1]}, "x"),
        ({"kind": "best_h", "expr": "sin(x)", "x0": 1, "answer": 2}, "answer"),
    ],
)
def test_predict_bad_input(client, body, loc):
    assert_error(client.post("/api/v1/exercises/predict", json=body), 422, loc)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda s: repr(s[:30]))
def test_attacks_as_answers_and_programs_get_a_clear_4xx(client, attack):
    bodies = [
        ("/api/v1/graph/check", {**CS231N, "node": 0, "quantity": "grad", "answer": attack}),
        (
            "/api/v1/graph/check",
            {**CS231N, "expr": attack, "node": 0, "quantity": "grad", "answer": 1},
        ),
        ("/api/v1/graph/random", {"seed": 1, "expr": attack}),
        ("/api/v1/exercises/predict", {"kind": "slope", "expr": attack, "x0": 1, "answer": 1}),
    ]
    for path, body in bodies:
        r = client.post(path, json=body)
        assert r.status_code in (413, 422), (path, r.status_code, r.text[:200])
        if r.status_code == 422:
            assert all(len(d["msg"]) < 300 for d in r.json()["detail"])
