"""Graph page, issue 27 items 2, 16 and 18: a 20-line program stays readable (node text of at
least 11 px at 1366x768 and at 150 % zoom, 911x512), the graph zooms and pans (buttons, keys,
ctrl + wheel or pinch, a fit button; the zoom in the link), the step formula is never cut off,
the gradients table shows the exact and numeric answers only as the steps reveal them, the
example box follows what is typed, Step is disabled at the end, edge labels clear the arrowheads."""

import urllib.parse

import pytest

from tests.browser.test_graph import CS231N, _blur, _open_preset

PROGRAM = "\n".join(
    [
        "a = x * y",
        "b = a + z",
        "c = tanh(b)",
        "d = c * w1",
        "e = d + b1",
        "g = sigmoid(e)",
        "h = g * x",
        "i = h + y",
        "j = exp(-i)",
        "k = j + 1",
        "l = 1 / k",
        "m = l * w2",
        "n = m + b2",
        "o = n * n",
        "p = o + a",
        "r = p * c",
        "s = r + g",
        "t = tanh(s)",
        "u = t * w3",
        "v = u + 0.5",
    ]
)
VIEWPORTS = [(1366, 768), (911, 512)]

# The drawn size of a node's value text: its font size in SVG units times the SVG's scale on
# screen (its rendered width over its viewBox width), so a squeezed SVG counts as small text.
FONT_PX = """() => {
  const svg = document.getElementById('graph-svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const t = svg.querySelector('.gval');
  return parseFloat(getComputedStyle(t).fontSize) * scale;
}"""


def _open(page, ui, size, query: str = "") -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    ui.open(page, "/graph" + query)
    page.wait_for_function("() => document.querySelector('#graph-svg .gnode')")


def _scale(page) -> float:
    return page.evaluate(
        """() => { const svg = document.getElementById('graph-svg');
                   return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }"""
    )


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_node_text_is_readable(page, ui, size):
    for query in ["", "?" + urllib.parse.urlencode({"expr": PROGRAM})]:
        _open(page, ui, size, query)
        px = page.evaluate(FONT_PX)
        assert px >= 11, f"node text {px:.1f} px at {size} ({query[:20] or 'CS231n'})"
        # The graph has the room it needs: its frame is at least 240 px tall.
        h = page.evaluate("() => document.getElementById('graph-scroll').clientHeight")
        assert h >= 240, f"graph frame {h} px tall at {size}"


def test_zoom_and_pan(page, ui):
    _open(page, ui, VIEWPORTS[0], "?" + urllib.parse.urlencode({"expr": PROGRAM}))
    start = _scale(page)
    page.click("#btn-zoom-in")
    assert _scale(page) == pytest.approx(start * 1.25, rel=0.02)
    assert "zoom=" in page.url
    page.click("#btn-zoom-out")
    page.click("#btn-zoom-out")
    assert _scale(page) == pytest.approx(start / 1.25, rel=0.02)
    # The link keeps the zoom.
    url = page.url
    page.goto(url)
    ui.settle(page)
    assert _scale(page) == pytest.approx(start / 1.25, rel=0.02)
    page.click("#btn-zoom-fit")
    assert _scale(page) == pytest.approx(start, rel=0.02)
    # Keys: + and − zoom, 0 fits.
    _blur(page)
    page.keyboard.press("+")
    assert _scale(page) == pytest.approx(start * 1.25, rel=0.02)
    page.keyboard.press("0")
    assert _scale(page) == pytest.approx(start, rel=0.02)
    # Ctrl + wheel (a pinch on a touchpad) zooms; dragging the background pans.
    box = page.locator("#graph-scroll").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function(
        f"() => document.getElementById('graph-svg').dataset.scale > {start + 0.01}"
    )
    left = page.evaluate("() => document.getElementById('graph-scroll').scrollLeft")
    # A point of background (no node, no button) in the frame's middle band.
    x, y = page.evaluate(
        """(b) => { for (let y = b.y + 40; y < b.y + b.height - 20; y += 9)
                      for (let x = b.x + b.width / 2; x < b.x + b.width - 20; x += 9) {
                        const e = document.elementFromPoint(x, y);
                        if (e && !e.closest('.gnode, button')) return [x, y]; }
                    return null; }""",
        box,
    )
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 200, y, steps=5)
    page.mouse.up()
    after = page.evaluate("() => document.getElementById('graph-scroll').scrollLeft")
    assert after > left + 100, (left, after)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_step_formula_is_never_cut(page, ui, size):
    _open(page, ui, size, "?" + urllib.parse.urlencode({"expr": PROGRAM}))
    page.click("#btn-reset")
    _blur(page)
    cut = []
    last = int(page.inner_text("#step-count").split("/")[1].split("·")[0])
    for i in range(last):
        page.keyboard.press("ArrowRight")
        m = page.evaluate(
            """() => { const f = document.getElementById('step-formula');
                       return [f.scrollHeight, f.clientHeight, f.scrollWidth, f.clientWidth]; }"""
        )
        if m[0] > m[1] + 1 or m[2] > m[3] + 1:
            cut.append((i + 1, m))
    assert not cut, cut[:3]


def test_reset_hides_the_answers_until_the_steps_reveal_them(page, ui):
    _open(page, ui, VIEWPORTS[0])
    _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    page.click("#btn-reset")
    cells = page.evaluate(
        "() => [...document.querySelectorAll('#grad-body td')].map((t) => t.textContent)"
    )
    assert cells and set(cells) <= {"·", ""}, cells
    page.click("#btn-end")
    z = page.evaluate(
        """() => [...document.querySelectorAll('#grad-body tr[data-var="z"] td')]
                  .map((t) => t.textContent)"""
    )
    assert z[:3] == ["3", "3", "3"], z


def test_example_box_follows_the_program(page, ui):
    _open(page, ui, VIEWPORTS[0])
    _open_preset(page, ui, "square", expr="x**2 + 5")
    page.fill("#expr", "x**2 + 6")
    assert page.eval_on_selector("#preset", "s => s.value") == ""
    assert "choose an example" in page.eval_on_selector(
        "#preset", "s => s.options[s.selectedIndex].text"
    )
    page.fill("#expr", "x**2 + 5")
    assert page.eval_on_selector("#preset", "s => s.value") == "square"


def test_step_is_disabled_at_the_last_step(page, ui):
    _open(page, ui, VIEWPORTS[0])
    page.click("#btn-reset")
    page.click("#btn-end")
    assert page.is_disabled("#btn-fwd") and page.is_disabled("#btn-end")
    page.click("#btn-back")
    assert page.is_enabled("#btn-fwd")
    _blur(page)
    page.keyboard.press("ArrowRight")
    assert page.is_disabled("#btn-fwd")


# Every drawn edge label's box against the last 12 units of every edge (its arrowhead).
LABELS_ON_ARROWS = """() => {
  const hits = [];
  const paths = [...document.querySelectorAll('#graph-svg path.gedge')];
  for (const t of document.querySelectorAll('#graph-svg text.glocal')) {
    if (!t.textContent.trim()) continue;
    const b = t.getBBox();
    for (const p of paths) {
      const L = p.getTotalLength();
      for (let s = 0; s <= 12; s += 2) {
        const q = p.getPointAtLength(Math.max(0, L - s));
        if (q.x >= b.x && q.x <= b.x + b.width && q.y >= b.y && q.y <= b.y + b.height) {
          hits.push(`${t.dataset.edge} on ${p.dataset.edge}`);
          break;
        }
      }
    }
  }
  return [...new Set(hits)];
}"""


@pytest.mark.parametrize("preset", ["cs231n", "neuron", "net", "square2"])
def test_edge_labels_clear_the_arrowheads(page, ui, preset):
    _open(page, ui, VIEWPORTS[0])
    page.select_option("#preset", preset)
    ui.settle(page)
    assert page.is_disabled("#btn-end")  # an example opens at the end: every label drawn
    assert page.evaluate(LABELS_ON_ARROWS) == []


@pytest.mark.parametrize("size", [(911, 512), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_gradients_table_keeps_its_error_column(page, ui, size):
    """At 150 % zoom the whole table fits its card; on a phone it scrolls sideways in its own
    box (never cut by the card)."""
    _open(page, ui, size, "?" + urllib.parse.urlencode({"expr": PROGRAM}))
    m = page.evaluate(
        """() => { const w = document.querySelector('#card-grads .grad-wrap');
                   const c = document.getElementById('card-grads');
                   return {scroll: w.scrollWidth, client: w.clientWidth,
                           overflow: getComputedStyle(w).overflowX,
                           card: [c.scrollWidth, c.clientWidth]}; }"""
    )
    assert m["card"][0] <= m["card"][1] + 1, m  # the card itself never spills
    if size[0] >= 900:
        assert m["scroll"] <= m["client"] + 1, m
    else:
        assert m["overflow"] == "auto", m
