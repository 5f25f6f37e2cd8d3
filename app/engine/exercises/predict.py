"""Judge a prediction made before the truth is shown: a slope, a best step size, a sketched f′.

Each judge returns ``verdict`` (``close``, ``near`` or ``far``), ``score`` in [0, 1] (1 is the
truth), ``error`` (the measure the verdict thresholds, 0 is perfect), ``thresholds`` (the
``close`` and ``near`` bounds on ``error``), ``expected`` (the truth: it comes back with the
verdict, since it is the point of a prediction) and ``worst_x``.

slope
    error = |answer − f′(x0)| / max(1, |f′(x0)|): close ≤ 0.1, near ≤ 0.3; score = 1 − error.
    On a kink (f′ jumps at x0, e.g. relu or abs at 0) any slope between the one-sided
    derivatives is right, and the error is the distance to that interval.
best_h
    error = |log10(answer / best h)| in decades, best h the argmin of the step-size sweep's error
    (:func:`app.engine.numdiff.step_sweep`): close ≤ 1 (within a factor of 10), near ≤ 2;
    score = 1 − error/4.
sketch
    the drawn f′ (points joined by straight lines) against the activation's f′ on
    :data:`SKETCH_GRID` points over the drawn range: error = mean |drawn − f′| / max(1, range of
    f′): close ≤ 0.1, near ≤ 0.25; score = 1 − error. Within one step (of the grid, or between
    drawn points) of a kink the truth is the interval between the one-sided limits (a line drawn
    through the jump is not wrong there); ``worst_x`` is where the sketch is furthest off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.engine import numdiff
from app.engine.errors import EngineError
from app.engine.exercises.answers import parse_answer
from app.engine.expr.expression import parse
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.nn.activations import get_activation

__all__ = ["KINDS", "MAX_SKETCH_POINTS", "SKETCH_GRID", "THRESHOLDS", "predict"]

KINDS = ("slope", "best_h", "sketch")
MAX_SKETCH_POINTS = 2001
SKETCH_GRID = 401
THRESHOLDS = {
    "slope": {"close": 0.1, "near": 0.3},
    "best_h": {"close": 1.0, "near": 2.0},
    "sketch": {"close": 0.1, "near": 0.25},
}
_BEST_H_DECADES = 4.0  # best_h's score reaches 0 this many decades away


def _verdict(kind: str, error: float, score: float) -> dict:
    t = THRESHOLDS[kind]
    verdict = "close" if error <= t["close"] else "near" if error <= t["near"] else "far"
    return {
        "verdict": verdict,
        "score": min(1.0, max(0.0, score)),
        "error": error,
        "thresholds": dict(t),
    }


def _one_sided(df: np.ndarray) -> tuple[float, float, bool]:
    """The derivative at x0 - δ, x0 + δ and whether it jumps there (a kink)."""
    left, mid, right = (float(v) for v in df)
    jump = abs(right - left) > 1e-3 * max(1.0, abs(mid))
    return left, right, jump


def predict_slope(expr: str, x0: float, answer: float | str, limits: Limits) -> dict:
    """A predicted f′(x0) against the exact derivative."""
    got = parse_answer(answer)
    f = parse(expr, ("x",), limits)
    df = f.diff("x")
    delta = 1e-6 * max(1.0, abs(x0))
    with np.errstate(all="ignore"):
        points = np.array([x0 - delta, x0, x0 + delta])
        slopes = np.broadcast_to(np.asarray(df(points), dtype=np.float64), (3,))
        value = float(f(np.array(x0)))
    if not math.isfinite(value):
        why = f.explain_nonfinite(x0)
        raise EngineError(f"f(x0) is not defined here{': ' + why if why else ''}", ("x0",))
    if not np.isfinite(slopes[1]):
        raise EngineError("f′(x0) is not finite here; choose another x0", ("x0",))
    exact = float(slopes[1])
    left, right, kink = _one_sided(slopes)
    lo, hi = (min(left, right), max(left, right)) if kink else (exact, exact)
    off = max(0.0, lo - got.value, got.value - hi)
    if got.matches(exact):
        off = 0.0
    error = off / max(1.0, abs(exact))
    out = _verdict("slope", error, 1.0 - error)
    out.update(expected=exact, worst_x=None, answer=got.value)
    if kink:
        out["kink"] = {"left": left, "right": right}
    return out


def predict_best_h(expr: str, x0: float, method: str, answer: float | str, limits: Limits) -> dict:
    """A predicted best step size against the argmin of the step-size sweep's error."""
    if method not in ("central", "forward"):
        raise EngineError("method must be central or forward", ("method",))
    h = parse_answer(answer).value
    if not 0 < h <= 1:
        raise EngineError("a step size h must be above 0 and at most 1", ("answer",))
    sweep = numdiff.step_sweep(expr, x0, limits=limits)
    best = sweep["best_h"][method]
    error = abs(math.log10(h / best))
    out = _verdict("best_h", error, 1.0 - error / _BEST_H_DECADES)
    eps = float(np.finfo(np.float64).eps)
    out.update(
        expected=best,
        worst_x=None,
        answer=h,
        rule_of_thumb=eps ** (1 / 3) if method == "central" else math.sqrt(eps),
    )
    return out


def predict_sketch(
    activation: str,
    x: Sequence[float],
    y: Sequence[float],
    alpha: float | None,
) -> dict:
    """A drawn f′ (points ``x, y``, x increasing) against the activation's f′."""
    act = get_activation(activation)
    xs = np.array(x, dtype=np.float64)  # copies: nothing writes into the caller's lists
    ys = np.array(y, dtype=np.float64)
    if xs.shape != ys.shape:
        raise EngineError(f"y must have one value per x: {xs.size} x, {ys.size} y", ("y",))
    if not 2 <= xs.size <= MAX_SKETCH_POINTS:
        raise EngineError(f"a sketch has 2 to {MAX_SKETCH_POINTS} points", ("x",))
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise EngineError("every point of a sketch must be a finite number", ("y",))
    if not np.all(np.diff(xs) > 0):
        raise EngineError("x must increase from each point to the next", ("x",))
    grid = np.linspace(xs[0], xs[-1], SKETCH_GRID)
    drawn = np.interp(grid, xs, ys)
    truth = act.df(grid, alpha).astype(np.float64)
    lo, hi = truth.copy(), truth.copy()
    step = max(grid[1] - grid[0], float(np.diff(xs).max()))  # a jump drawn between 2 points
    for k in act.kinks_for(alpha):
        near = np.abs(grid - k) <= step
        if near.any():
            tiny = 1e-9 * max(1.0, abs(k))
            sides = act.df(np.array([k - tiny, k + tiny]), alpha).astype(np.float64)
            lo[near], hi[near] = sides.min(), sides.max()
    off = np.maximum(0.0, np.maximum(lo - drawn, drawn - hi))
    spread = float(max(hi.max(), truth.max()) - min(lo.min(), truth.min()))
    error = float(off.mean()) / max(1.0, spread)
    out = _verdict("sketch", error, 1.0 - error)
    out.update(
        expected=act.df(xs, alpha).astype(np.float64),
        worst_x=float(grid[int(np.argmax(off))]),
        worst_error=float(off.max()),
        kinks=[k for k in act.kinks_for(alpha) if xs[0] <= k <= xs[-1]],
    )
    return out


def predict(
    kind: str,
    expr: str | None = None,
    x0: float | None = None,
    method: str = "central",
    answer: float | str | None = None,
    activation: str | None = None,
    alpha: float | None = None,
    x: Sequence[float] | None = None,
    y: Sequence[float] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Judge one prediction of ``kind`` (``slope``, ``best_h`` or ``sketch``) with the fields
    that kind takes; EngineError naming a missing or invalid field."""

    def need(name: str, value: object) -> None:
        if value is None:
            raise EngineError(f"a {kind} prediction needs {name}", (name,))

    if kind == "sketch":
        need("activation", activation)
        need("x", x)
        need("y", y)
        return predict_sketch(activation, x, y, alpha)  # type: ignore[arg-type]
    if kind not in KINDS:
        raise EngineError(f"kind must be one of {', '.join(KINDS)}", ("kind",))
    need("expr", expr)
    need("x0", x0)
    need("answer", answer)
    if kind == "slope":
        return predict_slope(expr, float(x0), answer, limits)  # type: ignore[arg-type]
    return predict_best_h(expr, float(x0), method, answer, limits)  # type: ignore[arg-type]
