"""Every page holds up at a laptop's 1366x768, at 150 % zoom (a 911x512 CSS viewport, a teacher
projecting) and on a phone (390x844): plots keep a usable size, no box cuts or spills its
content, and the document never scrolls sideways.

Layouts are checked by measuring, never by screenshots. One browser context per viewport is
shared by all its pages, so plotly.js is compiled once per viewport."""

import json

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
    # the exercise modes
    "/graph?turn=1&tvalues=1&tlocals=1",
    "/network?bw=0:W",
    "/network?hunt=12:1",
    "/derivative?predict=1",
    "/activations?sketch=1",
]
MIN_PLOT = (200, 150)
TEXT = "h1, h2, h3, h4, p, label, legend, button, select, input, textarea, th, td, .btn, .hint"
TEXT += ", .field-error"
OVERLAP = 3  # px each way: borders and focus rings may touch

# Every rendered HTML element (outside Plotly's own drawing and KaTeX's internal boxes) whose
# content is wider than its box, unless the box is meant to scroll (overflow auto/scroll) or is
# a pre/code block. The plots' own divs are measured separately.
MEASURE = """() => {
  const TEXT = __TEXT__, OVERLAP = __OVERLAP__;
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
  return {bad, plots, docW: d.scrollWidth, viewW: d.clientWidth, overlaps: overlaps()};

  // Pairs of visible text boxes (neither inside the other) drawn over each other by more than
  // OVERLAP px each way: a row squeezed under the next one, a badge over a title. Boxes laid
  // over others on purpose (absolute or fixed, e.g. a tooltip) are left out.
  function overlaps() {
    const boxes = [];
    for (const e of document.body.querySelectorAll(TEXT)) {
      if (!(e instanceof HTMLElement) || e.closest('svg, .js-plotly-plot, .katex')) continue;
      const s = getComputedStyle(e);
      if (s.visibility === 'hidden' || s.clip !== 'auto' || s.clipPath !== 'none') continue;
      // (closed <details> keep their content's boxes, skipped from painting: not drawn)
      if (!e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) continue;
      let floating = false;
      for (let a = e; a && a !== document.body; a = a.parentElement) {
        const p = getComputedStyle(a).position;
        if (p === 'absolute' || p === 'fixed' || p === 'sticky') { floating = true; break; }
      }
      if (floating) continue;
      const r = e.getBoundingClientRect();
      const field = /^(INPUT|SELECT|TEXTAREA)$/.test(e.tagName);
      if (r.width < 2 || r.height < 2 || (!field && !e.textContent.trim())) continue;
      boxes.push([e, r]);
    }
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        if (a.contains(b) || b.contains(a)) continue;
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > OVERLAP && h > OVERLAP)
          out.push(`${label(a)} over ${label(b)} (${Math.round(w)}x${Math.round(h)})`);
      }
    }
    return out.slice(0, 10);
  }
  function label(e) {
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.classList.length ? '.' + [...e.classList].join('.') : '');
  }
}"""
MEASURE = MEASURE.replace("__TEXT__", json.dumps(TEXT)).replace("__OVERLAP__", str(OVERLAP))


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def viewport_context(request, browser):
    ctx = browser.new_context(viewport=VIEWPORTS[request.param], service_workers="block")
    ctx.add_init_script(CSP_LISTENER)
    yield request.param, ctx
    ctx.close()


def measure(viewport_context, path: str, ui: UI, problems) -> tuple[str, dict]:
    """Open ``path`` in the viewport's shared context and measure it: (where, measurements)."""
    name, ctx = viewport_context
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.errors.append(f"page error: {e}"))
    try:
        ui.open(page, path)
        # Plots are drawn on a queue of frames after the requests settle (kit/plot.js).
        page.wait_for_timeout(300)
        return f"{path} at {name}", page.evaluate(MEASURE)
    finally:
        page.close()


def assert_holds_up(where: str, m: dict) -> None:
    assert not m["bad"], f"{where}: content cut or spilling: {m['bad']}"
    assert m["docW"] <= m["viewW"] + 1, f"{where}: the page scrolls sideways: {m}"
    assert not m["overlaps"], f"{where}: text drawn over other text: {m['overlaps']}"


@pytest.mark.parametrize("path", PAGES)
def test_page_layout(viewport_context, path, ui: UI, problems):
    where, m = measure(viewport_context, path, ui, problems)
    small = [p for p in m["plots"] if p["w"] < MIN_PLOT[0] or p["h"] < MIN_PLOT[1]]
    assert not small, f"{where}: plots smaller than {MIN_PLOT}: {small}"
    assert_holds_up(where, m)


# Views whose text is long (issue 27 item 18): every activation's verdict in the errors table and
# in the probe's readout (which scrolls sideways when narrow), values of f near the largest float
# on /derivative.
HARD_VIEWS = [
    "/activations?act=relu,sigmoid,tanh,leaky_relu,elu,softplus,gelu,identity,silu,mish,softsign"
    "&leaky_relu_alpha=0.123456789&probe=-0.123456789",
    "/derivative?expr=exp(x)%20-%201e300*x&x0=-690.123456789&xmin=-700&xmax=709",
    "/derivative?expr=exp(x)&x0=709.123&xmin=700&xmax=709.5&h=0.1",
]


@pytest.mark.parametrize("path", HARD_VIEWS)
def test_long_values_are_not_cut(viewport_context, path, ui: UI, problems):
    assert_holds_up(*measure(viewport_context, path, ui, problems))
