"""Turning request data into float arrays: one conversion, never sharing a caller's memory."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.engine.errors import EngineError

Loc = tuple[str | int, ...]


def as_float(a: Any, what: str = "x", loc: Loc = ("x",), dtype=None) -> np.ndarray:
    """Return ``a`` as a float array, never sharing memory with a caller's integer array.

    Integers and booleans are promoted to float64; float32 and float64 keep their dtype unless
    ``dtype`` is given. Ragged lists, strings and complex numbers raise :class:`EngineError`.
    """
    try:
        arr = np.asarray(a)
    except ValueError as exc:  # ragged nested lists
        raise EngineError(f"{what} must be a rectangular array of numbers.", loc) from exc
    if arr.dtype.kind not in "biuf":
        raise EngineError(f"{what} must contain real numbers only.", loc)
    if dtype is not None:
        if arr.dtype == dtype:  # nothing can overflow: no need for the errstate below
            return arr if isinstance(a, list | tuple) else arr.copy()  # a list gave a new array
        with np.errstate(over="ignore"):  # e.g. 1e300 to float32 is inf: callers check finiteness
            return arr.astype(dtype)
    if arr.dtype.kind != "f" or arr.dtype not in (np.float32, np.float64):
        return arr.astype(np.float64)
    return arr


def all_finite(a: np.ndarray) -> bool:
    """Whether no entry of ``a`` is NaN or infinite (``isfinite(a).all()`` without the Python
    wrapper of ``.all()``, which costs as much as the check on a small array)."""
    return bool(np.logical_and.reduce(np.isfinite(a), axis=None))


def finite_array(a: Any, what: str, loc: Loc, dtype) -> np.ndarray:
    """``a`` as a ``dtype`` array, or an error if it holds NaN or infinity (after the cast)."""
    arr = as_float(a, what, loc, dtype=dtype)
    if not all_finite(arr):
        raise EngineError(f"{what} must hold finite numbers (no NaN or infinity).", loc)
    return arr
