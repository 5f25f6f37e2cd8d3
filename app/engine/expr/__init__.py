"""A small, safe expression language: parse, evaluate vectorised, differentiate symbolically.

``parse("x1**2 + sin(x2)", ("x1", "x2"))`` gives an :class:`Expression`: call it on arrays, take
``.diff("x1")``, ``.latex()``, ``.explain_nonfinite(...)``. Each function of the language is one
row of :mod:`app.engine.expr.table`; :mod:`app.engine.expr.graph` builds the computational graph
of an expression or a small program.

Modules: ``table`` (the functions), ``nodes`` (trees and the one evaluation step), ``parser`` (the
allow-list), ``calculus`` (derivatives), ``printing`` (text, LaTeX), ``compile`` (numpy programs,
explanations), ``expression`` (the :class:`Expression` object), ``graph``.
"""

from app.engine.expr.expression import (
    Expression,
    gradient_offsets,
    multi_variables,
    parse,
    variables_for,
)
from app.engine.expr.nodes import Bin, Const, Fn, Neg, Node, Var
from app.engine.expr.table import FUNCTIONS, USER_FUNCTIONS, Function

__all__ = [
    "FUNCTIONS",
    "USER_FUNCTIONS",
    "Bin",
    "Const",
    "Expression",
    "Fn",
    "Function",
    "Neg",
    "Node",
    "Var",
    "gradient_offsets",
    "multi_variables",
    "parse",
    "variables_for",
]
