"""Map every kind of bad input to FastAPI's standard error shape, without echoing the input back.

Every error body the app writes goes through :func:`error_body`, which keeps at most ``QUOTE``
characters of any run of text in a message or a ``loc`` (a 500,000-character unknown field name,
a 401-digit index, the keys of an uploaded optimizer state), so no message can quote more of
the request than that, whichever code path wrote it.
"""

import re
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.engine.errors import EngineError

_PREFIXES = ("Value error, ", "Assertion failed, ")
_BUG_FIELDS = ("bug", "loss_bug", "challenge")
QUOTE = 40  # the most characters of one run of text (a name, a number) an error may quote
MAX_MSG = 500  # the longest message, whatever it is made of
MAX_DETAILS = 20  # the most items of one error's detail
_LONG = re.compile(rf"\S{{{QUOTE + 1},}}")


def bounded(text: str) -> str:
    """``text`` with every run of more than ``QUOTE`` non-blank characters cut to ``QUOTE``
    and an ellipsis, and the whole cut to ``MAX_MSG`` characters."""
    text = _LONG.sub(lambda m: m.group()[:QUOTE] + "…", text)
    return text if len(text) <= MAX_MSG else text[:MAX_MSG] + "…"


def _loc_part(part: Any) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool) and abs(part) < 10**QUOTE:
        return part
    return bounded(str(part))[: QUOTE + 1]


def error_body(detail: list[dict]) -> bytes:
    """``{"detail": [...]}`` with every message and location bounded as the module says."""
    items = [
        {
            "type": bounded(str(d.get("type", "value_error")))[:QUOTE],
            "loc": [_loc_part(p) for p in list(d.get("loc", []))[:QUOTE]],
            "msg": bounded(str(d.get("msg", "invalid value"))),
        }
        for d in detail[:MAX_DETAILS]
    ]
    return orjson.dumps({"detail": items})


def error_response(status: int, detail: list[dict], headers: dict | None = None) -> Response:
    """An error of FastAPI's standard shape, bounded by :func:`error_body`."""
    return Response(error_body(detail), status, headers, media_type="application/json")


def _clean(error: dict) -> dict:
    """Keep type, loc and msg; drop ``input`` and ``ctx``, which may hold the request's values."""
    msg = str(error.get("msg", "invalid value"))
    for prefix in _PREFIXES:
        msg = msg.removeprefix(prefix)
    loc = list(error.get("loc", []))
    if error.get("type") == "extra_forbidden" and loc and loc[-1] in _BUG_FIELDS:
        msg = (
            f"'{loc[-1]}' is taken only by /api/v1/network/run and /api/v1/exercises/backward "
            "(and 'challenge' by /network/nudge): no other endpoint runs planted bugs."
        )
    return {"type": error.get("type", "value_error"), "loc": loc, "msg": msg}


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [_clean(e) for e in exc.errors()]
    status = 400 if any(e["type"] == "json_invalid" for e in errors) else 422
    if status == 400:
        errors = [{**e, "msg": "the request body is not valid JSON: " + e["msg"]} for e in errors]
    return error_response(status, errors)


async def engine_error(request: Request, exc: EngineError) -> Response:
    detail = [
        {"type": "value_error", "loc": ["body", *loc], "msg": exc.msg}
        for loc in (exc.loc, *exc.also)
    ]
    return error_response(422, detail)


async def http_error(request: Request, exc: HTTPException) -> Response:
    """Other HTTP errors (a body that is not UTF-8, 404, 405) in the same list shape."""
    msg = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 400:
        msg = "the request body is not valid JSON: " + msg.lower()
    detail = [{"type": "http_error", "loc": [], "msg": msg}]
    return error_response(exc.status_code, detail, exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers: invalid requests and engine errors become 422, bad JSON 400."""
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(EngineError, engine_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
