"""A small, safe language of array expressions, for answers such as ``x.T @ dy``.

:func:`parse_answer` checks an answer against an allow-list over Python's ``ast`` and infers every
intermediate's shape, size and cost before anything is computed; the :class:`ArrayProgram` it
returns is then called on the named arrays. Used by the backward-pass exercise
(:mod:`app.engine.exercises.backward`).
"""

from app.engine.arrayexpr.parser import FUNCTION_NAMES, ArrayProgram, parse_answer, shape_text

__all__ = ["FUNCTION_NAMES", "ArrayProgram", "parse_answer", "shape_text"]
