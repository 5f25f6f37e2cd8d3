"""Fast JSON for numpy results: orjson writes arrays directly and turns NaN/±Infinity into null."""

from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse

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
