"""A lesson file: front matter, then steps, each with its text, its page link and maybe a task.

The format (one Markdown file per lesson)::

    ---
    id: chain-rule            (a-z, 0-9 and -, at most 64 characters)
    title: The chain rule on a scalar graph
    summary: One sentence for the list of lessons.
    level: beginner           (beginner, intermediate or advanced)
    minutes: 20               (a whole number from 1 to 600)
    order: 3                  (a number: the list is sorted by it)
    ---

    ## The first step's title            <- a level-2 heading starts a step
    Markdown with $inline$ and $$display$$ TeX.

    page: /graph?expr=q%20%3D%20x%20%2B%20y&values=x:-2,y:5     <- exactly one per step

    ```task                               <- at most one per step: JSON, see app.lessons.tasks
    {"kind": "slope", "prompt": "What is the slope at 1?", "expr": "sin(x)", "x0": 1}
    ```

A ``page:`` line and a ``task`` block are recognised only at the start of a line and outside
other code blocks; everything else in the step is its text. Every problem is reported as a
:class:`LessonError` naming the file and the line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from app.engine.errors import EngineError
from app.lessons.pages import PageState, check_link
from app.lessons.render import render, render_inline
from app.lessons.tasks import check_task

MAX_CHARS = 200_000  # a lesson file's text
MAX_STEPS = 60
LEVELS = ("beginner", "intermediate", "advanced")
FIELDS = ("id", "title", "summary", "level", "minutes", "order")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)")
_PAGE = re.compile(r"^page:\s*(.*?)\s*$")


class LessonError(EngineError):
    """A lesson file that cannot be used: ``source`` (the file) and ``line`` (from 1) say where."""

    def __init__(self, source: str, line: int, msg: str) -> None:
        super().__init__(f"{source}, line {line}: {msg}", loc=("text",))
        self.source = source
        self.line = line
        self.reason = msg


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    html: str
    link: str
    task: dict | None
    line: int

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "html": self.html,
            "link": self.link,
            "task": self.task,
        }


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    level: str
    minutes: int
    order: float
    steps: tuple[Step, ...] = field(default_factory=tuple)
    source: str = ""

    def summary_json(self) -> dict:
        """The lesson as the list shows it: its front matter and how many steps."""
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "level": self.level,
            "minutes": self.minutes,
            "order": self.order,
            "steps": len(self.steps),
        }

    def to_json(self) -> dict:
        return {**self.summary_json(), "steps": [s.to_json() for s in self.steps]}


def _front_matter(lines: list[str], source: str) -> tuple[dict, int]:
    """The front matter's fields and the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        raise LessonError(
            source,
            1,
            "a lesson starts with a front matter: a line ---, the fields id, "
            "title, summary, level, minutes, order as `name: value`, and a line ---",
        )
    meta: dict[str, tuple[str, int]] = {}
    for i in range(1, len(lines)):
        line = lines[i]
        if line.strip() == "---":
            break
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or name not in FIELDS:
            raise LessonError(
                source,
                i + 1,
                f"{line.strip()[:40]!r} is not a front matter field "
                f"(fields: {', '.join(FIELDS)}, each as `name: value`)",
            )
        if name in meta:
            raise LessonError(source, i + 1, f"the field {name!r} is given twice")
        meta[name] = (value.strip(), i + 1)
    else:
        raise LessonError(source, 1, "the front matter is not closed by a line ---")
    end = i + 1
    for name in FIELDS:
        if name not in meta or not meta[name][0]:
            raise LessonError(source, end, f"the front matter has no {name!r}")
    out: dict = {}
    value, line = meta["id"]
    if not _ID.match(value):
        raise LessonError(
            source,
            line,
            f"the id {value[:40]!r} must be 1 to 64 of a-z, 0-9 and -, "
            "starting with a letter or digit",
        )
    out["id"] = value
    for name in ("title", "summary"):
        value, line = meta[name]
        if len(value) > 300:
            raise LessonError(source, line, f"the {name} is longer than 300 characters")
        out[name] = value
    value, line = meta["level"]
    if value not in LEVELS:
        raise LessonError(
            source, line, f"the level {value[:40]!r} must be one of {', '.join(LEVELS)}"
        )
    out["level"] = value
    value, line = meta["minutes"]
    if not value.isdigit() or not 1 <= int(value) <= 600:
        raise LessonError(
            source, line, f"minutes {value[:40]!r} must be a whole number from 1 to 600"
        )
    out["minutes"] = int(value)
    value, line = meta["order"]
    try:
        order = float(value)
    except ValueError:
        order = math.nan
    if not math.isfinite(order):
        raise LessonError(source, line, f"order {value[:40]!r} must be a number")
    out["order"] = int(order) if order == int(order) else order
    return out, end


def _step(
    title: str, body: list[tuple[int, str]], head: int, source: str, pages: Mapping[str, PageState]
) -> Step:
    """One step from its heading's line and its body lines ``(line number, text)``."""
    text: list[str] = []
    link: tuple[str, int] | None = None
    task: dict | None = None
    fence: str | None = None  # the fence of the code block we are in, if any
    task_lines: list[str] | None = None
    task_start = 0
    for n, line in body:
        if task_lines is not None:
            if fence and line.strip() == fence:
                task = _task("\n".join(task_lines), task_start, source, task is not None)
                task_lines, fence = None, None
            else:
                task_lines.append(line)
            continue
        m = _FENCE.match(line)
        if fence is None and m:
            if m.group(2) == "task":
                fence, task_lines, task_start = m.group(1), [], n
                continue
            fence = m.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and _PAGE.match(line):
            if link is not None:
                raise LessonError(
                    source, n, f"the step {title[:40]!r} has a second page: line (one per step)"
                )
            link = (_PAGE.match(line).group(1), n)  # type: ignore[union-attr]
            continue
        text.append(line)
    if task_lines is not None:
        raise LessonError(source, task_start, "the task block is not closed")
    if link is None:
        raise LessonError(source, head, f"the step {title[:40]!r} has no `page: /path?query` line")
    why = check_link(link[0], pages)
    if why:
        raise LessonError(source, link[1], why)
    body_text = "\n".join(text).strip("\n")
    if not body_text.strip():
        raise LessonError(source, head, f"the step {title[:40]!r} has no text")
    if task is not None and task["kind"] == "hunt":
        pick = f"{task['seed']}:{task['level']}"
        parts = urlsplit(link[0])
        if parts.path != "/network" or ("hunt", pick) not in parse_qsl(parts.query):
            raise LessonError(
                source, link[1], f"a hunt task's page must run its challenge: /network?hunt={pick}"
            )
    if task is not None:
        task = {**task, "prompt_html": render_inline(task["prompt"])}
    return Step(title, body_text, render(body_text), link[0], task, head)


def _task(raw: str, line: int, source: str, again: bool) -> dict:
    if again:
        raise LessonError(source, line, "a step has at most one task block")
    try:
        task = json.loads(raw)
    except json.JSONDecodeError as e:
        raise LessonError(source, line + e.lineno, f"the task is not valid JSON: {e.msg}") from None
    why = check_task(task)
    if why:
        raise LessonError(source, line, why)
    return task


def parse_lesson(text: str, source: str, pages: Mapping[str, PageState]) -> Lesson:
    """The lesson in ``text`` (a file's content), checked against the pages' URL states.

    ``source`` names the file in errors. Raises :class:`LessonError` with the line.
    """
    if len(text) > MAX_CHARS:
        raise LessonError(source, 1, f"a lesson has at most {MAX_CHARS} characters")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, i = _front_matter(lines, source)
    steps: list[Step] = []
    head: tuple[str, int] | None = None
    body: list[tuple[int, str]] = []
    fence: str | None = None
    for n in range(i, len(lines)):
        line = lines[n]
        m = _FENCE.match(line)
        if m and fence is None:
            fence = m.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and line.startswith("## "):
            if head is not None:
                steps.append(_step(head[0], body, head[1], source, pages))
            head, body = (line[3:].strip(), n + 1), []
            if not head[0]:
                raise LessonError(source, n + 1, "a step's heading needs a title")
            if len(steps) >= MAX_STEPS:
                raise LessonError(source, n + 1, f"a lesson has at most {MAX_STEPS} steps")
            continue
        if head is None:
            if line.strip():
                raise LessonError(
                    source,
                    n + 1,
                    "text before the first step: a step starts with a line `## Its title`",
                )
            continue
        body.append((n + 1, line))
    if head is None:
        raise LessonError(
            source, len(lines), "the lesson has no steps (a step starts with `## Its title`)"
        )
    steps.append(_step(head[0], body, head[1], source, pages))
    return Lesson(**meta, steps=tuple(steps), source=source)
