"""Element-wise activation functions, their exact derivatives, and the curve the explorer plots.

Every function is stable over the whole float range: no overflow warning and no NaN for finite
input (sigmoid at -1e4, softplus at 1e4, gelu at 1e300). At a kink the left derivative is used,
so ``relu'(0) = 0`` and ``leaky_relu'(0) = alpha`` as in PyTorch. The dtype of the input is kept
(float32 stays float32); integer input is promoted to float64.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.arrays import as_float
from app.engine.errors import EngineError
from app.engine.nn.gradcheck import central_difference
from app.engine.nn.protocol import Backward, Params
from app.engine.numerics import sigmoid as _sigmoid
from app.engine.verdicts import judge

Fn = Callable[[np.ndarray, float], np.ndarray]

_K = math.sqrt(2.0 / math.pi)  # gelu's sqrt(2/pi), a Python float so float32 stays float32
_C = 0.044715  # gelu's cubic coefficient
_GELU_CLIP = 100.0  # beyond |x| = 100 gelu's tanh is exactly +-1 in float64


# Largest |x| whose cosh is finite in each float type (cosh(710.4) ~ 1.8e308, cosh(89.4) ~ 3.4e38).
_COSH_MAX = {np.float64: 710.0, np.float32: 89.0}


def _sech2(x: np.ndarray) -> np.ndarray:
    """sech^2(x) = (1/cosh x)^2 (gelu's derivative needs it of its inner u): no cancellation, within
    3 ulp; ``|x|`` is clipped where cosh would overflow (sech^2 is already 0 there), so no warning.
    """
    s = np.abs(x)
    if not isinstance(s, np.ndarray):  # 0-d input gives a scalar; the ufuncs below need an array
        s = np.asarray(s)
    np.minimum(s, _COSH_MAX.get(s.dtype.type, 710.0), out=s)
    np.cosh(s, out=s)
    np.reciprocal(s, out=s)  # sech x = 1 / cosh x
    np.square(s, out=s)
    return s


def _gelu_u(x: np.ndarray) -> np.ndarray:
    """u = sqrt(2/pi)(x + 0.044715 x^3) on x clipped to +-100 (where tanh(u) is already +-1)."""
    xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
    return _K * (xc + _C * xc**3)


def _gelu(x: np.ndarray, alpha: float) -> np.ndarray:
    # 0.5 x (1 + tanh u) = x sigma(2u): same function, without 1 + tanh u cancelling for x << 0
    return x * _sigmoid(2.0 * _gelu_u(x))


def _dgelu(x: np.ndarray, alpha: float) -> np.ndarray:
    # f' = 0.5(1 + tanh u) + 0.5 x sech^2(u) u',  u' = sqrt(2/pi)(1 + 3*0.044715 x^2)
    u = _gelu_u(x)
    xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)  # the second term is exactly 0 beyond the clip
    return _sigmoid(2.0 * u) + 0.5 * xc * _sech2(u) * _K * (1.0 + 3.0 * _C * xc**2)


def _elu(x: np.ndarray, alpha: float) -> np.ndarray:
    # x for x > 0, alpha (e^x - 1) otherwise; expm1 of min(x, 0) never overflows
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _delu(x: np.ndarray, alpha: float) -> np.ndarray:
    # 1 for x > 0, alpha e^x otherwise
    with np.errstate(under="ignore"):
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _mish(x: np.ndarray, alpha: float) -> np.ndarray:
    # x tanh(softplus(x)); softplus = ln(1 + e^x) by logaddexp, so no overflow, and for x << 0
    # softplus underflows to 0 and f to -0 (its limit), with no warning
    with np.errstate(under="ignore"):
        return x * np.tanh(np.logaddexp(0.0, x))


def _dmish(x: np.ndarray, alpha: float) -> np.ndarray:
    # f' = tanh(sp) + x sech^2(sp) sigma(x),  sp = softplus(x), sp' = sigma(x)
    with np.errstate(under="ignore"):
        sp = np.logaddexp(0.0, x)
        s = _sigmoid(x) * _sech2(sp)  # both in [0, 1]: their product before x cannot overflow
        return np.tanh(sp) + x * s


def _softsign(x: np.ndarray, alpha: float) -> np.ndarray:
    return x / (1.0 + np.abs(x))  # x / (1 + |x|)


def _dsoftsign(x: np.ndarray, alpha: float) -> np.ndarray:
    with np.errstate(under="ignore"):
        return (1.0 / (1.0 + np.abs(x))) ** 2  # 1/(1+|x|)^2, squared after dividing: no overflow


def _silu(x: np.ndarray, alpha: float) -> np.ndarray:
    return x * _sigmoid(x)  # x sigma(x)


def _dsilu(x: np.ndarray, alpha: float) -> np.ndarray:
    s = _sigmoid(x)
    return s + x * s * _sigmoid(-x)  # sigma + x sigma (1 - sigma), with 1 - sigma(x) = sigma(-x)


@dataclass(frozen=True)
class Activation:
    """An element-wise activation :math:`y = f(x)`; its backward is :math:`dx = dy \\odot f'(x)`.

    ``kinks`` are the points where :math:`f'` jumps at the default ``alpha``; ``kinks_for(alpha)``
    gives them for another alpha. ``smooth_breaks`` are points where only :math:`f''` jumps (elu
    and softsign at 0): the derivative is right there, but a central difference near them is only
    :math:`O(h)` accurate, so curve errors skip them too. ``dfn`` may return a boolean mask
    where :math:`f'` is 0 or 1 (relu): the backward pass multiplies by it without a cast.
    """

    name: str
    formula: str
    derivative: str
    kinks: tuple[float, ...]
    default_alpha: float | None
    fn: Fn = field(repr=False)
    dfn: Fn = field(repr=False)
    smooth_breaks: tuple[float, ...] = ()
    alpha_kinks: tuple[float, ...] = ()  # kinks present whenever alpha != 1
    # f' written in the output y = f(x) (tanh: 1 - y², sigmoid: y(1 - y)), as PyTorch's
    # tanh_backward and sigmoid_backward compute it: the layer's backward then reads y and spends
    # three numpy calls instead of a pass over x. dfn is dfy(fn(x)), so both agree bit for bit.
    dfy: Fn | None = field(default=None, repr=False)
    # f as one numpy expression in ``x`` (and ``a``, its alpha): the exported script runs it,
    # and the tests evaluate it against ``fn``.
    code: str = ""
    label: str = ""  # how the pages name it ("leaky ReLU")
    # The initialisation of the affine layer before it: "he" when f' is 1 for large x (ReLU-like,
    # Kaiming's N(0, 2/n_in)), "xavier" for the saturating and odd ones (Glorot's).
    init: str = "xavier"
    # Finite x gives a finite f(x), and a finite dy a finite dy * f'(x): f and f' are bounded
    # (|f(x)| <= |x|, |f'| <= 1), so the network skips the overflow check of this layer.
    keeps_finite: bool = False

    def alpha_or_default(self, alpha: float | None) -> float:
        """The alpha to use: ``alpha`` if given (only for activations that take one)."""
        if alpha is None:
            return 0.0 if self.default_alpha is None else self.default_alpha
        if self.default_alpha is None:
            raise EngineError(f"{self.name} takes no alpha; leave alpha out.", ("alpha",))
        if isinstance(alpha, bool) or not np.isfinite(alpha):
            raise EngineError(f"alpha must be a finite number, got {alpha!r}.", ("alpha",))
        return float(alpha)  # a Python float does not upcast float32 arrays

    def kinks_for(self, alpha: float | None = None) -> tuple[float, ...]:
        """Points where :math:`f'` is discontinuous for this alpha (none when alpha = 1)."""
        if self.default_alpha is None:
            return self.kinks
        return () if self.alpha_or_default(alpha) == 1.0 else self.alpha_kinks

    def f(self, x: Any, alpha: float | None = None) -> np.ndarray:
        """:math:`f(x)`, same shape and float dtype as ``x``."""
        x = as_float(x)
        return np.asarray(self.fn(x, self.alpha_or_default(alpha)), dtype=x.dtype)

    def df(self, x: Any, alpha: float | None = None) -> np.ndarray:
        """:math:`f'(x)` evaluated exactly (not numerically), same shape and dtype as ``x``."""
        x = as_float(x)
        return np.asarray(self.dfn(x, self.alpha_or_default(alpha)), dtype=x.dtype)


def _a(name, formula, derivative, fn, dfn, kinks=(), default_alpha=None, **kw) -> Activation:
    dfy = kw.get("dfy")
    if dfy is not None:
        dfn = lambda x, a: dfy(fn(x, a), a)  # noqa: E731  f'(x) from y = f(x)
    return Activation(name, formula, derivative, kinks, default_alpha, fn, dfn, **kw)


_LIST = [
    _a(
        "relu",
        r"\max(x, 0)",
        r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        lambda x, a: np.maximum(x, 0.0),  # max(x, 0)
        lambda x, a: x > 0,  # 1 where x > 0, as a mask (dy * mask is exact); relu'(0) = 0
        kinks=(0.0,),
        keeps_finite=True,
        code="np.maximum(x, 0.0)",
        label="ReLU",
        init="he",
    ),
    _a(
        "sigmoid",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        r"\sigma(x)\,(1 - \sigma(x))",
        lambda x, a: _sigmoid(x),
        None,
        dfy=lambda y, a: y * (1.0 - y),  # sigma' = sigma (1 - sigma)
        keeps_finite=True,
        code="np.exp(-np.logaddexp(0.0, -x))",
        label="sigmoid",
    ),
    _a(
        "tanh",
        r"\tanh(x)",
        r"1 - \tanh^2(x)",
        lambda x, a: np.tanh(x),
        None,
        dfy=lambda y, a: 1.0 - y * y,  # tanh' = 1 - tanh²
        keeps_finite=True,
        code="np.tanh(x)",
        label="tanh",
    ),
    _a(
        "leaky_relu",
        r"\begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
        r"\begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
        lambda x, a: np.where(x > 0, x, a * x),  # x or alpha x
        lambda x, a: np.where(x > 0, 1.0, a),  # 1 or alpha
        kinks=(0.0,),
        default_alpha=0.01,
        alpha_kinks=(0.0,),
        code="np.where(x > 0, x, alpha * x)",
        label="leaky ReLU",
        init="he",
    ),
    _a(
        "elu",
        r"\begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        _elu,
        _delu,
        kinks=(),  # none at the default alpha = 1; kinks_for(alpha) gives (0.0,) otherwise
        default_alpha=1.0,
        smooth_breaks=(0.0,),
        alpha_kinks=(0.0,),
        code="np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))",
        label="ELU",
        init="he",
    ),
    _a(
        "softplus",
        r"\ln(1 + e^{x})",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        lambda x, a: np.logaddexp(0.0, x),  # ln(e^0 + e^x) without overflow
        lambda x, a: _sigmoid(x),
        code="np.logaddexp(0.0, x)",
        label="softplus",
        init="he",
    ),
    _a(
        "gelu",
        r"\frac{x}{2}\left(1 + \tanh u\right),\ u = \sqrt{2/\pi}\,(x + 0.044715\,x^{3})",
        r"\frac{1}{2}(1 + \tanh u) + \frac{x}{2}\,\operatorname{sech}^2(u)\,"
        r"\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^{2})",
        _gelu,
        _dgelu,
        code="x * np.exp(-np.logaddexp(0.0, -2 * np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
        label="GELU (tanh form)",
        init="he",
    ),
    _a(
        "identity",
        r"x",
        r"1",
        lambda x, a: x.copy(),
        lambda x, a: np.ones_like(x),
        keeps_finite=True,
        code="x",
        label="identity",
    ),
    _a(
        "silu",
        r"x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
        r"\sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        _silu,
        _dsilu,
        code="x * np.exp(-np.logaddexp(0.0, -x))",
        label="SiLU (swish)",
        init="he",
    ),
    _a(
        "mish",
        r"x \tanh(\operatorname{softplus} x) = x \tanh \ln(1 + e^{x})",
        r"\tanh(\operatorname{softplus} x) + x\,\sigma(x)\,"
        r"\operatorname{sech}^2(\operatorname{softplus} x)",
        _mish,
        _dmish,
        code="x * np.tanh(np.logaddexp(0.0, x))",
        label="Mish",
        init="he",
    ),
    _a(
        "softsign",
        r"\frac{x}{1 + |x|}",
        r"\frac{1}{(1 + |x|)^{2}}",
        _softsign,
        _dsoftsign,
        smooth_breaks=(0.0,),  # f'' jumps from 2 to -2 at 0
        keeps_finite=True,
        code="x / (1 + np.abs(x))",
        label="softsign",
    ),
]

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in _LIST}


def get_activation(name: str, loc: tuple[str | int, ...] = ("activation",)) -> Activation:
    """The activation called ``name``; an unknown name raises an error listing the known ones."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise EngineError(f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)}.", loc)
    return ACTIVATIONS[name]


@dataclass(frozen=True)
class ActivationSpec:
    """An element-wise activation layer; ``alpha`` for leaky_relu and elu."""

    type: str
    alpha: float | None = None


@dataclass(frozen=True, slots=True)
class ActivationLayer:
    """Element-wise :math:`y = f(x)`; backward :math:`dx = dy \\odot f'(x)`."""

    index: int
    n_in: int
    n_out: int
    act: Activation
    alpha: float
    kinks: tuple[float, ...]

    @property
    def kind(self) -> str:
        return self.act.name

    @property
    def keeps_finite(self) -> bool:
        return self.act.keeps_finite

    @classmethod
    def build(cls, spec: ActivationSpec, index: int, width: int, source: str, dtype) -> tuple:
        act = ACTIVATIONS[spec.type]
        try:
            alpha = act.alpha_or_default(spec.alpha)
        except EngineError as exc:
            raise EngineError(
                f"layer {index} ({act.name}): {exc.msg}", ("layers", index, "alpha")
            ) from exc
        return cls(index, width, width, act, alpha, act.kinks_for(spec.alpha)), {}

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        act, alpha = self.act, self.alpha
        y = act.fn(x, alpha)
        if y.dtype != x.dtype:
            y = y.astype(x.dtype)

        def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
            # f'(x), computed only when the backward pass asks (from y when the record can)
            d = act.dfn(x, alpha) if act.dfy is None else act.dfy(y, alpha)
            if d.dtype == bool:  # a 0/1 mask (relu) multiplies as it is
                return dy * d, {}
            if d.dtype != x.dtype:
                d = d.astype(x.dtype)  # e.g. np.where(x > 0, 1.0, alpha) is float64
            return np.multiply(dy, d, d), {}  # chain rule: dy * f'(x), into the fresh d

        return y, backward

    def regions(self, x: np.ndarray) -> np.ndarray | None:
        """How many kinks lie below each input (0 or 1 for relu): equal on both sides of a
        central difference unless ``x ± h`` straddles a kink."""
        if not self.kinks:
            return None
        r = x > self.kinks[0]
        for k in self.kinks[1:]:
            r = r + (x > k)
        return r

    def macs(self, N: int) -> int:
        return N * self.n_out


def activation_curve(
    name: str,
    x_min: float,
    x_max: float,
    num: int,
    upstream: float = 1.0,
    h: float = 1e-5,
    alpha: float | None = None,
) -> dict:
    """Everything the activation explorer plots, on ``x = linspace(x_min, x_max, num)``.

    Returns float64 arrays ``x, y = f(x), dy = f'(x)`` (exact), ``dy_numeric`` (central difference
    :math:`\\frac{f(x+h) - f(x-h)}{(x+h) - (x-h)}`, dividing by the step actually taken),
    ``backward = upstream * f'(x)`` (the layer's backward fed ``upstream``), and
    ``max_abs_error = max |dy - dy_numeric|`` over finite points farther than ``2h`` from any kink
    (or from a point where only :math:`f''` jumps), and ``verdict``, the gradient check's rule on
    ``dy`` against ``dy_numeric`` (``kink`` where they differ only within 2h of a kink). Arrays
    may hold inf/NaN where a value leaves the float range (e.g. ``upstream`` near 1e308) or
    where ``h`` is below the spacing of floats at ``x``; the caller reports those points.
    """
    act = get_activation(name)
    a = act.alpha_or_default(alpha)
    for key, v in (("x_min", x_min), ("x_max", x_max), ("upstream", upstream), ("h", h)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise EngineError(f"{key} must be a finite number, got {v!r}.", (key,))
    if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num < 2:
        raise EngineError(f"num must be a whole number of at least 2, got {num!r}.", ("num",))
    if not x_min < x_max:
        raise EngineError(f"x_min ({x_min}) must be smaller than x_max ({x_max}).", ("x_max",))
    if not math.isfinite(float(x_max) - float(x_min)):
        raise EngineError("the range x_max - x_min is too wide for float64.", ("x_max",))
    if h <= 0:
        raise EngineError(f"h must be positive, got {h}.", ("h",))

    x = np.linspace(float(x_min), float(x_max), int(num))
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.asarray(act.fn(x, a), dtype=np.float64)
        dy = np.asarray(act.dfn(x, a), dtype=np.float64)
        dy_numeric = central_difference(lambda v: act.fn(v, a), x, float(h))
        layer, _ = ActivationLayer.build(ActivationSpec(name, alpha), 0, x.size, "x", x.dtype)
        _, backward_fn = layer.forward(x, {})
        backward, _ = backward_fn(np.full_like(x, float(upstream)))  # upstream * f'(x)
        err = np.abs(dy - dy_numeric)
    finite = np.isfinite(err)
    near = np.zeros(x.shape, dtype=bool)
    for k in act.kinks_for(alpha) + act.smooth_breaks:
        near |= np.abs(x - k) <= 2.0 * h  # central differences straddling a kink are meaningless
    keep = finite & ~near
    max_abs_error = float(err[keep].max()) if keep.any() else 0.0
    verdict = judge(dy[finite], dy_numeric[finite], near[finite]).verdict
    return {
        "x": x,
        "y": y,
        "dy": dy,
        "dy_numeric": dy_numeric,
        "backward": backward,
        "max_abs_error": max_abs_error,
        "verdict": verdict,
    }
