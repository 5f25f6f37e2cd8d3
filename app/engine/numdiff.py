"""Numerical differentiation of typed functions: derivative, gradient, Hessian, step sweep, grids,
and gradient descent with the optimizers of :mod:`app.engine.optimizers`.

Every function here parses its expression with the safe language of :mod:`app.engine.expr`,
evaluates it vectorised (one numpy call per batch of points) and compares finite differences with
the exact symbolic derivative. Inputs are never modified: every perturbed point is a new array
(the notebook's ``dn_diff`` perturbed the caller's array in place).

The request schemas (:mod:`app.schemas.numdiff`) check types and ranges (``h > 0``, ``num`` and
``steps`` within the limits, ``x_min < x_max``, known method and optimizer, 1 to
``limits.max_variables`` coordinates); these functions take such values as given and check what
only they can see: the expression (syntax and size, under ``limits``) and whether the numbers that
must be finite are. Those failures raise :class:`EngineError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from app.engine.errors import EngineError, warning
from app.engine.expr import Expression, gradient_offsets, multi_variables, parse
from app.engine.expr.cache import BoundedCache
from app.engine.expr.cancellation import cancellation_warnings
from app.engine.expr.compile import compile_trees
from app.engine.expr.kinks import path_warnings, step_warnings, sweep_warnings
from app.engine.expr.nodes import Var, post_order
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.optimizers import OPTIMIZERS
from app.engine.verdicts import judge_at_point

__all__ = [
    "DIVERGENCE_THRESHOLD",
    "METHODS",
    "count_nonfinite",
    "derivative",
    "descent",
    "gradient",
    "gradient_points",
    "grid2d",
    "hessian",
    "parse_multi",
    "step_sweep",
]

METHODS = ("central", "forward", "backward")
DIVERGENCE_THRESHOLD = 1e12


def _vector(point: Sequence[float] | np.ndarray) -> np.ndarray:
    """A fresh float64 copy of ``point`` (ints accepted, the caller's array never touched)."""
    return np.array(point, dtype=np.float64)


def parse_multi(expr: str | Expression, n: int, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parses ``expr`` over ``x1..xn`` (an Expression is checked to have n variables)."""
    if isinstance(expr, Expression):
        if len(expr.variables) != n:
            raise EngineError(
                f"the function has {len(expr.variables)} variable(s) but the point has {n}",
                ("point",),
            )
        return expr
    return parse(expr, multi_variables(n), limits)


def count_nonfinite(*arrays: np.ndarray) -> int:
    """How many entries of the arrays are NaN or ±inf (the API sends these as null)."""
    return int(sum(np.size(a) - np.count_nonzero(np.isfinite(a)) for a in arrays))


def _require_finite(
    value: float, what: str, expr: Expression, point: Sequence[float], loc: tuple[str, ...]
) -> float:
    """EngineError naming what is not finite (and, if possible, which piece overflowed)."""
    if math.isfinite(value):
        return float(value)
    why = expr.explain_nonfinite(*point)
    detail = f": {why}" if why else ""
    raise EngineError(f"{what} is not finite{detail}", loc)


# --------------------------------------------------------------------------------------------
# One variable.


class _WithDerivative(NamedTuple):
    """f over ``x``, f', the LaTeX of both and one program computing f and f' together."""

    f: Expression
    df: Expression
    f_latex: str
    df_latex: str
    both: Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, ...]]


# By (expr, limits): the derivative page re-sends one expression per drag of x0. At most 256
# entries and 100,000 characters of f and f' printed (each distinct tree node prints at least
# one: ~0.2 kB a node with the programs and the LaTeX, so 20 MB at most; tracemalloc measured
# 41 bytes a character over 256 random expressions, 4 MB for a full cache of such).
_ONE_VARIABLE: BoundedCache[_WithDerivative] = BoundedCache(256, 100_000)


def _with_derivative(expr: str, limits: Limits) -> _WithDerivative:
    """f, f' and the rest, built once per expression (immutable: shared by every caller)."""

    def build() -> tuple[_WithDerivative, int]:
        f = parse(expr, ("x",), limits)
        df = f.diff("x")
        both = compile_trees((f.tree, df.tree), ("x",), np.float64)
        size = len(f.source) + len(df.source)  # at least one character per distinct node
        return _WithDerivative(f, df, f.latex(), df.latex(), both), size

    return _ONE_VARIABLE.get((expr, limits), build)


def _full(y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``y`` as a float64 array of ``shape`` (a constant function gives a scalar)."""
    if type(y) is not np.ndarray or y.dtype != np.float64 or y.shape != shape:
        return np.broadcast_to(np.asarray(y, dtype=np.float64), shape).copy()
    return y


def derivative(
    expr: str,
    x0: float,
    h: float = 1e-5,
    method: str = "central",
    x_min: float = -5,
    x_max: float = 5,
    num: int = 1001,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """f(x0), its finite-difference derivative, the exact derivative and the tangent line.

    central: ``(f(x0+h) - f(x0-h)) / 2h``; forward: ``(f(x0+h) - f(x0)) / h``;
    backward: ``(f(x0) - f(x0-h)) / h``. The tangent ``y = slope x + intercept`` uses the
    numerical derivative of the ``expr`` given (the notebook differentiated a hard-coded one).
    Curves: ``x = linspace(x_min, x_max, num)``; ``nonfinite`` counts NaN/inf entries of
    ``y``, ``tangent`` and ``dy``.
    """
    x0 = float(x0)
    f, df, f_latex, df_latex, both = _with_derivative(expr, limits)

    f_of = f.evaluator()  # the raw program: one errstate for all below
    with np.errstate(all="ignore"):  # non-finite values are reported by the checks
        # One call: f(x0 - h), f(x0), f(x0 + h).
        xs = np.array([x0 - h, x0, x0 + h])
        f_minus, value, f_plus = _full(f_of((xs,)), xs.shape)
        value = _require_finite(value, "f(x0)", f, [x0], ("x0",))
        if method == "central":
            d = (f_plus - f_minus) / (2 * h)
            used = [f_minus, f_plus], [x0 - h, x0 + h]
        elif method == "forward":
            d = (f_plus - value) / h
            used = [f_plus], [x0 + h]
        elif method == "backward":
            d = (value - f_minus) / h
            used = [f_minus], [x0 - h]
        else:
            raise EngineError(f"method must be one of {', '.join(METHODS)}", ("method",))
        for fv, xv in zip(*used, strict=True):
            _require_finite(fv, f"f at x0 {'+' if xv > x0 else '-'} h", f, [xv], ("x0",))
        d = _require_finite(d, "the numerical derivative at x0", f, [x0], ("x0",))
        exact = float(both((np.array(x0),))[1])  # as df(x0): f' on a 0-d float64 input
        exact = _require_finite(exact, "the exact derivative f'(x0)", df, [x0], ("x0",))
        intercept = value - d * x0
        if not math.isfinite(intercept):
            raise EngineError("the tangent's intercept f(x0) - f'(x0)·x0 overflowed", ("x0",))

        x = np.linspace(x_min, x_max, num)  # a huge [x_min, x_max] overflows the step
        tangent = d * x + intercept
        y, dy = both((x,))  # f and f' in one program: what they share is computed once
    y, dy = _full(y, x.shape), _full(dy, x.shape)
    if dy is y:  # f' = f (exp, say): separate arrays, as two calls gave
        dy = dy.copy()
    warnings, at_kink = step_warnings(f.tree, ("x",), [x0], h, ("x0",), method)
    warnings += _rounded_step(x0, h, method)
    warnings += cancellation_warnings(f, [x0], ("expr",))
    if f_minus == value == f_plus == 0 and _depends_on_x(f):
        warnings.append(
            warning(
                "no_signal",
                "f is exactly 0 at x0 and at x0 ± h: either f is flat here or its values "
                "underflowed below the smallest float64 (about 5e-324), as exp(1000*x) does "
                "for x < -0.745; an error of 0 then says nothing about the derivative.",
                ("x0",),
            )
        )
    judgement = judge_at_point(np.array([exact]), np.array([d]), at_kink)
    return {
        "value": value,
        "derivative": d,
        "exact": exact,
        "error": abs(d - exact),
        "verdict": judgement.verdict,
        "warnings": warnings,
        "tangent": {"slope": d, "intercept": intercept},
        "curve": {"x": x, "y": y, "tangent": tangent, "dy": dy},
        "nonfinite": count_nonfinite(y, tangent, dy),
        "latex": {"f": f_latex, "df": df_latex},
        "derivative_expr": df.source,
    }


def _rounded_step(x0: float, h: float, method: str) -> list[dict]:
    """``step_rounded`` where x0 ± h rounds so much that the step actually taken is not the h
    the formula divides by (h near or below the spacing of floats at x0)."""
    lo = x0 - h if method != "forward" else x0
    hi = x0 + h if method != "backward" else x0
    nominal = 2 * h if method == "central" else h
    taken = hi - lo
    if abs(taken - nominal) <= 1e-3 * nominal:
        return []
    return [
        warning(
            "step_rounded",
            f"h = {h:g} is near or below the spacing of floats at x0 = {x0:.6g} "
            f"({np.spacing(x0):.3g}): the points x0 ± h round, the step actually taken is "
            f"{taken:.3g} where the formula divides by {nominal:.3g}, so the difference is "
            "off by that ratio (0 if the points coincide). Use a larger h.",
            ("h",),
        )
    ]


def _depends_on_x(f: Expression) -> bool:
    """Does ``x`` appear in f at all (a constant 0 is no underflow)?"""
    return any(isinstance(n, Var) for n in post_order(f.tree))


def step_sweep(
    expr: str,
    x0: float,
    h_min: float = 1e-16,
    h_max: float = 1e-1,
    num: int = 61,
    dtype: str = "float64",
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Errors of forward and central differences against the exact derivative, over ``h``.

    ``h = logspace(log10 h_min, log10 h_max, num)``. With ``dtype="float32"`` the function,
    ``x0`` and ``x0 ± h`` are computed in float32, so round-off appears at larger ``h``; errors
    are always measured in float64 against the exact float64 derivative. Small ``h`` shows
    round-off error (~eps |f| / h), large ``h`` truncation error (~h |f''| or h² |f'''|).
    """
    x0 = float(x0)
    dt = {"float64": np.float64, "float32": np.float32}[dtype]
    f = parse(expr, ("x",), limits)
    df = f.diff("x")

    hs = np.logspace(math.log10(h_min), math.log10(h_max), num)
    value = _require_finite(float(f(x0)), "f(x0)", f, [x0], ("x0",))
    exact = _require_finite(float(df(x0)), "the exact derivative f'(x0)", df, [x0], ("x0",))

    # Everything below in dt: the step as the computer stores it, x0 ± h rounded to dt.
    with np.errstate(all="ignore"):
        h_t = hs.astype(dt)
        x0_t = dt(x0)  # inf in float32 above 3.4e38
        xs = np.concatenate([[x0_t], x0_t + h_t, x0_t - h_t]).astype(dt)
        fs = f(xs, dtype=dt)
        f0, f_plus, f_minus = fs[0], fs[1 : num + 1], fs[num + 1 :]
        forward = (f_plus - f0) / h_t
        central = (f_plus - f_minus) / (dt(2) * h_t)
        forward_error = np.abs(forward.astype(np.float64) - exact)
        central_error = np.abs(central.astype(np.float64) - exact)
    if dt is np.float32 and not math.isfinite(float(f0)):
        raise EngineError(
            f"f(x0) is not finite in float32 (its float64 value is {value:.6g})", ("dtype",)
        )

    # The boxes the sweep's differences span, as the computer stored them (float32 rounds).
    with np.errstate(all="ignore"):
        lo = np.minimum(xs[num + 1 :], x0_t).astype(np.float64)
        hi = np.maximum(xs[1 : num + 1], x0_t).astype(np.float64)
    eps = float(np.finfo(dt).eps)
    warnings = sweep_warnings(f.tree, ("x",), x0, lo, hi, hs, eps, ("x0",))

    def best(err: np.ndarray, which: str) -> float:
        ok = np.isfinite(err)
        if not ok.any():
            raise EngineError(f"every {which} difference is not finite; try larger h", ("x0",))
        return float(hs[ok][np.argmin(err[ok])])

    return {
        "h": hs,
        "forward_error": forward_error,
        "central_error": central_error,
        "best_h": {
            "forward": best(forward_error, "forward"),
            "central": best(central_error, "central"),
        },
        "exact": exact,
        "value": value,
        "dtype": dtype,
        "nonfinite": count_nonfinite(forward_error, central_error),
        "warnings": warnings,
    }


# --------------------------------------------------------------------------------------------
# Several variables.


def gradient_points(x: np.ndarray, h: float) -> np.ndarray:
    """The 2n+1 points of a central-difference gradient, shape (2n+1, n).

    Row 0 is ``x``; rows 1..n are ``x + h e_i``; rows n+1..2n are ``x - h e_i``.
    """
    return x + gradient_offsets(x.shape[0], h)


def gradient(
    expr: str, point: Sequence[float], h: float = 1e-5, limits: Limits = DEFAULT_LIMITS
) -> dict:
    """f(point), the central-difference gradient and the exact gradient.

    The variables are ``x1..xn`` with ``n = len(point)``. The gradient is the vector
    ``(∂f/∂x1, ..., ∂f/∂xn)`` (not their sum, as the notebook's text had it); shape (n,).
    ``point`` is copied to float64, so an integer list works and nothing is modified.
    """
    x = _vector(point)
    f = parse_multi(expr, x.shape[0], limits)
    with np.errstate(all="ignore"):
        value, g = f.central_gradient(h)(x)
    value = _require_finite(float(value), "f(point)", f, list(x), ("point",))
    for i in range(x.shape[0]):
        if not math.isfinite(g[i]):
            for sign in (1.0, -1.0):
                xs = x.copy()
                xs[i] += sign * h
                why = f.explain_nonfinite(*xs)
                if why:
                    side = "+" if sign > 0 else "-"
                    raise EngineError(
                        f"the numerical ∂f/∂x{i + 1} is not finite: "
                        f"at the point {side} h·e{i + 1}, {why}",
                        ("point",),
                    )
            raise EngineError(f"the numerical ∂f/∂x{i + 1} is not finite (overflow)", ("point",))
    exact = np.empty_like(x)
    for i, var in enumerate(f.variables):
        d = f.diff(var)
        exact[i] = _require_finite(float(d(*x)), f"the exact ∂f/∂{var}", d, list(x), ("point",))
    warnings, at_kink = step_warnings(f.tree, f.variables, list(x), h, ("point",))
    warnings += cancellation_warnings(f, list(x), ("expr",))
    judgement = judge_at_point(exact, g, at_kink)
    return {
        "value": value,
        "gradient": g,
        "exact": exact,
        "verdict": judgement.verdict,
        "warnings": warnings,
    }


def hessian(
    expr: str | Expression,
    point: Sequence[float],
    h: float = 1e-4,
    limits: Limits = DEFAULT_LIMITS,
) -> np.ndarray:
    """The Hessian by central differences, shape (n, n), from ONE call of f on 4n² points.

    ``H_ij ≈ [f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j)
    + f(x - h e_i - h e_j)] / 4h²`` (symmetric by construction; error O(h²)).
    """
    x = _vector(point)
    f = parse_multi(expr, x.shape[0], limits)
    n = x.shape[0]
    E = h * np.eye(n)
    # (4, n, n, n): the four sign combinations for every pair (i, j).
    P = np.stack(
        [
            x + E[:, None, :] + E[None, :, :],
            x + E[:, None, :] - E[None, :, :],
            x - E[:, None, :] + E[None, :, :],
            x - E[:, None, :] - E[None, :, :],
        ]
    )
    y = f(*np.moveaxis(P, -1, 0))  # (4, n, n)
    with np.errstate(all="ignore"):
        H = (y[0] - y[1] - y[2] + y[3]) / (4 * h * h)
        return (H + H.T) / 2


def grid2d(
    expr: str,
    x1_min: float,
    x1_max: float,
    x2_min: float,
    x2_max: float,
    num: int = 81,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """f on a num × num grid for contour plots: ``z[i, j] = f(x1[j], x2[i])`` (Plotly's order)."""
    for name, lo, hi in (("x1", x1_min, x1_max), ("x2", x2_min, x2_max)):
        if not math.isfinite(float(hi) - float(lo)):
            raise EngineError(
                f"the range {name}_max - {name}_min is too wide for float64.", (f"{name}_max",)
            )
    f = parse(expr, multi_variables(2), limits)
    with np.errstate(all="ignore"):
        x1 = np.linspace(x1_min, x1_max, num)
        x2 = np.linspace(x2_min, x2_max, num)
    z = f(x1[None, :], x2[:, None])  # broadcast: rows follow x2, columns x1
    return {"x1": x1, "x2": x2, "z": z, "nonfinite": count_nonfinite(z)}


# --------------------------------------------------------------------------------------------
# Gradient descent.


def _lr_limit(f: Expression, x0: np.ndarray) -> float | None:
    """2/λmax of the Hessian at x0 (plain gradient descent's stability bound), if λmax > 0."""
    H = hessian(f, x0)
    if not np.all(np.isfinite(H)):
        return None
    lam = float(np.linalg.eigvalsh(H).max())
    return 2 / lam if lam > 0 else None


def descent(
    expr: str,
    start: Sequence[float],
    lr: float = 0.01,
    steps: int = 1000,
    optimizer: str = "sgd",
    h: float = 1e-5,
    tol: float = 1e-8,
    options: Mapping[str, float] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Minimises ``expr`` over ``x1..xn`` from ``start`` (n = len(start)) with numerical
    gradients: each step evaluates f ONCE on the 2n+1 points ``x, x ± h e_i``, then applies the
    update of ``OPTIMIZERS[optimizer]`` with ``options`` over its defaults. ``steps`` >= 1.

    Returns ``path`` (k+1, n) with the start included, ``values`` (k+1,), ``grad_norms`` (k+1,),
    ``final`` (n,), ``stopped`` ("max_steps", "converged": ‖∇f‖ < tol, or "diverged": a value
    non-finite or above 1e12 in magnitude, that point kept), ``steps_taken`` k, ``nonfinite``,
    ``lr_limit`` (2/λmax of the Hessian at the start), ``warning`` and ``options``.
    """
    rule = OPTIMIZERS[optimizer]
    o = rule.options(options)
    x = _vector(start)  # a float64 copy: the caller's list/array is never touched
    n = x.shape[0]
    f = parse_multi(expr, n, limits)
    value_and_gradient = f.central_gradient(h)
    state = rule.init([x.shape])

    limit = _lr_limit(f, x)
    path = np.empty((steps + 1, n))
    values = np.empty(steps + 1)
    grad_norms = np.empty(steps + 1)
    stopped = "max_steps"
    k = 0
    with np.errstate(all="ignore"):
        while True:
            y, g = value_and_gradient(x)
            gn = math.sqrt(float(g @ g))
            path[k], values[k], grad_norms[k] = x, y, gn
            if not (math.isfinite(y) and math.isfinite(gn)) or abs(y) > DIVERGENCE_THRESHOLD:
                stopped = "diverged"
                break
            if gn < tol:
                stopped = "converged"
                break
            if k == steps:
                break
            k += 1
            (x,), state = rule.step([x], [g], state, k, lr, o)
    path, values, grad_norms = path[: k + 1], values[: k + 1], grad_norms[: k + 1]
    warnings = path_warnings(f.tree, f.variables, path, h, ("start",))
    lr_warning = rule.warning(lr, limit, o)
    if lr_warning:
        warnings.insert(0, warning("lr_above_stability_bound", lr_warning, ("lr",)))
    return {
        "path": path,
        "values": values,
        "grad_norms": grad_norms,
        "final": path[k].copy(),
        "stopped": stopped,
        "steps_taken": k,
        "nonfinite": count_nonfinite(path, values, grad_norms),
        "lr_limit": limit,
        "warning": lr_warning,
        "warnings": warnings,
        "options": o,
    }
