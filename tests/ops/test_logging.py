"""The JSON log lines and the access-log middleware, in process."""

import json
import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.logging_setup import (
    AccessLogMiddleware,
    JsonFormatter,
    _StdoutHandler,
    configure_logging,
)


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"n": len(await request.body())}, status_code=201)


async def boom(request: Request) -> JSONResponse:
    raise RuntimeError("boom")


def make_client() -> TestClient:
    app = Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/boom", boom)])
    return TestClient(AccessLogMiddleware(app), raise_server_exceptions=False)


def test_one_line_per_request_with_method_path_status_duration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="bpx.access"):
        r = make_client().post("/echo?secret=q", content=b"body-secret-123")
    assert r.status_code == 201
    (record,) = [r for r in caplog.records if r.name == "bpx.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "POST"
    assert line["path"] == "/echo"
    assert line["status"] == 201
    assert line["duration_ms"] >= 0
    assert line["pid"] > 0
    assert "body-secret-123" not in json.dumps(line)
    assert "secret=q" not in json.dumps(line)


def test_an_exception_is_logged_as_500(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bpx.access"):
        r = make_client().get("/boom")
    assert r.status_code == 500
    statuses = [r.status for r in caplog.records if r.name == "bpx.access"]
    assert statuses == [500]


def test_configure_logging_is_idempotent_and_keeps_other_handlers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        configure_logging("warning")
        configure_logging("info")
        assert other in root.handlers
        ours = [h for h in root.handlers if isinstance(h, _StdoutHandler)]
        assert len(ours) == 1  # however often it is called, and whoever called it before
        others = [h for h in saved_handlers if not isinstance(h, _StdoutHandler)]
        assert len(root.handlers) == len(others) + 2  # the other one and ours
        logging.getLogger("bpx.test").info("hello", extra={"answer": 42})
        (line,) = [s for s in capsys.readouterr().out.splitlines() if "hello" in s]
        assert json.loads(line)["answer"] == 42
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_any_extra_value_still_gives_one_json_line() -> None:
    record = logging.LogRecord("bpx.test", logging.INFO, __file__, 1, "m", None, None)
    record.huge = 2**70  # beyond orjson's 64-bit integers
    record.thing = object()  # not JSON at all: written as its str()
    line = json.loads(JsonFormatter().format(record))
    assert line["huge"] == 2**70
    assert line["thing"].startswith("<object")
