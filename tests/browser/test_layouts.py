"""Every page holds up at a laptop's 1366x768, at 150 % zoom (a 911x512 CSS viewport, a teacher
projecting) and on a phone (390x844): plots keep a usable size, no box cuts or spills its
content, and the document never scrolls sideways.

Layouts are checked by measuring, never by screenshots. One browser context per viewport is
shared by all its pages, so plotly.js is compiled once per viewport."""

import pytest

from tests.browser.conftest import CSP_LISTENER, UI

VIEWPORTS = {
    "laptop": {"width": 1366, "height": 768},
    "zoom150": {"width": 911, "height": 512},
    "phone": {"width": 390, "height": 844},
}
PAGES = [
    "/",
    "/activations",
    "/network",
    "/derivative",
    "/descent",
    "/graph",
    "/train",
    "/lessons",
    "/lessons/chain-rule?at=5",
    "/lessons/derivative?at=2",
    "/lessons/affine?at=3",
]
MIN_PLOT = (200, 150)

# Every rendered HTML element (outside Plotly's own drawing and KaTeX's internal boxes) whose
# content is wider than its box, unless the box is meant to scroll (overflow auto/scroll) or is
# a pre/code block. The plots' own divs are measured separately.
MEASURE = """() => {
  const bad = [];
  const scrolls = (s) => /(auto|scroll)/.test(s.overflowX);
  for (const e of document.body.querySelectorAll('*')) {
    if (!(e instanceof HTMLElement)) continue;
    if (e.closest('.js-plotly-plot .plot-container, .katex, pre, code, svg')) continue;
    if (e.clientWidth === 0 && e.clientHeight === 0) continue;
    const s = getComputedStyle(e);
    if (s.display === 'inline' || s.visibility === 'hidden') continue;
    if (s.clip !== 'auto' || s.clipPath !== 'none') continue;  // visually hidden, for readers
    if (e.scrollWidth > e.clientWidth + 1 && !scrolls(s)) {
      const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.classList.length ? '.' + [...e.classList].join('.') : '');
      bad.push(`${name} ${e.scrollWidth}>${e.clientWidth}`);
    }
  }
  const plots = [...document.querySelectorAll('.js-plotly-plot')]
    .filter((p) => p.offsetParent !== null)
    .map((p) => { const r = p.getBoundingClientRect();
                  return {id: p.id, w: Math.round(r.width), h: Math.round(r.height)}; });
  const d = document.scrollingElement;
  return {bad, plots, docW: d.scrollWidth, viewW: d.clientWidth};
}"""


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def viewport_context(request, browser):
    ctx = browser.new_context(viewport=VIEWPORTS[request.param], service_workers="block")
    ctx.add_init_script(CSP_LISTENER)
    yield request.param, ctx
    ctx.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_layout(viewport_context, path, ui: UI, problems):
    name, ctx = viewport_context
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.errors.append(f"page error: {e}"))
    try:
        ui.open(page, path)
        # Plots are drawn on a queue of frames after the requests settle (kit/plot.js).
        page.wait_for_timeout(300)
        m = page.evaluate(MEASURE)
    finally:
        page.close()
    where = f"{path} at {name}"
    small = [p for p in m["plots"] if p["w"] < MIN_PLOT[0] or p["h"] < MIN_PLOT[1]]
    assert not small, f"{where}: plots smaller than {MIN_PLOT}: {small}"
    assert not m["bad"], f"{where}: content cut or spilling: {m['bad']}"
    assert m["docW"] <= m["viewW"] + 1, f"{where}: the page scrolls sideways: {m}"
