"""GET /api/v1/meta serves the engine's constants; every operation has a readable operationId."""

import re

from app import __version__
from app.engine.nn import gradcheck
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.layers import INITS, LAYER_KINDS
from app.engine.nn.losses import LOSSES
from app.engine.optimizers import HYPERS, OPTIMIZERS
from app.engine.verdicts import REL_ERROR_BANDS


def test_meta_serves_the_engines_own_constants(client):
    r = client.get("/api/v1/meta")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    m = r.json()
    assert m["version"] == __version__
    assert m["gradcheck"] == {"rel_floor": gradcheck.REL_FLOOR}
    assert [b["name"] for b in m["rel_error_bands"]] == [b.name for b in REL_ERROR_BANDS]
    assert [b["below"] for b in m["rel_error_bands"]] == [1e-7, 1e-4, 1e-2, None]
    assert {x["name"]: (x["formula"], x["gradient"], x["expects"]) for x in m["losses"]} == {
        n: (loss.formula, loss.gradient, loss.expects) for n, loss in LOSSES.items()
    }
    assert m["inits"] == list(INITS)
    defaults = {name: dict(o.defaults) for name, o in OPTIMIZERS.items()}
    assert {o["name"]: o["defaults"] for o in m["optimizers"]} == defaults
    acts = {a["name"]: a for a in m["activations"]}
    assert acts.keys() == ACTIVATIONS.keys()
    assert acts["relu"]["nonsmooth"] == [0.0] and acts["sigmoid"]["nonsmooth"] == []
    assert acts["leaky_relu"]["alpha"] == 0.01 and acts["relu"]["formula"]
    assert {a["name"]: a["init"] for a in m["activations"]} == {
        n: a.init for n, a in ACTIVATIONS.items()
    }


def test_meta_serves_every_fact_a_page_shows_about_a_kind(client):
    m = client.get("/api/v1/meta").json()
    for o in m["optimizers"]:
        record = OPTIMIZERS[o["name"]]
        assert o["rule"] == record.latex and o["label"] and o["note"] == record.note
        assert [h["name"] for h in o["hyper"]] == list(record.defaults)
        for h in o["hyper"]:
            assert h["symbol"] == HYPERS[h["name"]].symbol
            assert h["default"] == record.defaults[h["name"]]
    assert "minimum" in OPTIMIZERS["adamw"].note  # the descent page says where adamw stops
    assert [x["name"] for x in m["layers"]] == list(LAYER_KINDS)
    layers = {x["name"]: x for x in m["layers"]}
    assert layers["affine"]["params"] == ["W", "b"] and layers["affine"]["step"] == "affine"
    assert layers["layernorm"]["step"] == "row" and layers["softmax"]["step"] == "row"
    assert layers["mish"]["step"] == "elementwise" and layers["mish"]["init"] == "he"
    assert all(x["label"] and x["formula"] and x["backward"] for x in m["layers"])
    assert {x["name"]: x["label"] for x in m["losses"]}["huber"].startswith("Huber")


def test_every_operation_has_a_readable_unique_operation_id(client):
    ops = [
        (path, method, op["operationId"])
        for path, item in client.get("/openapi.json").json()["paths"].items()
        for method, op in item.items()
    ]
    ids = [i for _, _, i in ops]
    assert len(ids) == len(set(ids))
    for path, method, op_id in ops:
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id), (path, method, op_id)
    named = {(p, m): i for p, m, i in ops}
    assert named["/api/v1/network/run", "post"] == "runNetwork"
    assert named["/api/v1/numdiff/derivative", "post"] == "derivative"
    assert named["/api/v1/numdiff/step-sweep", "post"] == "stepSweep"
    assert named["/api/v1/meta", "get"] == "meta"
