"""Activations page: several activations overlaid, data equal to the API, upstream slider, URL."""

import pytest

CURVE = "/api/v1/activations/curve"


def _curve(name: str):
    def match(r) -> bool:
        return r.url.endswith(CURVE) and (r.request.post_data_json or {}).get("activation") == name

    return match


def test_default_relu_and_sigmoid_match_api(page, ui):
    with (
        page.expect_response(_curve("relu")) as relu,
        page.expect_response(_curve("sigmoid")) as sig,
    ):
        ui.open(page, "/activations")
    ui.settle(page)
    api = {"relu": relu.value.json(), "sigmoid": sig.value.json()}
    f = ui.data(page, "plot-f")
    assert [t["name"] for t in f] == ["ReLU: f", "sigmoid: f"]
    assert f[0]["y"] == api["relu"]["y"] and f[1]["x"] == api["sigmoid"]["x"]
    df = ui.data(page, "plot-df")
    assert df[2]["y"] == api["sigmoid"]["dy"]
    assert df[3]["y"] == api["sigmoid"]["dy_numeric"]
    back = ui.data(page, "plot-back")
    assert back[0]["y"] == api["relu"]["backward"]
    assert relu.value.request.post_data_json["upstream"] == 10
    # The largest error is printed, with the server's verdict per activation.
    table = page.inner_text("#errors-table")
    assert "sigmoid" in table and "good" in table
    assert page.locator("#errors-table [data-verdict]").count() >= 2
    assert "max error" in ui.layout(page, "plot-df")["title"]["text"]
    # Formulas of f and f' rendered by KaTeX.
    assert page.locator("#formulas .katex").count() >= 4
    ui.assert_fits(page)
    ui.shot(page, "activations")


def _alpha_is(value):
    def match(r) -> bool:
        if not r.url.endswith(CURVE):
            return False
        body = r.request.post_data_json or {}
        return body.get("activation") == "leaky_relu" and body.get("alpha") == value

    return match


def _named(data: list[dict], name: str) -> dict:
    return next(t for t in data if t["name"] == name)


def _refuse_alpha(value):
    """Route handler: answer 422 on ``alpha`` for that value, pass everything else on."""
    detail = [{"type": "value_error", "loc": ["body", "alpha"], "msg": "bad α"}]

    def handle(route) -> None:
        if (route.request.post_data_json or {}).get("alpha") == value:
            route.fulfill(status=422, json={"detail": detail})
        else:
            route.continue_()

    return handle


def test_add_activation_move_upstream_and_alpha(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/activations")
    assert not page.is_visible("#alpha-leaky_relu")  # shown only with its activation
    with page.expect_response(_curve("tanh")) as tanh:
        page.check("#act-tanh")
    ui.settle(page)
    names = [t["name"] for t in ui.data(page, "plot-f")]
    assert names == ["ReLU: f", "sigmoid: f", "tanh: f"]
    assert ui.data(page, "plot-f")[2]["y"] == tanh.value.json()["y"]
    with page.expect_response(
        lambda r: (
            r.url.endswith(CURVE)
            and r.request.post_data_json["upstream"] == -2.5
            and r.request.post_data_json["activation"] == "relu"
        )
    ) as r:
        page.eval_on_selector(
            "#upstream",
            "(s) => { s.value = '-2.5'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
        )
    ui.settle(page)
    assert "up=-2.5" in page.url
    back = ui.data(page, "plot-back")
    assert back[0]["name"] == "ReLU: -2.5·f′"
    # The page draws its own upstream·f' at once, then takes the API's backward: they agree.
    api_back = next(t for t in back if t["name"].startswith("ReLU"))["y"]
    assert api_back == pytest.approx([-2.5 * v for v in r.value.json()["dy"]])

    # leaky ReLU's α: its own input, sent for leaky_relu only, plotted as the API computes it.
    page.check("#act-leaky_relu")
    ui.settle(page)
    assert page.is_visible("#alpha-leaky_relu") and not page.is_visible("#alpha-elu")
    assert page.input_value("#alpha-leaky_relu") == "0.01"  # GET /activations's default
    sent: list[dict] = []
    page.on("request", lambda r: r.url.endswith(CURVE) and sent.append(r.post_data_json))
    with page.expect_response(_alpha_is(0.2)):
        page.fill("#alpha-leaky_relu", "0.2")
    ui.settle(page)
    assert len(sent) >= 4 and all("alpha" not in b for b in sent if b["activation"] != "leaky_relu")
    body = {"activation": "leaky_relu", "x_min": -6, "x_max": 6, "num": 801, "upstream": -2.5}
    api = ui.api(CURVE, {**body, "h": 1e-5, "alpha": 0.2})
    trace = "leaky ReLU: -2.5·f′"
    assert _named(ui.data(page, "plot-back"), trace)["y"] == api["backward"]
    assert max(api["backward"]) == -0.5  # -2.5 * 0.2 left of 0
    assert _named(ui.data(page, "plot-df"), "leaky ReLU: analytic f′")["y"] == api["dy"]
    assert "α = 0.2" in page.inner_text("#formulas")  # the formula with α plugged in
    assert "leaky_relu_alpha=0.2" in page.url
    # A reload (or a shared link) restores α and asks the API with it.
    with page.expect_response(_alpha_is(0.2)):
        page.reload()
    ui.settle(page)
    assert page.input_value("#alpha-leaky_relu") == "0.2" and page.is_checked("#act-leaky_relu")
    assert _named(ui.data(page, "plot-back"), trace)["y"] == api["backward"]
    # An API error on alpha shows next to that activation's α input; the last good plot stays.
    page.route(lambda url: url.endswith(CURVE), _refuse_alpha(7))
    page.fill("#alpha-leaky_relu", "7")
    ui.settle(page)
    assert "invalid" in (page.get_attribute("#alpha-leaky_relu", "class") or "")
    assert page.inner_text("[data-error-for=leaky_relu_alpha]").endswith("bad α")
    assert _named(ui.data(page, "plot-back"), trace)["y"] == api["backward"]


def test_inline_error_and_url_round_trip(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/activations?act=gelu&xmin=-3&xmax=3&up=2&h=0.001")
    assert page.is_checked("#act-gelu") and not page.is_checked("#act-relu")
    assert ui.data(page, "plot-f")[0]["x"][0] == -3
    # x_min >= x_max is refused by the API with loc x_max; the message appears by that input.
    page.fill("#xmin", "5")
    page.dispatch_event("#xmin", "change")
    ui.settle(page)
    assert "invalid" in (page.get_attribute("#xmax", "class") or "")
    assert "x_min must be less than x_max" in page.inner_text("[data-error-for=x_max]")
    assert ui.data(page, "plot-f")[0]["x"][0] == -3  # the last good plot stays


def test_the_probe_x_is_kept_in_the_link(page, ui):
    """Issue 27 item 14: a link restores the x the numbers are read at."""
    ui.open(page, "/activations?act=relu,sigmoid")
    page.fill("#probe-x", "0.75")
    page.press("#probe-x", "Enter")
    ui.settle(page)
    assert "probe=0.75" in page.url
    page.goto(page.url)
    ui.settle(page)
    assert page.input_value("#probe-x") == "0.75"
    head = page.inner_text("#probe thead")
    assert "x = 0.75" in head
    # A click on a plot moves the probe, and the link follows.
    box = page.locator("#plot-f .nsewdrag").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    ui.settle(page)
    x = page.input_value("#probe-x")
    assert x != "0.75" and f"probe={x}" in page.url
    # Emptied: no probe, and none in the link.
    page.fill("#probe-x", "")
    page.press("#probe-x", "Enter")
    ui.settle(page)
    assert "probe=" not in page.url


def test_a_probe_beyond_float64_says_why_beside_the_field(page, ui, problems):
    """Issue 27 item 18: 1e999 was dropped silently."""
    ui.open(page, "/activations?act=relu")
    page.fill("#probe-x", "1e999")
    page.press("#probe-x", "Enter")
    ui.settle(page)
    msg = page.inner_text('[data-error-for="probe"]')
    assert msg and ("finite" in msg or "too large" in msg or "float64" in msg), msg
    assert page.is_visible('[data-error-for="probe"]')
    page.fill("#probe-x", "0.75")
    page.press("#probe-x", "Enter")
    ui.settle(page)
    assert page.inner_text('[data-error-for="probe"]') == ""
    assert "x = 0.75" in page.inner_text("#probe thead")
