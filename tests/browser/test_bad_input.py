"""Bad data in every editable field of every page: the server's (or the page's own) message
appears beside that field, the field is marked, and the last good plot stays."""

import pytest

# (page, field, value, error box, words the message must hold). Number inputs get text the
# browser cannot read as a number ("1e"), an empty box, or values the API refuses.
CASES = [
    ("/derivative", "#expr", "x**2 + y", "expr", "'y'"),
    ("/derivative", "#x0-num", "1e", "x0", "must be a number"),
    ("/derivative", "#xmin", "", "x_min", "is empty"),
    ("/derivative", "#xmax", "-9", "x_max", "x_min"),
    ("/activations", "#xmin", "1e", "x_min", "must be a number"),
    ("/activations", "#xmax", "-9", "x_max", "x_min"),
    ("/activations", "#probe-x", "1e", "probe", "must be a number"),
    ("/activations?act=leaky_relu", "#alpha-leaky_relu", "1e", "leaky_relu_alpha", "α must be"),
    ("/descent", "#expr", "x1 + y", "expr", "'y'"),
    ("/descent", "#x1min", "", "x1_min", "is empty"),
    ("/descent", "#x2max", "-5", "x2_max", "x2_min"),
    ("/descent", "#s1", "1e", "start", "must be a number"),
    ("/descent", "#lr", "0", "lr", "greater than 0"),
    ("/descent", "#steps", "2.5", "steps", "whole number"),
    ("/descent", "#steps", "0", "steps", "greater than or equal to 1"),
    ("/descent?opt=momentum", "#hp-momentum", "1.5", "momentum", "less than 1"),
    ("/network?data=custom", "#x-text", "1 2\n3 a", "x", "'a' is not a finite number"),
    ("/network?data=custom", "#t-text", "0\nfoo", "targets", "'foo' is not a finite number"),
    ("/network?data=custom", "#t-text", "0\n7", "targets", "target"),
    (
        "/network?data=toy_2d&L=affine:3:he:0~tanh~affine:2:he:0~softmax",
        "[aria-label='output width of layer 2']",
        "0",
        "layer-2",
        "whole number",
    ),
    ("/network?data=toy_2d", "[aria-label='random seed of layer 0']", "-1", "layer-0", "seed"),
    ("/network", "#sample", "1.5", "sample", "whole number"),
]


@pytest.mark.parametrize(("path", "field", "value", "box", "words"), CASES)
def test_bad_value_is_explained_beside_its_field(
    page, ui, problems, path, field, value, box, words
):
    problems.allow(r"status of 422")
    if path.startswith("/network?data=custom"):
        ui.open(page, "/network?data=toy_2d")
        page.select_option("#data", "custom")  # fills the boxes with the toy data
    else:
        ui.open(page, path)
    ui.settle(page)
    plots = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].map((g) => g.id)"
    )
    before = {p: ui.data(page, p) for p in plots}
    el = page.locator(field)
    if field.startswith("#hp-"):
        page.click("#settings summary")  # the optimizer settings start folded
    if value.endswith("e") and el.get_attribute("type") == "number":
        el.fill("")
        el.type(value)  # typed keys: the browser holds text it cannot read as a number
    else:
        el.fill(value)
    el.dispatch_event("change")
    ui.settle(page)
    shown = page.locator(f"[data-error-for='{box}']")
    assert shown.is_visible(), f"no message beside {field}"
    text = shown.inner_text()
    assert words in text, text
    assert "Could not reach the server" not in page.inner_text("body")
    target = page.locator(f"[data-field~='{box}']").first if box.startswith("layer-") else el
    assert "invalid" in (target.get_attribute("class") or "")
    for p, data in before.items():  # the last good plots stay (marked stale), not blanked
        assert ui.data(page, p) == data, p
