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
    assert [t["name"] for t in f] == ["relu: f", "sigmoid: f"]
    assert f[0]["y"] == api["relu"]["y"] and f[1]["x"] == api["sigmoid"]["x"]
    df = ui.data(page, "plot-df")
    assert df[2]["y"] == api["sigmoid"]["dy"]
    assert df[3]["y"] == api["sigmoid"]["dy_numeric"]
    back = ui.data(page, "plot-back")
    assert back[0]["y"] == api["relu"]["backward"]
    assert relu.value.request.post_data_json["upstream"] == 10
    # The largest error is printed, with a pass badge per activation.
    table = page.inner_text("#errors-table")
    assert "sigmoid" in table and "pass" in table
    assert "max error" in ui.layout(page, "plot-df")["title"]["text"]
    # Formulas of f and f' rendered by KaTeX.
    assert page.locator("#formulas .katex").count() >= 4
    ui.assert_fits(page)
    ui.shot(page, "activations")


def test_add_activation_and_move_upstream(page, ui):
    ui.open(page, "/activations")
    with page.expect_response(_curve("tanh")) as tanh:
        page.check("#act-tanh")
    ui.settle(page)
    names = [t["name"] for t in ui.data(page, "plot-f")]
    assert names == ["relu: f", "sigmoid: f", "tanh: f"]
    assert ui.data(page, "plot-f")[2]["y"] == tanh.value.json()["y"]
    with page.expect_response(
        lambda r: r.url.endswith(CURVE) and r.request.post_data_json["upstream"] == -2.5
    ) as r:
        page.eval_on_selector(
            "#upstream",
            "(s) => { s.value = '-2.5'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
        )
    ui.settle(page)
    assert "up=-2.5" in page.url
    back = ui.data(page, "plot-back")
    assert back[0]["name"] == "relu: -2.5·f′"
    # The page draws its own upstream·f' at once, then takes the API's backward: they agree.
    api_back = next(t for t in back if t["name"].startswith("relu"))["y"]
    assert api_back == pytest.approx([-2.5 * v for v in r.value.json()["dy"]])


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
