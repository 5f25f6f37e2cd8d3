"""Gradient descent with numerical gradients: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam.

Each step evaluates the function ONCE on the 2n+1 points ``x, x ± h e_i`` (a vectorised call) to
get the value and the central-difference gradient, then applies the optimizer's update. Updates
build new arrays (``x = x - lr * g``), so the caller's start point is never modified (the
notebook's ``gradient_descent`` updated its argument in place, and an integer array silently
truncated every step).

Hyper-parameters follow PyTorch's conventions and defaults:

- momentum (heavy ball): ``v = μ v + g``, ``x = x - lr v``
- nesterov: ``v = μ v + g``, ``x = x - lr (g + μ v)``
- adagrad: ``G = G + g²``, ``x = x - lr g / (√G + eps)`` (eps 1e-10)
- rmsprop: ``s = ρ s + (1 - ρ) g²``, ``x = x - lr g / (√s + eps)`` (ρ = 0.99, PyTorch's ``alpha``;
  Keras and Hinton's lecture use 0.9)
- adam: ``m = β1 m + (1 - β1) g``, ``v = β2 v + (1 - β2) g²``,
  ``x = x - lr m̂ / (√v̂ + eps)`` with bias-corrected ``m̂ = m / (1 - β1ᵗ)``, ``v̂ = v / (1 - β2ᵗ)``
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from app.engine.errors import EngineError
from app.engine.expressions import DEFAULT_LIMITS, ExprLimits
from app.engine.numdiff import (
    _finite,
    _point,
    _step,
    count_nonfinite,
    gradient_offsets,
    hessian,
    parse_multi,
)

__all__ = ["DEFAULTS", "DIVERGENCE_THRESHOLD", "MAX_STEPS", "OPTIMIZERS", "descent"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")

DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"rho": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

MAX_STEPS = 10_000
DIVERGENCE_THRESHOLD = 1e12

# Every option is a decay rate in [0, 1) or a positive epsilon.
_DECAYS = ("momentum", "rho", "beta1", "beta2")

State = tuple[np.ndarray, ...]
Update = Callable[[np.ndarray, np.ndarray, State, int], tuple[np.ndarray, State]]


def _options(optimizer: str, options: dict | None) -> dict[str, float]:
    merged = dict(DEFAULTS[optimizer])
    for key, value in (options or {}).items():
        if key not in merged:
            allowed = ", ".join(merged) or "none"
            raise EngineError(
                f"{optimizer} has no option {key!r}; its options are: {allowed}", (key,)
            )
        v = _finite(value, key)
        if key in _DECAYS and not 0 <= v < 1:
            raise EngineError(f"{key} must be in [0, 1), got {v:g}", (key,))
        if key == "eps" and v <= 0:
            raise EngineError(f"eps must be positive, got {v:g}", (key,))
        merged[key] = v
    return merged


def _make_update(optimizer: str, lr: float, o: dict[str, float], n: int) -> tuple[Update, State]:
    """The update rule ``(x, g, state, t) -> (new x, new state)`` and the initial state."""
    zeros = np.zeros(n)
    if optimizer == "sgd":

        def update(x, g, s, t):
            return x - lr * g, s  # x - lr ∇f

        return update, ()
    if optimizer in ("momentum", "nesterov"):
        mu = o["momentum"]
        nesterov = optimizer == "nesterov"

        def update(x, g, s, t):
            v = mu * s[0] + g  # v = μ v + g
            return x - lr * (g + mu * v if nesterov else v), (v,)

        return update, (zeros,)
    if optimizer == "adagrad":
        eps = o["eps"]

        def update(x, g, s, t):
            G = s[0] + g * g  # running sum of g²
            return x - lr * g / (np.sqrt(G) + eps), (G,)

        return update, (zeros,)
    if optimizer == "rmsprop":
        rho, eps = o["rho"], o["eps"]

        def update(x, g, s, t):
            sq = rho * s[0] + (1 - rho) * g * g  # moving average of g²
            return x - lr * g / (np.sqrt(sq) + eps), (sq,)

        return update, (zeros,)
    b1, b2, eps = o["beta1"], o["beta2"], o["eps"]

    def update(x, g, s, t):
        m = b1 * s[0] + (1 - b1) * g  # first moment
        v = b2 * s[1] + (1 - b2) * g * g  # second moment
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return x - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)

    return update, (zeros, zeros)


def _lr_limit(f, x0: np.ndarray) -> float | None:
    """2/λmax of the Hessian at x0 (plain gradient descent's stability bound), if λmax > 0."""
    H = hessian(f, x0)
    if not np.all(np.isfinite(H)):
        return None
    lam = float(np.linalg.eigvalsh(H).max())
    return 2 / lam if lam > 0 else None


def _warning(optimizer: str, lr: float, limit: float | None, o: dict[str, float]) -> str | None:
    """A warning when lr exceeds the stability bound of the quadratic model at the start."""
    if limit is None:
        return None
    if optimizer == "sgd":
        if lr > limit:
            return (
                f"lr {lr:g} is above 2/λmax = {limit:.3g} at the start point: "
                "plain gradient descent will likely diverge"
            )
        return None
    if optimizer in ("momentum", "nesterov"):
        mu = o["momentum"]
        # Stable on a quadratic iff lr·λ < 2(1+μ) (heavy ball) or 2(1+μ)/(1+2μ) (Nesterov).
        factor = (1 + mu) if optimizer == "momentum" else (1 + mu) / (1 + 2 * mu)
        bound = limit * factor
        if lr > bound:
            formula = "2(1+μ)/λmax" if optimizer == "momentum" else "2(1+μ)/((1+2μ)λmax)"
            return (
                f"lr {lr:g} is above {formula} = {bound:.3g} at the start point: "
                f"{optimizer} will likely diverge"
            )
    return None  # adaptive methods scale the step themselves


def descent(
    expr: str,
    start: Sequence[float],
    lr: float = 0.01,
    steps: int = 1000,
    optimizer: str = "sgd",
    h: float = 1e-5,
    tol: float = 1e-8,
    options: dict | None = None,
    limits: ExprLimits = DEFAULT_LIMITS,
    max_steps: int = MAX_STEPS,
) -> dict:
    """Minimises ``expr`` over ``x1..xn`` from ``start`` (n = len(start), 1 to 5).

    Returns ``path`` (k+1, n) with the start included, ``values`` (k+1,), ``grad_norms`` (k+1,),
    ``final`` (n,), ``stopped`` ("max_steps", "converged": ‖∇f‖ < tol, or "diverged": a value
    non-finite or above 1e12 in magnitude, that point kept), ``steps_taken`` k, ``nonfinite``,
    ``lr_limit`` (2/λmax of the Hessian at the start) and ``warning``.
    """
    x = _point(start, "start")  # a float64 copy: the caller's list/array is never touched
    lr = _step(lr, "lr")
    h = _step(h)
    tol = _finite(tol, "tol")
    if tol < 0:
        raise EngineError(f"tol must not be negative, got {tol:g}", ("tol",))
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise EngineError("steps must be a whole number", ("steps",))
    steps = int(steps)
    if not 0 <= steps <= max_steps:
        raise EngineError(f"steps must be between 0 and {max_steps}, got {steps}", ("steps",))
    if optimizer not in OPTIMIZERS:
        raise EngineError(
            f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}", ("optimizer",)
        )
    o = _options(optimizer, options)
    n = x.shape[0]
    f = parse_multi(expr, n, limits)
    update, state = _make_update(optimizer, lr, o, n)

    limit = _lr_limit(f, x)
    path = np.empty((steps + 1, n))
    values = np.empty(steps + 1)
    grad_norms = np.empty(steps + 1)
    stopped = "max_steps"
    k = 0
    D = gradient_offsets(n, h)
    fx = f.evaluator()
    with np.errstate(all="ignore"):
        while True:
            y = fx(tuple((x + D).T))  # one call: f(x), f(x + h e_i), f(x - h e_i)
            if y.shape != (2 * n + 1,):  # a constant function gives a scalar
                y = np.broadcast_to(y, (2 * n + 1,))
            g = (y[1 : n + 1] - y[n + 1 :]) / (2 * h)
            gn = math.sqrt(float(g @ g))
            path[k], values[k], grad_norms[k] = x, y[0], gn
            if not (math.isfinite(y[0]) and math.isfinite(gn)) or abs(y[0]) > DIVERGENCE_THRESHOLD:
                stopped = "diverged"
                break
            if gn < tol:
                stopped = "converged"
                break
            if k == steps:
                break
            k += 1
            x, state = update(x, g, state, k)
    path, values, grad_norms = path[: k + 1], values[: k + 1], grad_norms[: k + 1]
    return {
        "path": path,
        "values": values,
        "grad_norms": grad_norms,
        "final": path[k].copy(),
        "stopped": stopped,
        "steps_taken": k,
        "nonfinite": count_nonfinite(path, values, grad_norms),
        "lr_limit": limit,
        "warning": _warning(optimizer, lr, limit, o),
        "options": o,
    }
