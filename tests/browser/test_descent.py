"""Gradient-descent page: contour and paths equal the API, click to start, lr warning, presets."""

import math

import pytest

GRID = "/api/v1/numdiff/grid"
DESCENT = "/api/v1/numdiff/descent"


def _descent(**fields):
    def match(r) -> bool:
        if not r.url.endswith(DESCENT):
            return False
        body = r.request.post_data_json or {}
        return all(body.get(k) == v for k, v in fields.items())

    return match


def _trace(data: list[dict], name: str) -> dict:
    return next(t for t in data if t.get("name") == name)


def test_default_view_and_click_to_start(page, ui):
    with (
        page.expect_response(lambda r: r.url.endswith(GRID)) as grid,
        page.expect_response(_descent(optimizer="adam")) as adam,
    ):
        ui.open(page, "/descent")
    ui.settle(page)
    g = grid.value.json()
    data = ui.data(page, "plot-contour")
    assert data[0]["type"] == "contour"
    assert data[0]["z"] == g["z"] and data[0]["x"] == g["x1"] and data[0]["y"] == g["x2"]
    # f >= 0: the diverging scale's white (0) to blue half, not a colour bar symmetric about 0.
    assert data[0]["zmin"] == 0 and data[0]["colorscale"][0] == [0, "#f0f1f2"]
    path = adam.value.json()["path"]
    t = _trace(data, "adam")
    assert t["x"] == [p[0] for p in path] and t["y"] == [p[1] for p in path]
    assert {"sgd", "momentum", "adam"} <= {d["name"] for d in data}
    colours = {d["name"]: d["line"]["color"] for d in data[1:4]}
    assert len(set(colours.values())) == 3  # distinct colours per optimizer
    assert _trace(ui.data(page, "plot-values"), "adam")["y"] == adam.value.json()["values"]
    assert not page.is_visible("#lr-warning")  # lr 0.09 < 2/lambda_max = 0.1
    ui.assert_fits(page)
    ui.shot(page, "descent")
    # Click the contour: the descent starts where the mouse is.
    box = page.locator("#plot-contour .nsewdrag").bounding_box()
    with page.expect_response(_descent(optimizer="sgd")) as sgd:
        page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    ui.settle(page)
    start = sgd.value.request.post_data_json["start"]
    assert start[0] == pytest.approx(2.5, abs=0.2) and start[1] == pytest.approx(1.25, abs=0.2)
    assert sgd.value.json()["path"][0] == pytest.approx(start)
    assert float(page.input_value("#s1")) == start[0]
    assert _trace(ui.data(page, "plot-contour"), "start")["x"] == [start[0]]
    assert f"start={start[0]}%2C{start[1]}" in page.url
    # Optimizer settings: μ = 0.5 goes to momentum only (sgd and adam would answer 422).
    sent: list[dict] = []
    page.on("request", lambda r: r.url.endswith(DESCENT) and sent.append(r.post_data_json))
    page.click("#settings summary")
    assert page.get_attribute("#hp-momentum", "placeholder") == "0.9"
    assert page.get_attribute("#hp-eps", "placeholder") == "1e-8"
    with page.expect_response(_descent(optimizer="momentum", momentum=0.5)):
        page.fill("#hp-momentum", "0.5")
    ui.settle(page)
    assert {b["optimizer"] for b in sent} == {"sgd", "momentum", "adam"}
    assert all("momentum" not in b for b in sent if b["optimizer"] != "momentum")
    body = {"expr": "0.5*x1**2 + 10*x2**2", "start": start, "lr": 0.09, "steps": 100}
    api = ui.api(DESCENT, {**body, "optimizer": "momentum", "momentum": 0.5, "h": 1e-5})
    t = _trace(ui.data(page, "plot-contour"), "momentum")
    assert t["x"] == [p[0] for p in api["path"]] and t["y"] == [p[1] for p in api["path"]]
    assert "momentum=0.5" in page.url
    assert page.inner_text("#settings-summary") == "μ=0.5"


def test_lr_warning_preset_and_inline_error(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/descent")
    with page.expect_response(_descent(lr=0.15, optimizer="sgd")) as r:
        page.fill("#lr", "0.15")
        page.dispatch_event("#lr", "change")
    ui.settle(page)
    assert r.value.json()["warning"]
    assert page.is_visible("#lr-warning")
    assert "2/λmax" in page.inner_text("#lr-warning")
    # Rosenbrock: coloured by sign(f)·log10(1+|f|), still centred at 0.
    with page.expect_response(lambda r: r.url.endswith(GRID)) as grid:
        page.select_option("#preset", "rosenbrock")
    ui.settle(page)
    assert page.input_value("#expr").startswith("(1 - x1)**2")
    z = ui.data(page, "plot-contour")[0]["z"]
    api_z = grid.value.json()["z"]
    assert z[5][7] == pytest.approx(math.copysign(math.log10(1 + abs(api_z[5][7])), api_z[5][7]))
    # μ = 1.5 is refused; the message opens the collapsed settings and sits by the μ input.
    assert not page.is_visible("#hp-momentum")
    page.eval_on_selector(
        "#hp-momentum",
        "(el) => { el.value = '1.5'; el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    ui.settle(page)
    assert page.is_visible("#hp-momentum")
    assert "invalid" in (page.get_attribute("#hp-momentum", "class") or "")
    assert "less than 1" in page.inner_text("[data-error-for=momentum]")
    page.fill("#hp-momentum", "")  # back to the default
    ui.settle(page)
    assert not page.is_visible("[data-error-for=momentum]")
    # A bad expression is marked next to its input; the last good contour stays.
    page.fill("#expr", "x1**2 + y")
    ui.settle(page)
    assert "invalid" in (page.get_attribute("#expr", "class") or "")
    assert "y" in page.inner_text("[data-error-for=expr]")
    assert ui.data(page, "plot-contour")[0]["z"] == z
    ui.shot(page, "descent-rosenbrock-error")


def test_url_round_trip(page, ui):
    query = (
        "?expr=x1**2%2Bx2**2&x1min=-2&x1max=2&x2min=-2&x2max=2&start=1,1&lr=0.2&steps=30"
        "&opt=nesterov,rmsprop&scale=linear&momentum=0.5&rho=0.9"
    )
    with (
        page.expect_response(_descent(optimizer="rmsprop")) as r,
        page.expect_response(_descent(optimizer="nesterov")) as nag,
    ):
        ui.open(page, "/descent" + query)
    body = r.value.request.post_data_json
    assert body["expr"] == "x1**2+x2**2" and body["start"] == [1, 1]
    assert body["lr"] == 0.2 and body["steps"] == 30
    # Each optimizer gets only its own settings from the URL; the settings section shows them.
    assert body["rho"] == 0.9 and "momentum" not in body
    assert nag.value.request.post_data_json["momentum"] == 0.5
    assert "rho" not in nag.value.request.post_data_json
    assert page.is_visible("#hp-momentum") and page.input_value("#hp-momentum") == "0.5"
    assert page.input_value("#hp-rho") == "0.9" and page.input_value("#hp-beta1") == ""
    assert page.is_checked("#opt-nesterov") and not page.is_checked("#opt-sgd")
    names = [d["name"] for d in ui.data(page, "plot-contour")]
    assert names == ["f", "nesterov", "rmsprop", "start", "lowest grid point"]


def test_the_start_gradient_shows_the_servers_verdict_and_kink_warning(page, ui):
    ui.open(page, "/descent?expr=abs(x1)%2Bx2**2&start=0,1&lr=0.1&steps=20&opt=sgd")
    ui.settle(page)
    page.wait_for_function("() => document.querySelector('#g-badge [data-verdict]') !== null")
    assert page.inner_text("#g-badge") == "kink within ±h"
    note = page.inner_text("#g-warnings")
    assert "abs(x1) is not differentiable" in note and "abs'(0) = sign(0) = 0" in note


NOTEBOOK = "?expr=x1**2%2Bx2**3%2B1&x1min=-3&x1max=3&x2min=-1&x2max=4&start=2,3&lr=0.01&steps=1000"


def test_a_run_that_falls_below_zero_is_shown_falling(page, ui):
    """Issue 27 item 11: momentum falls to -1.7e13 on x1² + x2³ + 1; on a log axis of f it sat
    near f = 1 (cut where it left the view), as if it had converged there."""
    with page.expect_response(_descent(optimizer="momentum")) as mom:
        ui.open(page, "/descent" + NOTEBOOK + "&opt=sgd,momentum")
    run = mom.value.json()
    assert run["values"][-1] < -1e12  # the fall the plot must show
    lay = ui.layout(page, "plot-values")
    assert lay["yaxis"]["type"] == "linear"
    assert "sign" in lay["yaxis"]["title"]["text"] and "log" in lay["yaxis"]["title"]["text"]
    t = _trace(ui.data(page, "plot-values"), "momentum")
    assert t["customdata"][-1] == run["values"][-1]  # the real f, for the hover
    y = t["y"][-1]
    assert y == pytest.approx(-math.log10(1 + abs(run["values"][-1])))
    sgd = _trace(ui.data(page, "plot-values"), "sgd")
    assert all(v > 0 for v in sgd["y"])  # f stays above 1 for sgd: positive sign·log
    # The ticks name values of f, not of the transform.
    assert any("10" in str(x) for x in lay["yaxis"]["ticktext"])


def test_all_positive_runs_keep_the_log_axis(page, ui):
    ui.open(page, "/descent")  # the valley: f > 0 on every path
    lay = ui.layout(page, "plot-values")
    assert lay["yaxis"]["type"] == "log"


def test_himmelblau_marks_all_four_minima(page, ui):
    """Issue 27 item 11: the lowest grid point marked one of four equal minima, so optimizers
    that reached another looked as if they had missed."""
    ui.open(page, "/descent")
    page.select_option("#preset", "himmelblau")
    ui.settle(page)
    meta = page.evaluate("() => fetch('/api/v1/meta').then((r) => r.json())")
    record = next(p for p in meta["presets"]["descent"] if p["name"] == "himmelblau")
    data = ui.data(page, "plot-contour")
    names = {t["name"] for t in data}
    assert "lowest grid point" not in names
    m = _trace(data, "known minima")
    assert sorted(zip(m["x"], m["y"], strict=True)) == sorted(
        tuple(p["x"]) for p in record["minima"]
    )
    note = page.inner_text("#grid-note")
    assert "four" in note and page.is_visible("#grid-note")
