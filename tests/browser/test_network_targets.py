"""Pasted targets on the Network page: a negative class index is said as a class index (issue 27,
item 12), beside the targets box, not as a message about shapes."""


def test_a_negative_target_is_named_as_a_class_index(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/network?data=toy_2d&L=affine:3:xavier:2~tanh~affine:2:he:0~softmax")
    page.select_option("#data", "custom")
    page.fill("#x-text", "1 2\n3 4")
    page.fill("#t-text", "0\n-1")
    ui.settle(page)
    error = page.locator("[data-error-for=targets]")
    assert error.is_visible()
    text = error.inner_text()
    assert "class" in text and "0 to 1" in text, text
    assert "shape" not in text, text
