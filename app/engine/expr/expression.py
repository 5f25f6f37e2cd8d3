"""A checked, compiled expression: call it vectorised, differentiate it, print it, explain it.

Evaluation runs under ``np.errstate(all="ignore")``: overflow, division by zero and invalid
operations give ``inf``/``nan`` in the result, which callers count or report;
:meth:`Expression.explain_nonfinite` says which piece produced the first non-finite value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.engine.errors import EngineError
from app.engine.expr.calculus import derivative
from app.engine.expr.compile import Compiled, compile_tree, explain_nonfinite
from app.engine.expr.nodes import Node
from app.engine.expr.parser import parse_expression
from app.engine.expr.printing import to_latex, to_source
from app.engine.limits import DEFAULT_LIMITS, Limits

__all__ = ["Expression", "gradient_offsets", "multi_variables", "parse", "variables_for"]


def multi_variables(n: int) -> tuple[str, ...]:
    """The variable names of an n-variable endpoint: ``("x1", ..., "xn")``."""
    return tuple(f"x{i}" for i in range(1, n + 1))


def variables_for(n: int) -> tuple[str, ...]:
    """``("x",)`` for a one-variable function, ``("x1", ..., "xn")`` for n >= 2.

    Endpoints that take a point of any length (gradient, descent) use :func:`multi_variables`
    even for n = 1, so that ``x1`` is always accepted there.
    """
    if n < 1:
        raise EngineError("a function needs at least one variable")
    return ("x",) if n == 1 else multi_variables(n)


def gradient_offsets(n: int, h: float) -> np.ndarray:
    """Offsets of the 2n+1 central-difference points, shape (2n+1, n): 0, +h e_i, -h e_i."""
    E = h * np.eye(n)
    return np.concatenate([np.zeros((1, n)), E, -E])


class Expression:
    """An immutable, checked and compiled expression over ``variables``.

    Call it with one array per variable (broadcast together) to get a float64 array.
    """

    __slots__ = ("_f32", "_f64", "_source", "_tree", "_variables")

    def __init__(self, tree: Node, variables: tuple[str, ...], source: str | None = None) -> None:
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "_variables", tuple(variables))
        object.__setattr__(self, "_source", source if source is not None else to_source(tree))
        object.__setattr__(self, "_f64", None)  # compiled on first use (a derivative whose
        object.__setattr__(self, "_f32", None)  # values come from a joint program needs none)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Expression is immutable")

    @property
    def source(self) -> str:
        return self._source

    @property
    def variables(self) -> tuple[str, ...]:
        return self._variables

    @property
    def tree(self) -> Node:
        return self._tree

    def __str__(self) -> str:
        return self._source

    def __repr__(self) -> str:
        return f"Expression({self._source!r}, variables={self._variables!r})"

    def __call__(self, *args: object, dtype: type[np.floating] = np.float64) -> np.ndarray:
        """f(*args) elementwise: ``args`` broadcast together, one per variable, in order.

        Returns an array of ``dtype`` (float64 or float32) with the broadcast shape; non-finite
        values are left in the result.
        """
        if len(args) != len(self._variables):
            raise EngineError(
                f"the function takes {len(self._variables)} input(s) "
                f"({', '.join(self._variables)}), got {len(args)}"
            )
        f = self.evaluator(dtype)
        dt = np.float64 if f is self._f64 else np.float32
        env = tuple(
            a if type(a) is np.ndarray and a.dtype == dt else np.asarray(a, dtype=dt) for a in args
        )
        shapes = {a.shape for a in env}
        shape = shapes.pop() if len(shapes) == 1 else np.broadcast_shapes(*(a.shape for a in env))
        with np.errstate(all="ignore"):
            y = f(env)
        if type(y) is not np.ndarray or y.dtype != dt or y.shape != shape:
            y = np.broadcast_to(np.asarray(y, dtype=dt), shape).copy()
        return y

    def evaluator(self, dtype: type[np.floating] = np.float64) -> Compiled:
        """The raw compiled closure ``env -> f(*env)`` for hot loops.

        No conversion, broadcasting or ``np.errstate``: the caller passes a tuple of arrays of
        ``dtype`` and silences floating-point warnings itself.
        """
        dt = np.dtype(dtype)
        if dt == np.float64:
            if self._f64 is None:  # two threads may both compile it: the same program
                object.__setattr__(self, "_f64", compile_tree(self._tree, self._variables, dt.type))
            return self._f64
        if dt == np.float32:
            if self._f32 is None:  # two threads may both compile it: the same program
                object.__setattr__(self, "_f32", compile_tree(self._tree, self._variables, dt.type))
            return self._f32
        raise EngineError("dtype must be float64 or float32")

    def central_gradient(self, h: float) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
        """``x -> (f(x), ∇f(x))`` by central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h``,
        from ONE call of f on the 2n+1 points of :func:`gradient_offsets`; ``x``: (n,) float64.

        Like :meth:`evaluator`, the returned function leaves ``np.errstate`` to the caller.
        """
        n = len(self._variables)
        D = gradient_offsets(n, h)
        f = self.evaluator(np.float64)

        def value_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
            y = f(tuple((x + D).T))
            if y.shape != (2 * n + 1,):  # a constant function gives a scalar
                y = np.broadcast_to(y, (2 * n + 1,))
            return y[0], (y[1 : n + 1] - y[n + 1 :]) / (2 * h)

        return value_and_gradient

    def diff(self, var: str) -> Expression:
        """The exact derivative with respect to ``var`` (chain rule, lightly simplified)."""
        if var not in self._variables:
            raise EngineError(
                f"cannot differentiate with respect to {var!r}; use one of "
                f"{', '.join(self._variables)}"
            )
        return Expression(derivative(self._tree, var), self._variables)

    def latex(self) -> str:
        """The expression in LaTeX."""
        return to_latex(self._tree)

    def explain_nonfinite(self, *point: float) -> str | None:
        """At a scalar point, names the innermost piece whose value is not finite, or None."""
        env = {v: float(np.float64(p)) for v, p in zip(self._variables, point, strict=True)}
        return explain_nonfinite(self._tree, env)


def parse(source: str, variables: tuple[str, ...], limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Checks ``source`` against the limits and the allow-list and compiles it.

    Raises EngineError (loc ``("expr",)``) naming what is not allowed or which limit is exceeded.
    """
    tree, text = parse_expression(source, tuple(variables), limits)
    return Expression(tree, tuple(variables), text)
