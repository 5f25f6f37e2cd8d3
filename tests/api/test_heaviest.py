"""bench/heaviest.py's cases are the largest requests the default limits allow: each is accepted,
and one step larger (twice a side) is refused before any work."""

import json

import pytest

from bench.heaviest import CASES


def _twice_the_rows(b: dict) -> dict:
    return b | {"x": b["x"] * 2, "targets": b["targets"] * 2}


def _one_more_layer(b: dict) -> dict:
    hidden = [{"type": "affine", "out": 256}, {"type": "tanh"}]
    return b | {"layers": [*b["layers"][:-1], *hidden, b["layers"][-1]]}


LARGER = {  # one step up from each network case: twice its rows or one more hidden layer
    "network/run, every part": _twice_the_rows,
    "network/run, include []": _one_more_layer,
    "network/run, gradcheck": _twice_the_rows,
}


@pytest.mark.parametrize("name", [n for n in CASES if n != "train stream"])
def test_each_heaviest_case_is_accepted(client, name):
    path, body = CASES[name]
    r = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code == 200, (name, r.text[:300])


@pytest.mark.parametrize("name", LARGER)
def test_one_step_larger_is_refused_before_work(client, name):
    path, body = CASES[name]
    r = client.post(path, json=LARGER[name](body))
    assert r.status_code in (413, 422), (name, r.status_code)


def test_the_heaviest_stream_is_accepted_and_bounded(client):
    from app.engine.limits import DEFAULT_LIMITS

    path, body = CASES["train stream"]
    r = client.post(path, json=body | {"epochs": 3})
    assert r.status_code == 200
    lines = r.text.splitlines()
    assert all(len(line) <= DEFAULT_LIMITS.max_response_bytes for line in lines)
    wide = [{"type": "affine", "out": 256}] * 8 + [{"type": "affine", "out": 5}]
    larger = client.post(path, json=body | {"layers": wide})
    assert larger.status_code == 422
