"""The derivative and descent pages' presets: served once, by /meta, from the engine's records,
and each one valid: its expression parses, its request runs, and each minimum it names is one."""

import pytest

from app.engine.optimizers import OPTIMIZERS
from app.engine.presets import DERIVATIVE_PRESETS, DESCENT_PRESETS


@pytest.fixture(scope="module")
def presets(client):
    return client.get("/api/v1/meta").json()["presets"]


def test_meta_serves_the_engines_preset_records(presets):
    assert [p["name"] for p in presets["derivative"]] == list(DERIVATIVE_PRESETS)
    assert [p["name"] for p in presets["descent"]] == list(DESCENT_PRESETS)
    assert presets["derivative"][0] == DERIVATIVE_PRESETS["notebook"].record()
    himmelblau = next(p for p in presets["descent"] if p["name"] == "himmelblau")
    assert len(himmelblau["minima"]) == 4 and "four" in himmelblau["note"]


@pytest.mark.parametrize("name", list(DERIVATIVE_PRESETS))
def test_each_derivative_preset_runs(client, name):
    p = DERIVATIVE_PRESETS[name]
    assert p.x_min <= p.x0 <= p.x_max, "x0 lies in the plotted range"
    body = {"expr": p.expr, "x0": p.x0, "x_min": p.x_min, "x_max": p.x_max, "num": 801}
    r = client.post("/api/v1/numdiff/derivative", json=body)
    assert r.status_code == 200, r.text
    sweep = {"expr": p.expr, "x0": p.x0, "h_min": 1e-16, "h_max": 1e-1, "num": 61}
    assert client.post("/api/v1/numdiff/step-sweep", json=sweep).status_code == 200


@pytest.mark.parametrize("name", list(DESCENT_PRESETS))
def test_each_descent_preset_runs_and_its_minima_are_minima(client, name):
    p = DESCENT_PRESETS[name]
    a, b, c, d = p.box
    assert a < b and c < d and a <= p.start[0] <= b and c <= p.start[1] <= d
    assert p.scale in ("linear", "log") and set(p.optimizers) <= set(OPTIMIZERS)
    for o in p.optimizers:
        body = {
            "expr": p.expr,
            "start": list(p.start),
            "lr": p.lr,
            "steps": p.steps,
            "optimizer": o,
        }
        r = client.post("/api/v1/numdiff/descent", json=body)
        assert r.status_code == 200, r.text
    grid = {"expr": p.expr, "x1_min": a, "x1_max": b, "x2_min": c, "x2_max": d, "num": 64}
    assert client.post("/api/v1/numdiff/grid", json=grid).status_code == 200
    for m in p.minima:
        assert a <= m.x[0] <= b and c <= m.x[1] <= d, "a minimum the view does not show"
        r = client.post("/api/v1/numdiff/gradient", json={"expr": p.expr, "point": list(m.x)})
        out = r.json()
        assert abs(out["value"] - m.f) < 1e-9
        assert max(abs(g) for g in out["exact"]) < 1e-4, "the gradient vanishes at a minimum"
