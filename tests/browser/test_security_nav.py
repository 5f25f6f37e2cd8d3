"""Headers, offline assets, no inline scripts, home page, navigation and the copy-link button."""

import re
import urllib.request
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/derivative", "/activations", "/descent", "/network", "/graph", "/docs"]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, dict(r.headers), r.read()


def test_security_headers_on_every_page(base_url):
    for path in PAGES:
        status, headers, body = _get(base_url + path)
        assert status == 200, path
        csp = headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'", csp  # no unsafe-eval, no unsafe-inline
        assert directives["frame-ancestors"] == "'none'"
        assert headers["x-content-type-options"] == "nosniff"
        html = body.decode()
        # No inline script and no inline event handler: the CSP would block them.
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path


def test_plotly_is_served_from_the_python_package(base_url):
    status, headers, body = _get(base_url + "/static/vendor/plotly.min.js")
    assert status == 200
    assert headers["content-type"].startswith("application/javascript")
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == bundle.read_bytes()


def test_no_external_hosts_in_templates_or_static():
    allowed = {"http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"}  # XML namespaces
    swagger = ROOT / "static" / "vendor" / "swagger-ui"  # links in its docs strings; see test_docs
    for f in [*ROOT.joinpath("templates").rglob("*"), *ROOT.joinpath("static").rglob("*")]:
        if f.suffix not in {".html", ".js", ".css"} or f.is_relative_to(swagger):
            continue
        urls = set(re.findall(r"https?://[^\s\"'()<>]+", f.read_text(errors="replace")))
        assert urls <= allowed, (f, urls - allowed)


def test_home_nav_and_copy_link(page, ui, context):
    ui.open(page, "/")
    links = page.locator(".cards a.card")
    assert links.count() == 5
    assert page.locator(".card-formula .katex").count() == 5  # formulas rendered
    ui.shot(page, "home")
    page.click("nav >> text=Gradient descent")
    page.wait_for_url("**/descent")
    ui.settle(page)
    assert page.get_attribute("nav a[aria-current=page]", "href").endswith("/descent")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map((el) => el.id || el.outerHTML.slice(0, 60))"""
    )
    assert unlabelled == []
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-link")
    page.wait_for_function("() => document.getElementById('copy-status').textContent === 'Copied!'")
    assert page.evaluate("navigator.clipboard.readText()") == page.url


def test_docs_render_offline_under_the_csp(page, ui):
    """Swagger UI comes from static/vendor; the page fixture fails on any outside request."""
    ui.open(page, "/docs")
    page.wait_for_selector(
        "#operations-numerical_differentiation-derivative_api_v1_numdiff_derivative_post"
    )
    assert page.locator(".opblock").count() >= 10
    ui.shot(page, "docs")
