"""Rendering: piece by piece gives the same bytes as one orjson call, and large results go so."""

import numpy as np
import orjson
import pytest

from app.responses import (
    PIECEWISE_ABOVE,
    NumpyJSONResponse,
    PiecewiseJSONResponse,
    pieces,
    render,
    respond,
)

RNG = np.random.default_rng(0)
ODD = np.array([1.5, np.nan, np.inf, -np.inf, -0.0])
VALUES = [
    {"loss": 1.25, "forward": [{"index": 0, "output": RNG.normal(size=(3, 4))}]},
    {"grads": {"W": RNG.normal(size=(4, 3)).T, "b": ODD}, "n": np.int64(3), "f": np.float32(0.5)},
    {"empty": [], "none": {}, "nested": [[[1, [2, {"k": ODD}]]]], "t": (1, 2), "null": None},
    {1: "int key", "x": 2},  # a non-string key: left to orjson whole
    {'ключ "quoted"\n': [True, False, "ünï"], "big": 2**60},
    [],
    [ODD, ODD[::-1], {"a": [np.float64(np.nan)]}],
    "just a string",
]


@pytest.mark.parametrize("value", VALUES)
def test_pieces_join_to_the_bytes_of_one_orjson_call(value) -> None:
    whole = render(value)
    assert b"".join(pieces(value)) == whole
    assert b"".join(pieces(value, depth=1)) == whole
    orjson.loads(whole)  # valid JSON: NaN and ±Infinity became null


def test_a_large_result_is_sent_in_pieces_and_a_small_one_whole() -> None:
    assert isinstance(respond({"y": np.zeros(PIECEWISE_ABOVE)}), NumpyJSONResponse)
    result = {"y": np.zeros(PIECEWISE_ABOVE // 2), "z": [np.ones((PIECEWISE_ABOVE // 2, 2))]}
    big = respond(result)
    assert isinstance(big, PiecewiseJSONResponse) and len(big.pieces) > 1
    assert b"".join(big.pieces) == render({**result, "nonfinite": 0})


def test_a_large_network_answer_arrives_whole_over_http(client) -> None:
    body = {
        "x": RNG.normal(size=(300, 64)).round(3).tolist(),
        "targets": RNG.integers(0, 10, 300).tolist(),
        "layers": [
            {"type": "affine", "in": 64, "out": 256, "seed": 0},
            {"type": "relu"},
            {"type": "affine", "in": 256, "out": 10, "seed": 1},
        ],
        "loss": "softmax_cross_entropy",
        "gradcheck": False,
    }
    r = client.post("/api/v1/network/run", json=body)
    assert r.status_code == 200, r.text[:300]
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"
    d = r.json()
    assert np.shape(d["forward"][1]["output"]) == (300, 256)
    assert np.shape(d["backward"][0]["grad_input"]) == (300, 64)
    assert d["nonfinite"] == 0


@pytest.mark.parametrize("size", [3, 40, 9000])  # the sizes of all_finite's three paths
def test_respond_counts_the_values_sent_as_null(size) -> None:
    big = np.arange(size, dtype=np.float64)
    big[[0, -1]] = [np.nan, -np.inf]
    result = {
        "a": big,
        "b": [{"c": big.astype(np.float32)[::-1]}, np.arange(4)],  # a strided copy, integers
        "d": (np.full((2, 2), np.inf),),
        "e": np.ones(5),
    }
    assert orjson.loads(respond(result).body)["nonfinite"] == 2 + 2 + 4
    assert orjson.loads(respond({"e": np.ones(size), "n": 3}).body)["nonfinite"] == 0
    assert orjson.loads(respond({"nonfinite": 7, "e": big}).body)["nonfinite"] == 7  # kept
