"""Small adapters the engine tests share."""

import numpy as np

from app.engine.nn.losses import LOSSES, as_targets, get_loss


def loss_forward(name, y, t):
    """``(L, dL/dy)`` of loss ``name`` through its protocol, targets normalised as the network
    does; ``dL/dy`` comes from ``backward(1.0)``, the seed the network uses."""
    loss = get_loss(name)
    y = np.asarray(y, dtype=np.result_type(np.asarray(y).dtype, np.float32))
    rows = as_targets(t, y.shape, name, y.dtype)
    L, backward = loss.forward(y, rows)
    return float(L), lambda: backward(1.0)[0]


__all__ = ["LOSSES", "loss_forward"]
