"""Fast JSON for numpy results: orjson writes arrays directly and turns NaN/±Infinity into null;
NDJSON streams of engine generators that stop when the client goes."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.engine.arrays import all_finite
from app.engine.numdiff import count_nonfinite

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
PIECEWISE_ABOVE = 65_536  # numbers in a result's arrays above which it is rendered piece by piece
SMALL_PIECE = 65_536  # bytes: smaller pieces (separators, keys, scalars) are sent joined


def _default(value: Any) -> Any:
    """Serialise what orjson does not know natively (numpy scalars, non-contiguous arrays)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render(value: Any) -> bytes:
    """``value`` as JSON bytes in one orjson call."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


class NumpyJSONResponse(JSONResponse):
    """A JSON response whose body may hold numpy arrays; non-finite numbers become ``null``."""

    def render(self, content: Any) -> bytes:
        return render(content)


def pieces(value: Any, depth: int = 4) -> Iterator[bytes]:
    """The bytes of ``render(value)``, in pieces: one orjson call per value ``depth`` levels of
    dicts and lists down (an array, say), the brackets, commas and keys between them."""
    if depth and isinstance(value, dict) and value and all(type(k) is str for k in value):
        sep = b"{"
        for key, item in value.items():
            yield sep + orjson.dumps(key) + b":"
            yield from pieces(item, depth - 1)
            sep = b","
        yield b"}"
    elif depth and isinstance(value, list | tuple) and value:
        sep = b"["
        for item in value:
            yield sep
            yield from pieces(item, depth - 1)
            sep = b","
        yield b"]"
    else:
        yield render(value)


def _join_small(parts: Iterator[bytes]) -> list[bytes]:
    """Join runs of pieces under ``SMALL_PIECE`` bytes; large pieces stay as they are (no copy)."""
    out: list[bytes] = []
    run: list[bytes] = []
    for part in parts:
        if len(part) < SMALL_PIECE:
            run.append(part)
            continue
        if run:
            out.append(b"".join(run))
            run = []
        out.append(part)
    if run:
        out.append(b"".join(run))
    return out


class PiecewiseJSONResponse(Response):
    """A large JSON body rendered one array at a time and sent as that many body messages.

    orjson holds the GIL while it runs, so one call over a 40 MB result stalls the event loop, and
    the health probe with it, for the whole render (about 100 ms here); in pieces the loop waits
    for one array at most. The bytes are those of :func:`render`; each piece is let go once sent.
    """

    media_type = "application/json"

    def __init__(self, content: Any, status_code: int = 200) -> None:
        self.pieces = _join_small(pieces(content))
        length = sum(len(p) for p in self.pieces)
        super().__init__(None, status_code, headers={"content-length": str(length)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        todo, self.pieces = self.pieces[::-1], []
        while todo:
            body = todo.pop()
            await send({"type": "http.response.body", "body": body, "more_body": bool(todo)})


def _arrays(value: Any, found: list[np.ndarray]) -> list[np.ndarray]:
    """Every numpy array inside nested dicts and lists, appended to ``found``."""
    if isinstance(value, np.ndarray):
        found.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _arrays(v, found)
    elif isinstance(value, list | tuple):
        for v in value:
            _arrays(v, found)
    return found


def respond(result: dict[str, Any]) -> Response:
    """Send an engine result; add ``nonfinite`` (the count of values sent as null) if absent.

    A result holding more than ``PIECEWISE_ABOVE`` numbers goes out piece by piece.
    """
    arrays = _arrays(result, [])
    if "nonfinite" not in result:
        # Mostly all finite: all_finite's scan is cheaper than counting (a 2×2 run's seven
        # arrays: 4 µs against 10), and the count is made only when it is not zero.
        clean = all(map(all_finite, arrays))
        result = {**result, "nonfinite": 0 if clean else count_nonfinite(*arrays)}
    if sum(a.size for a in arrays) > PIECEWISE_ABOVE:
        return PiecewiseJSONResponse(result)
    return NumpyJSONResponse(result)


_END = object()


class NDJSONResponse(StreamingResponse):
    """A stream of JSON lines (``application/x-ndjson``), one object per line."""

    media_type = "application/x-ndjson"


def ndjson_line(item: Any) -> bytes:
    """One NDJSON line; numpy arrays written directly, non-finite numbers as ``null``."""
    return render(item) + b"\n"
