"""HTML pages of the explorers, rendered by Jinja2 with versioned asset URLs."""

import ast
import functools
import re
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from app import __version__
from app.api.routing import api_router
from app.assets import asset_url, module_closure
from app.engine.expr import USER_FUNCTIONS
from app.engine.expr.table import CONSTANTS, FUNCTIONS
from app.paths import TEMPLATES_DIR

router = api_router()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

# (path, template, nav title); the order is the navigation bar's order.
PAGES: list[tuple[str, str, str]] = [
    ("/derivative", "derivative.html", "Derivative"),
    ("/activations", "activations.html", "Activations"),
    ("/descent", "descent.html", "Gradient descent"),
    ("/network", "network.html", "Network"),
    ("/graph", "graph.html", "Graph"),
    ("/train", "train.html", "Training"),
]
# The navigation bar: the lessons first (where a newcomer starts), then the explorers.
NAV: list[tuple[str, str, str]] = [("/lessons", "lessons.html", "Lessons"), *PAGES]


def _render(request: Request, template: str, page: str, **extra: object) -> HTMLResponse:
    """Render one page with the root path (for links behind a proxy), the navigation, and
    ``asset(path)`` / ``modules(path)`` for versioned static URLs and module preloads."""
    root = request.scope.get("root_path", "").rstrip("/")
    context = {
        "root": root,
        "page": page,
        "nav": NAV,
        "version": __version__,
        "functions": USER_FUNCTIONS,
        # Each function's derivative rule (e.g. "cos(u)*du"), for formulas the pages write out.
        "function_rules": {f.name: f.derivative for f in FUNCTIONS.values()},
        "constants": list(CONSTANTS),
        "asset": lambda path: asset_url(root, path),
        "modules": module_closure,
        **extra,
    }
    return templates.TemplateResponse(request, template, context)


def _page(path: str, template: str):
    """The route function of one explorer page."""

    def page(request: Request) -> HTMLResponse:
        return _render(request, template, path)

    return page


for _path, _template, _title in [("/", "index.html", "Home"), *PAGES]:
    router.add_api_route(
        _path,
        _page(_path, _template),
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
        name=f"page {_title}",
    )


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI schema, served from static/vendor (offline, no inline script)."""
    return _render(request, "docs.html", "/docs")


@router.get("/lessons", response_class=HTMLResponse, include_in_schema=False)
def lessons_page(request: Request) -> HTMLResponse:
    """The lessons in order, each with its summary, level and length."""
    return _render(request, "lessons.html", "/lessons", lessons=request.app.state.lessons.ordered())


# The lesson view's own query parameters; no page may declare them (tests/lessons/test_pages.py).
LESSON_PARAMS = ("at", "present")
_SET = re.compile(r"""\{%-?\s*set\s+(module|plots|fetches)\s*=\s*(.+?)\s*-?%\}""")


@functools.cache
def page_settings(template: str) -> dict[str, object]:
    """What a page template sets for base.html (``module``, ``plots``, ``fetches``), read from its
    ``{% set %}`` lines, so that a lesson mounting the page loads what the page itself loads."""
    text = (TEMPLATES_DIR / template).read_text(encoding="utf-8")
    out: dict[str, object] = {"plots": False, "fetches": []}
    for name, value in _SET.findall(text):
        out[name] = ast.literal_eval(value.replace("true", "True").replace("false", "False"))
    out["body"] = f"pages/{template.removesuffix('.html')}_body.html"
    return out


@router.get("/lessons/{lesson_id}", response_class=HTMLResponse, include_in_schema=False)
def lesson_page(request: Request, lesson_id: str, at: str = "", present: str = "0") -> Response:
    """One step of a lesson (``?at=k``, from 1; out of range: the nearest step) beside its page,
    live: the URL carries the step (``at``), presenter mode (``present=1``) and the page's own
    state. Without the page's state (a bare ``?at=k``, or the old ``?step=k``) it redirects to
    the step's link, so the page opens where the step says."""
    lesson = request.app.state.lessons.get(lesson_id)
    if lesson is None:
        raise HTTPException(404, f"no lesson has the id {lesson_id[:40]!r}")
    query = request.query_params
    old = query.get("step", "") if not at else ""
    raw = at or old or "1"
    k = int(raw) if raw.isdigit() else 1
    k = min(max(k, 1), len(lesson.steps))
    presenting = present == "1"
    root = request.scope.get("root_path", "").rstrip("/")

    def href(j: int) -> str:
        """Step j's URL in the lesson view: its number, presenter mode, the page's state."""
        link_query = urlsplit(lesson.steps[j - 1].link).query
        parts = [f"at={j}", *(["present=1"] if presenting else [])]
        parts += [link_query] if link_query else []
        return f"{root}/lessons/{lesson.id}?{'&'.join(parts)}"

    bare = not set(query.keys()) - set(LESSON_PARAMS)
    if old or (bare and urlsplit(lesson.steps[k - 1].link).query):
        return RedirectResponse(href(k), status_code=302)
    step = lesson.steps[k - 1]
    page_path = urlsplit(step.link).path
    template = next(t for p, t, _ in PAGES if p == page_path)
    settings = page_settings(template)
    return _render(
        request,
        "lesson.html",
        "/lessons",
        lesson=lesson,
        k=k,
        step=step,
        href=href,
        presenting=presenting,
        step_page=page_path,
        page_body=settings["body"],
        page_module=settings["module"],
        plots=settings["plots"],
        fetches=settings["fetches"],
        task_steps=[j for j, s in enumerate(lesson.steps, 1) if s.task],
    )
