"""Derivative page: tangent follows the slider, numbers and sweep match the API, errors inline."""

import contextlib
from urllib.parse import parse_qs, urlparse

import pytest

DERIV = "/api/v1/numdiff/derivative"
SWEEP = "/api/v1/numdiff/step-sweep"

# 21 input events on the x0 slider; after each, wait (at most 500 animation frames) until the
# tangent has moved and been painted. Returns how many events moved it.
SLIDER_DRAG = """async () => {
  const s = document.getElementById('x0');
  const gd = document.getElementById('plot-f');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  let moved = 0;
  for (let i = 0; i <= 20; i++) {
    const before = gd.layout.shapes[0].y0;
    s.value = String(-2 + i * 0.2);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    for (let k = 0; k < 500 && gd.layout.shapes[0].y0 === before; k++) await frame();
    if (gd.layout.shapes[0].y0 !== before) moved++;
    await frame();
  }
  return moved;
}"""


def _is(path: str, **fields):
    """A predicate for page.expect_response: a POST to ``path`` whose body has ``fields``."""

    def match(r) -> bool:
        if not r.url.endswith(path) or r.request.method != "POST":
            return False
        body = r.request.post_data_json or {}
        return all(body.get(k) == v for k, v in fields.items())

    return match


def _assert_tangent(layout: dict, api: dict, x0: float) -> None:
    """The tangent (a layout shape, so it can move without a redraw) is the API's tangent."""
    line, point = layout["shapes"][:2]
    xs, ts = api["curve"]["x"], api["curve"]["tangent"]
    assert (line["x0"], line["x1"]) == (xs[0], xs[-1])
    assert line["y0"] == pytest.approx(ts[0], rel=1e-12, abs=1e-12)
    assert line["y1"] == pytest.approx(ts[-1], rel=1e-12, abs=1e-12)
    assert (point["xanchor"], point["yanchor"]) == (x0, api["value"])


def test_default_view_matches_api(page, ui):
    with page.expect_response(_is(DERIV, expr="x**2 + 5", x0=1)) as info:
        ui.open(page, "/derivative")
    ui.settle(page)
    api = info.value.json()
    assert api["exact"] == pytest.approx(2.0)
    f, df = ui.data(page, "plot-f")[:2]
    assert f["x"] == api["curve"]["x"]
    assert f["y"] == api["curve"]["y"]
    assert df["y"] == api["curve"]["dy"]
    _assert_tangent(ui.layout(page, "plot-f"), api, x0=1)
    sweep = ui.data(page, "plot-sweep")
    assert sweep[0]["x"] and sweep[0]["name"] == "central error"
    lay = ui.layout(page, "plot-sweep")
    assert lay["xaxis"]["type"] == "log" and lay["yaxis"]["type"] == "log"
    # Numerical and exact side by side, the error in scientific notation, a gradcheck verdict.
    assert page.inner_text("#n-exact") == "2"
    assert "e-" in page.inner_text("#n-error")
    # The server's verdict, shown as it came (the page judges nothing itself).
    assert page.inner_text("#n-badge .badge.pass") == "good" == api["verdict"]
    ui.assert_fits(page)
    ui.shot(page, "derivative")
    # Type another function and switch the method: plots follow the API.
    with (
        page.expect_response(_is(DERIV, expr="sin(x)")) as d,
        page.expect_response(_is(SWEEP, expr="sin(x)")) as s,
    ):
        page.fill("#expr", "sin(x)")
    ui.settle(page)
    api = d.value.json()
    assert ui.data(page, "plot-f")[0]["y"] == api["curve"]["y"]
    sweep = ui.data(page, "plot-sweep")
    assert sweep[0]["y"] == s.value.json()["central_error"]
    assert sweep[1]["y"] == s.value.json()["forward_error"]
    with page.expect_response(_is(DERIV, method="forward")) as d2:
        page.click("label[for=m-forward]")
    ui.settle(page)
    assert page.inner_text("#method-name") == "forward"
    assert d2.value.json()["error"] > api["error"]  # forward difference is less accurate


def test_slider_moves_tangent_at_once_then_api_refreshes(page, ui):
    ui.open(page, "/derivative")
    ui.settle(page)
    # Drag: 21 input events while every derivative request is held back, so the tangent can only
    # move in the browser. Counting events and requests, not milliseconds (the latency is
    # measured by bench/bench_derivative_slider.py).
    held = []

    def hold(route) -> None:
        held.append(route)

    page.route("**" + DERIV, hold)
    moved = page.evaluate(SLIDER_DRAG)
    assert moved == 21, moved  # each event moved the tangent without an answer from the API
    assert len(held) <= 3, len(held)  # requests are debounced, not one per event
    # The debounced request for the final position then replaces the in-browser tangent with the
    # API's numbers.
    with page.expect_response(_is(DERIV, x0=2)) as info:
        page.unroute("**" + DERIV)
        for route in held:
            with contextlib.suppress(Exception):  # the page may have aborted it meanwhile
                route.continue_()
        ui.settle(page)
    ui.settle(page)
    api = info.value.json()
    assert api["derivative"] == pytest.approx(4.0, abs=1e-8)
    _assert_tangent(ui.layout(page, "plot-f"), api, x0=2)
    assert parse_qs(urlparse(page.url).query)["x0"] == ["2"]


def test_invalid_expression_is_marked_inline(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/derivative")
    good = ui.data(page, "plot-f")[0]["y"]
    with page.expect_response(_is(DERIV, expr="x**2 + y")) as info:
        page.fill("#expr", "x**2 + y")
    ui.settle(page)
    assert info.value.status == 422
    msg = info.value.json()["detail"][0]["msg"]
    assert "invalid" in (page.get_attribute("#expr", "class") or "")
    assert page.get_attribute("#expr", "aria-invalid") == "true"
    assert page.is_visible("#expr-error")
    assert msg in page.inner_text("#expr-error")
    # The last good plot stays.
    assert ui.data(page, "plot-f")[0]["y"] == good
    ui.shot(page, "derivative-error")
    # Fixing the expression clears the mark.
    page.fill("#expr", "x**2 + 1")
    ui.settle(page)
    assert "invalid" not in (page.get_attribute("#expr", "class") or "")
    assert not page.is_visible("#expr-error")


def test_url_round_trip(page, ui):
    query = "?expr=exp(x)&x0=0.5&h=0.001&method=backward&xmin=-2&xmax=3"
    with page.expect_response(_is(DERIV)) as info:
        ui.open(page, "/derivative" + query)
    body = info.value.request.post_data_json
    assert body == {
        "expr": "exp(x)", "x0": 0.5, "h": 0.001, "method": "backward",
        "x_min": -2, "x_max": 3, "num": body["num"],
    }  # fmt: skip
    assert page.input_value("#expr") == "exp(x)"
    assert page.is_checked("#m-backward")
    first = ui.data(page, "plot-f")
    # Change the view, copy its link, open the link in a fresh page: the same view.
    page.fill("#x0-num", "1.25")
    page.press("#x0-num", "Enter")
    page.dispatch_event("#x0-num", "change")
    ui.settle(page)
    page.click("#copy-link")
    link = page.url
    assert "x0=1.25" in link
    page.goto(link)
    ui.settle(page)
    again = ui.data(page, "plot-f")
    assert page.input_value("#x0-num") == "1.25"
    assert again[0]["y"] == first[0]["y"]
    assert ui.layout(page, "plot-f")["shapes"][1]["xanchor"] == 1.25
