"""Backprop Explorer: see and check forward and backward passes of small neural networks."""

__version__ = "0.1.0"
