"""Pure numpy engine: layers, losses, stacks, gradient checks, expressions (``expr``),
numerical calculus, optimizers.

Nothing in this package imports web code, and nothing keeps state between calls.
"""
