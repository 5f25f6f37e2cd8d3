"""Fast JSON for numpy results: orjson writes arrays directly and turns NaN/±Infinity into null;
NDJSON streams of engine generators that stop when the client goes."""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import numpy as np
import orjson
from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.engine.numdiff import count_nonfinite

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """Serialise what orjson does not know natively (numpy scalars, non-contiguous arrays)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class NumpyJSONResponse(JSONResponse):
    """A JSON response whose body may hold numpy arrays; non-finite numbers become ``null``."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=_OPTIONS)


def _arrays(value: Any):
    """Every numpy array inside nested dicts and lists."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _arrays(v)


def respond(result: dict[str, Any]) -> NumpyJSONResponse:
    """Send an engine result; add ``nonfinite`` (the count of values sent as null) if absent."""
    if "nonfinite" not in result:
        result = {**result, "nonfinite": count_nonfinite(*_arrays(result))}
    return NumpyJSONResponse(result)


_END = object()


class NDJSONResponse(StreamingResponse):
    """A stream of JSON lines (``application/x-ndjson``), one object per line."""

    media_type = "application/x-ndjson"


def ndjson_line(item: Any) -> bytes:
    """One NDJSON line; numpy arrays written directly, non-finite numbers as ``null``."""
    return orjson.dumps(item, default=_default, option=_OPTIONS) + b"\n"


async def _until_disconnect(request: Request, stopped: threading.Event) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
    stopped.set()


async def ndjson_stream(
    lines: Callable[[Callable[[], bool]], Iterator[Any]], request: Request
) -> AsyncIterator[bytes]:
    """Each item of ``lines(stop)`` as one NDJSON line, computed in a worker thread.

    ``stop()`` turns true as soon as the client disconnects (or the response is abandoned), so
    a generator that reads it between steps of its work ends within one step: a closed tab
    costs no more computing.
    """
    stopped = threading.Event()
    items = lines(stopped.is_set)
    watcher = asyncio.ensure_future(_until_disconnect(request, stopped))
    try:
        while True:
            item = await run_in_threadpool(next, items, _END)
            if item is _END:
                return
            yield ndjson_line(item)
    finally:
        stopped.set()
        watcher.cancel()
