"""The training page's fields say what is wrong beside themselves, in the field's own units:
a bad data seed is marked at the data seed (issue 27, item 3), "test %" speaks in percent (item 9),
and a hidden layer's width is checked, not silently clamped (item 17)."""

import pytest

SETUP = "/train?ds=xor&n=100&H=4:tanh"


def error_for(page, field: str) -> str:
    box = page.locator(f'[data-error-for="{field}"]')
    return box.inner_text() if box.is_visible() else ""


def test_a_bad_data_seed_is_marked_at_the_data_seed(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, SETUP)
    page.fill("#dseed", "-3")
    page.press("#dseed", "Tab")
    ui.settle(page)
    page.wait_for_function("() => document.querySelector('#dseed').classList.contains('invalid')")
    assert "greater than or equal to 0" in error_for(page, "seed_data")
    assert error_for(page, "seed") == ""  # not under "shuffle and init seed"


@pytest.mark.parametrize("typed", ["100", "0"])
def test_test_percent_speaks_in_percent(page, ui, problems, typed):
    problems.allow(r"status of 422")
    ui.open(page, SETUP)
    page.fill("#test", typed)
    page.press("#test", "Tab")
    ui.settle(page)
    assert error_for(page, "test") == "test % must be between 1 and 99"


@pytest.mark.parametrize("typed", ["0", "5000", "2.5"])
def test_a_hidden_width_out_of_range_is_said_beside_its_box(page, ui, typed):
    ui.open(page, SETUP)
    width = page.get_by_label("width of hidden layer 1")
    width.fill(typed)
    width.press("Tab")
    ui.settle(page)
    box = page.locator(".layer-item").first.locator(".field-error")
    assert box.is_visible(), "the width was changed silently"
    assert "width of hidden layer 1 must be" in box.inner_text()
    assert width.get_attribute("aria-invalid") == "true"
    assert page.evaluate("location.search").count("H=4%3Atanh") == 1  # the layer kept its 4


def test_disabled_fields_look_disabled(page, ui):
    ui.open(page, SETUP)  # xor has two classes only: the classes field is disabled
    assert page.locator("#classes").is_disabled()
    look = page.evaluate(
        """() => ['#classes', '#dseed'].map((s) => {
             const c = getComputedStyle(document.querySelector(s));
             return c.backgroundColor + ' ' + c.color + ' ' + c.cursor; })"""
    )
    assert look[0] != look[1], look


def test_an_error_inside_a_closed_section_opens_it(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, SETUP)
    page.evaluate("document.querySelector('#seed').closest('details').open = true")
    page.fill("#seed", "-3")
    page.evaluate("document.querySelector('#seed').closest('details').open = false")
    page.dispatch_event("#seed", "change")
    ui.settle(page)
    page.wait_for_function("() => document.querySelector('#seed').classList.contains('invalid')")
    assert page.locator("#seed").is_visible()
    assert "greater than or equal to 0" in error_for(page, "seed")
