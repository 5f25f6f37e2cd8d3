"""Headers, offline assets, no inline scripts, home page, navigation and the copy-link button."""

import re
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/derivative", "/activations", "/descent", "/network", "/graph", "/train", "/docs"]


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


def test_pages_load_the_vendored_partial_plotly_bundle(base_url):
    html = _get(base_url + "/derivative")[2].decode()
    url = re.search(r'data-plotly="([^"]+)"', html)[1]
    assert url.endswith("/vendor/plotly/plotly-explorer.min.js") and "/static/v/" in url
    status, headers, body = _get(base_url + url)
    assert status == 200 and headers["content-type"].startswith(
        ("application/javascript", "text/javascript")
    )
    assert body == (ROOT / "static/vendor/plotly/plotly-explorer.min.js").read_bytes()
    assert "immutable" in headers["cache-control"]
    # The home page draws nothing, so it loads no plotly at all.
    assert "plotly" not in _get(base_url + "/")[2].decode()


def test_no_external_hosts_in_templates_or_static():
    allowed = {"http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"}  # XML namespaces
    # Links in the vendored bundles' strings: Swagger UI's docs (see test_docs), plotly's logo and
    # Chart Studio buttons, which the pages' config turns off (test_plots_offer_no_cloud_upload).
    vendored = [ROOT / "static" / "vendor" / name for name in ("swagger-ui", "plotly")]
    for f in [*ROOT.joinpath("templates").rglob("*"), *ROOT.joinpath("static").rglob("*")]:
        if f.suffix not in {".html", ".js", ".css"} or any(f.is_relative_to(v) for v in vendored):
            continue
        urls = set(re.findall(r"https?://[^\s\"'()<>]+", f.read_text(errors="replace")))
        assert urls <= allowed, (f, urls - allowed)


def test_home_nav_and_copy_link(page, ui, context):
    ui.open(page, "/")
    links = page.locator(".cards a.card")
    assert links.count() == 6
    assert page.locator(".card-formula .katex").count() == 6  # formulas rendered
    ui.shot(page, "home")
    page.click("nav >> text=Gradient descent")
    # The page may write its state into the query string (replaceState) before the wait looks:
    # the path is what tells that the navigation happened.
    page.wait_for_url(re.compile(r"/descent(\?|$)"))
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
        "#operations-numerical_differentiation-derivative"  # operationId "derivative"
    )
    assert page.locator(".opblock").count() >= 10
    ui.shot(page, "docs")


@pytest.mark.parametrize("path", ["/derivative", "/activations", "/descent", "/network", "/train"])
def test_the_first_api_request_starts_before_plotly_runs(page, ui, path):
    """Order, not time: the server computes while plotly.js compiles. /meta is preloaded by the
    HTML, and the page's own fetch of it reuses that download."""
    ui.open(page, path)
    metas = page.evaluate(
        "performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/meta')).length"
    )
    assert metas == 1
    first_api, plotly_start = page.evaluate(
        """() => [Math.min(...performance.getEntriesByType('resource')
                    .filter((e) => e.name.includes('/api/v1/')).map((e) => e.startTime)),
                  performance.getEntriesByName('bpx:plotly-start')[0].startTime]"""
    )
    assert first_api < plotly_start
