"""Where a route's work runs: on the event loop when it is known to be tiny, else in the pool.

A hop to anyio's worker thread and back costs the loop more than a 2×2 network run costs the engine
(bench/api_load.py with py-spy: the queue wake-up alone was 21% of the server's time, the engine
about 6%), and gains nothing for such work: small numpy calls hold the GIL, so the loop would wait
for the worker anyway. Work whose estimate (:mod:`app.engine.cost`, from the request's declared
shapes, before anything is computed) is at most ``BPX_INLINE_US`` microseconds therefore runs
inline; everything else goes to the thread pool, where BLAS releases the GIL and the loop keeps
answering (the compute slots of :class:`app.middleware.ComputeSlotsMiddleware` bound both kinds
alike).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from app.engine import cost
from app.schemas import DerivativeRequest, NetworkRequest

T = TypeVar("T")

_INLINE: ContextVar[float] = ContextVar("bpx_inline_us", default=cost.INLINE_US)


@contextmanager
def inline_in_force(us: float) -> Iterator[None]:
    """Run work estimated at up to ``us`` microseconds inline inside the ``with`` block."""
    token = _INLINE.set(us)
    try:
        yield
    finally:
        _INLINE.reset(token)


async def run_sized(estimate_us: float, work: Callable[[], T]) -> T:
    """``work()``, inline when ``estimate_us`` is within the app's ``inline_us``, else in the
    thread pool (the limits in force are copied into the worker's context either way)."""
    if estimate_us <= _INLINE.get():
        return work()
    return await run_in_threadpool(work)


def network_us(body: NetworkRequest) -> float:
    """About how long ``/network/run`` computes and renders ``body``, from its shapes."""
    n, width = len(body.x), len(body.x[0]) if body.x else 0
    specs = [layer.spec() for layer in body.layers]
    planted = bool(body.challenge or body.loss_bug or any(layer.bug for layer in body.layers))
    rows = body.window()
    return cost.network_run(n, width, specs, body.gradcheck, body.include, rows, planted).us


def derivative_us(body: DerivativeRequest) -> float:
    """About how long ``/numdiff/derivative`` computes and renders ``body``."""
    return cost.derivative(len(body.expr), body.num).us


def backward_exercise_us(net: NetworkRequest, answer: str) -> float:
    """``/exercises/backward``: the network's run (without its check) and the answer's parse."""
    return network_us(net) + cost.EXPR_CHAR_US * len(answer)
