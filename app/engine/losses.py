"""Losses averaged over the batch, with their gradients, and the normalisation of targets.

``N`` is always the batch size (``y.shape[-2]``). Targets are either class indices (one integer
per row) or rows with the shape of ``y``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.engine.errors import EngineError
from app.engine.layers import as_float, softmax

LOSSES: tuple[str, ...] = ("cross_entropy", "softmax_cross_entropy", "mse")

# LaTeX of each loss and of the seed gradient it hands back (N is the batch size).
LOSS_LATEX: dict[str, dict[str, str]] = {
    "cross_entropy": {
        "formula": r"L = -\frac{1}{N} \sum_n \sum_c t_{nc} \ln y_{nc}",
        "gradient": r"\frac{\partial L}{\partial y} = -\frac{t}{N\,y}",
    },
    "softmax_cross_entropy": {
        "formula": r"L = -\frac{1}{N} \sum_n \sum_c t_{nc} \ln \operatorname{softmax}(z_n)_c",
        "gradient": r"\frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - t}{N}",
    },
    "mse": {
        "formula": r"L = \frac{1}{2N} \sum_n \sum_c (y_{nc} - t_{nc})^2",
        "gradient": r"\frac{\partial L}{\partial y} = \frac{y - t}{N}",
    },
}

_ROW_SUM_TOL = 1e-6  # a probability target row must sum to 1 within this


def _check_name(name: str) -> None:
    if name not in LOSSES:
        raise EngineError(f"unknown loss {name!r}; use one of {', '.join(LOSSES)}.", ("loss",))


def as_targets(t: Any, y_shape: tuple[int, ...], loss: str, dtype=np.float64) -> np.ndarray:
    """Targets as rows of shape ``y_shape = (N, C)`` in ``dtype``.

    - 1-D integers ``(N,)`` are class indices ``0 <= t_n < C`` and become one-hot rows (for every
      loss, ``mse`` included: then the regression target is the one-hot row).
    - For the cross-entropy losses, 1-D floats are accepted if they are whole numbers (``2.0``);
      rows ``(N, C)`` must be probability distributions (non-negative, summing to 1).
    - For ``mse``, rows ``(N, C)`` hold any real values; 1-D floats are accepted when ``C == 1``
      (one real target per input).

    Every problem raises :class:`EngineError` at ``loc ("targets",)``.
    """
    _check_name(loss)
    loc = ("targets",)
    N, C = y_shape
    try:
        arr = np.asarray(t)
    except ValueError as exc:
        raise EngineError("targets must be a list of class indices or of rows.", loc) from exc
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        raise EngineError("targets must be whole-number class indices or rows of numbers.", loc)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise EngineError("targets must be finite numbers (no NaN or infinity).", loc)

    if arr.ndim == 1:
        if arr.shape[0] != N:
            raise EngineError(
                f"there are {arr.shape[0]} targets for {N} inputs; give one each.", loc
            )
        if loss == "mse" and arr.dtype.kind == "f":
            if C != 1:
                raise EngineError(
                    f"for mse give one row of {C} real values per input "
                    "(or integer class indices).",
                    loc,
                )
            return arr.astype(dtype).reshape(N, 1)
        if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise EngineError(
                "1-D targets are class indices and must be whole numbers; "
                f"give rows of {C} probabilities instead for soft targets.",
                loc,
            )
        bad = np.flatnonzero((arr < 0) | (arr >= C))
        if bad.size:
            n = int(bad[0])
            raise EngineError(
                f"target {arr[n]:g} (row {n}) is not a class index: with {C} classes "
                f"use 0 to {C - 1}.",
                loc,
            )
        onehot = np.zeros((N, C), dtype=dtype)
        onehot[np.arange(N), arr.astype(np.intp)] = 1.0  # row n has a 1 in column t_n
        return onehot

    if arr.shape != tuple(y_shape):
        raise EngineError(
            f"targets have shape {arr.shape} but the network outputs shape {tuple(y_shape)}; "
            f"give one class index per input or one row of {C} values per input.",
            loc,
        )
    rows = arr.astype(np.float64)
    if loss != "mse":
        if np.any(rows < 0):
            raise EngineError("target rows are probabilities and cannot be negative.", loc)
        sums = rows.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > _ROW_SUM_TOL)
        if bad.size:
            n = int(bad[0])
            raise EngineError(
                f"each target row must sum to 1 (a probability distribution); "
                f"row {n} sums to {sums[n]:.6g}.",
                loc,
            )
    return rows.astype(dtype)


def loss_rows(name: str, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Each row's term of the loss, shape ``y.shape[:-1]``: the loss is their mean over rows.

    - ``cross_entropy``: :math:`\\ell_n = -\\sum_c t_{nc} \\ln \\max(y_{nc}, \\text{tiny})` (y holds
      probabilities; tiny is the dtype's smallest normal number, so the log is finite and exact
      for y >= tiny).
    - ``softmax_cross_entropy``:
      :math:`\\ell_n = -\\sum_c t_{nc} \\log\\operatorname{softmax}(y_n)_c` with the log-sum-exp
      taken after subtracting the row's max.
    - ``mse``: :math:`\\ell_n = \\frac12 \\sum_c (y_{nc} - t_{nc})^2`.

    ``y: (..., N, C)``, ``t: (N, C)``; leading axes of ``y`` (e.g. perturbed copies) are kept.
    """
    _check_name(name)
    if name == "cross_entropy":
        return -np.sum(t * np.log(np.maximum(y, np.finfo(y.dtype).tiny)), axis=-1)  # -sum t ln y
    if name == "softmax_cross_entropy":
        z = y - y.max(axis=-1, keepdims=True)  # shift by the row max
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # log softmax = z - lse(z)
        return -np.sum(t * log_p, axis=-1)
    return 0.5 * np.sum((y - t) ** 2, axis=-1)  # (1/2) sum (y - t)^2


def loss_value(name: str, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The loss :math:`L = \\frac1N \\sum_n \\ell_n` of ``y: (..., N, C)``, shape ``y.shape[:-2]``.

    See :func:`loss_rows` for each loss's :math:`\\ell_n`; N is the batch size.
    """
    return loss_rows(name, y, t).mean(axis=-1)


def loss_gradient(name: str, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:math:`\\partial L / \\partial y`, shape of ``y: (N, C)``.

    - ``cross_entropy``: :math:`-\\frac{t}{N \\max(y, \\text{tiny})}`
    - ``softmax_cross_entropy``: :math:`\\frac{1}{N}(\\operatorname{softmax}(y) \\sum_j t_j - t)`,
      which is the familiar :math:`(\\operatorname{softmax}(y) - t)/N` since rows of t sum to 1.
    - ``mse``: :math:`(y - t)/N`
    """
    _check_name(name)
    N = y.shape[-2]
    if name == "cross_entropy":
        return -t / np.maximum(y, np.finfo(y.dtype).tiny) / N  # -t / y / N
    if name == "softmax_cross_entropy":
        return (softmax(y) * t.sum(axis=-1, keepdims=True) - t) / N  # (softmax(y) - t) / N
    return (y - t) / N  # (y - t) / N


def loss_forward(name: str, y: Any, t: Any) -> tuple[float, Callable[[], np.ndarray]]:
    """Loss of the network output ``y: (N, C)`` against targets ``t`` (see :func:`as_targets`).

    Returns ``(L, backward)`` where ``backward() -> dL/dy`` with the shape and dtype of ``y``.
    A loss that overflows raises :class:`EngineError`.
    """
    _check_name(name)
    y = as_float(y, "y", ("y",))
    if y.ndim != 2 or y.shape[0] == 0 or y.shape[1] == 0:
        raise EngineError(f"y must be a non-empty 2-D array (N, C), got shape {y.shape}.", ("y",))
    t = as_targets(t, y.shape, name, y.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        L = float(loss_value(name, y, t))
    if not np.isfinite(L):
        raise EngineError(
            f"the {name} loss overflowed {y.dtype} (the outputs are too far from the targets); "
            "use smaller inputs or weights.",
            ("loss",),
        )

    def backward() -> np.ndarray:
        return loss_gradient(name, y, t).astype(y.dtype, copy=False)

    return L, backward
