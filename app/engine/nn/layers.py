"""The layer protocol, the layer kinds and their one registry.

Every layer answers one call: ``forward(x, p) -> (y, backward)`` with ``backward(dy) -> (dx,
grads)``. ``p`` holds the layer's parameters (``{}`` for layers without any), so the same layer
runs with the weights of a training step, of a perturbed gradient-check copy or of the request;
nothing is cached on the layer and nothing writes into its arguments, so concurrent calls share
no state. ``x`` may carry leading axes (``(..., N, D)``, and a parameter ``(..., *shape)``): the
gradient check runs many perturbed copies through the very same forward. ``backward`` is meant
for the plain ``(N, D)`` case.

A layer is built from its spec (what the request says) by :func:`build_layer`, which checks what
only the engine can see (shapes across layers) and draws the initial parameters. Adding a layer
kind is one class with ``build`` and ``forward`` plus one line in :data:`LAYERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from app.engine.arrays import Loc, as_float, finite_array
from app.engine.errors import EngineError
from app.engine.nn.activations import ACTIVATIONS, ActivationLayer, ActivationSpec
from app.engine.nn.batchnorm import BatchNorm, BatchNormSpec, batchnorm_spec
from app.engine.nn.moments import normalize, underflowing_scale
from app.engine.nn.protocol import Backward, Layer, Params
from app.engine.reductions import col_sum, row_max, row_sum

INITS: tuple[str, ...] = ("he", "xavier", "normal")


# ------------------------------------------------------------------------------------ specs
# What a request says about each layer; the schemas build these directly.


@dataclass(frozen=True)
class AffineSpec:
    """An affine layer: given ``W`` (and ``b``), or ``out`` (and ``in``) with a seeded init."""

    W: Any = None
    b: Any = None
    n_in: int | None = None
    n_out: int | None = None
    init: str = "he"
    seed: int = 0
    type: str = "affine"


@dataclass(frozen=True)
class SoftmaxSpec:
    """A row-wise softmax layer."""

    type: str = "softmax"


@dataclass(frozen=True)
class LayerNormSpec:
    """Layer normalisation over each row's features, with a learned scale and shift."""

    gamma: Any = None
    beta: Any = None
    eps: float = 1e-5
    type: str = "layernorm"


LayerSpec = AffineSpec | ActivationSpec | SoftmaxSpec | LayerNormSpec | BatchNormSpec


def spec_from_dict(d: Mapping[str, Any], index: int = 0) -> LayerSpec:
    """A spec from the REST contract's dict form (``{"type": "affine", "in": 2, ...}``): the one
    mapping from a request to a spec, which the schemas use too."""
    kind = d.get("type")
    if not isinstance(kind, str) or kind not in LAYER_KINDS:
        raise EngineError(
            f"layer {index} has unknown type {kind!r}; use one of {', '.join(LAYERS)}.",
            ("layers", index, "type"),
        )
    return LAYER_KINDS[kind].spec(d)


def _affine_spec(d: Mapping[str, Any]) -> AffineSpec:
    return AffineSpec(
        W=d.get("W"),
        b=d.get("b"),
        n_in=d.get("in"),
        n_out=d.get("out"),
        init=d.get("init") or "he",
        seed=0 if d.get("seed") is None else d["seed"],  # null: seed 0, so a run is reproducible
    )


def _affine_width(spec: AffineSpec, width: int) -> int:
    """The affine layer's output width: ``W``'s columns when given, else ``out`` (1 if absent:
    the build refuses what is missing)."""
    W = spec.W
    if W is not None and len(W) and hasattr(W[0], "__len__") and len(W[0]):
        return len(W[0])
    return int(spec.n_out or 1)


def _layernorm_spec(d: Mapping[str, Any]) -> LayerNormSpec:
    return LayerNormSpec(d.get("gamma"), d.get("beta"), 1e-5 if d.get("eps") is None else d["eps"])


# ------------------------------------------------------------------------------------ maths


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """y = x W + b; ``x: (..., N, D_in)``, ``W: (..., D_in, D_out)``, ``b: (..., D_out)``."""
    # ndarray.dot costs a third of matmul's dispatch on small 2-D operands (the training step)
    y = x.dot(W) if x.ndim == 2 and W.ndim == 2 else x @ W
    if b.ndim == 1 and y.ndim >= 2:
        y += b  # y is a fresh array of the broadcast shape
        return y
    return y + b[..., None, :]  # b: (K, D_out) -> (K, 1, D_out) broadcasts over rows


def softmax(x: Any) -> np.ndarray:
    """Row-wise softmax :math:`y_i = e^{x_i - m} / \\sum_j e^{x_j - m}` along the last axis.

    ``m`` is each row's own max, so no exponent exceeds 0 (no overflow) and each row sums to 1.
    ``x: (..., C)`` -> ``y: (..., C)``.
    """
    x = as_float(x)
    with np.errstate(over="ignore"):  # x - m may be -inf for logits ~1e308 apart; e^-inf = 0
        e = np.subtract(x, row_max(x), out=np.empty_like(x))  # shift by the row max
    np.exp(e, out=e)  # e^{x - m} <= 1
    e /= row_sum(e)  # normalise each row
    return e


def softmax_jacobian(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of a 1-D ``x: (C,)`` and its Jacobian ``J: (C, C)``.

    :math:`J_{ij} = \\frac{\\partial y_i}{\\partial x_j} = y_i(\\delta_{ij} - y_j)`, i.e.
    :math:`J = \\operatorname{diag}(y) - y y^T` for the column vector ``y`` (symmetric).
    """
    x = as_float(x)
    if x.ndim != 1 or x.size == 0:
        raise EngineError(f"x must be a non-empty 1-D list, got shape {x.shape}.", ("x",))
    y = softmax(x)
    J = np.diag(y) - np.outer(y, y)  # diag(y) - y y^T
    return y, J


def init_affine(
    n_in: int, n_out: int, init: str = "he", seed: int | None = 0, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``W: (n_in, n_out)`` and zero ``b: (n_out,)``.

    ``he``: :math:`W \\sim \\mathcal N(0, 2/n_{in})` (He/Kaiming normal, for ReLU-like layers);
    ``xavier``: :math:`W \\sim \\mathcal N(0, 2/(n_{in}+n_{out}))` (Glorot *normal*, not uniform);
    ``normal``: :math:`W \\sim \\mathcal N(0, 0.01^2)`. Drawn in float64 from
    ``np.random.default_rng(seed)`` then cast, so float32 and float64 get the same values.
    """
    for name, n in (("in", n_in), ("out", n_out)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise EngineError(f"'{name}' must be a positive whole number, got {n!r}.", (name,))
    if init not in INITS:
        raise EngineError(f"unknown init {init!r}; use one of {', '.join(INITS)}.", ("init",))
    std = {"he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(2.0 / (n_in + n_out)), "normal": 0.01}
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((int(n_in), int(n_out))) * std[init]).astype(dtype)
    b = np.zeros(int(n_out), dtype=dtype)
    return W, b


# ------------------------------------------------------------------------------------ kinds


class Smooth:
    """Mixin for layers without kinks: nothing for the gradient check to mark."""

    __slots__ = ()

    def regions(self, x: np.ndarray) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Affine(Smooth):
    """:math:`y = xW + b`; backward :math:`dx = dy\\,W^T`, :math:`dW = x^T dy`,
    :math:`db = \\sum_n dy_n`. Shapes ``x: (N, D_in)``, ``W: (D_in, D_out)``, ``b: (D_out,)``."""

    index: int
    n_in: int
    n_out: int
    kind: ClassVar[str] = "affine"
    sets_width: ClassVar[bool] = True  # its `out` chooses the width (errors about it point here)
    keeps_finite: ClassVar[bool] = False  # x W + b and dy W^T can overflow
    formula: ClassVar[str] = r"y = xW + b"

    @classmethod
    def build(cls, spec: AffineSpec, index: int, width: int, source: str, dtype) -> tuple:
        """The layer and its parameters, after checking its shapes against ``width``."""
        loc: Loc = ("layers", index)
        name = f"layer {index} (affine)"
        if spec.W is not None:
            W = finite_array(spec.W, f"{name} W", (*loc, "W"), dtype)
            if W.ndim != 2 or 0 in W.shape:
                raise EngineError(
                    f"{name}: W must be a non-empty 2-D list (in rows, out columns), "
                    f"got shape {W.shape}.",
                    (*loc, "W"),
                )
            for key, given, actual in (
                ("in", spec.n_in, W.shape[0]),
                ("out", spec.n_out, W.shape[1]),
            ):
                if given is not None and given != actual:
                    side = "rows" if key == "in" else "columns"
                    raise EngineError(
                        f"{name} says {key}={given} but W has {actual} {side}.", (*loc, key)
                    )
            if W.shape[0] != width:
                raise EngineError(
                    f"{name} expects input width {W.shape[0]}, got {width}: "
                    f"W has {W.shape[0]} rows but {source} has {width} columns.",
                    (*loc, "W"),
                )
            b = None
        else:
            if spec.n_out is None:
                raise EngineError(
                    f"{name} needs either W (and b) or 'out', its number of outputs.",
                    (*loc, "out"),
                )
            if spec.n_in is not None and spec.n_in != width:
                raise EngineError(
                    f"{name} expects input width {spec.n_in}, got {width}: "
                    f"in={spec.n_in} but {source} has {width} columns.",
                    (*loc, "in"),
                )
            try:
                W, b = init_affine(width, spec.n_out, spec.init, spec.seed, dtype)
            except EngineError as exc:
                raise EngineError(f"{name}: {exc.msg}", (*loc, *exc.loc)) from exc
        if spec.b is not None:
            b_given = finite_array(spec.b, f"{name} b", (*loc, "b"), dtype)
            if b_given.shape not in ((W.shape[1],), (1, W.shape[1])):
                raise EngineError(
                    f"{name}: b must have {W.shape[1]} entries (one per output), "
                    f"got shape {b_given.shape}.",
                    (*loc, "b"),
                )
            b = b_given.reshape(W.shape[1])
        elif b is None:
            b = np.zeros(W.shape[1], dtype=dtype)
        return cls(index, W.shape[0], W.shape[1]), {"W": W, "b": b}

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        W, b = p["W"], p["b"]
        if x.ndim == 2 and W.ndim == 2 and b.ndim == 1:  # a training step, without a call
            y = x.dot(W)
            y += b
        else:
            y = affine(x, W, b)

        def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
            dx = dy.dot(W.T)  # dL/dx = dy W^T
            dW = x.T.dot(dy)  # dL/dW = x^T dy
            db = col_sum(dy)  # dL/db = sum over the batch
            return dx, {"W": dW, "b": db}

        return y, backward

    def macs(self, N: int) -> int:
        return N * self.n_in * self.n_out


@dataclass(frozen=True, slots=True)
class Softmax(Smooth):
    """Row-wise softmax; backward is the Jacobian-vector product
    :math:`dx = y \\odot (dy - \\sum_i dy_i\\,y_i)`, not the Jacobian's diagonal."""

    index: int
    n_in: int
    n_out: int
    kind: ClassVar[str] = "softmax"
    keeps_finite: ClassVar[bool] = False  # y is in [0, 1], but dx sums dy * y over a row
    formula: ClassVar[str] = r"y_i = \frac{e^{x_i}}{\sum_j e^{x_j}}"

    @classmethod
    def build(cls, spec: SoftmaxSpec, index: int, width: int, source: str, dtype) -> tuple:
        return cls(index, width, width), {}

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        y = softmax(x)

        def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
            dx = y * (dy - row_sum(dy * y))  # (diag(y) - y y^T) dy
            return dx, {}

        return y, backward

    def macs(self, N: int) -> int:
        return 3 * N * self.n_out


def _row_param(p: np.ndarray) -> np.ndarray:
    """A per-feature parameter ``(D,)`` as is, or ``(K, D)`` copies as ``(K, 1, D)``."""
    return p if p.ndim == 1 else np.expand_dims(p, -2)


@dataclass(frozen=True, slots=True)
class LayerNorm(Smooth):
    """:math:`\\hat x = (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon}` per row,
    :math:`y = \\gamma \\odot \\hat x + \\beta`. Backward, with :math:`g = dy \\odot \\gamma`:
    :math:`dx = (g - \\bar g - \\hat x\\,\\overline{g \\hat x}) / \\sqrt{\\sigma^2 + \\epsilon}`
    (means over the row's D features), :math:`d\\gamma = \\sum_n dy \\odot \\hat x`,
    :math:`d\\beta = \\sum_n dy`. Shapes ``x, y: (N, D)``, ``gamma, beta: (D,)``. It mixes the
    features of a row but never two rows, so the row-wise input check still holds."""

    index: int
    n_in: int
    n_out: int
    eps: float
    kind: ClassVar[str] = "layernorm"
    keeps_finite: ClassVar[bool] = False
    formula: ClassVar[str] = r"y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta"

    @classmethod
    def build(cls, spec: LayerNormSpec, index: int, width: int, source: str, dtype) -> tuple:
        loc: Loc = ("layers", index)
        params = {"gamma": np.ones(width, dtype=dtype), "beta": np.zeros(width, dtype=dtype)}
        for name in params:
            given = getattr(spec, name)
            if given is not None:
                v = finite_array(given, f"layer {index} (layernorm) {name}", (*loc, name), dtype)
                if v.shape != (width,):
                    raise EngineError(
                        f"layer {index} (layernorm): {name} must have {width} entries (one per "
                        f"column of {source}), got shape {v.shape}.",
                        (*loc, name),
                    )
                params[name] = v
        return cls(index, width, width, float(spec.eps)), params

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        gamma = p["gamma"]
        xhat, inv = normalize(x, self.eps)  # inv = 1/sqrt(var+eps), without overflow
        y = _row_param(gamma) * xhat + _row_param(p["beta"])

        def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
            g = dy * gamma  # dL/dxhat
            mean_g = g.mean(axis=-1, keepdims=True)
            mean_gx = (g * xhat).mean(axis=-1, keepdims=True)
            dx = (g - mean_g - xhat * mean_gx) * inv
            return dx, {"gamma": col_sum(dy * xhat), "beta": col_sum(dy)}

        return y, backward

    def macs(self, N: int) -> int:
        return 8 * N * self.n_out

    def fragile(self, x: np.ndarray) -> list[tuple[str, str]]:
        """``(code, msg)`` for rows whose spread is too large for the backward pass's
        ``1/sqrt(var)`` (below the dtype's smallest normal number): the output stays exact,
        the input gradient loses digits."""
        rows = np.flatnonzero(underflowing_scale(x))
        if not rows.size:
            return []
        return [
            (
                "layernorm_gradient_underflow",
                f"{rows.size} row(s) of the input (the first is row {int(rows[0])}) spread "
                f"beyond 1/{np.finfo(x.dtype).tiny:.3g}: the normalised output is exact, but "
                f"the backward pass multiplies by 1/sqrt(var), which underflows {x.dtype.name}; "
                "the input gradient there loses digits or is 0. Scale the inputs down.",
            )
        ]


@dataclass(frozen=True)
class LayerKind:
    """Everything about one layer kind that is not its maths: how a request becomes its spec,
    its names and formulas for the pages, and its forward as one numpy expression.

    ``step`` says how step mode explains it: ``affine`` (a matrix product), ``elementwise``
    (f and f' entry by entry), ``row`` (each row's features mixed: softmax, layernorm) or
    ``batch`` (each column's rows mixed: batchnorm). ``args`` are the names the exported
    ``code`` takes after ``x``, in order: the layer's parameters, then its scalar settings.
    """

    name: str
    label: str
    build: Callable[..., tuple[Layer, Params]] = field(repr=False)
    spec: Callable[[Mapping[str, Any]], LayerSpec] = field(repr=False)
    formula: str  # LaTeX of the forward pass
    backward: str  # LaTeX of the backward pass
    params: tuple[str, ...]
    code: str
    args: tuple[str, ...] = ()
    step: str = "elementwise"
    init: str | None = None  # the init of the affine layer before it (activations)
    gives: str = "values"  # "probabilities" when each output row is a distribution (softmax)
    helper: str = ""  # source of a function ``code`` calls, written once into the exported script
    # What the cost model (app/engine/cost.py) reads before anything is built: the output width
    # from the spec, and the multiply-adds per output entry of a layer that is no matrix product.
    width_out: Callable[[Any, int], int] = field(default=lambda spec, width: width, repr=False)
    macs_per_entry: int = 1

    def shapes(self, spec: Any, width: int) -> tuple[int, tuple[tuple[int, ...], ...], int]:
        """``(output width, each parameter's shape, multiply-adds per row)`` on ``width`` inputs:
        ``W`` is ``(width, out)``, every other parameter a vector of the output width."""
        out = self.width_out(spec, width)
        params = tuple((width, out) if p == "W" else (out,) for p in self.params)
        macs = width * out if self.step == "affine" else self.macs_per_entry * out
        return out, params, macs


def _activation_kind(a) -> LayerKind:
    return LayerKind(
        a.name,
        a.label or a.name,
        ActivationLayer.build,
        lambda d, name=a.name: ActivationSpec(name, d.get("alpha")),
        rf"y = {a.formula}",
        rf"dx = dy \odot f'(x),\ f'(x) = {a.derivative}",
        (),
        a.code,
        ("alpha",) if a.default_alpha is not None else (),
        "elementwise",
        a.init,
    )


# Layer norm's exported line calls this: the textbook x.var() overflows for a row like
# [1e200, -1e200, 0] (x̂ = 0) where the engine does not (app/engine/nn/moments.py).
_NORMALIZE_ROWS = '''def normalize_rows(x, eps):
    """(x - mean) / sqrt(var + eps) over each row. A row is divided by its largest |x| first
    (when above 1), which leaves the result unchanged but keeps the variance from overflowing."""
    s = np.maximum(np.abs(x).max(axis=1, keepdims=True), 1.0)
    u = x / s
    return (u - u.mean(axis=1, keepdims=True)) / np.sqrt(
        u.var(axis=1, keepdims=True) + (np.sqrt(eps) / s) ** 2  # eps / s², without overflow
    )
'''

# The one registry of layer kinds.
LAYER_KINDS: dict[str, LayerKind] = {
    "affine": LayerKind(
        "affine",
        "affine",
        Affine.build,
        _affine_spec,
        Affine.formula,
        r"dx = dy\,W^T,\ dW = x^T dy,\ db = \textstyle\sum_n dy_n",
        ("W", "b"),
        "x @ W + b",
        ("W", "b"),
        "affine",
        width_out=_affine_width,
    ),
    "softmax": LayerKind(
        "softmax",
        "softmax",
        Softmax.build,
        lambda d: SoftmaxSpec(),
        Softmax.formula,
        r"dx = y \odot \bigl(dy - \textstyle\sum_j dy_j\,y_j\bigr)",
        (),
        "np.exp(x - x.max(axis=1, keepdims=True))"
        " / np.exp(x - x.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
        (),
        "row",
        gives="probabilities",
        macs_per_entry=3,
    ),
    "layernorm": LayerKind(
        "layernorm",
        "layer norm",
        LayerNorm.build,
        _layernorm_spec,
        LayerNorm.formula,
        r"dx = \frac{g - \bar g - \hat x\,\overline{g \hat x}}{\sqrt{\sigma^2 + \epsilon}},\ "
        r"g = dy \odot \gamma,\ d\gamma = \textstyle\sum_n dy \odot \hat x,\ "
        r"d\beta = \textstyle\sum_n dy\quad\text{(means over the row's features)}",
        ("gamma", "beta"),
        "normalize_rows(x, eps) * gamma + beta",
        ("gamma", "beta", "eps"),
        "row",
        helper=_NORMALIZE_ROWS,
        macs_per_entry=8,
    ),
    "batchnorm": LayerKind(
        "batchnorm",
        "batch norm",
        BatchNorm.build,
        batchnorm_spec,
        BatchNorm.formula,
        r"dx = \frac{g - \bar g - \hat x\,\overline{g \hat x}}{\sqrt{\sigma_B^2 + \epsilon}}"
        r"\ \text{(training; means over the batch's rows)},\ dx = \frac{g}{\sqrt{v + \epsilon}}"
        r"\ \text{(evaluation)},\ g = dy \odot \gamma,\ "
        r"d\gamma = \textstyle\sum_n dy \odot \hat x,\ d\beta = \textstyle\sum_n dy",
        ("gamma", "beta", "running_mean", "running_var"),
        # the exported script evaluates: the running statistics, as PyTorch's eval mode
        "(x - running_mean) / np.sqrt(running_var + eps) * gamma + beta",
        ("gamma", "beta", "running_mean", "running_var", "eps"),
        "batch",
        macs_per_entry=8,
    ),
    **{name: _activation_kind(a) for name, a in ACTIVATIONS.items()},
}

# name -> build(spec, index, width, source, dtype), for the network
LAYERS: dict[str, Callable[..., tuple[Layer, Params]]] = {
    name: kind.build for name, kind in LAYER_KINDS.items()
}


def build_layer(
    spec: LayerSpec, index: int, width: int, source: str, dtype
) -> tuple[Layer, Params]:
    """The layer ``spec`` describes at position ``index``, fed ``width`` columns by ``source``."""
    build = LAYERS.get(spec.type)
    if build is None:
        raise EngineError(
            f"layer {index} has unknown type {spec.type!r}; use one of {', '.join(LAYERS)}.",
            ("layers", index, "type"),
        )
    return build(spec, index, width, source, dtype)
