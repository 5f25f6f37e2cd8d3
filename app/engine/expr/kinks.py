"""The kink and pole detector: does a finite-difference step straddle a point where the
expression is not differentiable?

Each function and operator of the table (:mod:`app.engine.expr.table`) lists its kinks and poles
(``singular``) in terms of its own argument, and an interval extension (``bounds``). Over a box
of inputs (``[x - h, x + h]`` per variable, one box per point, vectorised), interval arithmetic
bounds every sub-expression, each result widened outward by a few units in the last place; a
function whose argument's interval holds one of its kinks or poles is reported (unless the
argument is a variable that the box does not move: then every point of the step sees the
same argument, on one side). That follows
kinks through composition (``abs(sin(x))`` has a kink wherever ``sin(x) = 0``) and is sound: the
argument's value, exact or as computed, at every point of the box lies in its interval, so a
kink or pole inside the step is never missed. Intervals can be loose (``x - x`` over ``[-h, h]``
is ``[-2h, 2h]``), so a kink may be reported within a few steps of, but not inside, the box: the
warnings say "within ±h" for what is certain and stay rare elsewhere (tests bound how rare).

Warnings (the REST contract's ``{code, msg, loc}``): ``not_differentiable`` (the point itself
sits on a kink), ``kink_in_step`` (a kink within the step), ``singularity_in_step`` (a pole or
the edge of a domain within the step); each names the function, the point and the convention
the exact derivative follows there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.errors import warning
from app.engine.expr import intervals as iv
from app.engine.expr.compile import evaluate
from app.engine.expr.nodes import Bin, Const, Fn, Neg, Node, Var, fold, post_order
from app.engine.expr.printing import short_source
from app.engine.expr.table import FUNCTIONS, OPERATORS, Singular

__all__ = ["Hit", "find_singular", "kink_warnings", "point_text"]


@dataclass(frozen=True)
class Hit:
    """A kink or pole of ``node`` whose argument ``arg`` may reach it in the boxes ``mask``."""

    node: Node
    arg: Node
    singular: Singular
    mask: np.ndarray  # one boolean per box


def find_singular(
    tree: Node,
    variables: Sequence[str],
    lo: Sequence[np.ndarray],
    hi: Sequence[np.ndarray],
    eps: float = float(np.finfo(np.float64).eps),
) -> list[Hit]:
    """Every kink or pole of ``tree`` that lies in some box ``[lo_i, hi_i]`` (one array per
    variable, all of one shape: one box per entry). ``eps`` is the relative rounding of the
    evaluation the boxes stand for (float64's, or float32's for a float32 program)."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in (*lo, *hi)))
    box = {
        v: (
            np.broadcast_to(np.asarray(a, float), shape),
            np.broadcast_to(np.asarray(b, float), shape),
        )
        for v, a, b in zip(variables, lo, hi, strict=True)
    }
    const: dict[int, float] = {}  # values of the sub-expressions no variable reaches
    bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    hits: list[Hit] = []

    def of(n: Node) -> tuple[np.ndarray, np.ndarray]:
        if id(n) in const:
            c = np.full(shape, const[id(n)])
            return c, c
        return bounds[id(n)]

    with np.errstate(all="ignore"):
        for n in post_order(tree):
            key = id(n)
            if isinstance(n, Const):
                const[key] = n.value
            elif isinstance(n, Var):
                bounds[key] = box[n.name]
            elif all(id(c) in const for c in _operands(n)):
                const[key] = fold(n, [const[id(c)] for c in _operands(n)])
            elif isinstance(n, Neg):
                a_lo, a_hi = of(n.a)
                bounds[key] = (-a_hi, -a_lo)
            elif isinstance(n, Fn):
                row = FUNCTIONS[n.name]
                a_lo, a_hi = of(n.a)
                for s in row.singular:
                    _record(hits, n, n.a, s, s.hits(a_lo, a_hi) & (a_lo < a_hi))
                if row.bounds is None:  # a row without an interval extension: no bound
                    bounds[key] = (np.full(shape, -np.inf), np.full(shape, np.inf))
                else:
                    bounds[key] = iv.widen(*row.bounds(a_lo, a_hi), eps)
            else:
                assert isinstance(n, Bin)
                op = OPERATORS[n.op]
                p = const.get(id(n.b)) if n.op == "**" else None
                a_lo, a_hi = of(n.a)
                b_lo, b_hi = of(n.b)
                found = op.singular(p)
                if found is not None:
                    k, s = found
                    arg = (n.a, n.b)[k]
                    if id(arg) not in const:
                        lo_k, hi_k = ((a_lo, a_hi), (b_lo, b_hi))[k]
                        _record(hits, n, arg, s, s.hits(lo_k, hi_k) & (lo_k < hi_k))
                bounds[key] = iv.widen(*op.bounds(a_lo, a_hi, b_lo, b_hi, p), eps)
    return hits


def _operands(n: Node) -> tuple[Node, ...]:
    if isinstance(n, Bin):
        return (n.a, n.b)
    return (n.a,)  # type: ignore[union-attr]


def _record(hits: list[Hit], node: Node, arg: Node, s: Singular, mask: np.ndarray) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        hits.append(Hit(node, arg, s, mask))


def _name(node: Node) -> str:
    """``abs(sin(x))``, ``1/x``, cut to 40 characters."""
    return short_source(node)


def point_text(variables: Sequence[str], point: Sequence[float]) -> str:
    """``x = 1e-06`` or ``(x1, x2) = (0, 2)``."""
    if len(variables) == 1:
        return f"{variables[0]} = {point[0]:.6g}"
    return f"({', '.join(variables)}) = ({', '.join(f'{p:.6g}' for p in point)})"


def _at_the_point(hit: Hit, variables: Sequence[str], point: Sequence[float]) -> float | None:
    """The argument's value at the point itself (float64), or None if it is not finite."""
    env = {v: float(p) for v, p in zip(variables, point, strict=True)}
    v = evaluate(hit.arg, env)[id(hit.arg)]
    return v if math.isfinite(v) else None


def kink_warnings(
    tree: Node,
    variables: Sequence[str],
    point: Sequence[float],
    lo: Sequence[np.ndarray | float],
    hi: Sequence[np.ndarray | float],
    h: float,
    loc: tuple[str | int, ...],
    step: str = "the step ±h",
) -> tuple[list[dict], np.ndarray]:
    """The warnings for one point and its finite-difference boxes ``[lo, hi]`` (per variable,
    arrays of one box per entry: e.g. box i moves variable i only, as a central-difference
    gradient does): ``not_differentiable``, ``kink_in_step`` or ``singularity_in_step``, one
    per kink or pole found (see the module docstring), and which boxes hold one."""
    lo_a = [np.atleast_1d(np.asarray(a, dtype=float)) for a in lo]
    hi_a = [np.atleast_1d(np.asarray(b, dtype=float)) for b in hi]
    flagged, hits = boxes_flagged(tree, variables, lo_a, hi_a)
    return [_one(hit, variables, point, h, loc, step) for hit in hits], flagged


def axis_boxes(
    point: np.ndarray, h: float, method: str = "central"
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Box i moves coordinate i of ``point`` by the step of ``method`` (central: both sides;
    forward: ``[x, x + h]``; backward: ``[x - h, x]``): per variable, arrays of n boxes."""
    n = point.shape[0]
    eye = np.eye(n, dtype=bool)
    below = h if method in ("central", "backward") else 0.0
    above = h if method in ("central", "forward") else 0.0
    lo = [np.where(eye[:, j], point[j] - below, point[j]) for j in range(n)]
    hi = [np.where(eye[:, j], point[j] + above, point[j]) for j in range(n)]
    return lo, hi


def step_warnings(
    tree: Node,
    variables: Sequence[str],
    point: Sequence[float],
    h: float,
    loc: tuple[str | int, ...],
    method: str = "central",
) -> tuple[list[dict], np.ndarray]:
    """:func:`kink_warnings` for the steps of a finite-difference derivative or gradient at
    ``point`` (see :func:`axis_boxes`); also which coordinates' steps hold a kink or pole."""
    x = np.asarray(point, dtype=float)
    lo, hi = axis_boxes(x, h, method)
    step = {"central": "the step ±h", "forward": "the step +h", "backward": "the step -h"}[method]
    return kink_warnings(tree, variables, list(x), lo, hi, h, loc, step)


def _one(
    hit: Hit,
    variables: Sequence[str],
    point: Sequence[float],
    h: float,
    loc: tuple[str | int, ...],
    step: str,
) -> dict:
    s = hit.singular
    where = point_text(variables, point)
    what = _name(hit.node)
    arg = _name(hit.arg)
    u = s.at.split(" = ")[0]
    spot = s.at.replace(u, arg, 1) if len(arg) <= 20 else f"{s.at} with {u} = {arg}"
    value = _at_the_point(hit, variables, point)
    on_it = value is not None and bool(s.hits(np.array(value), np.array(value)))
    if s.kind == "kink":
        if on_it:
            return warning(
                "not_differentiable",
                f"{what} is not differentiable at {where}: it has a kink where {spot}, and "
                f"{arg} is {value:.6g} there. The exact value follows the convention "
                f"{s.convention}; the central difference gives the mean of the two one-sided "
                "slopes, and a forward or backward difference one of them.",
                loc,
            )
        return warning(
            "kink_in_step",
            f"{what} has a kink where {spot}, within {step} (h = {h:g}) of {where}: the "
            "finite difference mixes the slopes of both sides and is no derivative there. "
            f"The exact value is the derivative at {where} itself (at the kink it would "
            f"follow {s.convention}).",
            loc,
        )
    return warning(
        "singularity_in_step",
        f"{what} is singular where {spot}, within {step} (h = {h:g}) of {where}"
        + (f" ({arg} is {value:.6g} there)" if value is not None else "")
        + f": {s.convention}. A finite difference across it is meaningless (it can even have "
        "the wrong sign); use a smaller h or a point farther from it.",
        loc,
    )


def boxes_flagged(
    tree: Node,
    variables: Sequence[str],
    lo: Sequence[np.ndarray],
    hi: Sequence[np.ndarray],
    eps: float = float(np.finfo(np.float64).eps),
) -> tuple[np.ndarray, list[Hit]]:
    """Which boxes (vectorised) hold some kink or pole, and the hits."""
    hits = find_singular(tree, variables, lo, hi, eps)
    shape = np.broadcast_shapes(*(np.shape(a) for a in (*lo, *hi)))
    any_hit = np.zeros(shape, dtype=bool)
    for hit in hits:
        any_hit |= hit.mask
    return any_hit, hits


def path_warnings(
    tree: Node,
    variables: Sequence[str],
    path: np.ndarray,
    h: float,
    loc: tuple[str | int, ...],
) -> list[dict]:
    """For a descent's ``path`` (k, n), one warning per kink or pole that the ±h steps of
    some iterates' numerical gradients straddle: how many iterates, and the first."""
    k, n = path.shape
    # First one box per iterate, every coordinate moved (a superset of its n steps): cheap;
    # then the iterates it flags, step by step (an iterate on the kink of x1 alone does not
    # spoil the difference along x2).
    rough = np.flatnonzero(
        boxes_flagged(tree, variables, list((path - h).T), list((path + h).T))[0]
    )
    if not rough.size:
        return []
    near = path[rough]
    lo, hi = axis_boxes(np.zeros(n), h)  # offsets of the n boxes, then added to every iterate
    lo_b = [near[:, j : j + 1] + lo[j][None, :] for j in range(n)]  # (iterates, n boxes)
    hi_b = [near[:, j : j + 1] + hi[j][None, :] for j in range(n)]
    out = []
    for hit in find_singular(tree, variables, lo_b, hi_b):
        steps = rough[np.flatnonzero(hit.mask.any(axis=1))]
        if not steps.size:
            continue
        first = int(steps[0])
        w = _one(hit, variables, list(path[first]), h, loc, "the step ±h")
        w["msg"] = (
            f"at {steps.size} of the {k} iterates (the first is iterate {first}) the numerical "
            f"gradient's step straddles a kink or pole, so that gradient is no derivative: "
            + w["msg"]
        )
        w["code"] = "singularity_in_step" if hit.singular.kind == "pole" else "kink_in_step"
        out.append(w)
    return out


def sweep_warnings(
    tree: Node,
    variables: Sequence[str],
    x0: float,
    lo: np.ndarray,
    hi: np.ndarray,
    hs: np.ndarray,
    eps: float,
    loc: tuple[str | int, ...],
) -> list[dict]:
    """For a step sweep, boxes ``[lo_i, hi_i]`` (one per step ``hs[i]``): one warning per kink
    or pole, naming the smallest step that straddles it."""
    out = []
    for hit in find_singular(tree, variables, [lo], [hi], eps):
        first = int(np.flatnonzero(hit.mask)[0])
        w = _one(hit, variables, [x0], float(hs[first]), loc, "the step ±h")
        w["msg"] = (
            f"for {int(hit.mask.sum())} of the {hs.size} steps (from h = {hs[first]:.3g}) the "
            "differences straddle a kink or pole, where their error says nothing about "
            "truncation or round-off: " + w["msg"]
        )
        out.append(w)
    return out
