"""How to read a relative error between an analytic and a numerical gradient.

The bands are the ones practitioners use (CS231n's notes on gradient checking): above 1e-2 the
gradient is probably wrong; 1e-2 to 1e-4 is suspicious; 1e-4 to 1e-7 is acceptable for
functions with kinks (ReLU, abs) but too high for smooth ones; below 1e-7 is good. The relative
error is the gradient check's ``|a - n| / max(REL_FLOOR, |a| + |n|)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


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
