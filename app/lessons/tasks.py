"""The kinds of task a lesson step may set: one record per kind, the fields its exercise takes.

A task is the learner's question in the step (``prompt``) plus the fields the kind's exercise
endpoint takes, except the learner's own answer (and ``attempt``/``reveal``, which the page adds):

============  ===================================  ===========================================
kind          judged by                            fields (``*`` required)
============  ===================================  ===========================================
graph_node    ``POST /api/v1/graph/check``         expr*, values*, node*, quantity*, input, expand
backward      ``POST /api/v1/exercises/backward``  network*, target*
hunt          ``POST /api/v1/exercises/hunt``      seed*, level*
slope         ``POST /api/v1/exercises/predict``   expr*, x0*
best_h        ``POST /api/v1/exercises/predict``   expr*, x0*, method
sketch        ``POST /api/v1/exercises/predict``   activation*
number        ``POST /api/v1/graph/check``         expr*, x0*
============  ===================================  ===========================================

A ``number`` task asks for the value of ``expr`` at ``x = x0`` (e.g. ``sigmoid(x)*(1 -
sigmoid(x))`` at 0): the page judges it as the ``value`` of the last node of the one-line
program ``f = <expr>`` with ``values: {"x": x0}``, so the truth is computed by the engine, never
written into the lesson.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from app.engine.errors import EngineError
from app.engine.expr import parse

Check = Callable[[object], str | None]  # why a value is wrong, or None


def _text(v: object) -> str | None:
    return None if isinstance(v, str) and v.strip() else "must be non-empty text"


def _function(v: object) -> str | None:
    """A typed function of x, as the derivative page and the predictions take it."""
    if _text(v):
        return _text(v)
    try:
        parse(str(v), ("x",))
    except EngineError as e:
        return f"is not a function of x: {e.msg}"
    return None


def _number(v: object) -> str | None:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    return None if ok else "must be a finite number"


def _whole(lo: int, hi: int) -> Check:
    def check(v: object) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi
        return None if ok else f"must be a whole number from {lo} to {hi}"

    return check


def _one_of(*words: str) -> Check:
    return lambda v: None if v in words else f"must be one of {', '.join(words)}"


def _bool(v: object) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _object(v: object) -> str | None:
    return None if isinstance(v, dict) else "must be a JSON object"


def _values(v: object) -> str | None:
    if not isinstance(v, dict) or not all(
        isinstance(k, str) and _number(x) is None for k, x in v.items()
    ):
        return 'must be an object of numbers such as {"x": -2, "y": 5}'
    return None


def _target(v: object) -> str | None:
    if not isinstance(v, dict) or not isinstance(v.get("tensor"), str):
        return 'must be an object such as {"index": 0, "tensor": "W"}'
    index = v.get("index")
    if index is not None and _whole(0, 10_000)(index):
        return "must have an index that is a whole number or null"
    return None


@dataclass(frozen=True)
class TaskKind:
    """One kind of task: the endpoint that judges it and the fields it takes."""

    name: str
    endpoint: str
    required: Mapping[str, Check]
    optional: Mapping[str, Check]


_LIST = [
    TaskKind(
        "graph_node",
        "/api/v1/graph/check",
        {
            "expr": _text,
            "values": _values,
            "node": _whole(0, 10_000),
            "quantity": _one_of("grad", "value", "local"),
        },
        {"input": _whole(0, 100), "expand": _bool},
    ),
    TaskKind("backward", "/api/v1/exercises/backward", {"network": _object, "target": _target}, {}),
    TaskKind(
        "hunt", "/api/v1/exercises/hunt", {"seed": _whole(0, 2**53 - 1), "level": _whole(1, 10)}, {}
    ),
    TaskKind("slope", "/api/v1/exercises/predict", {"expr": _function, "x0": _number}, {}),
    TaskKind(
        "best_h",
        "/api/v1/exercises/predict",
        {"expr": _function, "x0": _number},
        {"method": _one_of("central", "forward")},
    ),
    TaskKind("sketch", "/api/v1/exercises/predict", {"activation": _text}, {}),
    TaskKind("number", "/api/v1/graph/check", {"expr": _function, "x0": _number}, {}),
]
TASK_KINDS: dict[str, TaskKind] = {k.name: k for k in _LIST}


def check_task(task: object) -> str | None:
    """Why a task (the parsed JSON of a step's task block) is not one the lessons can set."""
    if not isinstance(task, dict):
        return "a task must be a JSON object with a kind and a prompt"
    kind = TASK_KINDS.get(task.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        return f"unknown task kind {str(task.get('kind'))[:40]!r} (kinds: {', '.join(TASK_KINDS)})"
    if _text(task.get("prompt")):
        return f"a {kind.name} task needs a prompt: the question in words"
    for name, check in kind.required.items():
        if name not in task:
            return f"a {kind.name} task needs the field {name!r}"
        why = check(task[name])
        if why:
            return f"the {kind.name} task's {name!r} {why}"
    for name, value in task.items():
        if name in ("kind", "prompt") or name in kind.required:
            continue
        if name not in kind.optional:
            fields = ", ".join([*kind.required, *kind.optional])
            return f"a {kind.name} task does not take the field {name[:40]!r} (it takes {fields})"
        why = kind.optional[name](value)
        if why:
            return f"the {kind.name} task's {name!r} {why}"
    if kind.name == "number":
        with np.errstate(all="ignore"):
            value = parse(task["expr"], ("x",))(np.array([float(task["x0"])]))[0]
        if not np.isfinite(value):
            return "the number task's expr has no finite value at x0"
    return None
