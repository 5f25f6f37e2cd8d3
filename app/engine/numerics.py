"""Numerically stable elementary functions shared by the layers and the expression language."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1/(1+e^{-x}) from e = e^{-|x|} <= 1, so nothing overflows."""
    e = np.empty(np.shape(x), dtype=np.result_type(x, 1.0))  # in-place below: fewer passes
    np.abs(x, out=e)
    np.negative(e, out=e)
    with np.errstate(under="ignore"):
        np.exp(e, out=e)  # e = e^{-|x|} in (0, 1]
    r = np.add(e, 1.0, out=np.empty_like(e))
    np.reciprocal(r, out=r)  # r = 1/(1+e): sigma(|x|)
    np.multiply(e, r, out=e)  # e/(1+e) = sigma(-|x|)
    np.copyto(e, r, where=x >= 0)  # sigma(x) = sigma(|x|) for x >= 0, sigma(-|x|) otherwise
    return e
