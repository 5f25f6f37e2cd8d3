"""The one protocol every layer and loss answers; the network, the gradient check and the
training loop fold it without asking what kind of layer they hold.

- A layer: ``forward(x, p) -> (y, backward)``, ``backward(dy) -> (dx, grads)`` where ``p`` and
  ``grads`` map parameter names to arrays (``{}`` for a layer without parameters).
- A loss: ``forward(y, t) -> (L, backward)`` with the same ``backward``, seeded with ``dL = 1``:
  ``backward(1.0) -> (dL/dy, {})``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

Params = dict[str, np.ndarray]
Backward = Callable[[np.ndarray], tuple[np.ndarray, Params]]


class Layer(Protocol):
    """What the network, the gradient check and the training loop fold over."""

    index: int
    kind: str
    n_in: int
    n_out: int
    keeps_finite: bool  # finite input (and dy) give finite output (and dx): no overflow check

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        """``(y, backward)`` for ``x: (..., N, n_in)``; ``backward(dy) -> (dx, grads)``."""
        ...

    def regions(self, x: np.ndarray) -> np.ndarray | None:
        """Which side of each kink every input lies on, or None for a smooth layer."""
        ...

    def macs(self, N: int) -> int:
        """Multiply-adds of one forward pass of N rows."""
        ...
