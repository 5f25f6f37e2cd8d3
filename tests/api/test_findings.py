"""The attack findings of "Bounded by construction", each pinned: huge counters, NUL bytes,
echoes, HEAD, the security headers on every status, and the small contract gaps."""

import json

import pytest
from fastapi.testclient import TestClient

from app.assets import VERSION
from app.main import create_app
from app.middleware import SECURITY_HEADERS
from app.schemas import TRAIN_EXAMPLE
from tests.api.helpers import assert_error

TRAIN = "/api/v1/train"
SMALL = TRAIN_EXAMPLE | {
    "epochs": 2,
    "report_every": 1,
    "checkpoint": True,
    "dataset": TRAIN_EXAMPLE["dataset"] | {"n": 40},
}
QUOTE = 40  # the most characters of the request an error may quote


def _secure(response) -> None:
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), (response.status_code, name)


@pytest.fixture(scope="module")
def resume(client):
    r = client.post(TRAIN, json=SMALL)
    assert r.status_code == 200
    done = json.loads(r.text.splitlines()[-1])
    return {k: done[k] for k in ("params", "optimizer_state", "epoch", "step")}


# ---------------------------------------------------------------- (4) huge resume.step


@pytest.mark.parametrize("step", [2**64 - 1, 2**64, 10**400])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_huge_resume_step_is_a_422_not_a_cut_stream(client, resume, step, optimizer):
    state = resume["optimizer_state"] if optimizer == "adam" else {}
    body = SMALL | {
        "optimizer": optimizer,
        "resume": resume | {"step": step, "optimizer_state": state},
    }
    r = client.post(TRAIN, content=json.dumps(body), headers={"content-type": "application/json"})
    assert_error(r, 422, "step")
    assert len(r.text) < 1000


# ---------------------------------------------------------------- (5) NUL byte in a static path


@pytest.mark.parametrize(
    "path",
    [
        f"/static/v/{VERSION}/css/app.css%00.js",
        "/static/v/0.0.0/css/app.css%00.js",
        "/static/css/app.css%00",
    ],
)
def test_a_nul_byte_in_a_static_path_is_a_404_with_the_security_headers(client, path):
    r = client.get(path)
    assert r.status_code == 404, (r.status_code, r.text[:200])
    _secure(r)


# ---------------------------------------------------------------- (6) echoes


def _no_long_quote(response, needle: str) -> None:
    assert needle[: QUOTE + 1] not in response.text
    assert len(response.content) < 4000, len(response.content)


def test_an_unknown_field_name_is_not_echoed_whole(client):
    name = "A" * 500_000
    r = client.post("/api/v1/softmax/jacobian", json={"x": [1.0, 2.0], name: 1})
    assert_error(r, 422)
    _no_long_quote(r, name)


def test_optimizer_state_keys_are_not_echoed_whole(client, resume):
    key = "<script>alert(1)</script>" + "A" * 400_000
    body = SMALL | {"resume": resume | {"optimizer_state": {key: []}}}
    r = client.post(TRAIN, json=body)
    assert_error(r, 422, "optimizer_state")
    _no_long_quote(r, key)


def test_a_401_digit_nudge_index_is_not_echoed_whole(client):
    index = int("9" * 401)
    body = {
        "x": [[1.0, 2.0]],
        "targets": [0],
        "layers": [{"type": "affine", "out": 2}],
        "loss": "softmax_cross_entropy",
        "index": index,
        "param": "W",
        "entry": [0, 0],
    }
    r = client.post(
        "/api/v1/network/nudge",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )
    assert_error(r, 422, "index")
    _no_long_quote(r, "9" * 401)


def test_a_401_digit_resume_index_is_not_echoed_whole(client, resume):
    params = [dict(p) for p in resume["params"]]
    params[0]["index"] = int("7" * 401)
    body = SMALL | {"resume": resume | {"params": params}}
    r = client.post(TRAIN, content=json.dumps(body), headers={"content-type": "application/json"})
    assert_error(r, 422, "resume")
    _no_long_quote(r, "7" * 401)


# ---------------------------------------------------------------- (7) HEAD wherever GET


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/derivative",
        "/activations",
        "/descent",
        "/network",
        "/graph",
        "/train",
        "/docs",
        "/api/v1/health",
        "/api/v1/meta",
        "/openapi.json",
        f"/static/v/{VERSION}/css/app.css",
        "/static/css/app.css",
    ],
)
def test_head_is_answered_wherever_get_is(client, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200, (path, head.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    _secure(head)


# ---------------------------------------------------------------- (8) headers on every status


def test_a_413_carries_the_security_headers(client):
    r = client.post(
        "/api/v1/softmax/jacobian",
        content=b"[" + b"1," * 600_000 + b"1]",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    _secure(r)


def test_a_500_carries_the_security_headers_and_the_error_shape():
    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret-internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    _secure(r)
    assert r.json()["detail"][0]["type"] == "internal_error"
    assert "secret-internals" not in r.text


# ---------------------------------------------------------------- (9) the small gaps


def test_a_csv_with_a_utf8_bom_is_accepted(client):
    csv = "\ufeffx1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n"
    r = client.post(f"{TRAIN}/data", json={"name": "csv", "csv": csv, "n": 4})
    assert r.status_code == 200, r.text
    assert r.json()["classes"] == 2


def test_train_data_with_huge_values_gives_a_finite_extent_or_says_so(client):
    csv = "x1,x2,label\n-1e308,-1e308,0\n1e308,1e308,1\n0,0,0\n1,1,1\n"
    r = client.post(f"{TRAIN}/data", json={"name": "csv", "csv": csv, "n": 4})
    if r.status_code == 200:
        for lo, hi in r.json()["extent"]:
            assert lo is not None and hi is not None and lo <= -1e308 and hi >= 1e308
    else:
        assert_error(r, 422, "csv", "too wide")


def test_numdiff_grid_refuses_a_range_too_wide_for_float64_as_the_curve_does(client):
    curve = client.post(
        "/api/v1/activations/curve", json={"activation": "tanh", "x_min": -1e308, "x_max": 1e308}
    )
    words = assert_error(curve, 422, "x_max", "too wide")
    for axis in ("x1", "x2"):
        body = {"expr": "x1 + x2", f"{axis}_min": -1e308, f"{axis}_max": 1e308, "num": 3}
        r = client.post("/api/v1/numdiff/grid", json=body)
        assert_error(r, 422, f"{axis}_max", "too wide for float64")
    assert "too wide for float64" in words


def test_two_resume_params_with_the_same_index_are_refused(client, resume):
    params = resume["params"]
    body = SMALL | {"resume": resume | {"params": [*params, params[0]]}}
    r = client.post(TRAIN, json=body)
    assert_error(r, 422, "resume", "twice")


def test_a_negative_adam_v_is_a_422_about_the_state(client, resume):
    state = json.loads(json.dumps(resume["optimizer_state"]))
    v0 = state["v"][0]
    v0[0][0] = -1.0
    r = client.post(TRAIN, json=SMALL | {"resume": resume | {"optimizer_state": state}})
    assert_error(r, 422, "v", "negative")


def _examples(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method != "post":
                continue
            content = op["requestBody"]["content"]["application/json"]
            schema = content["schema"]
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            found = list(schema.get("examples", []))
            found += [e["value"] for e in content.get("examples", {}).values()]
            if "example" in content:
                found.append(content["example"])
            yield path, found


def test_every_documented_post_example_is_accepted(client):
    spec = client.get("/openapi.json").json()
    examples = list(_examples(spec))
    assert len(examples) >= 12  # every POST operation
    for path, found in examples:
        assert found, f"{path} documents no example"
        for example in found:
            r = client.post(path, json=example)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
