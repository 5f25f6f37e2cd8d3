"""HTML pages of the explorers, and plotly.js served from the installed ``plotly`` package."""

from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.paths import TEMPLATES_DIR

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

# (path, template, nav title); the order is the navigation bar's order.
PAGES: list[tuple[str, str, str]] = [
    ("/derivative", "derivative.html", "Derivative"),
    ("/activations", "activations.html", "Activations"),
    ("/descent", "descent.html", "Gradient descent"),
    ("/network", "network.html", "Network"),
]


def _render(request: Request, template: str, page: str) -> HTMLResponse:
    """Render one page with the root path (for links behind a proxy) and the navigation."""
    root = request.scope.get("root_path", "").rstrip("/")
    context = {"root": root, "page": page, "nav": PAGES, "version": __version__}
    return templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """Home: what each explorer shows, with a link to it."""
    return _render(request, "index.html", "/")


@router.get("/derivative", response_class=HTMLResponse, include_in_schema=False)
def derivative(request: Request) -> HTMLResponse:
    """Derivative and tangent explorer."""
    return _render(request, "derivative.html", "/derivative")


@router.get("/activations", response_class=HTMLResponse, include_in_schema=False)
def activations(request: Request) -> HTMLResponse:
    """Activation functions, their derivatives and backward pass."""
    return _render(request, "activations.html", "/activations")


@router.get("/descent", response_class=HTMLResponse, include_in_schema=False)
def descent(request: Request) -> HTMLResponse:
    """Gradient descent on a typed function of two variables."""
    return _render(request, "descent.html", "/descent")


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network(request: Request) -> HTMLResponse:
    """Layer stack: forward, backward, gradient check and the softmax Jacobian."""
    return _render(request, "network.html", "/network")


@router.get("/static/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """The plotly.js bundle shipped inside the ``plotly`` Python package; no CDN involved."""
    return FileResponse(
        PLOTLY_JS,
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
