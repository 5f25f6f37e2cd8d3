"""Reductions with numpy's own results, faster on the narrow arrays of small networks.

numpy reduces an ``(N, C)`` array along its last axis one row at a time (an inner loop of C per
row) and along its first axis one row at a time too (``out += a[n]``): with C = 4 that is N
short loops, e.g. 40 µs for ``z.max(axis=-1)`` on ``(1024, 4)`` where the arithmetic needs 2 µs.
These helpers give the very same bits with loops over the long axis instead:

- a maximum is exact, so any order gives the same value (for finite input; a tie of ``+0`` and
  ``-0`` may pick either zero, which nothing downstream can tell apart: ``x - m`` and
  ``exp(x - m)`` are then equal for both);
- numpy sums fewer than 8 contiguous entries left to right from ``0.0`` (its pairwise sum
  switches to 8 accumulators at 8, ``pairwise_sum`` in ``loops_utils.h.src``), so a column-by-
  column sum from ``0.0`` is the same sum;
- numpy sums down the first axis of a C-ordered array of two or more columns row after row, and
  so does ``einsum("nc->c")``, without numpy's per-row call overhead.

Tests compare every helper with numpy's reduction bit for bit.
"""

from __future__ import annotations

import numpy as np

_NARROW_MAX = 8  # column-wise maximum below this many columns (measured: faster from N ~ 128)
_NARROW_SUM = 8  # numpy's pairwise sum is a plain left-to-right sum below 8 terms
_MIN_ROWS = 128  # fewer rows: numpy's row loop is already cheaper than C column passes
_EINSUM_ROWS = 64  # fewer rows: numpy's own row loop beats einsum's set-up (2 µs against 3.5)


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=-1, keepdims=True)`` for ``a: (..., C)``."""
    C = a.shape[-1]
    if C >= _NARROW_MAX or C < 2 or a.size < _MIN_ROWS * C:
        return np.maximum.reduce(a, axis=-1, keepdims=True)
    m = np.maximum(a[..., 0:1], a[..., 1:2])
    for c in range(2, C):
        np.maximum(m, a[..., c : c + 1], out=m)
    return m


def row_sum(a: np.ndarray, keepdims: bool = True) -> np.ndarray:
    """``a.sum(axis=-1, keepdims=keepdims)`` for ``a: (..., C)``, bit for bit."""
    C = a.shape[-1]
    if C >= _NARROW_SUM or C < 2 or a.size < _MIN_ROWS * C:
        return np.add.reduce(a, axis=-1, keepdims=keepdims)
    s = a[..., 0:1] + 0.0  # numpy starts from 0.0, so -0.0 + 0.0 = +0.0 as there
    for c in range(1, C):
        s += a[..., c : c + 1]
    return s if keepdims else s[..., 0]


def col_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=0)`` for a C-ordered ``a: (N, C)``, bit for bit: the rows added in order.

    A single column is contiguous, and numpy sums it pairwise: that case is left to numpy, and
    so are short arrays, where numpy's row loop is the cheaper one.
    """
    if a.ndim != 2 or a.shape[1] < 2 or a.shape[0] < _EINSUM_ROWS or not a.flags.c_contiguous:
        return np.add.reduce(a, axis=0)
    return np.einsum("nc->c", a)
