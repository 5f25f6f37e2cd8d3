"""One cost model: what a request will cost, from its shapes alone, before anything runs.

A :class:`Cost` counts a request's work (multiply-adds, entries written by elementwise passes,
layer calls) and the numbers of its answer. The same figures decide everything that bounds a
request:

- a refusal: the answer's size (:meth:`Cost.bytes`) against ``BPX_MAX_RESPONSE_BYTES``
  (:func:`refuse_large`), a gradient check's multiply-adds against ``BPX_GRADCHECK_BUDGET``;
- where the work runs: on the event loop when :meth:`Cost.us` is within ``BPX_INLINE_US``, else in
  the thread pool (``app.api.compute``);
- a training stream's budget: the size of each line and of the whole stream
  (``BPX_MAX_STREAM_BYTES``), and how many optimizer steps pass between two looks at the clock
  and at the client (:func:`steps_between_checks`).

Sizes are upper bounds: a number costs at most ``NUMBER_BYTES`` (the longest float orjson writes,
``-2.2250738585072014e-308``, and its comma), a row its brackets and comma, an item of a list
(a layer, a check) at most ``ITEM_BYTES`` of keys and scalars. ``tests/api/test_cost.py`` holds
the estimates above the real bodies over random request shapes.

The microsecond rates below only choose inline or pool and word a refusal ("about 3 min"); they
were measured in process on the development machine (numpy 2.4.6, AMD EPYC, one BLAS thread):
a 2×2 run 100 µs, a 1001-point derivative of a 28-character expression 330 µs, a float64
multiply-add of a 256-wide affine layer about 2 ns. Other machines differ by a small factor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.engine.errors import EngineError
from app.engine.nn.layers import LAYER_KINDS

NUMBER_BYTES = 25  # the longest float orjson writes, and its comma
FLOAT_BYTES = 8  # a float64 held in memory
PROB_BYTES = 7  # a probability rounded to 4 decimals ("0.1234,")
ROW_BYTES = 3  # a row's brackets and comma
ITEM_BYTES = 256  # keys, type names and scalars of one item of a list
BASE_BYTES = 4096  # a response's scalars, its warnings' sentences

# Microseconds (see the module docstring): the inline-or-pool decision and the wording only.
INLINE_US = 1000.0  # the default of BPX_INLINE_US: work up to this runs on the event loop
CALL_US = 60.0  # a request's fixed cost in the engine
LAYER_US = 25.0  # one layer's call, forward or backward, in Python and numpy overhead
ENTRY_US = 0.01  # one entry written by an elementwise pass
MAC_US = 0.002  # one multiply-add
RENDER_US = 0.06  # one number written as JSON
EXPR_CHAR_US = 7.0  # a character of an expression: parsing, symbolic derivative, LaTeX
EXPR_POINT_US = 0.0025  # one curve point per character of the expression
ELEMENTWISE = 8  # entries an elementwise layer writes per output entry, forward and backward

CHUNK = 1 << 17  # entries of one batched call of the gradient check (network.CHUNK_ELEMENTS)
PARTS = ("forward", "backward", "params", "seed", "gradcheck_arrays")  # /network/run's parts


@dataclass(frozen=True)
class Cost:
    """Work and answer of a request, counted from its shapes."""

    macs: float = 0.0  # multiply-adds
    entries: float = 0.0  # entries written by elementwise passes
    calls: float = 0.0  # layer calls
    numbers: float = 0.0  # numbers in the answer
    extra_bytes: float = BASE_BYTES  # the answer's rows, keys and scalars
    memory: float = 0.0  # bytes of the arrays the work holds at once

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.macs + other.macs,
            self.entries + other.entries,
            self.calls + other.calls,
            self.numbers + other.numbers,
            self.extra_bytes + other.extra_bytes,
            self.memory + other.memory,
        )

    @property
    def bytes(self) -> int:
        """An upper bound on the answer's size in bytes."""
        return int(self.numbers * NUMBER_BYTES + self.extra_bytes)

    @property
    def us(self) -> float:
        """About how many microseconds computing and rendering take here."""
        return (
            CALL_US
            + self.calls * LAYER_US
            + self.macs * MAC_US
            + self.entries * ENTRY_US
            + self.numbers * RENDER_US
        )


def matrix(rows: int, cols: int) -> Cost:
    """The answer's share of one ``rows × cols`` matrix."""
    return Cost(numbers=rows * cols, extra_bytes=rows * ROW_BYTES + ROW_BYTES)


@dataclass(frozen=True)
class LayerShape:
    """What the cost model needs of a layer: its widths, its parameters' shapes, its
    multiply-adds per row."""

    n_in: int
    n_out: int
    params: tuple[tuple[int, ...], ...]
    macs_per_row: int


def _get(spec: Any, key: str, attr: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else getattr(spec, attr, None)


def stack_shapes(width: int, specs: Sequence[Any]) -> list[LayerShape]:
    """The shapes of a layer stack on inputs of ``width`` columns, from its specs (dicts in the
    REST contract's form or :class:`~app.engine.nn.layers.LayerSpec`), nothing allocated: each
    kind's record says its output width, its parameters and its multiply-adds
    (:meth:`app.engine.nn.layers.LayerKind.shapes`).

    Invalid specs get a shape all the same (the network's build refuses them afterwards)."""
    shapes = []
    for spec in specs:
        kind = LAYER_KINDS.get(_get(spec, "type", "type"))
        out, params, macs = width, (), width  # an unknown kind: the build refuses it afterwards
        if kind is not None:
            with contextlib.suppress(TypeError, ValueError, EngineError):  # refused afterwards
                out, params, macs = kind.shapes(
                    kind.spec(spec) if isinstance(spec, Mapping) else spec, width
                )
        shapes.append(LayerShape(width, out, params, macs))
        width = out
    return shapes


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for side in shape:
        n *= side
    return n


def _tensor(shape: tuple[int, ...]) -> Cost:
    return matrix(*shape) if len(shape) == 2 else matrix(1, _size(shape))


def pass_cost(N: int, shapes: Sequence[LayerShape], start: int = 0) -> Cost:
    """One forward pass of ``N`` rows through layers ``start..`` and the loss."""
    tail = shapes[start:]
    macs = sum(s.macs_per_row for s in tail) * N + N * (shapes[-1].n_out if shapes else 0)
    entries = sum(s.n_out for s in tail) * N * ELEMENTWISE / 2
    return Cost(macs=macs, entries=entries, calls=len(tail) + 1, extra_bytes=0)


def gradcheck_macs(
    N: int, D: int, shapes: Sequence[LayerShape], x_entries: int | None = None
) -> int:
    """Multiply-adds the gradient-check budget counts: ``2 · entries · (one forward pass)``,
    the input counted as its ``D`` columns (one pass per column moves every row), or as
    ``x_entries`` when given (a layer that mixes the rows moves one entry at a time)."""
    entries = (D if x_entries is None else x_entries) + sum(
        _size(p) for s in shapes for p in s.params
    )
    return int(2 * entries * pass_cost(N, shapes).macs)


def network_run(
    N: int,
    D: int,
    specs: Sequence[Any],
    gradcheck: bool = False,
    include: Collection[str] = PARTS,
    rows: tuple[int, int] | None = None,
    planted: bool = False,
) -> Cost:
    """``/network/run`` of ``x: (N, D)`` through ``specs``: forward, backward, the gradient
    check when asked, and an answer holding the parts named in ``include`` (of the per-row
    tensors, the ``rows`` window ``[start, stop)`` only, when given). With a ``planted`` bug the
    check runs each perturbed copy on its own (the bug's code is 2-D) and moves every entry of
    ``x`` (a bug may mix the rows)."""
    shapes = stack_shapes(D, specs)
    sent = N if rows is None else max(0, min(rows[1], N) - rows[0])  # rows of per-row tensors
    one = pass_cost(N, shapes)
    cost = Cost(macs=3 * one.macs, entries=2 * one.entries, calls=2 * one.calls)
    # The engine computes every part whatever the answer includes: each layer's output and
    # input gradient, the parameters and their gradients, the check's three arrays per tensor.
    held = N * D + sum(N * (s.n_in + s.n_out) for s in shapes)
    held += 2 * sum(_size(p) for s in shapes for p in s.params)
    if gradcheck:
        held += 3 * (N * D + sum(_size(p) for s in shapes for p in s.params)) + 2 * CHUNK
    cost += Cost(memory=FLOAT_BYTES * held, extra_bytes=0)
    cost += matrix(N, D)  # x, read and checked
    per_layer = Cost(extra_bytes=ITEM_BYTES)
    if "forward" in include:
        for s in shapes:
            cost += matrix(sent, s.n_out) + per_layer
    if "backward" in include:
        for s in shapes:
            cost += matrix(sent, s.n_in) + per_layer
            for p in s.params:
                cost += _tensor(p)
    if "params" in include:
        for s in shapes:
            for p in s.params:
                cost += _tensor(p)
    if "seed" in include and shapes:
        cost += matrix(sent, shapes[-1].n_out)
    if gradcheck:
        # Each entry of a parameter of layer k: two passes from layer k on, each on a copy of
        # the parameter; each column of x: two passes through every layer.
        moved = [((N, D), N * D if planted else D, 0)] + [
            (p, _size(p), k) for k, s in enumerate(shapes) for p in s.params
        ]
        for shape, entries, start in moved:
            one = pass_cost(N, shapes, start)
            batched = 1 + 2 * entries * N * max(D, 1) // CHUNK  # ±h copies in a few calls
            cost += Cost(
                macs=2 * entries * one.macs,
                entries=2 * entries * (one.entries + _size(shape)),
                calls=one.calls * (2 * entries if planted else batched),
                extra_bytes=2 * ITEM_BYTES,  # the check's item and a warning about it
            )
            if "gradcheck_arrays" in include:
                shown = (sent, D) if start == 0 and shape == (N, D) and entries == D else shape
                cost += _tensor(shown) + _tensor(shown) + _tensor(shown)  # numeric, rel, at_kink
    return cost


def derivative(chars: int, num: int) -> Cost:
    """``/numdiff/derivative`` of a ``chars``-character expression on ``num`` points."""
    work_us = chars * (EXPR_CHAR_US + EXPR_POINT_US * num)
    return Cost(entries=work_us / ENTRY_US) + matrix(3, num)


def training_line(tensors: Sequence[tuple[int, ...]], slots: int, resume: bool) -> Cost:
    """One line of a training stream without its boundary: the scalars, a norm per tensor and
    a ratio per weight, and with ``resume`` the parameters and the optimizer's ``slots``."""
    cost = Cost(numbers=2 * len(tensors), extra_bytes=BASE_BYTES)
    if resume:
        for _ in range(1 + slots):
            for shape in tensors:
                cost += _tensor(shape) + Cost(extra_bytes=ITEM_BYTES)
    return cost


def boundary(grid: int, classes: int) -> Cost:
    """A line's decision boundary: the axes and ``grid × grid`` probabilities of each of
    ``classes`` (rounded, so shorter than other numbers); ``classes`` 0: a regression's fitted
    curve of ``grid`` points."""
    if not classes:
        return matrix(2, grid)
    points = grid * grid
    probs = Cost(extra_bytes=points * (classes * PROB_BYTES + ROW_BYTES) + grid * ROW_BYTES)
    return matrix(2, grid) + probs


def training_memory(rows: int, backward: bool, shapes: Sequence[LayerShape], slots: int) -> Cost:
    """The arrays a training run holds at once in its largest pass over ``rows`` rows (a batch
    or the training rows, with a ``backward``; the test rows or the boundary's grid points,
    forward only): every layer's output (a backward closure keeps its input, which is the
    previous output, not a copy), with a backward as much again; and the parameters, their
    gradient, the update and the optimizer's ``slots``."""
    params = sum(_size(p) for s in shapes for p in s.params)
    outputs = sum(s.n_out for s in shapes)
    per_row = (2 if backward else 1) * outputs + (shapes[0].n_in if shapes else 0)
    return Cost(memory=FLOAT_BYTES * (rows * per_row + (4 + slots) * params), extra_bytes=0)


def training_epoch(N: int, batch: int, specs_shapes: Sequence[LayerShape]) -> Cost:
    """One epoch of ``N`` training rows in mini-batches of ``batch``: forward and backward of
    every batch and one optimizer step per batch."""
    steps = -(-N // batch)
    one = pass_cost(N, specs_shapes)
    params = sum(_size(p) for s in specs_shapes for p in s.params)
    return Cost(
        macs=3 * one.macs,
        entries=2 * one.entries + steps * 12 * params,
        calls=steps * (2 * one.calls + 12),
        extra_bytes=0,
    )


def steps_between_checks(step_us: float, every_us: float = 50_000.0) -> int:
    """Optimizer steps between two looks at the clock and at the client: about ``every_us``
    of work (50 ms), never fewer than one step."""
    return max(1, int(every_us // max(step_us, 1.0)))


def refuse_large(cost: Cost, limit: int, what: str, how: str, loc: tuple[str | int, ...]) -> None:
    """EngineError when ``cost``'s answer may exceed ``limit`` bytes of JSON, or its arrays
    ``limit`` bytes of memory, saying how to ask for less (``how``)."""
    if cost.bytes > limit:
        raise EngineError(
            f"{what} would be up to {_mb(cost.bytes)} of JSON, over the limit of {_mb(limit)} "
            f"(BPX_MAX_RESPONSE_BYTES); {how}",
            loc,
        )
    if cost.memory > limit:
        raise EngineError(
            f"the arrays computed for {what} would take about {_mb(cost.memory)}, over the "
            f"limit of {_mb(limit)} (BPX_MAX_RESPONSE_BYTES); {how}",
            loc,
        )


def _mb(n: float) -> str:
    return f"{n / 2**20:.3g} MiB" if n >= 2**20 else f"{n / 1024:.3g} KiB"


def duration(us: float) -> str:
    """``us`` microseconds in words: "40 s", "3.5 min", "2 h"."""
    seconds = us / 1e6
    if seconds < 90:
        return f"{seconds:.2g} s"
    return f"{seconds / 60:.2g} min" if seconds < 5400 else f"{seconds / 3600:.2g} h"
