"""Pasted x on the Network page (issue 27, item 15): a ragged row is refused beside the x box,
counted from 1 as the other messages are; the shape hint follows the pasted data."""


def test_a_ragged_row_is_named_beside_the_x_box_from_1_and_the_hint_follows(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/network?data=toy_2d&L=affine:3:xavier:2~tanh~affine:2:he:0~softmax")
    page.select_option("#data", "custom")
    page.fill("#x-text", "1 2\n3 4\n5 6")
    page.fill("#t-text", "0\n1\n0")
    ui.settle(page)
    assert page.inner_text("#shape-hint").startswith("x is 3 × 2"), page.inner_text("#shape-hint")

    page.fill("#x-text", "1 2 7\n3 4\n5 6 8")  # line 2 is short
    ui.settle(page)
    error = page.locator("[data-error-for=x]")
    assert error.is_visible()
    text = error.inner_text()
    assert "line 2" in text and "2 numbers" in text and "3" in text, text
    assert page.inner_text("#controls > .form-error").strip() == ""  # not by the Run button
    hint = page.inner_text("#shape-hint")
    assert "3 × 2" not in hint and "× 3" not in hint, hint
    assert "no shape" in hint and "x box" in hint, hint

    page.fill("#x-text", "1 2 7\n3 4 9\n5 6 8")  # fixed: the hint and the box follow
    ui.settle(page)
    assert not error.is_visible() or error.inner_text().strip() == ""
    assert page.inner_text("#shape-hint").startswith("x is 3 × 3"), page.inner_text("#shape-hint")
