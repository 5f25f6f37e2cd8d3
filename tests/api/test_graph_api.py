"""POST /api/v1/graph: the contract's example, CS231n's neuron, programs, refusals and limits."""

import math

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api.helpers import assert_error, finite_or_null

GRAPH = "/api/v1/graph"
CIRCUIT = {"x": -2, "y": 5, "z": -4}


def test_the_contract_example(client):
    r = client.post(GRAPH, json={"expr": "(x + y) * z", "values": CIRCUIT})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["output"] == -12.0
    nodes = {n["id"]: n for n in d["nodes"]}
    assert nodes[0] == {
        "id": 0,
        "op": "var",
        "label": "x",
        "inputs": [],
        "value": -2.0,
        "grad": -4.0,
        "local": [],
    }
    assert nodes[3] | {"name": None} == {
        "id": 3,
        "op": "add",
        "label": "+",
        "inputs": [0, 1],
        "value": 3.0,
        "grad": -4.0,
        "local": [1.0, 1.0],
        "name": None,
    }
    assert (nodes[4]["op"], nodes[4]["inputs"], nodes[4]["local"]) == ("mul", [3, 2], [-4.0, 3.0])
    assert d["forward_order"] == [0, 1, 2, 3, 4] and d["backward_order"] == [4, 3, 2, 1, 0]
    assert d["gradients"] == d["exact"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert d["numeric"] == pytest.approx(d["exact"], rel=1e-9)
    assert d["nonfinite"] == 0 and d["expand"] is False and d["h"] == 1e-5


def test_the_program_form_names_its_steps(client):
    d = client.post(GRAPH, json={"expr": "q = x + y\nf = q * z", "values": CIRCUIT}).json()
    assert [n.get("name") for n in d["nodes"]] == [None, None, None, "q", "f"]
    assert d["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}


@pytest.mark.parametrize("expand", [False, True])
def test_the_sigmoid_neuron(client, expand):
    values = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}
    body = {"expr": "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", "values": values, "expand": expand}
    d = client.post(GRAPH, json=body).json()
    s = 1 / (1 + math.exp(-1))
    ds = s * (1 - s)
    assert d["output"] == s
    want = {"w0": -ds, "x0": 2 * ds, "w1": -2 * ds, "x1": -3 * ds, "w2": ds}
    assert d["gradients"] == pytest.approx(want, rel=4e-16, abs=0)
    assert {k: round(v, 2) for k, v in d["gradients"].items()} == {
        "w0": -0.2,
        "x0": 0.39,
        "w1": -0.39,
        "x1": -0.59,
        "w2": 0.2,
    }


def test_h_is_used_for_the_numeric_gradient(client):
    body = {"expr": "x**3", "values": {"x": 1.0}, "h": 1e-2}
    d = client.post(GRAPH, json=body).json()
    assert d["numeric"]["x"] == pytest.approx(3 + 1e-4, rel=1e-9)  # 3x² + h²


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"expr": "x.y = 1"}, "expr", "assignment to an attribute"),
        ({"expr": "a, b = 1, 2"}, "expr", "several names at once"),
        ({"expr": "del x"}, "expr", "'del' is not allowed"),
        ({"expr": "if x: a = 1"}, "expr", "'if' is not allowed"),
        ({"expr": "for i in x: pass"}, "expr", "'for' is not allowed"),
        ({"expr": "import os"}, "expr", "'import' is not allowed"),
        ({"expr": "x.__class__"}, "expr", "attribute access is not allowed"),
        ({"expr": "x" * 1000}, "expr", "name 'xxxxxxxxxxxxxxxxxxx…' is not allowed"),
        ({"expr": "y + 1"}, "expr", "name 'y' is not allowed; use x"),
        ({"expr": "exp(1000)"}, "expr", "exp(1000) overflowed at node 2"),
        ({"expr": "exp(x)", "values": {"x": 800}}, "values", "exp(x) overflowed at node 1"),
        ({"expr": "exp", "values": {"exp": 1}}, "values", "'exp' is a function"),
        ({"expr": "x", "values": {"__class__": 1}}, "values", "cannot name a variable"),
        ({"expr": "x", "values": {}}, "values", "at least 1"),
        ({"expr": "x", "values": dict.fromkeys("abcdefghi", 1)}, "values", "at most 8"),
        ({"expr": "x", "values": {"x": 1e7}}, "x", "1000000"),
        ({"expr": "x", "values": {"x": "1"}}, "x", ""),
        ({"expr": "x", "h": 0}, "h", ""),
        ({"expr": "x", "expand": 1}, "expand", ""),
        ({"expr": "x", "hh": 1}, "hh", ""),
    ],
)
def test_bad_requests_are_422_naming_the_part(client, body, loc, words):
    r = client.post(GRAPH, json={"values": {"x": 1.0}, **body})
    assert_error(r, 422, loc, words)
    assert len(r.content) < 2000


def test_nonfinite_values_are_null_and_counted(client):
    body = {"expr": "sigmoid(x)", "values": {"x": -1000}, "expand": True}
    r = client.post(GRAPH, json=body)
    assert r.status_code == 200 and "Infinity" not in r.text and "NaN" not in r.text
    d = r.json()
    assert d["output"] == 0.0
    assert next(n for n in d["nodes"] if n["op"] == "exp")["value"] is None
    assert d["nonfinite"] >= 1
    assert finite_or_null([n["value"] for n in d["nodes"]])


def test_an_app_with_small_limits_enforces_them():
    settings = Settings(max_graph_lines=2, max_graph_chars=30, max_graph_nodes=5)
    with TestClient(create_app(settings), raise_server_exceptions=False) as small:
        ok = small.post(GRAPH, json={"expr": "a = x\na", "values": {"x": 1}})
        assert ok.status_code == 200
        cases = [
            ("a = x\nb = a\nb", "the program has 3 lines (limit 2)"),
            ("x + x + x + x + x + x + x + x + x", "too long: 33 characters (limit 30)"),
            ("x*2 + x*3", "more than 5 nodes"),
        ]
        for expr, words in cases:
            assert_error(
                small.post(GRAPH, json={"expr": expr, "values": {"x": 1}}), 422, "expr", words
            )


@pytest.mark.parametrize(
    ("expr", "values", "loc", "words"),
    [
        ("", {}, "values", "reads no variable"),
        ("exp * 2", {}, "values", "reads no variable"),
        ("x", {f"v{i}": 1 for i in range(9)}, "values", "at most 8 variables, not 9"),
        ("import os", {"os": 1}, "expr", "'import' is not allowed"),
        ("lambda x: x", {"x": 1}, "expr", "lambda is not allowed"),
    ],
)
def test_refusals_speak_the_learners_words(client, expr, values, loc, words):
    r = client.post(GRAPH, json={"expr": expr, "values": values})
    assert r.status_code == 422, r.text
    (detail,) = r.json()["detail"]
    assert detail["loc"] == ["body", loc]
    assert words in detail["msg"] and "after validation" not in detail["msg"]
