"""Map every kind of bad input to FastAPI's standard error shape, without echoing the input back."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from app.engine.errors import EngineError

_PREFIXES = ("Value error, ", "Assertion failed, ")
_BUG_FIELDS = ("bug", "loss_bug", "challenge")


def _clean(error: dict) -> dict:
    """Keep type, loc and msg; drop ``input`` and ``ctx``, which may hold the request's values."""
    msg = str(error.get("msg", "invalid value"))
    for prefix in _PREFIXES:
        msg = msg.removeprefix(prefix)
    loc = list(error.get("loc", []))
    if error.get("type") == "extra_forbidden" and loc and loc[-1] in _BUG_FIELDS:
        msg = (
            f"'{loc[-1]}' is taken only by /api/v1/network/run: no other endpoint runs planted "
            "bugs."
        )
    return {"type": error.get("type", "value_error"), "loc": loc, "msg": msg}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_clean(e) for e in exc.errors()]
    status = 400 if any(e["type"] == "json_invalid" for e in errors) else 422
    if status == 400:
        errors = [{**e, "msg": "the request body is not valid JSON: " + e["msg"]} for e in errors]
    return JSONResponse({"detail": errors[:20]}, status_code=status)


async def engine_error(request: Request, exc: EngineError) -> JSONResponse:
    detail = [
        {"type": "value_error", "loc": ["body", *loc], "msg": exc.msg}
        for loc in (exc.loc, *exc.also)
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Other HTTP errors (a body that is not UTF-8, 404, 405) in the same list shape."""
    msg = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 400:
        msg = "the request body is not valid JSON: " + msg.lower()
    detail = [{"type": "http_error", "loc": [], "msg": msg}]
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers: invalid requests and engine errors become 422, bad JSON 400."""
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(EngineError, engine_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
