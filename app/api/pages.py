"""HTML pages of the explorers, rendered by Jinja2 with versioned asset URLs."""

from fastapi import Request
from fastapi.responses import HTMLResponse
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


@router.get("/lessons/{lesson_id}", response_class=HTMLResponse, include_in_schema=False)
def lesson_page(request: Request, lesson_id: str, step: str = "1") -> HTMLResponse:
    """One step of a lesson (``?step=k``, from 1; out of range: the nearest step)."""
    lesson = request.app.state.lessons.get(lesson_id)
    if lesson is None:
        raise HTTPException(404, f"no lesson has the id {lesson_id[:40]!r}")
    k = int(step) if step.isdigit() else 1
    k = min(max(k, 1), len(lesson.steps))
    return _render(request, "lesson.html", "/lessons", lesson=lesson, k=k, step=lesson.steps[k - 1])
