"""Losses averaged over the batch, each one record in one registry, and the normalisation of
targets.

A loss answers the layer protocol (:mod:`app.engine.nn.protocol`): ``forward(y, t) -> (L,
backward)`` with ``backward(dL) -> (dL/dy, {})``. ``N`` is always the batch size
(``y.shape[-2]``); ``y`` may carry leading axes (perturbed copies), giving one loss per copy.
Targets are either class indices (one integer per row) or rows with the shape of ``y``;
:func:`as_targets` checks them once. Every loss takes target rows ``t: (N, C)``; the two
cross-entropies also take the class indices ``t: (N,)`` themselves, and then read one entry per
row instead of summing ``t * ln p`` over all C (same values, bit for bit: the other terms are
zeros).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.errors import EngineError, warning
from app.engine.nn.protocol import Backward
from app.engine.reductions import row_max, row_sum

_ROW_SUM_TOL = 1e-6  # a probability target row must sum to 1 within this
_FEW = 32  # entries: up to here a Python min and max beat numpy's reductions
GradFn = Callable[[], np.ndarray]


def as_targets(
    t: Any,
    y_shape: tuple[int, ...],
    loss: str,
    dtype=np.float64,
    source: str = "the network",
    indices: bool = False,
    width_loc: tuple[str | int, ...] | None = None,
) -> np.ndarray:
    """Targets as rows of shape ``y_shape = (N, C)`` in ``dtype``.

    - 1-D integers ``(N,)`` are class indices ``0 <= t_n < C`` and become one-hot rows (for every
      loss, ``mse`` included: then the regression target is the one-hot row). With ``indices``
      a cross-entropy loss gets them as they are instead, as ``intp`` ``(N,)`` (checked the
      same way), which it reads faster than one-hot rows.
    - For the cross-entropy losses, 1-D floats are accepted if they are whole numbers (``2.0``);
      rows ``(N, C)`` must be probability distributions (non-negative, summing to 1).
    - For a loss that ``expects`` values (mse, huber), rows ``(N, C)`` hold any real values;
      1-D floats are accepted when ``C == 1`` (one real target per input).

    ``source`` names what set the width C in messages ("layer 2 (affine)"). Every problem raises
    :class:`EngineError` at ``loc ("targets",)``; one that is about C (a class index past it, a
    row of another width) names ``width_loc`` too, when given, as the other place to fix.
    """
    regression = get_loss(loss).expects == "values"  # mse, huber: any real rows
    try:
        arr = np.asarray(t)
    except ValueError as exc:
        raise EngineError("targets must be a list of class indices or of rows.", _LOC) from exc
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        raise EngineError("targets must be whole-number class indices or rows of numbers.", _LOC)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise EngineError("targets must be finite numbers (no NaN or infinity).", _LOC)
    if arr.ndim == 1:
        classes = _from_indices(arr, y_shape, loss if regression else "", dtype, source, width_loc)
        if classes.ndim == 2 or (indices and not regression):
            return classes
        return one_hot(classes, y_shape[1], dtype)
    return _from_rows(arr, y_shape, regression, dtype, source, width_loc)


_LOC = ("targets",)


def _from_indices(
    arr: np.ndarray, y_shape, regression: str, dtype, source: str, width_loc
) -> np.ndarray:
    """Checked class indices ``(N,)`` (or, for a 1-column regression, the values as rows);
    ``regression`` names the loss that takes real values ("" for a classification loss)."""
    N, C = y_shape
    also = (width_loc,) if width_loc else ()
    if arr.shape[0] != N:
        raise EngineError(f"there are {arr.shape[0]} targets for {N} inputs; give one each.", _LOC)
    if regression and arr.dtype.kind == "f":
        if C != 1:
            raise EngineError(
                f"for {regression} give one row of {C} real values per input (or integer class "
                f"indices): {source} outputs {C} columns.",
                _LOC,
                also,
            )
        return arr.astype(dtype).reshape(N, 1)
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise EngineError(
            "1-D targets are class indices and must be whole numbers; "
            f"give rows of {C} probabilities instead for soft targets.",
            _LOC,
        )
    lo, hi = _min_max(arr)
    if lo < 0 or hi >= C:
        n = int(np.flatnonzero((arr < 0) | (arr >= C))[0])
        raise EngineError(
            f"target {arr[n]:g} (row {n}) is not a class index: {source} outputs {C} "
            f"column{'s' if C != 1 else ''}, so the classes are 0 to {C - 1}.",
            _LOC,
            also,
        )
    return arr.astype(np.intp)


def _min_max(arr: np.ndarray) -> tuple:
    """The smallest and largest entry of the finite, non-empty 1-D ``arr``: for a few entries
    as Python numbers (faster than two numpy reductions), else by numpy."""
    if arr.size <= _FEW:
        v = arr.tolist()
        return min(v), max(v)
    return np.minimum.reduce(arr), np.maximum.reduce(arr)


def one_hot(t: np.ndarray, C: int, dtype=np.float64) -> np.ndarray:
    """Rows ``(N, C)`` with a 1 in column ``t_n`` of row n, from class indices ``t: (N,)``."""
    onehot = np.zeros((t.shape[0], C), dtype=dtype)
    onehot[np.arange(t.shape[0]), t] = 1.0
    return onehot


def _at(a: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Entry ``a[..., n, t_n]`` of every row ``n = arange(N)``, ``(..., N)``, C-ordered: numpy
    lays fancy-indexed leading axes out last, and a later mean over a transposed layout adds in
    another order."""
    return np.ascontiguousarray(a[..., n, t])


def _rows(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Target rows for ``y``, from rows or class indices."""
    return one_hot(t, y.shape[-1], y.dtype) if t.ndim == 1 else t


def _from_rows(
    arr: np.ndarray, y_shape, regression: bool, dtype, source: str, width_loc
) -> np.ndarray:
    """Rows shaped like the output: any reals for a regression, else distributions."""
    if arr.shape != tuple(y_shape):
        width = arr.ndim == 2 and arr.shape[0] == y_shape[0] and width_loc
        raise EngineError(
            f"targets have shape {arr.shape} but {source} outputs shape {tuple(y_shape)}; "
            f"give one class index per input or one row of {y_shape[1]} values per input.",
            _LOC,
            (width_loc,) if width else (),
        )
    rows = arr.astype(np.float64)
    if not regression:
        if np.any(rows < 0):
            raise EngineError("target rows are probabilities and cannot be negative.", _LOC)
        sums = rows.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > _ROW_SUM_TOL)
        if bad.size:
            n = int(bad[0])
            raise EngineError(
                f"each target row must sum to 1 (a probability distribution); "
                f"row {n} sums to {sums[n]:.6g}.",
                _LOC,
            )
    return rows.astype(dtype)


def _tiny(y: np.ndarray) -> np.floating:
    return np.finfo(y.dtype).tiny


def _ce_terms(y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, GradFn]:
    N, tiny = y.shape[-2], _tiny(y)
    if t.ndim == 1 and np.isfinite(np.maximum.reduce(y, axis=None)):
        # With finite ln max(y, tiny) the other terms are exactly 0: read row n's entry t_n.
        n = np.arange(N)  # the rows, for the read and the gradient
        ym = np.maximum(_at(y, n, t), tiny)

        def grad_at_classes() -> np.ndarray:
            g = np.full(y.shape, -0.0, dtype=y.dtype)  # -0 / (N y) where t = 0
            g[..., n, t] = -1.0 / ym / N
            return g

        return -np.log(ym), grad_at_classes
    t = _rows(t, y)
    ym = np.maximum(y, tiny)  # capped at the smallest normal number: no log 0
    rows = -row_sum(t * np.log(ym), keepdims=False)  # -sum t ln max(y, tiny)
    return rows, lambda: -t / ym / N  # -t / (N y)


def _sce_terms(z: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, GradFn]:
    # log softmax(z) = (z - m) - ln sum e^{z - m}, m the row max; softmax(z) = e^{z - m} / sum
    N = z.shape[-2]
    with np.errstate(over="ignore", invalid="ignore"):
        log_p = z - row_max(z)  # -inf for logits ~1e308 apart; a fresh array, used in place below
        # Class indices are read one per row only while no z - m is -inf (or NaN): then the
        # other terms of sum t ln p are exactly 0, and otherwise one-hot rows give the NaN.
        # Every z - m is <= 0 or NaN, so their minimum tells.
        if t.ndim == 1 and not math.isfinite(np.minimum.reduce(log_p, axis=None)):
            t = _rows(t, z)
    if t.ndim == 1:
        n = np.arange(N)  # the rows, for the read and the gradient
        at = _at(log_p, n, t)  # read before the exponentials overwrite log_p
        e = np.exp(log_p, out=log_p)  # e^{z - m} <= 1, into the engine's own temporary
        s = row_sum(e)
        rows = -(at - np.log(s[..., 0]))
    else:
        e = np.exp(log_p)
        s = row_sum(e)
        log_p -= np.log(s)
        rows = -row_sum(np.multiply(t, log_p, out=log_p), keepdims=False)
    fresh = [True]  # the first gradient divides e in place; another call starts over from z

    def grad() -> np.ndarray:
        # (softmax(z) sum_j t_j - t) / N, which is (softmax(z) - t) / N when rows of t sum to 1
        if not fresh[0]:
            return _sce_terms(z, t)[1]()
        fresh[0] = False
        p = np.divide(e, s, out=e)
        if t.ndim == 1:
            p[..., n, t] -= 1.0  # one-hot rows: p * 1.0 - 0.0 is p elsewhere
        else:
            t_sum = row_sum(t)
            if not np.logical_and.reduce(t_sum == 1.0, axis=None):  # one-hot: p * 1.0 is p
                p *= t_sum
            p -= t
        p /= N
        return p

    return rows, grad


def _ce_step(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    return -t / np.maximum(y, _tiny(y)) / y.shape[-2]  # -t / (N max(y, tiny)), as _ce_terms


def _sce_step(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    # (softmax(z) - t) / N for rows of t that sum to 1, in _sce_terms's operations and order
    p = np.subtract(z, row_max(z), out=np.empty_like(z))
    np.exp(p, out=p)
    p /= row_sum(p)
    p -= t
    p /= z.shape[-2]
    return p


def _mse_step(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    d = np.subtract(y, t)
    d /= y.shape[-2]  # (y - t) / N
    return d


def _mse_terms(y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, GradFn]:
    d = y - _rows(t, y)
    rows = 0.5 * row_sum(d**2, keepdims=False)  # sum (y - t)^2 / 2
    fresh = [True]  # the first gradient divides d in place; another call computes it again

    def grad() -> np.ndarray:
        if not fresh[0]:
            return (y - _rows(t, y)) / y.shape[-2]
        fresh[0] = False
        return np.divide(d, y.shape[-2], out=d)  # d / N

    return rows, grad


HUBER_DELTA = 1.0  # PyTorch's HuberLoss default


def _huber_grad(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.clip(y - t, -HUBER_DELTA, HUBER_DELTA) / y.shape[-2]


def _huber_terms(y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, GradFn]:
    # per element d²/2 where |d| <= delta, delta (|d| - delta/2) beyond; written as
    # m²/2 + delta (|d| - m) with m = min(|d|, delta), which squares no large |d| (no overflow)
    d = y - _rows(t, y)
    a = np.abs(d)
    m = np.minimum(a, HUBER_DELTA)
    rows = row_sum(0.5 * m * m + HUBER_DELTA * (a - m), keepdims=False)

    def grad() -> np.ndarray:
        # d clipped to [-delta, delta], over N: d inside, delta sign(d) beyond
        return np.clip(d, -HUBER_DELTA, HUBER_DELTA) / y.shape[-2]

    return rows, grad


def _ce_underflow(y: np.ndarray, t: np.ndarray) -> list[dict]:
    """A warning where a target class's probability fell below the smallest normal number."""
    tiny = _tiny(y)
    if t.ndim == 1:
        rows = np.flatnonzero(y[np.arange(t.shape[0]), t] < tiny)
    else:
        rows = np.flatnonzero(((t > 0) & (y < tiny)).any(axis=-1))
    if not rows.size:
        return []
    return [
        warning(
            "cross_entropy_underflow",
            f"in {rows.size} row(s) (the first is row {int(rows[0])}) the probability of a target "
            f"class underflowed below {tiny:.3g}, the smallest normal {y.dtype}: the log is capped "
            f"there, so that row's loss is at most {-np.log(tiny):.4g} and its gradient through "
            "the softmax vanishes. softmax_cross_entropy on the logits (without the softmax "
            "layer) is exact here.",
            ("loss",),
        )
    ]


@dataclass(frozen=True)
class Loss:
    """A loss :math:`L = \\frac1N \\sum_n \\ell_n(y_n, t_n)` with its gradient and formulas.

    ``terms(y, t)`` gives each row's term ``(..., N)`` and a function computing :math:`\\partial
    L / \\partial y` of the mean from what the terms already computed (the softmax of the
    logits, say), so the gradient costs no second pass; ``expects`` says what ``y`` must be
    ("probabilities" after a softmax layer, "logits" or "values"); ``fragile(y, t)`` lists
    warnings for results that are computed as specified but numerically fragile.
    """

    name: str
    formula: str
    gradient: str
    expects: str
    terms: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, GradFn]]
    fragile: Callable[[np.ndarray, np.ndarray], list[dict]] = lambda y, t: []
    label: str = ""  # how the pages name it
    # L as one numpy expression of the outputs ``y`` and target rows ``t`` (both (N, C)): the
    # exported script prints it, and the tests evaluate it against ``forward``.
    code: str = ""
    # dL/dy alone, without the row terms, for target rows ``t: (N, C)`` as a training step has
    # them (one-hot rows for the cross-entropies: rows summing to 1): what ``grad`` gives there,
    # bit for bit, in fewer numpy calls. The caller silences floating-point warnings.
    step_grad: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = field(
        default=None, repr=False
    )

    def rows(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each row's term :math:`\\ell_n`, shape ``(..., N)``."""
        return self.terms(y, t)[0]

    def grad(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """:math:`\\partial L / \\partial y` of the mean over the N rows, shape of ``y``."""
        return self.terms(y, t)[1]()

    def forward(self, y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, Backward]:
        """``(L, backward)`` for ``y: (..., N, C)`` and target rows ``t: (N, C)``."""
        rows, grad = self.terms(y, t)
        L = np.add.reduce(rows, axis=-1) / rows.shape[-1]  # the mean, without its wrapper

        def backward(dL: np.ndarray | float = 1.0) -> tuple[np.ndarray, dict]:
            dy = grad()
            if not (isinstance(dL, float) and dL == 1.0):
                dy = dy * dL  # chain rule from an upstream dL
            return (dy if dy.dtype == y.dtype else dy.astype(y.dtype)), {}

        return L, backward


_LIST = [
    Loss(
        "cross_entropy",
        r"L = -\frac{1}{N} \sum_n \sum_c t_{nc} \ln y_{nc}",
        r"\frac{\partial L}{\partial y} = -\frac{t}{N\,y}",
        "probabilities",
        _ce_terms,
        _ce_underflow,
        label="cross-entropy (after softmax)",
        code="-np.mean(np.sum(t * np.log(np.maximum(y, np.finfo(y.dtype).tiny)), axis=1))",
        step_grad=_ce_step,
    ),
    Loss(
        "softmax_cross_entropy",
        r"L = -\frac{1}{N} \sum_n \sum_c t_{nc} \ln \operatorname{softmax}(z_n)_c",
        r"\frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - t}{N}",
        "logits",
        _sce_terms,
        label="softmax + cross-entropy, fused",
        code="-np.mean(np.sum(t * (y - y.max(axis=1, keepdims=True) - np.log(np.sum(np.exp("
        "y - y.max(axis=1, keepdims=True)), axis=1, keepdims=True))), axis=1))",
        step_grad=_sce_step,
    ),
    Loss(
        "mse",
        r"L = \frac{1}{2N} \sum_n \sum_c (y_{nc} - t_{nc})^2",
        r"\frac{\partial L}{\partial y} = \frac{y - t}{N}",
        "values",
        _mse_terms,
        label="mean squared error",
        code="0.5 * np.mean(np.sum((y - t) ** 2, axis=1))",
        step_grad=_mse_step,
    ),
    Loss(
        "huber",
        r"L = \frac{1}{N} \sum_n \sum_c \begin{cases} \tfrac12 d_{nc}^2 & |d_{nc}| \le 1 \\ "
        r"|d_{nc}| - \tfrac12 & \text{otherwise} \end{cases},\ d = y - t"
        r"\quad \text{(PyTorch's HuberLoss, }\delta = 1\text{, summed over the outputs, over }N)",
        r"\frac{\partial L}{\partial y} = \frac{\operatorname{clip}(y - t, -1, 1)}{N}",
        "values",
        _huber_terms,
        label="Huber (δ = 1)",
        code="np.mean(np.sum(np.where(np.abs(y - t) <= 1, 0.5 * (y - t) ** 2, "
        "np.abs(y - t) - 0.5), axis=1))",
        step_grad=_huber_grad,
    ),
]

# The one registry of losses.
LOSSES: dict[str, Loss] = {loss.name: loss for loss in _LIST}


def get_loss(name: str) -> Loss:
    """The loss called ``name``; an unknown name raises an error listing the known ones."""
    if name not in LOSSES:
        raise EngineError(f"unknown loss {name!r}; use one of {', '.join(LOSSES)}.", ("loss",))
    return LOSSES[name]
