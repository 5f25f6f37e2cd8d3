"""Layers, losses, the network that folds them, and the gradient check: pure numpy.

How to add a layer kind: one class with ``build`` and ``forward`` in :mod:`.layers` (or its own
module) and one :class:`.layers.LayerKind` record in :data:`.layers.LAYER_KINDS`; a loss: one
:class:`.losses.Loss` record in :data:`.losses.LOSSES` (docs/EXTENDING.md). The network, the
gradient check and training fold the protocol of :mod:`.protocol` and need no change.
"""
