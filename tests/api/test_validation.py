"""Strict typing, finite numbers, body limits and quiet error messages."""

import json

import pytest

from tests.api.helpers import assert_error

GRAD = "/api/v1/numdiff/gradient"


def post_raw(client, path, text, **headers):
    return client.post(path, content=text, headers={"content-type": "application/json", **headers})


@pytest.mark.parametrize("bad", ['"1.0"', "true", "false", "null", "[1]", "{}"])
def test_non_numbers_in_float_fields_are_422(client, bad):
    text = '{"expr": "x1", "point": [1.0], "h": BAD}'.replace("BAD", bad)
    assert_error(post_raw(client, GRAD, text), 422, "h")


def test_integers_are_accepted_where_floats_are_expected(client):
    r = client.post(GRAD, json={"expr": "x1**2", "point": [3]})
    assert r.status_code == 200 and r.json()["exact"] == [6.0]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_nan_and_infinity_are_422(client, token):
    text = '{"expr": "x1", "point": [TOKEN]}'.replace("TOKEN", token)
    r = post_raw(client, GRAD, text)
    assert r.status_code in (400, 422)
    assert "NaN" not in r.text and "Infinity" not in r.text


def test_malformed_json_is_400(client):
    assert_error(post_raw(client, GRAD, '{"expr": "x1", '), 400, words="not valid JSON")


def test_unknown_fields_are_rejected(client):
    r = client.post(GRAD, json={"expr": "x1", "point": [1.0], "hh": 1})
    assert_error(r, 422, "hh")


def test_errors_do_not_echo_large_inputs(client):
    big = [[0.0] * 300 for _ in range(300)]
    body = {"x": big, "targets": [0] * 300, "layers": [{"type": "relu"}], "loss": "mse"}
    r = client.post("/api/v1/network/run", json=body)
    assert_error(r, 422, "x", "256")
    assert len(r.content) < 4000


def test_body_over_the_limit_is_413(client):
    text = json.dumps({"expr": "x1", "point": [1.0], "pad": "a" * (1 << 20)})
    r = post_raw(client, GRAD, text)
    assert r.status_code == 413
    assert "limit" in r.json()["detail"][0]["msg"]


def test_chunked_body_over_the_limit_is_413(live_server):
    import httpx

    def chunks():
        yield b'{"expr": "x1", "point": [1.0], "pad": "'
        for _ in range(200):
            yield b"a" * 8192
        yield b'"}'

    r = httpx.post(
        live_server + GRAD,
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413
    assert "limit" in r.json()["detail"][0]["msg"]


def test_chunked_body_under_the_limit_works(live_server):
    import httpx

    def chunks():
        yield b'{"expr": "x1**2", '
        yield b'"point": [3.0]}'

    r = httpx.post(
        live_server + GRAD,
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["exact"] == [6.0]


def test_security_headers_on_api_and_pages(client):
    for path in ("/api/v1/health", "/"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self';" in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_openapi_documents_every_endpoint_with_an_example(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") and op.get("description"), (method, path)
            if method == "post":
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[1]
                assert spec["components"]["schemas"][name].get("examples"), name
    assert client.get("/docs").status_code == 200
