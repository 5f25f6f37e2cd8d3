"""A stack of layers with a loss: build it once, then fold the one protocol forward and back.

:func:`build_network` checks every shape before anything is computed and draws the initial
parameters; :func:`forward` and :func:`backward` fold ``layer.forward(x, p) -> (y, backward)``
without asking what kind of layer they hold; :func:`run_network` is the Network page's call
(forward, backward, warnings and an optional gradient check). The training loop uses the same
three pieces.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine import cost
from app.engine.arrays import Loc, all_finite, finite_array
from app.engine.errors import EngineError, warning
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.nn.bugs import mixes_rows, plant, planted_warnings
from app.engine.nn.gradcheck import (
    compare,
    numeric_gradient_batched,
    numeric_gradient_rows,
    same_shape,
)
from app.engine.nn.layers import LAYER_KINDS, LayerSpec, build_layer, spec_from_dict
from app.engine.nn.losses import Loss, as_targets, get_loss
from app.engine.nn.protocol import Backward, Layer, Params

DTYPES = {"float64": np.float64, "float32": np.float32}
# Bound on the size of one batched array of perturbed forward passes. 2^17 float64 entries (1 MiB)
# keep a chunk's arrays in cache: a 32x32 four-layer check at batch 32 took 160 ms per check with
# 2^21 and 95 ms with 2^17 or 2^18 (same bits: each copy is computed on its own either way).
CHUNK_ELEMENTS = cost.CHUNK


@dataclass(frozen=True)
class Network:
    """The built layers (each knowing its index and widths) and the loss."""

    layers: tuple[Layer, ...]
    loss: Loss

    @property
    def n_out(self) -> int:
        return self.layers[-1].n_out

    def describe(self, i: int) -> str:
        """``"layer 2 (affine)"``: how messages name a layer."""
        return f"layer {i} ({self.layers[i].kind})"

    def width_setter(self) -> int | None:
        """The index of the last layer that chose the output width (an affine ``out``), or None
        when every layer keeps the input's width."""
        for layer in reversed(self.layers):
            if getattr(layer, "sets_width", False):
                return layer.index
        return None

    def forward_cost(self, N: int) -> int:
        """Multiply-adds of one forward pass of N rows, the loss included."""
        return int(cost.pass_cost(N, shapes_of(self, [{}] * len(self.layers))).macs)


def build_network(
    specs: Sequence[LayerSpec | Mapping[str, Any]], width: int, loss: str, dtype=np.float64
) -> tuple[Network, list[Params]]:
    """The network the specs describe for inputs of ``width`` columns, and its parameters.

    Every shape is checked here, before any computation, with messages that name the layer.
    Dicts in the REST contract's form are accepted for Python callers.
    """
    if not specs:
        raise EngineError("layers must be a non-empty list.", ("layers",))
    loss_ = get_loss(loss)
    layers, params = [], []
    source = "x"
    for i, spec in enumerate(specs):
        if isinstance(spec, Mapping):
            spec = spec_from_dict(spec, i)
        layer, p = build_layer(spec, i, width, source, dtype)
        layers.append(layer)
        params.append(p)
        width = layer.n_out
        source = f"layer {i} ({layer.kind})"
    gives = LAYER_KINDS[layers[-1].kind].gives  # the records decide, not the names
    if loss_.expects == "probabilities" and gives != "probabilities":
        raise EngineError(
            f"{loss} expects probabilities, so the last layer must be softmax; "
            "to train on raw scores (logits) use softmax_cross_entropy instead.",
            ("loss",),
        )
    return Network(tuple(layers), loss_), params


def forward(
    net: Network, params: Sequence[Params], x: np.ndarray, check: bool = True
) -> tuple[list[np.ndarray], list[Backward]]:
    """Every layer's output and backward closure; ``check`` reports overflow naming the layer.

    A layer that ``keeps_finite`` (relu, tanh, ...) is not scanned: its input was (x is finite,
    every other input is a scanned output), so overflow is still reported at the first layer
    that produced it."""
    outputs: list[np.ndarray] = []
    backs: list[Backward] = []
    keep_output, keep_back = outputs.append, backs.append  # bound once: this runs every step
    a = x
    for layer, p in zip(net.layers, params, strict=True):
        a, back = layer.forward(a, p)
        if check and not layer.keeps_finite and not all_finite(a):
            raise _overflow(a, net.describe(layer.index), ("layers", layer.index))
        keep_output(a)
        keep_back(back)
    return outputs, backs


def backward(
    net: Network, backs: Sequence[Backward], dy: np.ndarray, check: bool = True
) -> list[tuple[np.ndarray, Params]]:
    """``(dL/d(input of layer i), dL/d(params of layer i))`` for every layer, from the loss's
    seed gradient ``dy = dL/d(output)``, unfolding the closures in reverse."""
    out: list[tuple[np.ndarray, Params]] = [None] * len(backs)  # type: ignore[list-item]
    for layer in reversed(net.layers):
        dy, grads = backs[layer.index](dy)
        if (
            check
            and not layer.keeps_finite
            and not (all_finite(dy) and all(map(all_finite, grads.values())))
        ):
            where = f"the backward pass at {net.describe(layer.index)}"
            raise _overflow(dy, where, ("layers", layer.index))
        out[layer.index] = (dy, grads)
    return out


def _overflow(a: np.ndarray, what: str, loc: Loc) -> EngineError:
    hint = " or use float64" if a.dtype == np.float32 else ""
    return EngineError(
        f"{what} overflowed {a.dtype.name} (values beyond ±{np.finfo(a.dtype).max:.3g}); "
        f"use smaller inputs or weights{hint}.",
        loc,
    )


def network_warnings(net: Network, y: np.ndarray, t: np.ndarray) -> list[dict]:
    """Warnings about results that are right as specified but fragile or probably unmeant."""
    found = list(net.loss.fragile(y, t))
    last = net.layers[-1]
    if net.loss.expects == "logits" and LAYER_KINDS[last.kind].gives == "probabilities":
        found.append(
            warning(
                "double_softmax",
                f"{net.describe(last.index)} feeds {net.loss.name}, which applies its own "
                f"softmax: the loss sees softmax(softmax(z)). Remove the softmax layer, or use "
                "cross_entropy on its probabilities.",
                ("layers", last.index),
            )
        )
    return found


def layer_warnings(net: Network, inputs: Sequence[np.ndarray]) -> list[dict]:
    """The warnings of layers that can tell a fragile input (``layer.fragile(x)``: layer norm
    whose backward factor underflows, say); ``inputs[i]`` is layer i's input."""
    found = []
    for layer in net.layers:
        fragile = getattr(layer, "fragile", None)
        if fragile is not None:
            found += [
                warning(code, f"{net.describe(layer.index)}: {msg}", ("layers", layer.index))
                for code, msg in fragile(inputs[layer.index])
            ]
    return found


# ------------------------------------------------------------------------ the gradient check


def shapes_of(net: Network, params: Sequence[Params]) -> list[cost.LayerShape]:
    """The built network's shapes, as the cost model counts them."""
    return [
        cost.LayerShape(layer.n_in, layer.n_out, tuple(a.shape for a in p.values()), layer.macs(1))
        for layer, p in zip(net.layers, params, strict=True)
    ]


def gradcheck_cost(net: Network, params: Sequence[Params], x: np.ndarray) -> int:
    """Multiply-adds the budget counts (:func:`app.engine.cost.gradcheck_macs`): x as its D
    columns (one pass per column moves every row), or as its N·D entries when some layer mixes
    the rows of the batch."""
    x_entries = x.size if mixes_rows(net) else None
    return cost.gradcheck_macs(x.shape[0], x.shape[1], shapes_of(net, params), x_entries)


def _chunk(net: Network, x: np.ndarray, size: int) -> int:
    """Entries moved per call of the check: a batched array stays near CHUNK_ELEMENTS."""
    widest = max([x.shape[1], *(layer.n_out for layer in net.layers)])
    return max(1, CHUNK_ELEMENTS // max(x.shape[0] * widest, size))


def _check_cost(
    net: Network, params: Sequence[Params], x: np.ndarray, specs: Sequence, budget: float
) -> None:
    """Refuse, before starting, a check that would spend more than ``budget`` multiply-adds."""
    macs = gradcheck_cost(net, params, x)
    if macs > budget:
        per_pass = net.forward_cost(x.shape[0])
        us = cost.network_run(*x.shape, specs, gradcheck=True).us
        raise EngineError(
            f"the gradient check would need {macs // per_pass:,} forward passes of about "
            f"{per_pass:,} multiply-adds each ({macs:.2g} in all, over the limit of "
            f"{budget:.2g}; about {cost.duration(us)} of computing); "
            "use a smaller network or batch, or turn gradcheck off.",
            ("gradcheck",),
        )


# A planted bug's book-style code runs one perturbed copy per call (a Python loop), so a check
# with a bug is bounded by its number of perturbed passes, not only by its multiply-adds.
MAX_PLANTED_PASSES = 20_000


def _check_planted_cost(net: Network, params: Sequence[Params], x: np.ndarray) -> None:
    moved = (x.size if mixes_rows(net) else x.shape[1]) + sum(
        a.size for p in params for a in p.values()
    )
    if 2 * moved > MAX_PLANTED_PASSES:
        raise EngineError(
            f"a gradient check with a planted bug runs its code once per perturbed copy: "
            f"{2 * moved:,} copies here, over the limit of {MAX_PLANTED_PASSES:,}; "
            "use a smaller network or batch, or turn gradcheck off.",
            ("gradcheck",),
        )


@dataclass(frozen=True)
class Perturbed:
    """Runs perturbed copies from some layer on: the float64 network state they share."""

    net: Network
    params: list[Params]  # float64 copies of the parameters the pass used
    t: np.ndarray  # float64 target rows, or the class indices
    inputs: list[np.ndarray]  # inputs[l] = float64 input of layer l

    @classmethod
    def of(
        cls,
        net: Network,
        params: Sequence[Params],
        x: np.ndarray,
        t: np.ndarray,
        outputs: Sequence[np.ndarray] | None = None,
    ):
        """Float64 copies of exactly the values a (possibly float32) pass used, and every
        layer's input, computed once. A float64 pass is its own float64 state (nothing here
        writes into it): its ``outputs``, when given, are the layers' inputs it would compute."""
        if x.dtype == np.float64:
            if outputs is None:
                outputs = forward(net, params, x, check=False)[0]
            return cls(net, list(params), t, [x, *outputs])
        p64 = [{k: v.astype(np.float64) for k, v in p.items()} for p in params]
        inputs = [x.astype(np.float64)]
        for layer, p in zip(net.layers, p64, strict=True):
            inputs.append(layer.forward(inputs[-1], p)[0])
        return cls(net, p64, t if t.ndim == 1 else t.astype(np.float64), inputs)

    def rows_from(self, start: int, a: np.ndarray, moved: Params | None = None):
        """Per-row loss terms ``(K, N)`` of copies ``a`` entering layer ``start`` (with its
        parameters ``moved``), and the kink marks of every kinked layer they pass."""
        marks = []
        for layer in self.net.layers[start:]:
            own = moved is not None and layer.index == start  # its input is not perturbed
            r = None if own else layer.regions(a)
            if r is not None:
                marks.append(r)
            a, _ = layer.forward(a, moved if own else self.params[layer.index])
        return self.net.loss.rows(a, self.t), marks

    def loss_from_input(self, xk: np.ndarray):
        """``(losses, marks)`` for K copies of the input ``xk: (K, N, D)``."""
        rows, marks = self.rows_from(0, xk)
        return rows.mean(axis=-1), marks

    def loss_of(self, i: int, name: str) -> Callable:
        """``f(P_k) -> (losses, marks)`` for K copies of parameter ``name`` of layer ``i``."""

        def f(Pk: np.ndarray):
            rows, marks = self.rows_from(i, self.inputs[i], {**self.params[i], name: Pk})
            # rows.mean(axis=-1), without its wrapper: the same sum divided by the same N
            mean = np.add.reduce(rows, axis=-1)
            return np.divide(mean, rows.shape[-1], out=mean), marks

        return f


def _check_item(
    net: Network, i: int, name: str, analytic: np.ndarray, num: tuple, h: float
) -> tuple[dict, list[dict]]:
    """One gradient-check entry (and its kink warning) from the numeric gradient and marks."""
    numeric, at_kink = num
    analytic = np.asarray(analytic)
    if analytic.shape != numeric.shape:
        return _shape_item(net, i, name, analytic, numeric)
    if not all_finite(numeric):
        raise EngineError(
            "the gradient check's perturbed forward passes overflowed; "
            "use smaller inputs, weights or h.",
            ("gradcheck",),
        )
    rel_error, max_rel_error, judgement = compare(analytic, numeric, at_kink)
    kinks = 0 if at_kink is None else int(at_kink.sum())
    item = {"index": i, "param": name, "max_rel_error": max_rel_error}
    item |= {"passed": judgement.passed, "verdict": judgement.verdict, "scale": judgement.scale}
    item |= {"max_scaled_error": judgement.max_scaled_error}
    item |= {"numeric": numeric, "rel_error": rel_error, "kinks": kinks}
    if not kinks:
        return item, []
    item["at_kink"] = at_kink
    what = "the input x" if name == "x" else f"{net.describe(i)} {name}"
    msg = (
        f"gradient check of {what}: for {kinks} of {at_kink.size} entries a step of ±h "
        f"(h = {h:g}) moves an input of a kinked activation (relu-like) across its kink, so the "
        "central difference there is no derivative. Those entries are marked at_kink; where "
        "only they disagree the verdict is 'kink'. The analytic value is the one-sided "
        "derivative the layer defines (relu'(0) = 0, as PyTorch)."
    )
    return item, [warning("kink_in_step", msg, ("x",) if name == "x" else ("layers", i))]


def _shape_item(
    net: Network, i: int, name: str, analytic: np.ndarray, numeric: np.ndarray
) -> tuple[dict, list[dict]]:
    """A gradient of the wrong shape fails its check (only a planted bug gives one): the same
    shape up to leading axes of length 1 (``(1, C)`` for ``(C,)``) is compared as it is,
    anything else (a transpose included) is all wrong."""
    if same_shape(analytic.shape, numeric.shape):
        return _check_item(net, i, name, analytic.reshape(numeric.shape), (numeric, None), 1.0)
    what = "dL/dx" if name == "x" else f"the gradient of {net.describe(i)} {name}"
    item = {"index": i, "param": name, "max_rel_error": 1.0, "passed": False}
    item |= {"numeric": numeric, "rel_error": np.ones_like(numeric), "kinks": 0}
    msg = (
        f"{what} has shape {list(analytic.shape)} but {name} has shape {list(numeric.shape)}: "
        "a gradient has the shape of what it is the gradient of."
    )
    return item, [warning("grad_shape", msg, ("x",) if name == "x" else ("layers", i))]


def gradient_check(
    net: Network,
    params: Sequence[Params],
    x: np.ndarray,
    t: np.ndarray,
    grads: Sequence[tuple[np.ndarray, Params]],
    h: float,
    outputs: Sequence[np.ndarray] | None = None,
) -> tuple[list[dict], list[dict]]:
    """Compare every analytic gradient with central differences through the same forward.

    Computed in float64 from exactly the values the (possibly float32) pass used, so the check
    shows the working dtype's own error. Layers before the perturbed one run once; the
    perturbed copies run batched over a leading axis through ``layer.forward``. Entries whose
    ``±h`` moves some input across a kink (a relu at 0, say) are marked ``at_kink`` and left out
    of the verdict, with a warning. ``outputs`` are the pass's own (a float64 pass need not
    run again). Returns the check items and the warnings.
    """
    run = Perturbed.of(net, params, x, t, outputs)
    p64, inputs = run.params, run.inputs

    def chunk(a: np.ndarray) -> int:
        return _chunk(net, x, a.size)

    items, warns = [], []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for layer, p in zip(net.layers, p64, strict=True):
            for name, P in p.items():
                if name not in grads[layer.index][1]:
                    continue  # a buffer (batchnorm's running statistics): carried, not trained
                num = numeric_gradient_batched(run.loss_of(layer.index, name), P, h, chunk(P))
                item, w = _check_item(net, layer.index, name, grads[layer.index][1][name], num, h)
                items.append(item)
                warns += w
        if mixes_rows(net):  # one entry at a time: row n's loss may see the other rows
            num_x = numeric_gradient_batched(run.loss_from_input, inputs[0], h, chunk(x))
        else:  # every layer maps row n to row n, so the input check moves a column at a time
            num_x = numeric_gradient_rows(lambda xk: run.rows_from(0, xk), inputs[0], h, chunk(x))
    item, w = _check_item(net, 0, "x", grads[0][0], num_x, h)
    return [*items, item], warns + w


# ------------------------------------------------------------------------ the page's call


def prepare(
    x: Any, targets: Any, layers: Sequence[LayerSpec | Mapping[str, Any]], loss: str, dtype: str
) -> tuple[Network, list[Params], np.ndarray, np.ndarray]:
    """The built network, its parameters, ``x`` and the targets (rows, or class indices for
    a cross-entropy given indices: :func:`app.engine.nn.losses.as_targets`), every shape
    checked."""
    if dtype not in DTYPES:
        raise EngineError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}.", ("dtype",))
    dt = DTYPES[dtype]
    x = finite_array(x, "x", ("x",), dt, private=False)  # read only: no copy of a caller's x
    if x.ndim != 2 or 0 in x.shape:
        raise EngineError(
            f"x must be a non-empty 2-D list (one row per input), got shape {x.shape}.", ("x",)
        )
    net, params = build_network(layers, x.shape[1], loss, dt)
    setter = net.width_setter()
    source = net.describe(len(net.layers) - 1) if setter is None else net.describe(setter)
    width_loc = None if setter is None else ("layers", setter)
    t = as_targets(
        targets, (x.shape[0], net.n_out), loss, dt, source=source, indices=True, width_loc=width_loc
    )
    return net, params, x, t


def passes(
    net: Network, params: Sequence[Params], x: np.ndarray, t: np.ndarray
) -> tuple[float, list[np.ndarray], list[tuple[np.ndarray, Params]], np.ndarray]:
    """The loss, every layer's output, every layer's gradients and the seed gradient ∂L/∂y that
    leaves the loss (the last output's gradient, where the backward pass starts); overflow is an
    error."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        outputs, backs = forward(net, params, x)
        L, loss_backward = net.loss.forward(outputs[-1], t)
        if not math.isfinite(L):
            raise EngineError(
                f"the {net.loss.name} loss overflowed {x.dtype.name} (the outputs are too far "
                "from the targets); use smaller inputs or weights.",
                ("loss",),
            )
        dy, _ = loss_backward(1.0)
        return float(L), outputs, backward(net, backs, dy), dy


def run_network(
    x: Any,
    targets: Any,
    layers: Sequence[LayerSpec | Mapping[str, Any]],
    loss: str,
    *,
    gradcheck: bool = False,
    h: float = 1e-5,
    dtype: str = "float64",
    limits: Limits = DEFAULT_LIMITS,
    include: Collection[str] = cost.PARTS,
    rows: tuple[int, int] | None = None,
    bugs: Mapping[int, str] | None = None,
    loss_bug: str | None = None,
    hidden: bool = False,
) -> dict:
    """Forward pass, loss, backward pass, warnings and (optionally) a gradient check.

    The size of the answer with the parts named in ``include`` (all by default), per-row
    tensors cut to the ``rows`` window when given (the caller cuts them), is estimated from
    the shapes first and refused over ``limits.max_response_bytes``.

    ``bugs`` (``{layer index: bug name}``) and ``loss_bug`` plant bugs of
    :data:`app.engine.nn.bugs.BUGS`: those layers (the loss) run the bug's wrong code, and a
    backward that writes into its input adds a ``wrote_input`` warning (``hidden``: a hunt's,
    without naming the layer). Without them no buggy code runs.

    Shapes: ``x: (N, D)``; each affine layer ``W: (D_in, D_out)``, ``b: (D_out,)`` (``(1, D_out)``
    is accepted); ``targets``: ``(N,)`` class indices or ``(N, C)`` rows (see
    :func:`app.engine.nn.losses.as_targets`). Returns::

        {"loss": float,
         "forward":  [{"index", "type", "output"}],                # output of layer i
         "backward": [{"index", "type", "grad_input", "grads"?}],  # dL/d(input of layer i)
         "params":   [{"index", "W", "b"}],                        # layers with parameters
         "seed":     dL/dy,                     # the loss's gradient: where backward starts
         "gradcheck": None | [{"index", "param", "max_rel_error", "passed", "numeric",
                               "rel_error", "kinks", "at_kink"?}],
         "warnings": [{"code", "msg", "loc"}]}

    ``gradcheck`` lists every parameter of every layer in layer order, then the input
    (``index 0, param "x"``). Numeric gradients are central differences in float64 over every
    entry, each an honest perturbation of one entry on a copy. For the input, no layer mixes the
    rows of a batch, so one pass moves a whole column and reads each row's own loss term
    (:func:`app.engine.nn.gradcheck.numeric_gradient_rows`): 2·D passes instead of 2·N·D. Before
    starting, the cost ``2 * entries * (multiply-adds of one forward pass)`` is compared with
    ``limits.gradcheck_budget``, counting the input as D entries.

    ``dtype="float32"`` runs forward and backward in float32 while the numeric gradient is
    computed in float64 from the same float32 values, so the check shows float32's own error.
    Measured on 200 random stacks (2-6 layers, widths up to 5, every activation, every loss):
    float32 ``max_rel_error`` up to 1.8e-4 (1.1e-5 on entries with ``|grad| > 1e-3``), all passing
    the atol 1e-5 / rtol 1e-3 rule; float64 up to 2.6e-7, the largest values coming from entries
    whose gradient is near the 1e-8 floor of ``rel_error``. Affine layers without ``seed`` use
    seed 0, so a run is reproducible.
    """
    net, params, x, t = prepare(x, targets, layers, loss, dtype)
    planted = bool(bugs) or loss_bug is not None
    cost.refuse_large(
        cost.network_run(*x.shape, layers, gradcheck, include, rows, planted),
        limits.max_response_bytes,
        "the answer",
        "send fewer parts in `include` (`[]`: the loss and the verdicts only), a window of "
        "`rows`, or fewer rows of x.",
        ("include",),
    )
    if planted:
        net = plant(net, params, bugs, loss_bug, hidden)
        if gradcheck:
            _check_planted_cost(net, params, x)
    if gradcheck:
        _check_cost(net, params, x, layers, limits.gradcheck_budget)
    L, outputs, grads, seed = passes(net, params, x, t)
    warns = network_warnings(net, outputs[-1], t) + layer_warnings(net, [x, *outputs])
    warns += planted_warnings(net)
    checks = None
    if gradcheck:
        checks, kink_warnings = gradient_check(net, params, x, t, grads, float(h), outputs)
        warns += kink_warnings
    return {"loss": L, **_tensors(net, outputs, grads, params), "seed": seed} | {
        "gradcheck": checks,
        "warnings": warns,
    }


def _tensors(net: Network, outputs: list, grads: list, params: list[Params]) -> dict:
    """The ``forward``, ``backward`` and ``params`` lists of the response, layer by layer."""
    return {
        "forward": [
            {"index": layer.index, "type": layer.kind, "output": y}
            for layer, y in zip(net.layers, outputs, strict=True)
        ],
        "backward": [
            {"index": layer.index, "type": layer.kind, "grad_input": dx}
            | ({"grads": g} if g else {})
            for layer, (dx, g) in zip(net.layers, grads, strict=True)
        ],
        "params": [{"index": i, **p} for i, p in enumerate(params) if p],
    }
