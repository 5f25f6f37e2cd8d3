"""Routing: every route sits in the app's own list, and a valid JSON body takes
:class:`app.api.routing.JSONBodyRoute`'s fast path, answering exactly as FastAPI's own handler."""

import contextlib
import json

import fastapi.routing
import pytest
from fastapi.routing import APIRoute, request_response

from app.api.routing import JSONBodyRoute
from app.main import app

RUN = "/api/v1/network/run"
DERIVATIVE = "/api/v1/numdiff/derivative"
NET = {
    "x": [[1.0, 2.0], [3.0, 4.0]],
    "targets": [0, 1],
    "layers": [{"type": "affine", "W": [[0.1, 0.2], [0.3, 0.4]], "b": [0.0, 0.0]}],
    "loss": "softmax_cross_entropy",
}
JSON = {"content-type": "application/json"}

# (path, raw body, headers): valid bodies, then every kind of bad one.
CASES = [
    (RUN, NET, JSON),
    (RUN, {**NET, "gradcheck": True, "dtype": "float32"}, JSON),
    (RUN, {**NET, "include": ["seed"]}, {"content-type": "application/json; charset=utf-8"}),
    (RUN, {**NET, "layers": [{"type": "affine", "out": 3}, {"type": "relu"}]}, JSON),
    (DERIVATIVE, {"expr": "sin(x)*exp(-x**2/10) + x**2", "x0": 0.5}, JSON),
    (DERIVATIVE, {"expr": "log(x)", "x0": 0.5, "method": "forward"}, JSON),
    # invalid fields, engine errors, bad JSON, other content types
    (RUN, {**NET, "targets": [0, 5]}, JSON),  # an engine error: class 5 of 2
    (RUN, {**NET, "h": 0}, JSON),
    (RUN, {**NET, "surprise": 1}, JSON),
    (RUN, {k: v for k, v in NET.items() if k != "loss"}, JSON),
    (RUN, {**NET, "gradcheck": "true"}, JSON),
    (RUN, {**NET, "x": [[1.0, 2.0], [3.0]]}, JSON),
    (RUN, b'{"x": [[NaN, 1]], "targets": [0], "layers": [], "loss": "mse"}', JSON),
    (RUN, b'{"x": [[1e400, 1]], "targets": [0], "layers": [], "loss": "mse"}', JSON),
    (RUN, b'{"x": [[1, 2]], ', JSON),
    (RUN, b"", JSON),
    (RUN, b"[1, 2]", JSON),
    (RUN, b"\xff\xfe", JSON),
    (RUN, NET, {"content-type": "text/plain"}),
    (RUN, NET, {}),
    (DERIVATIVE, {"expr": "__import__('os')", "x0": 0.5}, JSON),
    (DERIVATIVE, {"expr": "x", "x0": "0.5"}, JSON),
    # bodies json.loads reads and pydantic's parser does not: they take FastAPI's path
    (DERIVATIVE, b'{"expr": "x + \\ud800", "x0": 0.5}', JSON),  # a lone surrogate
    (DERIVATIVE, b'\xef\xbb\xbf{"expr": "x", "x0": 0.5}', JSON),  # a byte-order mark
    (DERIVATIVE, '{"expr": "x", "x0": 0.5}'.encode("utf-16"), JSON),
]


def _send(client, path, body, headers):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    r = client.post(path, content=body, headers=headers)
    return r.status_code, r.content, r.headers.get("content-type")


@contextlib.contextmanager
def _standard_handlers():
    """Serve every JSONBodyRoute with FastAPI's own handler for the duration."""
    routes = [r for r in app.routes if isinstance(r, JSONBodyRoute)]
    saved = [r.app for r in routes]
    for r in routes:
        r.app = request_response(APIRoute.get_route_handler(r))
    try:
        yield
    finally:
        for r, a in zip(routes, saved, strict=True):
            r.app = a


def test_every_route_is_in_the_apps_own_list():
    """No included-router nodes for a request to walk through (app/api/routing.py says why)."""
    paths = {getattr(r, "path", None) for r in app.routes}
    assert {RUN, DERIVATIVE, "/api/v1/health", "/api/v1/train", "/network"} <= paths
    assert all(type(r).__name__ != "_IncludedRouter" for r in app.routes)


@pytest.mark.parametrize(("path", "body", "headers"), CASES)
def test_the_fast_path_answers_as_fastapi_does(client, path, body, headers):
    fast = _send(client, path, body, headers)
    with _standard_handlers():
        standard = _send(client, path, body, headers)
    assert fast == standard
    assert fast[0] < 500


def test_a_valid_body_skips_fastapis_dependency_solving_and_a_bad_one_does_not(client, monkeypatch):
    calls = []
    solve = fastapi.routing.solve_dependencies

    async def counted(*args, **kwargs):
        calls.append(kwargs["request"].url.path)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    assert _send(client, RUN, NET, JSON)[0] == 200
    assert _send(client, DERIVATIVE, CASES[4][1], JSON)[0] == 200
    assert calls == []
    assert _send(client, RUN, {**NET, "h": 0}, JSON)[0] == 422  # FastAPI's handler says why
    assert _send(client, RUN, NET, {"content-type": "text/plain"})[0] == 422
    assert calls == [RUN, RUN]
    # Endpoints taking more than a body (here the limits) keep FastAPI's handler.
    body = {"expr": "x1**2 + x2", "point": [1.0, 2.0]}
    assert _send(client, "/api/v1/numdiff/gradient", body, JSON)[0] == 200
    assert calls == [RUN, RUN, "/api/v1/numdiff/gradient"]
