"""Central-difference helpers and the comparison of the gradient check.

The numeric derivative of ``f`` at ``a`` in the direction of entry ``i`` is
:math:`\\frac{f(a + h e_i) - f(a - h e_i)}{(a_i + h) - (a_i - h)}`: a central difference divided by
the step actually taken in floating point (which is ``2h`` up to rounding). The caller's arrays
are never modified; every perturbation happens on a copy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.engine.errors import EngineError
from app.engine.verdicts import Judgement, judge

REL_FLOOR = 1e-8  # rel_error = |a - n| / max(REL_FLOOR, |a| + |n|)


def _steps(a: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """a + h, a - h and the step (a + h) - (a - h) actually taken, all float64."""
    a = np.asarray(a, dtype=np.float64)
    plus, minus = a + h, a - h
    return plus, minus, plus - minus


def central_difference(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float
) -> np.ndarray:
    """Element-wise :math:`f'(x) \\approx (f(x+h) - f(x-h)) / ((x+h) - (x-h))`, f element-wise.

    Where ``h`` is below the spacing of floats at ``x`` the step is 0 and the result is NaN.
    """
    plus, minus, step = _steps(x, h)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(f(plus), dtype=np.float64) - f(minus)) / step


def _check_step(step: np.ndarray, h: float) -> None:
    if not np.logical_and.reduce(step, axis=None):  # some step is 0 (NaN is not 0)
        raise EngineError(
            f"h = {h:g} is too small for the size of some entries (x + h == x - h); "
            "use a larger h.",
            ("h",),
        )


def numeric_gradient(
    f: Callable[[np.ndarray], float], a: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Gradient of the scalar ``f`` at ``a`` by central differences, one entry at a time.

    ``a``: any shape; returns a float64 array of that shape. ``f`` is called on a float64 copy.
    """
    a = np.array(a, dtype=np.float64)  # a private copy, perturbed in place and restored
    plus, minus, step = _steps(a, h)
    _check_step(step, h)
    grad = np.empty_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = plus[i]
        f_plus = f(a)
        a[i] = minus[i]
        f_minus = f(a)
        a[i] = old
        grad[i] = (f_plus - f_minus) / step[i]  # (f(a + h e_i) - f(a - h e_i)) / 2h
    return grad


Marks = list[np.ndarray]  # per kinked layer, which side of its kinks each input lies on
BatchFn = Callable[[np.ndarray], tuple[np.ndarray, Marks]]


def _straddles(marks: Marks, k: int, lead: tuple[int, ...]) -> np.ndarray | None:
    """Where copy i (moved by +h) and copy k + i (moved by -h) put some input on different
    sides of a kink: ``(k, *lead)`` booleans, or None when no layer has a kink."""
    if not marks:
        return None
    flat = np.concatenate([m.reshape(2 * k, *lead, -1) for m in marks], axis=-1)
    return (flat[:k] != flat[k:]).any(axis=-1)


def numeric_gradient_batched(
    f_batch: BatchFn, a: np.ndarray, h: float = 1e-5, chunk: int = 64
) -> tuple[np.ndarray, np.ndarray | None]:
    """Same as :func:`numeric_gradient`, evaluating many single-entry perturbations per call.

    ``f_batch`` takes ``(K, *a.shape)``, K copies of ``a`` each with exactly one entry moved by
    ``+h`` or ``-h``, and returns the K values of ``f``, shape ``(K,)``, and its kink marks
    (see :func:`app.engine.nn.protocol.Layer.regions`; ``[]`` for a smooth f). Only one entry
    per copy is perturbed, so each value is an honest ``f(a \\pm h e_i)``; batching only
    removes Python overhead. ``chunk`` entries are handled per call (K = 2 * chunk). Returns the
    gradient and ``at_kink`` (shape of ``a``; None for a smooth f): the entries whose ``±h``
    moved some input across a kink, where a central difference is not a derivative.
    """
    a = np.asarray(a, dtype=np.float64)
    plus, minus, step = _steps(a, h)
    _check_step(step, h)
    size = a.size
    flat, flat_plus, flat_minus = a.reshape(-1), plus.reshape(-1), minus.reshape(-1)
    flat_step = step.reshape(-1)
    grad = np.empty(size)
    at_kink = None
    chunk = max(1, int(chunk))
    for start in range(0, size, chunk):
        stop = min(start + chunk, size)
        k = stop - start
        copies = np.empty((2 * k, size))
        copies[...] = flat
        # Copy i (i < k) has entry start + i moved by +h, copy k + i the same entry by -h: in
        # the flat buffer, every (size + 1)-th element from the first such entry.
        entries = copies.reshape(-1)
        entries[start : k * size : size + 1] = flat_plus[start:stop]
        entries[k * size + start :: size + 1] = flat_minus[start:stop]
        values, marks = f_batch(copies.reshape((2 * k, *a.shape)))
        values = np.asarray(values, dtype=np.float64)
        grad[start:stop] = (values[:k] - values[k:]) / flat_step[start:stop]
        kinked = _straddles(marks, k, ())
        if kinked is not None:
            at_kink = np.zeros(size, dtype=bool) if at_kink is None else at_kink
            at_kink[start:stop] = kinked
    return grad.reshape(a.shape), None if at_kink is None else at_kink.reshape(a.shape)


def numeric_gradient_rows(
    f_rows: BatchFn, x: np.ndarray, h: float = 1e-5, chunk: int = 64
) -> tuple[np.ndarray, np.ndarray | None]:
    """Gradient of :math:`L = \\frac1N \\sum_n \\ell_n(x_n)` for ``x: (N, D)`` when row n's term
    depends on row n of x only (no layer mixes the samples of a batch).

    ``f_rows`` takes ``(K, N, D)`` copies of ``x`` and returns every row's term, ``(K, N)``,
    and its kink marks. Copy k moves column j by ``+h`` (or ``-h``) in every row at once; since
    row n's term sees only row n, that is ``N`` honest single-entry perturbations in one pass:

    .. math:: \\partial L / \\partial x_{nj}
              \\approx (\\ell_n(x_n + h e_j) - \\ell_n(x_n - h e_j)) / (N \\cdot 2h)

    The same derivative as moving one entry of the whole batch, with ``2D`` passes instead of
    ``2ND`` and without the round-off of the other ``N - 1`` unchanged terms. A layer that mixes
    the samples of a batch (batch norm, say) breaks the premise: check such stacks with
    :func:`numeric_gradient_batched` instead. Returns the gradient and ``at_kink`` (N, D).
    """
    x = np.asarray(x, dtype=np.float64)
    plus, minus, step = _steps(x, h)
    _check_step(step, h)
    N, D = x.shape
    grad = np.empty_like(x)
    at_kink = None
    chunk = max(1, int(chunk))
    for start in range(0, D, chunk):
        cols = np.arange(start, min(start + chunk, D))
        k = cols.size
        copies = np.empty((2 * k, N, D))
        copies[...] = x
        first = np.arange(2 * k)
        copies[first[:k], :, cols] = plus[:, cols].T  # copy i: column cols[i] moved by +h
        copies[first[k:], :, cols] = minus[:, cols].T  # and by -h
        rows, marks = f_rows(copies)
        rows = np.asarray(rows, dtype=np.float64)  # (2k, N) per-row terms
        grad[:, cols] = (rows[:k] - rows[k:]).T / (N * step[:, cols])
        kinked = _straddles(marks, k, (N,))  # (k, N): row n's own inputs crossed a kink
        if kinked is not None:
            at_kink = np.zeros((N, D), dtype=bool) if at_kink is None else at_kink
            at_kink[:, cols] = kinked.T
    return grad, at_kink


def layer_check(
    forward: Callable, x: np.ndarray, params: dict, g: np.ndarray | float, h: float = 1e-5
) -> dict[str, tuple[float | None, bool]]:
    """Check a layer's (or loss's) backward against central differences of
    :math:`L = \\sum y \\odot g`.

    ``forward(x, params) -> (y, backward)`` and ``backward(g) -> (dx, grads)``: the protocol of
    :mod:`app.engine.nn.protocol`, so every layer and loss is checked by this one function (a
    loss with ``lambda y, p: loss.forward(y, t)`` and ``g = 1.0``). A random ``g`` exercises every
    entry of the backward pass. Returns ``{"x": (max_rel_error, passed), name: ...}`` for the
    input and each parameter.
    """
    dx, grads = forward(x, params)[1](g)

    def L(a: np.ndarray, name: str | None = None) -> float:
        moved = (a, params) if name is None else (x, {**params, name: a})
        return float(np.sum(forward(*moved)[0] * g))

    def check(analytic: np.ndarray, num: np.ndarray) -> tuple[float | None, bool]:
        _, max_rel_error, judgement = compare(analytic, num)
        return max_rel_error, judgement.passed

    results = {"x": check(dx, numeric_gradient(L, x, h))}
    for name, analytic in grads.items():
        num = numeric_gradient(lambda a, n=name: L(a, n), params[name], h)
        results[name] = check(analytic, num)
    return results


def same_shape(grad: tuple[int, ...], param: tuple[int, ...]) -> bool:
    """Has a gradient its parameter's shape, up to leading axes of length 1 (``(1, C)`` for
    ``(C,)``: an update ``b -= lr * db`` still moves each entry once; a transpose does not)?"""

    def lead(shape: tuple[int, ...]) -> tuple[int, ...]:
        i = 0
        while i < len(shape) and shape[i] == 1:
            i += 1
        return shape[i:]

    return lead(grad) == lead(param)


def compare(
    analytic: np.ndarray, numeric: np.ndarray, at_kink: np.ndarray | None = None
) -> tuple[np.ndarray, float | None, Judgement]:
    """Element-wise ``rel_error = |a - n| / max(1e-8, |a| + |n|)``, its max, and the verdict.

    The max is over the entries not marked ``at_kink`` (where the central difference straddles a
    kink and so is no derivative; None when every entry is). The verdict is the one rule of
    :func:`app.engine.verdicts.judge`, in the dtype of ``analytic`` (float32 or float64): errors
    against the tensor's scale, ``kink`` only where the disagreeing entries are ``at_kink``.
    """
    dtype = "float32" if np.asarray(analytic).dtype == np.float32 else "float64"
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    diff = np.abs(a - n)
    rel_error = diff / np.maximum(REL_FLOOR, np.abs(a) + np.abs(n))
    judged = rel_error if at_kink is None else rel_error[~at_kink]
    if judged.size:
        max_rel_error: float | None = float(np.maximum.reduce(judged, axis=None))
    else:
        max_rel_error = 0.0 if at_kink is None else None
    return rel_error, max_rel_error, judge(a, n, at_kink, dtype)
