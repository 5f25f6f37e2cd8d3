"""GET /api/v1/meta serves the engine's constants; every operation has a readable operationId."""

import re

from app import __version__
from app.engine.nn import gradcheck
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.layers import INITS
from app.engine.nn.losses import LOSS_LATEX
from app.engine.optimizers import OPTIMIZERS
from app.engine.verdicts import REL_ERROR_BANDS


def test_meta_serves_the_engines_own_constants(client):
    r = client.get("/api/v1/meta")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    m = r.json()
    assert m["version"] == __version__
    assert m["gradcheck"] == {"rel_floor": gradcheck.REL_FLOOR}
    assert [b["name"] for b in m["rel_error_bands"]] == [b.name for b in REL_ERROR_BANDS]
    assert [b["below"] for b in m["rel_error_bands"]] == [1e-7, 1e-4, 1e-2, None]
    assert {
        x["name"]: {"formula": x["formula"], "gradient": x["gradient"]} for x in m["losses"]
    } == (LOSS_LATEX)
    assert m["inits"] == list(INITS)
    defaults = {name: dict(o.defaults) for name, o in OPTIMIZERS.items()}
    assert {o["name"]: o["defaults"] for o in m["optimizers"]} == defaults
    acts = {a["name"]: a for a in m["activations"]}
    assert acts.keys() == ACTIVATIONS.keys()
    assert acts["relu"]["nonsmooth"] == [0.0] and acts["sigmoid"]["nonsmooth"] == []
    assert acts["leaky_relu"]["alpha"] == 0.01 and acts["relu"]["formula"]


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
