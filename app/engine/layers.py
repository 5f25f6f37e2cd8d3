"""Affine and softmax layers, and the array checks every layer shares.

Every layer is a pure function: ``forward(x, ...) -> (y, backward)`` where the closure ``backward``
holds what it needs, ``backward(dy) -> (dx, grads)``. Nothing is cached on a shared object and
nothing writes into its arguments, so concurrent calls cannot see each other's state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.engine.errors import EngineError

Backward = Callable[[np.ndarray], tuple[np.ndarray, dict[str, np.ndarray]]]

INITS: tuple[str, ...] = ("he", "xavier", "normal")


def as_float(
    a: Any, what: str = "x", loc: tuple[str | int, ...] = ("x",), dtype=None
) -> np.ndarray:
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
        with np.errstate(over="ignore"):  # e.g. 1e300 to float32 is inf: callers check finiteness
            return arr.astype(dtype)
    if arr.dtype.kind != "f" or arr.dtype not in (np.float32, np.float64):
        return arr.astype(np.float64)
    return arr


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """y = x W + b; ``x: (..., N, D_in)``, ``W: (..., D_in, D_out)``, ``b`` broadcasts to y."""
    return x @ W + b


def affine_forward(x: Any, W: Any, b: Any) -> tuple[np.ndarray, Backward]:
    """Affine layer :math:`y = xW + b`.

    Shapes: ``x: (N, D_in)``, ``W: (D_in, D_out)``, ``b: (D_out,)`` or ``(1, D_out)``,
    ``y: (N, D_out)``. Backward:
    :math:`\\frac{\\partial L}{\\partial x} = dy\\,W^T`,
    :math:`\\frac{\\partial L}{\\partial W} = x^T dy`,
    :math:`\\frac{\\partial L}{\\partial b} = \\sum_n dy_n` (``db`` has the shape of ``b``).
    """
    x = as_float(x, "x", ("x",))
    W = as_float(W, "W", ("W",))
    b = as_float(b, "b", ("b",))
    if x.ndim != 2:
        raise EngineError(f"x must be 2-D (N, D_in), got shape {x.shape}.", ("x",))
    if W.ndim != 2:
        raise EngineError(f"W must be 2-D (D_in, D_out), got shape {W.shape}.", ("W",))
    if x.shape[1] != W.shape[0]:
        raise EngineError(
            f"the affine layer expects input width {W.shape[0]}, got {x.shape[1]}.", ("W",)
        )
    if b.shape not in ((W.shape[1],), (1, W.shape[1])):
        raise EngineError(
            f"b must have {W.shape[1]} entries (one per column of W), got shape {b.shape}.",
            ("b",),
        )
    y = affine(x, W, b)

    def backward(dy: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        dy = as_float(dy, "dy", ("dy",))
        if dy.shape != y.shape:
            raise EngineError(f"dy must have shape {y.shape}, got {dy.shape}.", ("dy",))
        dx = dy @ W.T  # dL/dx = dy W^T
        dW = x.T @ dy  # dL/dW = x^T dy
        db = dy.sum(axis=0).reshape(b.shape)  # dL/db = sum over the batch
        return dx, {"W": dW, "b": db}

    return y, backward


def init_affine(
    n_in: int, n_out: int, init: str = "he", seed: int | None = 0, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``W: (n_in, n_out)`` and zero ``b: (n_out,)``.

    ``he``: :math:`W \\sim \\mathcal N(0, 2/n_{in})` (He/Kaiming normal, for ReLU-like layers);
    ``xavier``: :math:`W \\sim \\mathcal N(0, 2/(n_{in}+n_{out}))` (Glorot *normal*, not uniform);
    ``normal``: :math:`W \\sim \\mathcal N(0, 0.01^2)`. Drawn in float64 from
    ``np.random.default_rng(seed)`` then cast, so float32 and float64 get the same values.
    """
    for name, n in (("in", n_in), ("out", n_out)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise EngineError(f"'{name}' must be a positive whole number, got {n!r}.", (name,))
    if init not in INITS:
        raise EngineError(f"unknown init {init!r}; use one of {', '.join(INITS)}.", ("init",))
    std = {"he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(2.0 / (n_in + n_out)), "normal": 0.01}
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((int(n_in), int(n_out))) * std[init]).astype(dtype)
    b = np.zeros(int(n_out), dtype=dtype)
    return W, b


def softmax(x: Any) -> np.ndarray:
    """Row-wise softmax :math:`y_i = e^{x_i - m} / \\sum_j e^{x_j - m}` along the last axis.

    ``m`` is each row's own max, so no exponent exceeds 0 (no overflow) and each row sums to 1.
    ``x: (..., C)`` -> ``y: (..., C)``.
    """
    x = as_float(x)
    with np.errstate(over="ignore"):  # x - m may be -inf for logits ~1e308 apart; e^-inf = 0
        e = np.subtract(x, x.max(axis=-1, keepdims=True), out=np.empty_like(x))  # shift by max
    np.exp(e, out=e)  # e^{x - m} <= 1
    e /= e.sum(axis=-1, keepdims=True)  # normalise each row
    return e


def softmax_forward(x: Any) -> tuple[np.ndarray, Backward]:
    """Softmax layer; backward is the Jacobian-vector product, not the Jacobian's diagonal.

    :math:`\\frac{\\partial L}{\\partial x_k} = y_k\\left(dy_k - \\sum_i dy_i\\, y_i\\right)`,
    row by row. ``x, y, dy, dx: (N, C)`` (or any leading shape, softmax along the last axis).
    """
    y = softmax(x)

    def backward(dy: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        dy = as_float(dy, "dy", ("dy",))
        if dy.shape != y.shape:
            raise EngineError(f"dy must have shape {y.shape}, got {dy.shape}.", ("dy",))
        dx = y * (dy - (dy * y).sum(axis=-1, keepdims=True))  # (diag(y) - y y^T) dy
        return dx, {}

    return y, backward


def softmax_jacobian(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of a 1-D ``x: (C,)`` and its Jacobian ``J: (C, C)``.

    :math:`J_{ij} = \\frac{\\partial y_i}{\\partial x_j} = y_i(\\delta_{ij} - y_j)`, i.e.
    :math:`J = \\operatorname{diag}(y) - y y^T` for the column vector ``y`` (symmetric).
    """
    x = as_float(x)
    if x.ndim != 1 or x.size == 0:
        raise EngineError(f"x must be a non-empty 1-D list, got shape {x.shape}.", ("x",))
    y = softmax(x)
    J = np.diag(y) - np.outer(y, y)  # diag(y) - y y^T
    return y, J
