"""Pure numpy engine: layers, losses, stacks, gradient checks, expressions, numerical calculus.

Nothing in this package imports web code, and nothing keeps state between calls.
"""
