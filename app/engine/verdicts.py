"""How to read a relative error between an analytic and a numerical gradient.

The bands are the ones practitioners use (CS231n's notes on gradient checking): above 1e-2 the
gradient is probably wrong; 1e-2 to 1e-4 is suspicious; 1e-4 to 1e-7 is acceptable for
functions with kinks (ReLU, abs) but too high for smooth ones; below 1e-7 is good. The relative
error is the gradient check's ``|a - n| / max(REL_FLOOR, |a| + |n|)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Band:
    """Relative errors below ``below`` (and not in an earlier band) read as ``label``."""

    name: str
    below: float  # exclusive upper bound; math.inf for the last band
    label: str
    meaning: str


REL_ERROR_BANDS: tuple[Band, ...] = (
    Band("good", 1e-7, "good", "below 1e-7: the analytic gradient is right"),
    Band(
        "kink",
        1e-4,
        "ok only near a kink",
        "1e-7 to 1e-4: acceptable where the function has a kink (ReLU, abs); too high otherwise",
    ),
    Band("suspicious", 1e-2, "suspicious", "1e-4 to 1e-2: probably a bug, or a step h too small"),
    Band("wrong", math.inf, "wrong", "above 1e-2: the analytic gradient is probably wrong"),
)


def band(rel_error: float) -> Band:
    """The band a relative error falls in (NaN reads as ``wrong``)."""
    for b in REL_ERROR_BANDS:
        if rel_error < b.below:
            return b
    return REL_ERROR_BANDS[-1]


# ---------------------------------------------------------------------------------------------
# The verdict of a gradient check: one rule, decided here and nowhere else.

VERDICTS: tuple[str, ...] = ("good", "acceptable", "kink", "suspicious", "wrong")
PASSING: frozenset[str] = frozenset({"good", "acceptable", "kink"})


@dataclass(frozen=True)
class VerdictRule:
    """How the errors of one tensor are judged in one dtype.

    Each entry's error ``|a - n|`` is divided by the tensor's scale, ``max(largest |a|, largest
    |n|, scale_floor)``: the largest scaled error decides. Below ``good`` the gradient is right;
    below ``acceptable`` right to what the dtype and the step resolve; above ``acceptable`` the
    disagreeing entries make it ``kink`` (every one of them has a kink within ±h: the central
    difference there is no derivative), else ``suspicious`` (below ``wrong``) or ``wrong``.
    ``scale_floor`` keeps a tensor of (near-)zero gradients from dividing round-off by itself.
    """

    dtype: str
    good: float
    acceptable: float
    wrong: float
    scale_floor: float
    why: str


# Measured on random stacks (1-3 affine layers of width <= 8, smooth activations, xavier
# weights, N(0, 1) inputs, h = 1e-5, mse and softmax_cross_entropy; 600 stacks, 2964 tensors per
# dtype): the largest scaled error of a correct gradient was 1.6e-8 in float64 and 5.5e-6 in
# float32 (every tensor `good`); absolute errors at most about 1e-10 and 5e-8. A wrong entry off
# by 1e-3 of the scale lands above ``acceptable`` with a margin of 10 (float64) and 3 (float32).
VERDICT_RULES: dict[str, VerdictRule] = {
    "float64": VerdictRule(
        "float64",
        good=1e-7,
        acceptable=1e-4,
        wrong=1e-2,
        scale_floor=1e-5,
        why="central differences in float64 with h = 1e-5 leave about eps·|L|/h ≈ 1e-11 "
        "absolute error, and h²|f'''| truncation",
    ),
    "float32": VerdictRule(
        "float32",
        good=1e-5,
        acceptable=3e-4,
        wrong=1e-2,
        scale_floor=1e-3,
        why="a float32 backward pass rounds every product to 6e-8 relative, so the analytic "
        "gradient carries about 1e-8 absolute error whatever its size",
    ),
}


@dataclass(frozen=True)
class Judgement:
    verdict: str
    scale: float  # the tensor's scale the errors were divided by
    max_scaled_error: float  # over the entries the verdict judged (those not at a kink, if any
    # disagree only there)

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING


def judge(
    analytic: np.ndarray,
    numeric: np.ndarray,
    at_kink: np.ndarray | None = None,
    dtype: str = "float64",
) -> Judgement:
    """The verdict on one tensor of a gradient check (see :class:`VerdictRule`).

    ``at_kink`` marks the entries whose ``±h`` straddles a kink (from the kink detector); their
    numeric values do not enter the scale. NaN errors read as ``wrong``.
    """
    rule = VERDICT_RULES[dtype]
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    kink = np.zeros(a.shape, dtype=bool) if at_kink is None else np.asarray(at_kink, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        trusted = np.abs(n[~kink])
        scale = max(
            float(np.max(np.abs(a), initial=0.0)),
            float(np.max(trusted, initial=0.0)),
            rule.scale_floor,
        )
        scaled = np.abs(a - n) / scale
    scaled = np.where(np.isnan(scaled), np.inf, scaled)
    worst = float(np.max(scaled, initial=0.0))
    if worst < rule.good:
        return Judgement("good", scale, worst)
    if worst < rule.acceptable:
        return Judgement("acceptable", scale, worst)
    away = scaled[~kink]
    worst_away = float(np.max(away, initial=0.0))
    if worst_away < rule.acceptable:  # every disagreeing entry has a kink within ±h
        return Judgement("kink", scale, worst_away)
    return Judgement("suspicious" if worst_away < rule.wrong else "wrong", scale, worst_away)


def judge_at_point(
    analytic: np.ndarray, numeric: np.ndarray, at_kink: np.ndarray | None = None
) -> Judgement:
    """The verdict on a typed function's derivative or gradient at one point (float64): the
    rule of :func:`judge`, except that a kink or pole within the step of any entry makes it
    ``kink`` even where the numbers agree (``abs(x)`` at 0: both 0, and no derivative exists)."""
    j = judge(analytic, numeric, at_kink, "float64")
    if at_kink is not None and np.any(at_kink) and j.verdict in ("good", "acceptable"):
        return Judgement("kink", j.scale, j.max_scaled_error)
    return j
