"""A small valid lesson to break in one place per test, and the pages' URL states."""

from functools import cache

from app.api.lessons import load
from app.config import Settings
from app.lessons import PageState

GOOD = """---
id: tiny
title: A tiny lesson
summary: Two steps.
level: beginner
minutes: 5
order: 9
---

## A slope
The slope of $\\sin x$ at 1, and $a_1*b_2$ stays TeX.

page: /derivative?expr=sin(x)&x0=1

```task
{"kind": "slope", "prompt": "Predict the slope.", "expr": "sin(x)", "x0": 1}
```

## A circuit
Code blocks are text, even with a page line in them:

```
page: /nowhere
## not a step
```

page: /graph?values=x:-2,y:5,z:-4&step=3
"""


@cache
def pages() -> dict[str, PageState]:
    return dict(load(Settings()).pages)
