"""Interval extensions of the language's functions, vectorised: ``(lo, hi) -> (lo, hi)``.

Each returns bounds that enclose ``f(u)`` for every ``u`` in ``[lo, hi]`` (arrays: one interval
per entry). Callers widen every result outward by a few units in the last place (see
:func:`widen`), so a value computed in floating point at any point of the box lies inside its
interval too; the kink detector (:mod:`app.engine.expr.kinks`) relies on that to never miss a
kink or a pole inside ``±h``. An empty or undefined part of a domain (``log`` of a negative)
gives the whole line ``(-inf, inf)``, which is sound and only makes the bounds above it loose.
"""

from __future__ import annotations

import math

import numpy as np

Bounds = tuple[np.ndarray, np.ndarray]
WHOLE = (-math.inf, math.inf)
_TWO_PI = 2 * math.pi


def widen(lo: np.ndarray, hi: np.ndarray, eps: float) -> Bounds:
    """``[lo, hi]`` grown by 4 ``eps`` relative and the smallest subnormal absolute, so that the
    rounding of a correctly rounded or few-ulp numpy function stays inside."""
    with np.errstate(over="ignore", invalid="ignore"):
        lo = lo - (np.abs(lo) * (4 * eps) + 5e-324)
        hi = hi + (np.abs(hi) * (4 * eps) + 5e-324)
    return np.where(np.isnan(lo), -np.inf, lo), np.where(np.isnan(hi), np.inf, hi)


def _margin(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """How far a computed critical point ``c + kπ`` may sit from the true one near the box."""
    return 8 * np.finfo(np.float64).eps * np.maximum(np.abs(lo), np.abs(hi)) + 1e-300


def contains_periodic(lo: np.ndarray, hi: np.ndarray, c: float, period: float) -> np.ndarray:
    """Does ``[lo, hi]`` contain a point ``c + k·period`` (k an integer), within rounding?"""
    m = _margin(lo, hi)
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.ceil((lo - m - c) / period)
        return ~np.isfinite(lo) | ~np.isfinite(hi) | (c + k * period <= hi + m)


def increasing(f):
    """The interval extension of a nondecreasing function."""

    def bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
        return f(lo), f(hi)

    return bounds


def _hull(*vals: np.ndarray) -> Bounds:
    """The smallest interval holding every value; a NaN among them (``0·inf``) gives the line."""
    v = np.stack(np.broadcast_arrays(*vals))
    bad = np.isnan(v).any(axis=0)
    return np.where(bad, -np.inf, v.min(axis=0)), np.where(bad, np.inf, v.max(axis=0))


def sine_like(f, peak: float):
    """``sin`` (peak π/2) or ``cos`` (peak 0): the end values, and ±1 where a peak or trough
    lies inside."""

    def bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
        a, b = f(lo), f(hi)
        top = contains_periodic(lo, hi, peak, _TWO_PI)
        bottom = contains_periodic(lo, hi, peak + math.pi, _TWO_PI)
        return np.where(bottom, -1.0, np.minimum(a, b)), np.where(top, 1.0, np.maximum(a, b))

    return bounds


def tan_bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
    pole = contains_periodic(lo, hi, math.pi / 2, math.pi)
    return np.where(pole, -np.inf, np.tan(lo)), np.where(pole, np.inf, np.tan(hi))


def abs_bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
    straddle = (lo <= 0) & (hi >= 0)
    a, b = np.abs(lo), np.abs(hi)
    return np.where(straddle, 0.0, np.minimum(a, b)), np.maximum(a, b)


def cosh_bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
    straddle = (lo <= 0) & (hi >= 0)
    a, b = np.cosh(lo), np.cosh(hi)
    return np.where(straddle, 1.0, np.minimum(a, b)), np.maximum(a, b)


def domain(f, edge: float):
    """A nondecreasing ``f`` defined for ``u >= edge`` (log: 0, log1p: -1, sqrt: 0): below the
    edge anywhere in the box, the value is undefined somewhere, so the bounds are the line."""

    def bounds(lo: np.ndarray, hi: np.ndarray) -> Bounds:
        out = lo < edge
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(out, -np.inf, f(lo)), np.where(out, np.inf, f(hi))

    return bounds


def mul_bounds(alo, ahi, blo, bhi) -> Bounds:
    with np.errstate(invalid="ignore", over="ignore"):
        return _hull(alo * blo, alo * bhi, ahi * blo, ahi * bhi)


def div_bounds(alo, ahi, blo, bhi) -> Bounds:
    pole = (blo <= 0) & (bhi >= 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lo, hi = _hull(alo / blo, alo / bhi, ahi / blo, ahi / bhi)
    return np.where(pole, -np.inf, lo), np.where(pole, np.inf, hi)


def pow_bounds(alo, ahi, blo, bhi, exponent: float | None) -> Bounds:
    """``a ** b``: by the exponent when it is a constant, else ``exp(b log a)`` for ``a > 0``
    (the extremes of ``b log a`` lie at the corners of the box)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if exponent is None:
            lo, hi = _hull(alo**blo, alo**bhi, ahi**blo, ahi**bhi)
            bad = alo <= 0
            return np.where(bad, -np.inf, lo), np.where(bad, np.inf, hi)
        p = exponent
        if p == 0:
            return np.ones_like(alo), np.ones_like(alo)
        straddle = (alo <= 0) & (ahi >= 0)
        if float(p).is_integer():
            a, b = alo**p, ahi**p
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            if p > 0 and int(p) % 2 == 0:
                lo = np.where(straddle, 0.0, lo)
            if p < 0:  # a pole at 0
                lo, hi = np.where(straddle, -np.inf, lo), np.where(straddle, np.inf, hi)
            return lo, hi
        # A fractional power is defined for a >= 0 only (and has a pole at 0 if p < 0).
        bad = alo < 0 if p > 0 else alo <= 0
        a, b = np.maximum(alo, 0.0) ** p, ahi**p
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return np.where(bad, -np.inf, lo), np.where(bad, np.inf, hi)
