"""The page defects found by trying the pages as a new user would, each pinned once fixed."""

import math

import pytest


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def test_derivative_best_h_labels_clear_of_each_other_and_the_title(page, ui):
    ui.open(page, "/derivative?expr=sin(x)&x0=1")
    names = [t["name"] for t in ui.data(page, "plot-sweep")]
    assert any(n.startswith("best central h = ") for n in names)
    assert any(n.startswith("best forward h = ") for n in names)
    boxes = page.evaluate(
        "(s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect().toJSON())",
        "#plot-sweep .gtitle, #plot-sweep .annotation, #plot-sweep .legendtext",
    )
    assert len(boxes) >= 3
    assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_derivative_badge_shows_the_servers_verdict_and_warnings(page, ui):
    ui.open(page, "/derivative?expr=x**2%2B5&x0=1&h=1e-12")
    # h = 1e-12: a 1.8e-4 error on a slope of 2 is what rounding leaves: acceptable, no more.
    assert page.inner_text("#n-badge [data-verdict]") == "acceptable"
    ui.open(page, "/derivative?expr=x**2%2B5&x0=1&h=1e-5")
    assert page.inner_text("#n-badge [data-verdict]") == "good"
    ui.open(page, "/derivative?expr=relu(x)&x0=0")
    assert page.inner_text("#n-badge [data-verdict]") == "kink within ±h"
    assert "relu'(0) = 0" in page.inner_text("#n-warnings")


def test_derivative_explains_an_underflow_to_zero(page, ui):
    ui.open(page, "/derivative?expr=exp(1000*x)&x0=-1.96&xmin=-2&xmax=0.5")
    assert "underflowed" in page.inner_text("#n-warnings")  # the server's no_signal warning
    ann = " ".join(a["text"] for a in ui.layout(page, "plot-sweep").get("annotations", []))
    assert "exactly 0" in ann  # and why the log plot is empty


def test_derivative_without_any_good_result_says_why_its_cards_are_empty(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/derivative?expr=exp(1000*x)&x0=1")
    assert "last good" not in page.inner_text("#status")
    for card in ("#card-f", "#card-sweep"):
        assert "Nothing to show yet" in page.inner_text(f"{card} .empty-note")
        assert "overflow" in page.inner_text(f"{card} .empty-note")
    assert "overflow" in page.inner_text("[data-error-for=x0]")
    # Once there is a good result, a later error keeps it, marked stale.
    page.fill("#x0-num", "-0.001")
    page.dispatch_event("#x0-num", "change")
    ui.settle(page)
    assert not page.is_visible("#card-f .empty-note")
    page.fill("#expr", "exp(1000*x) + y")
    ui.settle(page)
    assert "stale" in page.get_attribute("#card-f", "class")
    assert "last good" in page.inner_text("#status")


def test_derivative_abs_at_its_kink_has_no_derivative(page, ui):
    ui.open(page, "/derivative?expr=abs(x)&x0=0&xmin=-2&xmax=2")
    assert "undefined (kink)" in page.inner_text("#n-exact")
    assert page.inner_text("#n-badge") == "kink within ±h"  # the server's verdict
    assert "abs'(0) = sign(0) = 0" in page.inner_text("#n-warnings")
    assert "kink" in page.inner_text("#n-note")
    ui.open(page, "/derivative?expr=abs(x)&x0=0.5&xmin=-2&xmax=2")  # away from it: a verdict
    assert page.inner_text("#n-exact") == "1"


def test_derivative_x0_outside_the_plotted_range_is_said(page, ui):
    ui.open(page, "/derivative?expr=x**2&x0=10&xmin=-5&xmax=5")
    assert page.is_visible("#x0-note") and "outside the plotted range" in page.inner_text(
        "#x0-note"
    )
    ui.open(page, "/derivative?expr=x**2&x0=1&xmin=-5&xmax=5")
    assert not page.is_visible("#x0-note")


def test_derivative_swatches_have_their_curves_colours(page, ui):
    ui.open(page, "/derivative")
    swatch = page.evaluate(
        """(sel) => getComputedStyle(document.querySelector(sel)).backgroundColor""",
        "[data-swatch=dfNumeric]",
    )
    rgb = lambda c: "rgb({}, {}, {})".format(*(int(c[i : i + 2], 16) for i in (1, 3, 5)))  # noqa: E731
    tangent = next(t for t in ui.data(page, "plot-f") if t["name"].startswith("tangent"))
    assert swatch == rgb(tangent["line"]["color"])
    forward = next(t for t in ui.data(page, "plot-sweep") if t["name"] == "forward error")
    assert rgb(forward["line"]["color"]) != swatch


def test_activations_click_anywhere_reads_the_numbers_above_the_fold(page, ui):
    ui.open(page, "/activations?act=relu,sigmoid")
    box = page.locator("#plot-df .nsewdrag").bounding_box()
    # Near the top of the plot area, far from every curve.
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + 6)
    ui.settle(page)
    text = page.inner_text("#probe")
    assert "x = -3" in text and "sigmoid" in text and "numerical f′(x)" in text
    r = page.locator("#probe").bounding_box()
    assert r["y"] + r["height"] <= 768
    assert float(page.input_value("#probe-x")) == pytest.approx(-3, abs=0.1)


def test_activations_at_a_kink_say_f_prime_is_undefined(page, ui):
    ui.open(page, "/activations?act=relu&xmin=-1&xmax=1")
    page.fill("#probe-x", "0")
    page.dispatch_event("#probe-x", "change")
    assert "undefined (kink)" in page.inner_text("#probe")


def test_activations_all_ten_leave_every_plot_its_height(page, ui):
    ui.open(page, "/activations")
    names = page.evaluate(
        "() => [...document.querySelectorAll('#act-list input')].map((c) => c.value)"
    )
    assert len(names) >= 10
    ui.open(page, "/activations?act=" + ",".join(names))
    for plot in ("plot-f", "plot-df", "plot-back", "plot-err"):
        h = page.evaluate(f"document.getElementById('{plot}')._fullLayout._size.h")
        assert h >= 150, (plot, h)
    ui.assert_fits(page)


def test_descent_warns_when_f_has_no_minimum_and_shows_the_fall(page, ui):
    query = "?expr=x1**2%2Bx2**3%2B1&x1min=-3&x1max=3&x2min=-1&x2max=4&start=2,3&lr=0.3&steps=1000"
    ui.open(page, "/descent" + query + "&opt=sgd,momentum,adam")
    w = page.inner_text("#lr-warning")
    assert "no minimum inside this view" in w and "unbounded below" in w
    assert "within the stability limit" not in w
    # Values fall below 0: a log axis cannot show them, so the axis is sign·log (issue 27 item 11).
    lay = ui.layout(page, "plot-values")
    assert lay["yaxis"]["type"] == "linear" and "sign" in lay["yaxis"]["title"]["text"]
    assert "lowest grid point" not in {t["name"] for t in ui.data(page, "plot-contour")}


def test_descent_marks_the_minimum_and_scales_colours_to_the_values(page, ui):
    ui.open(page, "/descent")  # the valley: f >= 0, minimum at the origin
    data = ui.data(page, "plot-contour")
    # the preset's record knows the minimum (0, 0): marked there, not at the lowest grid point
    low = next(t for t in data if t["name"] == "known minimum")
    assert low["x"] == [0] and low["y"] == [0]
    assert data[0]["zmin"] == 0 and "zmid" not in data[0]
    assert not page.is_visible("#lr-warning")
    page.select_option("#preset", "saddle")  # values of both signs: symmetric about 0
    ui.settle(page)
    c = ui.data(page, "plot-contour")[0]
    assert c["zmin"] == -c["zmax"] and c["zmid"] == 0
    assert "no minimum" in page.inner_text("#lr-warning")
    assert math.isfinite(c["zmax"])
