"""A request's hold on a compute slot, shared by the slots' middleware and the streams."""

import anyio

SLOT = "bpx.compute_slot"  # the scope key under which a gated request finds its :class:`Slot`


class Slot:
    """A request's hold on one compute slot, which a stream lets go of between its lines.

    ``release`` and ``acquire`` are idempotent; the slot is handed over in arrival order (anyio's
    semaphore gives a released slot to its oldest waiter), so a stream that asks again queues
    behind the requests that came while it sent its line.
    """

    __slots__ = ("_slots", "held")

    def __init__(self, slots: anyio.Semaphore) -> None:
        self._slots = slots
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()

    async def acquire(self) -> None:
        if not self.held:
            await self._slots.acquire()
            self.held = True
