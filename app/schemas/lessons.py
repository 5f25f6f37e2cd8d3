"""Lessons: the list, one lesson with its rendered steps, and a draft's preview."""

from typing import Any, Literal

from pydantic import ConfigDict, Field

from app.lessons.format import LEVELS, MAX_CHARS
from app.schemas.base import Request, Response

__all__ = ["LessonOut", "LessonPreviewRequest", "LessonStepOut", "LessonSummaryOut"]

Level = Literal[LEVELS]  # type: ignore[valid-type]

_SUMMARY = {
    "id": "chain-rule",
    "title": "The chain rule on a scalar graph",
    "summary": "Gradients flow backwards through a circuit, one local derivative at a time.",
    "level": "beginner",
    "minutes": 20,
    "order": 3,
}


class LessonSummaryOut(Response):
    id: str
    title: str
    summary: str
    level: Level
    minutes: int = Field(description="About how long the lesson takes.")
    order: int | float = Field(description="The list is sorted by it.")
    steps: int = Field(description="How many steps the lesson has.")

    model_config = ConfigDict(json_schema_extra={"examples": [{**_SUMMARY, "steps": 7}]})


class LessonStepOut(Response):
    title: str
    text: str = Field(description="The step's Markdown with $TeX$, as written.")
    html: str = Field(
        description="The text rendered on the server: raw HTML off, links limited to site paths, "
        'http(s) and mailto; TeX as `<span class="tex" data-tex="…">` (display: class '
        "`tex display`) for KaTeX with `trust: false`."
    )
    link: str = Field(description="The explorer page in the step's state: a path with its query.")
    task: dict[str, Any] | None = Field(
        description="Null, or `{kind, prompt, prompt_html, ...}` with the fields the kind's "
        "exercise endpoint takes: graph_node (`/api/v1/graph/check`), backward "
        "(`/api/v1/exercises/backward`), hunt (`/api/v1/exercises/hunt`), slope, best_h and "
        "sketch (`/api/v1/exercises/predict`), number (`expr` at `x0`, judged as a graph value)."
    )


class LessonOut(Response):
    id: str
    title: str
    summary: str
    level: Level
    minutes: int
    order: int | float
    steps: list[LessonStepOut]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUMMARY,
                    "steps": [
                        {
                            "title": "A circuit",
                            "text": "Here $f = (x + y)\\,z$.",
                            "html": '<p>Here <span class="tex" data-tex="f = (x + y)\\,z">'
                            "f = (x + y)\\,z</span>.</p>\n",
                            "link": "/graph?expr=q%20%3D%20x%20%2B%20y%0Af%20%3D%20q%20*%20z"
                            "&values=x:-2,y:5,z:-4",
                            "task": None,
                        }
                    ],
                }
            ]
        }
    )


_DRAFT = """---
id: my-lesson
title: My first lesson
summary: The slope of sin at 1.
level: beginner
minutes: 5
order: 100
---

## The slope of sin
What is the slope of $\\sin x$ at $x = 1$?

page: /derivative?expr=sin(x)&x0=1

```task
{"kind": "slope", "prompt": "Predict the slope of sin at 1.", "expr": "sin(x)", "x0": 1}
```
"""


class LessonPreviewRequest(Request):
    text: str = Field(
        max_length=MAX_CHARS,
        description="A lesson file's text (front matter, then `## ` steps); stored nowhere.",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": _DRAFT}]})
