"""Every size limit of the service as one immutable object, made once per app from the settings.

The schemas bound what a request may ask for with these numbers; the engine takes the same object
for what only it can measure (expression size, the gradient check's work). Nothing here reads the
environment: :meth:`app.config.Settings.limits` builds the object.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """The limits in force; the defaults are the REST contract's (the README's "Configuration"
    table)."""

    max_batch: int = 1024  # rows of network input
    max_side: int = 256  # every other matrix side (widths, vectors)
    max_layers: int = 32  # items in `layers` (16 affine layers, each followed by an activation)
    max_points: int = 10_001  # points of a curve or grid
    max_steps: int = 10_000  # gradient-descent steps
    max_epochs: int = 100_000  # epochs of one training request
    max_train_seconds: float = 60.0  # wall time of one training request (then reason time_limit)
    max_train_points: int = 5000  # points of a training data set (generated or CSV rows)
    max_grid: int = 100  # side of the decision-boundary grid
    max_expr_chars: int = 256  # characters of a typed expression
    max_expr_nodes: int = 200  # syntax-tree nodes of an expression
    max_expr_depth: int = 32  # nesting depth of an expression
    max_variables: int = 5  # variables x1..xn of a typed function
    max_graph_lines: int = 32  # statements of a program for the computational graph
    max_graph_chars: int = 1024  # characters of such a program
    max_graph_nodes: int = 200  # nodes of its graph (after expanding composites)
    gradcheck_budget: float = 2e9  # multiply-adds a gradient check may spend
    # Bytes of one answer or one line of a stream, and of the arrays computed for it, each
    # estimated from the shapes (app.engine.cost): with every compute slot busy on the largest,
    # a worker stays well inside a 512 MiB limit (bench/heaviest.py measures it).
    max_response_bytes: int = 16 * 2**20
    max_stream_bytes: int = 64 * 2**20  # bytes of one training stream (then reason size_limit)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names of every limit, in declaration order."""
        return tuple(f.name for f in fields(cls))


DEFAULT_LIMITS = Limits()
