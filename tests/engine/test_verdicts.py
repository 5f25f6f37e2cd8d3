import math

import pytest

from app.engine.verdicts import REL_ERROR_BANDS, band


@pytest.mark.parametrize(
    ("rel", "name"),
    [(0.0, "good"), (9.9e-8, "good"), (1e-7, "kink"), (3e-5, "kink"), (1e-4, "suspicious"),
     (5e-3, "suspicious"), (1e-2, "wrong"), (0.7, "wrong"), (math.nan, "wrong")],
)  # fmt: skip
def test_cs231n_bands(rel, name):
    assert band(rel).name == name


def test_bands_are_ordered_and_end_at_infinity():
    bounds = [b.below for b in REL_ERROR_BANDS]
    assert bounds == sorted(bounds) and bounds[-1] == math.inf
