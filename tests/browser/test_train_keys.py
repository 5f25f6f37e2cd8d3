"""Training page, by keyboard (issue 27, item 17): Play is among the first Tab stops (not the
31st), and the page has shortcuts like the graph page's, told in a hint: Space or k play/pause,
→ or s one epoch, Home or r reset; ignored while typing in a field."""

SETUP = "/train?ds=xor&n=100&H=4:tanh&opt=adam&lr=0.05&bs=10"


def state(page) -> dict:
    return page.evaluate(
        "() => ({epoch: window.__bpx.run.epoch, playing: window.__bpx.run.playing})"
    )


def test_play_is_an_early_tab_stop(page, ui):
    ui.open(page, SETUP)
    stops = [s["id"] for s in ui.tab_order(page)]
    assert "play" in stops and stops.index("play") < 12, stops[:15]


def test_shortcuts_play_step_and_reset_but_not_while_typing(page, ui):
    ui.open(page, SETUP)
    hint = page.locator(".keys")
    assert hint.is_visible() and "Space" in hint.inner_text()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("s")
    ui.settle(page)
    assert state(page)["epoch"] == 1
    page.keyboard.press("ArrowRight")
    ui.settle(page)
    assert state(page)["epoch"] == 2
    page.keyboard.press(" ")
    page.wait_for_function("() => window.__bpx.run.playing && window.__bpx.run.epoch > 2")
    page.keyboard.press(" ")
    ui.settle(page)
    assert not state(page)["playing"]
    page.keyboard.press("r")
    ui.settle(page)
    assert state(page)["epoch"] == 0
    # typing in a field: the keys are the field's
    page.focus("#lr")
    page.keyboard.press("s")
    page.keyboard.press(" ")
    page.keyboard.press("r")
    ui.settle(page)
    assert state(page) == {"epoch": 0, "playing": False}
