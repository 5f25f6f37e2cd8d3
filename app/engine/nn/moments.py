"""Normalisation by mean and variance that does not overflow where the answer is representable.

:math:`\\hat x = (x - \\mu)/\\sqrt{\\sigma^2 + \\epsilon}` is bounded (:math:`|\\hat x| \\le
\\sqrt{D - 1}` over D entries), but the textbook sum :math:`\\sigma^2 = \\overline{(x - \\mu)^2}`
overflows long before: float32 ``x = [1e20, -1e20, 0]`` gives :math:`\\sigma^2 = \\infty` and
:math:`\\hat x = 0` where the answer is ``[1.2247, -1.2247, 0]`` (float64 from about 1e154).
Normalisation is scale-invariant up to :math:`\\epsilon`: with :math:`s = \\max|x|` and
:math:`u = x/s`,

.. math:: \\hat x = \\frac{u - \\bar u}{\\sqrt{\\sigma_u^2 + \\epsilon / s^2}},
          \\qquad \\frac{1}{\\sqrt{\\sigma^2 + \\epsilon}}
          = \\frac{1}{s}\\,\\frac{1}{\\sqrt{\\sigma_u^2 + \\epsilon / s^2}}.

Only the slices whose textbook moments are not finite (with finite input) are recomputed that
way, so every other slice keeps the textbook formula's bits exactly. Layer norm (along the
features, ``axis=-1``) calls :func:`normalize`. Batch norm (along the batch) has its own
:func:`app.engine.nn.batchnorm.batch_stats`, which scales every column whose largest ``|x|``
exceeds 1 (the same guarantee by a simpler rule, and the running mean and variance it also
needs); making it call :func:`normalize` would move its last bits, so it is left as it is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["normalize", "underflowing_scale"]


def normalize(x: np.ndarray, eps: float, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """``(xhat, inv)`` with ``xhat = (x - mean) * inv`` and ``inv = 1/sqrt(var + eps)`` along
    ``axis`` (kept as a length-1 axis), the biased variance; ``x`` is not modified.

    Slices where ``var`` would overflow are scaled by their largest ``|x|`` first (see the module
    docstring); elsewhere the result is the textbook one, bit for bit.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is repaired below
        mu = x.mean(axis=axis, keepdims=True)
        xc = x - mu
        inv = 1.0 / np.sqrt((xc * xc).mean(axis=axis, keepdims=True) + eps)  # 1/sqrt(var+eps)
        xhat = xc * inv
        broken = ~np.isfinite(inv) | (inv == 0)  # var overflowed (or the sum did: mu = ±inf)
    if not broken.any():
        return xhat, inv
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        s = np.max(np.abs(x), axis=axis, keepdims=True)
        fix = broken & np.isfinite(s) & (s > 0)
        if not fix.any():
            return xhat, inv
        s = np.where(fix, s, 1).astype(x.dtype)
        u = x / s  # |u| <= 1: its moments cannot overflow
        uc = u - u.mean(axis=axis, keepdims=True)
        tiny_eps = (np.sqrt(x.dtype.type(eps)) / s) ** 2  # eps/s², underflowing to 0, not inf
        inv_u = 1.0 / np.sqrt((uc * uc).mean(axis=axis, keepdims=True) + tiny_eps)
        xhat = np.where(fix, uc * inv_u, xhat)
        inv = np.where(fix, inv_u / s, inv)
    return xhat.astype(x.dtype, copy=False), inv.astype(x.dtype, copy=False)


def underflowing_scale(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Where (per slice along ``axis``, kept as length 1) the spread of ``x`` is so large that
    ``1/sqrt(var)``, the factor of the backward pass, falls below the dtype's smallest normal
    number, so that the input gradient loses digits or underflows to 0. The values
    ``xhat`` stay exact there; only the gradient is fragile."""
    tiny = np.finfo(x.dtype).tiny
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.max(np.abs(x), axis=axis, keepdims=True)
    # sqrt(var) <= s: a spread above 1/tiny needs s above it (a sound, cheap first test).
    big = np.isfinite(s) & (s * tiny > 1)
    if not big.any():
        return big
    _, inv = normalize(x, 0.0, axis)
    return big & (inv < tiny)
