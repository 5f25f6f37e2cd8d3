"""The training step: one forward-backward fold over the layer records, fused where a record
allows it, into buffers that every step reuses.

:func:`make_step` builds, once per run, a *stage* for every layer and returns
``step(x, t) -> y``: the forward pass over the stages, the loss's gradient, the backward pass
in reverse, with every parameter gradient written into its view of one flat vector ``g`` (laid
out as :class:`~app.engine.nn.train.Layout`), so the optimizer updates all of them at once. It
returns the network's output, from which the caller reads the loss (the training loop: once per
epoch, :func:`first_divergence`).

A stage is the layer's own protocol (``layer.forward(x, p) -> (y, backward)``, its gradients
copied into ``g``), except where the record says what the layer is and the fused stage does the
record's very operations with less around them:

- a layer whose kind's record steps as ``"affine"`` (``y = xW + b``): ``dW`` and ``db`` are
  computed straight into ``g`` (``out=``), and the first layer computes no ``dx``;
- an ``"elementwise"`` layer with an activation record: the record's ``f`` and ``f'`` called
  as the layer calls them, without building its backward closure;
- the loss: its record's ``step_grad`` (the gradient alone, the same bits as ``grad``) instead
  of ``forward``'s row terms and gradient.

A step built with ``fuse=False`` is the plain protocol throughout; the tests compare the two
bit for bit. Nothing here writes into the caller's arrays: only into ``g`` and into arrays the
step allocated itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from app.engine.nn.layers import LAYER_KINDS
from app.engine.nn.losses import Loss
from app.engine.nn.network import Network
from app.engine.nn.protocol import Backward, Layer, Params

Step = Callable[[np.ndarray, np.ndarray], np.ndarray]

_sum = np.add.reduce


class _Protocol:
    """Any layer through its record's protocol; the gradients copied into their views of g.
    A layer that keeps running statistics (batchnorm) updates them from each batch's input."""

    __slots__ = ("back", "grads", "layer", "p", "stats")

    def __init__(self, layer: Layer, p: Params, grads: Mapping[str, np.ndarray], stats: bool):
        self.layer, self.p, self.grads, self.stats = layer, p, tuple(grads.items()), stats
        self.back: Backward | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self.back = self.layer.forward(x, self.p)
        if self.stats:  # the running statistics from this batch's input
            self.p.update(self.layer.updated(x, self.p))  # type: ignore[attr-defined]
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx, grads = self.back(dy)  # type: ignore[misc]
        for name, out in self.grads:
            out[...] = grads[name]
        return dx


class _Affine:
    """``y = xW + b`` as the affine record computes it (``x.dot(W)``, then ``+= b``); backward
    ``dW = xᵀdy`` and ``db = Σ_n dy`` into their views of g, ``dx = dy Wᵀ`` unless first."""

    __slots__ = ("W", "WT", "b", "gW", "gb", "need_dx", "x")

    def __init__(self, p: Params, grads: Mapping[str, np.ndarray], need_dx: bool):
        self.W, self.b, self.WT = p["W"], p["b"], p["W"].T  # views of theta: updates show
        self.gW, self.gb, self.need_dx = grads["W"], grads["b"], need_dx
        self.x = self.W  # set by each forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        y = x.dot(self.W)
        y += self.b
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        self.x.T.dot(dy, self.gW)  # dL/dW = xᵀ dy (the method: no dispatch of np.dot)
        _sum(dy, 0, None, self.gb)  # dL/db: the rows added in order, as col_sum
        return dy.dot(self.WT) if self.need_dx else None  # dL/dx = dy Wᵀ


class _Elementwise:
    """An activation layer through its record's ``fn`` and ``f'`` (from ``y`` where the record
    gives ``dfy``), as the layer's own forward and backward call them, without their closure."""

    __slots__ = ("alpha", "dfn", "dfy", "fn", "x", "y")

    def __init__(self, layer: Layer):
        act, self.alpha = layer.act, layer.alpha  # type: ignore[attr-defined]
        self.fn, self.dfn, self.dfy = act.fn, act.dfn, act.dfy
        self.x = self.y = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x, self.y = x, self.fn(x, self.alpha)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        d = self.dfn(self.x, self.alpha) if self.dfy is None else self.dfy(self.y, self.alpha)
        if d.dtype == bool:  # a 0/1 mask (relu) multiplies as it is
            return dy * d
        if d.dtype != dy.dtype:
            d = d.astype(dy.dtype)  # e.g. a where() of float64 constants
        return np.multiply(dy, d, d)  # dy * f'(x), into the fresh d


def _fusable_affine(layer: Layer, p: Params, grads: Mapping[str, np.ndarray]) -> bool:
    """The record steps as an affine map, and its trained tensors are a 2-D W and a 1-D b."""
    kind = LAYER_KINDS.get(layer.kind)
    if kind is None or kind.step != "affine" or set(grads) != {"W", "b"}:
        return False
    W, b = p["W"], p["b"]
    return W.ndim == 2 and b.ndim == 1 and W.dtype == b.dtype == np.float64


def _fusable_elementwise(layer: Layer) -> bool:
    """The record steps entry by entry with an activation record whose f keeps float64."""
    kind, act = LAYER_KINDS.get(layer.kind), getattr(layer, "act", None)
    if kind is None or kind.step != "elementwise" or act is None:
        return False
    probe = act.fn(np.zeros((1, 1)), layer.alpha)  # type: ignore[attr-defined]
    return probe.dtype == np.float64


def make_step(
    net: Network,
    params: Sequence[Params],
    grads: Sequence[Mapping[str, np.ndarray]],
    stats: Sequence[int] = (),
    fuse: bool = True,
) -> Step:
    """``step(x, t) -> y``: one forward-backward pass of the batch ``x`` with target rows ``t``
    that leaves dL/dθ in ``grads`` (per layer, name -> the view of g it is written into) and
    returns the network's output. ``params`` are the layers' parameters (views of θ, which the
    optimizer updates in place, and buffers); ``stats`` the layers that keep running
    statistics."""
    stages: list = []
    for layer, p, g in zip(net.layers, params, grads, strict=True):
        first = not stages
        if fuse and layer.index not in stats and _fusable_affine(layer, p, g):
            stages.append(_Affine(p, g, need_dx=not first))
        elif fuse and _fusable_elementwise(layer):
            stages.append(_Elementwise(layer))
        else:
            stages.append(_Protocol(layer, p, g, layer.index in stats))
    forwards = tuple(s.forward for s in stages)
    backwards = tuple(s.backward for s in reversed(stages))
    loss: Loss = net.loss
    grad = loss.step_grad if fuse and loss.step_grad is not None else _protocol_grad(loss)

    def step(x: np.ndarray, t: np.ndarray) -> np.ndarray:
        for forward in forwards:
            x = forward(x)
        dy = grad(x, t)
        for backward in backwards:
            dy = backward(dy)
        return x

    return step


def _protocol_grad(loss: Loss) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def grad(y: np.ndarray, t: np.ndarray) -> np.ndarray:
        return loss.forward(y, t)[1](1.0)[0]

    return grad


def first_divergence(
    loss: Loss, outputs: Sequence[np.ndarray], t: np.ndarray, batch: int, threshold: float
) -> tuple[int, float] | None:
    """The first step (counted from 0) among ``outputs`` (one network output per step, in
    order, the targets ``t`` in the same row order) whose loss is above ``threshold`` or not a
    number, with that loss; None when there is none. One pass over every row at once: a step's
    loss is the mean of its rows' terms, at most their maximum, so only a run whose largest
    term comes near the threshold (or is NaN) computes the steps' losses one by one, exactly as
    :meth:`Loss.forward` does."""
    if not outputs:
        return None
    y = outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
    rows = loss.rows(y, t[: len(y)])
    if np.maximum.reduce(rows, axis=None) <= threshold * (1 - 1e-9):  # NaN fails it
        return None
    for k, i in enumerate(range(0, len(rows), batch)):
        r = rows[i : i + batch]
        mean = np.add.reduce(r, axis=-1) / r.shape[-1]  # as Loss.forward computes L
        if not mean <= threshold:
            return k, float(mean)
    return None
