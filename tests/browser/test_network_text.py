"""Network page text that must be read whole (issue 27, item 18): the Jacobian's softmax output y
is written in the card, wrapping, not clipped in the plot's title; "stale" badges sit in their
card's title row, never drawn over the title, at 1366×768 and at 150 % (911×512)."""

import pytest

JAC = "/api/v1/softmax/jacobian"
VIEWPORTS = [{"width": 1366, "height": 768}, {"width": 911, "height": 512}]

OVERFLOWS = """(el) => el.scrollWidth > el.clientWidth + 1"""


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1366", "150pct"])
def test_the_jacobians_y_is_written_whole_beside_the_plot(page, ui, viewport):
    page.set_viewport_size(viewport)
    with page.expect_response(lambda r: r.url.endswith(JAC)) as jac:
        ui.open(page, "/network?data=notebook&gc=0&sample=3")
    y = jac.value.json()["y"]
    assert len(y) == 4
    note = page.locator("#jac-y")
    assert note.is_visible()
    text = note.inner_text()
    assert text.startswith("sample 3: y = ("), text
    for v in y:
        assert f"{v:.3f}".rstrip("0").rstrip(".") in text, (v, text)
    assert not note.evaluate(OVERFLOWS), text
    title = (ui.layout(page, "hm-jac").get("title") or {}).get("text", "")
    assert "y = (" not in title, title


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1366", "150pct"])
def test_stale_badges_sit_in_the_title_row_not_over_it(page, ui, viewport):
    page.set_viewport_size(viewport)
    ui.open(page, "/network?data=notebook&gc=0")  # 1000 rows: a change waits for Run
    page.select_option("#loss", "mse")
    ui.settle(page)
    for card in ["#card-tensors", "#card-gc", "#card-jac", "#card-seed"]:
        assert "stale" in (page.get_attribute(card, "class") or ""), card
        badge = page.evaluate(
            """(sel) => {
                const card = document.querySelector(sel);
                const title = card.querySelector(':scope > .panel-title');
                const on = getComputedStyle(card, '::after');
                const mark = getComputedStyle(title, '::after');
                return {card: on.content, title: mark.content, position: mark.position,
                        overflow: title.scrollWidth > title.clientWidth + 1};
            }""",
            card,
        )
        assert badge["card"] in ("none", "normal"), badge  # nothing drawn over the card's top
        assert "out of date" in badge["title"] and badge["position"] == "static", badge
        assert not badge["overflow"], (card, badge)


def test_the_fused_losss_softmax_has_its_jacobian(page, ui):
    """softmax + cross-entropy is a softmax on the logits: its Jacobian is drawn (the page passed
    the loss's name where what it expects was asked, and said "No softmax in this stack")."""
    with page.expect_response(lambda r: r.url.endswith(JAC)) as jac:
        ui.open(
            page,
            "/network?data=toy_2d&L=affine:4:he:0~tanh~affine:2:he:1&loss=softmax_cross_entropy",
        )
    assert len(jac.value.request.post_data_json["x"]) == 2  # the logits of one sample
    assert page.inner_text("#jac-note").strip() == ""
    assert page.is_visible("#hm-jac")
