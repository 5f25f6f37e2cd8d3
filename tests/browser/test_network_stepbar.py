"""The Network page's step bar says where the steps end (issue 27, item 18): "step →" is disabled
at the last step, "← back" in the all-at-once view, and both come back as the position moves."""


def _enabled(page) -> dict:
    return {b: page.is_enabled(f"#step-{b}") for b in ("back", "next")}


def test_step_and_back_are_disabled_where_the_steps_end(page, ui):
    ui.open(page, "/network")
    assert _enabled(page) == {"back": False, "next": True}  # all at once: nothing before
    page.click("#step-next")
    ui.settle(page)
    assert _enabled(page) == {"back": True, "next": True}
    for _ in range(50):
        if not page.is_enabled("#step-next"):
            break
        page.click("#step-next")
        ui.settle(page)
    last = int(page.get_attribute("#step-text", "data-step"))
    assert last > 1 and _enabled(page) == {"back": True, "next": False}
    page.keyboard.press("ArrowRight")  # the key does nothing more at the end
    assert int(page.get_attribute("#step-text", "data-step")) == last
    page.click("#step-reset")
    ui.settle(page)
    assert _enabled(page) == {"back": False, "next": True}
