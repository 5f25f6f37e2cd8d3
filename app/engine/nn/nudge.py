"""The first-order check made visible: nudge one parameter entry and compare the loss's actual
change with what the gradient predicts.

For a parameter entry :math:`w` with analytic gradient :math:`g = \\partial L / \\partial w`,
moving it by :math:`\\Delta` changes the loss by

.. math:: \\Delta L = L(w + \\Delta) - L(w) = g\\,\\Delta + \\tfrac12 L''\\,\\Delta^2 + O(\\Delta^3)

so where the loss is smooth the gap :math:`|\\Delta L - g\\Delta|` shrinks like
:math:`\\Delta^2` (a slope of 2 on log axes). Where a nudge moves a relu-like input across its
kink, the gap shrinks only like :math:`\\Delta`, and that is said, nudge by nudge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.engine.errors import EngineError, warning
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.nn.bugs import plant
from app.engine.nn.layers import LayerSpec
from app.engine.nn.network import CHUNK_ELEMENTS, Perturbed, passes, prepare


def _target(net, params, x, index: int, param: str, entry: Sequence[int]) -> tuple[str, tuple]:
    """Check that ``(index, param, entry)`` names one entry; return its description and index."""
    if param == "x":
        shape, what = x.shape, "the input x"
    else:
        if not 0 <= index < len(net.layers):
            raise EngineError(
                f"there is no layer {index}; the stack has layers 0 to {len(net.layers) - 1}.",
                ("index",),
            )
        if param not in params[index]:
            names = ", ".join(params[index]) or "none"
            raise EngineError(
                f"{net.describe(index)} has no parameter {param!r} (its parameters: {names}).",
                ("param",),
            )
        if param in getattr(net.layers[index], "buffers", ()):
            raise EngineError(
                f"{net.describe(index)} {param} is a running statistic, carried but not trained: "
                "the loss has no gradient with respect to it to compare; nudge another parameter.",
                ("param",),
            )
        shape, what = params[index][param].shape, f"{net.describe(index)} {param}"
    entry = tuple(int(i) for i in entry)
    if len(entry) != len(shape) or not all(0 <= i < n for i, n in zip(entry, shape, strict=True)):
        raise EngineError(
            f"entry {list(entry)} is outside {what}, whose shape is {list(shape)}.", ("entry",)
        )
    return what, entry


def _nudged(run: Perturbed, index: int, param: str, entry: tuple, d: np.ndarray):
    """``L(w + d_k) - L(w)`` for every nudge, in chunks of bounded size, and whether each
    moved some kinked layer's input across its kink (its marks differ from the unmoved pass)."""
    start = 0 if param == "x" else index
    base = run.inputs[0] if param == "x" else run.params[index][param]
    unmoved = None if param == "x" else run.params[index]  # the same marks as the nudged runs
    rows0, marks0 = run.rows_from(start, run.inputs[start], unmoved)
    L0 = float(rows0.mean())
    width = max(a.shape[-1] for a in run.inputs)
    step = max(1, CHUNK_ELEMENTS // max(run.inputs[0].shape[0] * width, base.size))
    actual, crossed = np.empty(d.size), np.zeros(d.size, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for lo in range(0, d.size, step):
            dk = d[lo : lo + step]
            copies = np.broadcast_to(base, (dk.size, *base.shape)).copy()
            copies[(slice(None), *entry)] += dk  # copy k: the entry moved by d_k
            if param == "x":
                rows, marks = run.rows_from(0, copies)
            else:
                moved = {**run.params[index], param: copies}
                rows, marks = run.rows_from(index, run.inputs[index], moved)
            actual[lo : lo + dk.size] = rows.mean(axis=-1) - L0
            for m, m0 in zip(marks, marks0, strict=True):
                crossed[lo : lo + dk.size] |= (m != m0).reshape(dk.size, -1).any(axis=-1)
    return actual, crossed


def nudge(
    x: Any,
    targets: Any,
    layers: Sequence[LayerSpec | Mapping[str, Any]],
    loss: str,
    *,
    index: int,
    param: str,
    entry: Sequence[int],
    deltas: Sequence[float],
    dtype: str = "float64",
    limits: Limits = DEFAULT_LIMITS,
    bugs: Mapping[int, str] | None = None,
    loss_bug: str | None = None,
    hidden: bool = False,
) -> dict:
    """Actual :math:`\\Delta L` against the prediction :math:`g\\Delta` for each nudge.

    ``param`` is a parameter name of layer ``index`` ("W", "b", "gamma", ...) or "x" for the
    input (then ``index`` is ignored); ``entry`` its position, e.g. ``[0, 1]``. The nudged
    forward passes run in float64 from the values the pass used, batched over a leading axis
    through the layers' own forward, starting at the nudged layer. Returns ``loss``, ``grad``
    (:math:`g`), ``deltas``, ``actual``, ``predicted``, ``gap``, ``crossed_kink`` (per nudge:
    did it move some relu-like input across its kink), ``order`` (the fitted slope of log gap
    against log :math:`|\\Delta|` over the smooth nudges; about 2 where L is smooth) and
    ``warnings``. ``bugs``, ``loss_bug`` and ``hidden`` plant bugs as in
    :func:`app.engine.nn.network.run_network` (a bug hunt's nudge).
    """
    net, params, x, t = prepare(x, targets, layers, loss, dtype)
    if bugs or loss_bug is not None:
        net = plant(net, params, bugs, loss_bug, hidden)
    d = np.asarray(deltas, dtype=np.float64)
    cost = d.size * net.forward_cost(x.shape[0])
    if cost > limits.gradcheck_budget:
        raise EngineError(
            f"{d.size} nudged passes of about {net.forward_cost(x.shape[0]):,} multiply-adds "
            f"each exceed the limit of {limits.gradcheck_budget:.2g}; nudge fewer times or "
            "use a smaller network or batch.",
            ("deltas",),
        )
    what, entry = _target(net, params, x, index, param, entry)
    L, _, grads, _ = passes(net, params, x, t)
    g = float((grads[0][0] if param == "x" else grads[index][1][param])[entry])
    actual, crossed = _nudged(Perturbed.of(net, params, x, t), index, param, entry, d)
    if not np.isfinite(actual).all():
        raise EngineError("a nudged forward pass overflowed; use smaller nudges.", ("deltas",))
    predicted = g * d
    gap = np.abs(actual - predicted)
    return {"loss": L, "grad": g, "deltas": d, "actual": actual, "predicted": predicted} | {
        "gap": gap,
        "crossed_kink": crossed,
        "order": _order(d, gap, crossed),
        "warnings": _kink_warnings(crossed, f"{what}{list(entry)}"),
    }


def _order(d: np.ndarray, gap: np.ndarray, crossed: np.ndarray) -> float | None:
    """The slope of log gap against log |d| over the nudges that crossed no kink (2 if smooth)."""
    smooth = ~crossed & (gap > 0) & (d != 0)
    if smooth.sum() < 2:
        return None
    return float(np.polyfit(np.log(np.abs(d[smooth])), np.log(gap[smooth]), 1)[0])


def _kink_warnings(crossed: np.ndarray, what: str) -> list[dict]:
    if not crossed.any():
        return []
    msg = (
        f"{int(crossed.sum())} of {crossed.size} nudges of {what} move an input of a relu-like "
        "layer across its kink: there the loss is not smooth, so the gap between the actual "
        "change and the gradient's prediction shrinks only like Δ, not Δ²."
    )
    return [warning("nudge_crosses_kink", msg, ("entry",))]
