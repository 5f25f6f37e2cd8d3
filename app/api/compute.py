"""Where a route's work runs: on the event loop when it is known to be tiny, else in the pool.

A hop to anyio's worker thread and back costs the loop more than a 2×2 network run costs the engine
(bench/api_load.py with py-spy: the queue wake-up alone was 21% of the server's time, the engine
about 6%), and gains nothing for such work: small numpy calls hold the GIL, so the loop would wait
for the worker anyway. Work whose estimate (from the request's declared shapes, before anything is
computed) is at most ``BPX_INLINE_US`` microseconds therefore runs inline; everything else goes to
the thread pool, where BLAS releases the GIL and the loop keeps answering (the compute slots of
:class:`app.middleware.ComputeSlotsMiddleware` bound both kinds alike).

The estimates are rough upper bounds calibrated in process on the development machine (numpy
2.4.6, AMD EPYC): a 2×2 run 100 µs, with its gradient check 310 µs; a 1001-point derivative of a
28-character expression 330 µs, plus 170 µs to render its 70 KB.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from app.schemas import DerivativeRequest, NetworkRequest

T = TypeVar("T")

INLINE_US = 1000.0  # the default of BPX_INLINE_US
_INLINE: ContextVar[float] = ContextVar("bpx_inline_us", default=INLINE_US)


@contextmanager
def inline_in_force(us: float) -> Iterator[None]:
    """Run work estimated at up to ``us`` microseconds inline inside the ``with`` block."""
    token = _INLINE.set(us)
    try:
        yield
    finally:
        _INLINE.reset(token)


# Microseconds, calibrated as the module docstring says.
CALL_US = 60.0  # a request's fixed cost in the engine
LAYER_US = 25.0  # a layer's forward and backward in Python and numpy overhead
CHECK_PASS_US = 35.0  # one chunked perturbed pass through one layer, in the gradient check
NUMBER_US = 0.01  # an entry computed by an elementwise pass, forward or backward
MAC_US = 0.002  # a multiply-add of an affine layer
RENDER_US = 0.06  # a number written as JSON
EXPR_CHAR_US = 7.0  # a character of an expression: parsing, symbolic derivative, LaTeX
EXPR_POINT_US = 0.0025  # one curve point per character of the expression


async def run_sized(estimate_us: float, work: Callable[[], T]) -> T:
    """``work()``, inline when ``estimate_us`` is within the app's ``inline_us``, else in the
    thread pool (the limits in force are copied into the worker's context either way)."""
    if estimate_us <= _INLINE.get():
        return work()
    return await run_in_threadpool(work)


def network_us(body: NetworkRequest) -> float:
    """About how long ``/network/run`` computes and renders ``body``, from its shapes."""
    n, width = len(body.x), len(body.x[0]) if body.x else 0
    numbers = n * width  # entries of x: parsed, checked, echoed back in backward
    macs = 0
    arrays = [width]  # entries of every array the gradient check perturbs: x, then parameters
    starts = [0]  # the layer each of them enters at
    for i, layer in enumerate(body.layers):
        if layer.type == "affine":
            out = layer.out if layer.W is None else len(layer.W[0]) if layer.W else 0
            macs += 3 * n * width * out  # x W, dy Wᵀ, xᵀ dy
            arrays.append(width * out + out)
            starts.append(i)
            width = out
        numbers += n * width
    layers = len(body.layers) + 1  # the loss is a layer here
    us = CALL_US + layers * LAYER_US + macs * MAC_US + numbers * (4 * NUMBER_US + RENDER_US)
    if body.gradcheck:
        passes = sum(layers - s for s in starts)  # each array runs layers start.. and the loss
        entries = sum(arrays)
        us += CHECK_PASS_US * passes + entries * (macs * MAC_US + numbers * NUMBER_US) * 2
        if body.challenge or body.loss_bug or any(layer.bug for layer in body.layers):
            us += 2 * (entries + n * len(body.x[0])) * LAYER_US  # a bug's code: a copy per call
    return us


def derivative_us(body: DerivativeRequest) -> float:
    """About how long ``/numdiff/derivative`` computes and renders ``body``."""
    chars = len(body.expr)
    return CALL_US + chars * (EXPR_CHAR_US + EXPR_POINT_US * body.num) + 3 * body.num * RENDER_US
