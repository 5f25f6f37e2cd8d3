"""Structured logging: one JSON object per line, and one access line per HTTP request."""

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "bpx.access"
MAX_PATH_CHARS = 2048
# Attributes every LogRecord has (and uvicorn's color_message); the rest came through ``extra=``.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
_RECORD_FIELDS |= {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON line per record: time, level, logger, pid, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        try:  # orjson: half the cost of json.dumps, paid on every request's access line
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # what orjson refuses outright, such as an int beyond 64 bits
            return json.dumps(line, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Write to whatever ``sys.stdout`` is when a record comes (test runners swap it)."""

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str) -> None:
    """Send every log record to stdout as JSON lines at ``level`` (a name such as ``"info"``).

    uvicorn's own access log is silenced: :class:`AccessLogMiddleware` writes the request lines.
    Idempotent (each uvicorn worker, and each test, may build its own app); handlers that others
    put on the root logger, such as pytest's, are kept.
    """
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StdoutHandler)] + [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        uv = logging.getLogger(name)
        uv.handlers[:] = []
        uv.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True


class AccessLogMiddleware:
    """Log one line per HTTP request: method, path, status and duration in milliseconds.

    Pure ASGI, so streamed responses are timed to their last byte. Request and response bodies,
    query strings and headers are never logged.
    """

    def __init__(self, app: ASGIApp, logger_name: str = ACCESS_LOGGER) -> None:
        self.app = app
        self.logger = logging.getLogger(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self.logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"][:MAX_PATH_CHARS],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                },
            )
