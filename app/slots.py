"""A request's hold on a compute slot, shared by the slots' middleware and the training streams."""

import anyio

SLOT = "bpx.compute_slot"  # the scope key under which a gated request finds its :class:`Slot`


class Slot:
    """A request's hold on one compute slot, which a training stream lets go of once validated.

    ``release`` is idempotent: the middleware releases the slot when the response is sent, and a
    stream (:mod:`app.trainers`) releases it as soon as its work has moved to a process of its
    own, so an open stream does not keep other requests out.
    """

    __slots__ = ("_slots", "held")

    def __init__(self, slots: anyio.Semaphore) -> None:
        self._slots = slots
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()
