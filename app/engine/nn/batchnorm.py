"""Batch normalisation over the batch axis (PyTorch's ``BatchNorm1d``), one layer kind.

Training mode normalises each column by its batch statistics,
:math:`\\hat x = (x - \\mu_B) / \\sqrt{\\sigma_B^2 + \\epsilon}` with the *biased* variance, and
:math:`y = \\gamma \\odot \\hat x + \\beta`; it mixes the rows of a batch, so N = 1 is refused (as
PyTorch refuses it: one row's variance is 0 and every output would be β). Evaluation mode uses
the running statistics instead, :math:`\\hat x = (x - m) / \\sqrt{v + \\epsilon}`, an affine map
of each entry. The running statistics are the layer's buffers (carried in ``params`` beside
``gamma`` and ``beta``, never trained): :meth:`BatchNorm.updated` gives them after one training
batch, ``m ← (1 - momentum) m + momentum μ_B`` and ``v ← (1 - momentum) v + momentum s²_B`` with
the *unbiased* batch variance :math:`s^2_B = \\sigma_B^2 N / (N - 1)`, as PyTorch does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from app.engine.arrays import Loc, finite_array
from app.engine.errors import EngineError
from app.engine.nn.protocol import Backward, Params
from app.engine.reductions import col_sum

EPS = 1e-5  # PyTorch's default
MOMENTUM = 0.1  # PyTorch's default


@dataclass(frozen=True)
class BatchNormSpec:
    """A batchnorm layer: its scale and shift, its running statistics, and its mode."""

    gamma: Any = None
    beta: Any = None
    running_mean: Any = None
    running_var: Any = None
    eps: float = EPS
    momentum: float = MOMENTUM
    training: bool = True
    type: str = "batchnorm"


def batchnorm_spec(d: dict) -> BatchNormSpec:
    """The spec from the REST contract's dict form."""
    get = d.get
    return BatchNormSpec(
        get("gamma"),
        get("beta"),
        get("running_mean"),
        get("running_var"),
        EPS if get("eps") is None else get("eps"),
        MOMENTUM if get("momentum") is None else get("momentum"),
        True if get("training") is None else get("training"),
    )


def batch_stats(x: np.ndarray, eps: float) -> tuple[np.ndarray, ...]:
    """Per column over the batch axis of ``x: (..., N, D)``, each with the batch axis kept:
    ``x̂``, ``1/√(σ² + ε)``, the mean μ and the biased variance σ².

    Overflow-safe wherever the answer is representable: a column whose largest ``|x|`` exceeds
    1 is divided by it (c) first, so neither the squares nor their sum can overflow (``x =
    ±1e300`` normalises to ±1), and ``√(σ² + ε)`` is taken as ``c √(σ²/c² + ε/c²)``; μ and σ²
    are scaled back last (σ² overflows only where it is beyond the float range itself).
    """
    c = np.max(np.abs(x), axis=-2, keepdims=True)
    c = np.where(c > 1.0, c, 1.0).astype(x.dtype, copy=False)  # scale only columns beyond 1
    xs = x / c
    mu_s = xs.mean(axis=-2, keepdims=True)
    d = xs - mu_s
    var_s = (d * d).mean(axis=-2, keepdims=True)  # biased: over N
    with np.errstate(under="ignore"):  # eps / c² is 0 beside var_s for a huge column
        root_s = np.sqrt(var_s + eps / c / c)
    with np.errstate(over="ignore"):
        var = var_s * c * c
    return d / root_s, 1.0 / (c * root_s), mu_s * c, var


def _col_param(p: np.ndarray) -> np.ndarray:
    """A per-column parameter ``(D,)`` as is, or ``(K, D)`` copies as ``(K, 1, D)``."""
    return p if p.ndim == 1 else np.expand_dims(p, -2)


@dataclass(frozen=True, slots=True)
class BatchNorm:
    """:math:`y = \\gamma \\odot \\hat x + \\beta` with :math:`\\hat x` from the batch's statistics
    (training) or the running ones (evaluation). Backward in training mode, with
    :math:`g = dy \\odot \\gamma` and means over the N rows of a column:
    :math:`dx = (g - \\bar g - \\hat x\\,\\overline{g \\hat x}) / \\sqrt{\\sigma_B^2 + \\epsilon}`;
    in evaluation mode :math:`dx = g / \\sqrt{v + \\epsilon}`; both
    :math:`d\\gamma = \\sum_n dy \\odot \\hat x`, :math:`d\\beta = \\sum_n dy`. Shapes
    ``x, y: (N, D)``, each parameter ``(D,)``."""

    index: int
    n_in: int
    n_out: int
    eps: float
    momentum: float
    training: bool
    kind: ClassVar[str] = "batchnorm"
    keeps_finite: ClassVar[bool] = False
    buffers: ClassVar[tuple[str, ...]] = ("running_mean", "running_var")  # carried, not trained
    formula: ClassVar[str] = (
        r"y = \gamma \odot \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta"
        r"\ \text{(training; }\mu_B, \sigma_B^2\text{ over the batch's rows, biased)},\quad "
        r"y = \gamma \odot \frac{x - m}{\sqrt{v + \epsilon}} + \beta\ \text{(evaluation)}"
    )

    @property
    def mixes_rows(self) -> bool:
        """Training mode couples the rows of a batch (each row's output reads every row)."""
        return self.training

    @classmethod
    def build(cls, spec: BatchNormSpec, index: int, width: int, source: str, dtype) -> tuple:
        loc: Loc = ("layers", index)
        name = f"layer {index} (batchnorm)"
        params = {
            "gamma": np.ones(width, dtype=dtype),
            "beta": np.zeros(width, dtype=dtype),
            "running_mean": np.zeros(width, dtype=dtype),
            "running_var": np.ones(width, dtype=dtype),
        }
        for key in params:
            given = getattr(spec, key)
            if given is None:
                continue
            v = finite_array(given, f"{name} {key}", (*loc, key), dtype)
            if v.shape != (width,):
                raise EngineError(
                    f"{name}: {key} must have {width} entries (one per column of {source}), "
                    f"got shape {v.shape}.",
                    (*loc, key),
                )
            if key == "running_var" and np.any(v < 0):
                raise EngineError(f"{name}: running_var is a variance and cannot be negative.",
                                  (*loc, key))  # fmt: skip
            params[key] = v
        for key, value, hi in (("eps", spec.eps, 1.0), ("momentum", spec.momentum, 1.0)):
            if isinstance(value, bool) or not 0 < value <= hi:
                raise EngineError(f"{name}: {key} must be in (0, 1], got {value!r}.", (*loc, key))
        if not isinstance(spec.training, bool):
            raise EngineError(f"{name}: training must be true or false.", (*loc, "training"))
        return cls(
            index, width, width, float(spec.eps), float(spec.momentum), spec.training
        ), params

    def _one_row(self, N: int) -> None:
        if N < 2:
            raise EngineError(
                f"layer {self.index} (batchnorm) normalises each column over the batch, and a "
                "batch of 1 row has variance 0 (every output would be beta): give at least 2 "
                "rows, or set training to false to use the running statistics.",
                ("layers", self.index),
            )

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        gamma, beta = _col_param(p["gamma"]), _col_param(p["beta"])
        if self.training:
            self._one_row(x.shape[-2])
            xhat, inv, _, _ = batch_stats(x, self.eps)
        else:
            inv = 1.0 / np.sqrt(_col_param(p["running_var"]) + self.eps)
            xhat = (x - _col_param(p["running_mean"])) * inv
        y = gamma * xhat + beta
        training, g0 = self.training, p["gamma"]

        def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
            g = dy * g0  # dL/dxhat
            if training:
                mean_g = g.mean(axis=-2, keepdims=True)
                mean_gx = (g * xhat).mean(axis=-2, keepdims=True)
                dx = (g - mean_g - xhat * mean_gx) * inv
            else:
                dx = g * inv
            return dx, {"gamma": col_sum(dy * xhat), "beta": col_sum(dy)}

        return y, backward

    def updated(self, x: np.ndarray, p: Params) -> Params:
        """The running statistics after training on the batch ``x: (N, D)`` (PyTorch's rule,
        with the unbiased batch variance); new arrays, ``p`` is not written."""
        N = x.shape[-2]
        self._one_row(N)
        _, _, mu, var = batch_stats(x, self.eps)
        m = self.momentum
        unbiased = var[0] * (N / (N - 1))  # s^2 = sigma_B^2 N / (N - 1)
        return {
            "running_mean": (1 - m) * p["running_mean"] + m * mu[0],
            "running_var": (1 - m) * p["running_var"] + m * unbiased,
        }

    def regions(self, x: np.ndarray) -> None:
        return None

    def macs(self, N: int) -> int:
        return 8 * N * self.n_out
