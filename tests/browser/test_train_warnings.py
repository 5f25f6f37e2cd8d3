"""Training page: a run whose steps overshoot says so (issue 27, item 10). SGD at lr = 50 on XOR
bounces to a loss over a hundred without diverging; the stream's lines carry warnings and the page
shows them in the training bar (and keeps them until the setting changes); a sane run shows none."""

TRAIN = "/api/v1/train"
BASE = "/train?ds=xor&n=200&noise=0.3&H=8:tanh~8:tanh&bs=10&seed=0"


def play_until(page, ui, epochs: int) -> None:
    page.click("#play")
    page.wait_for_function(f"() => window.__bpx.run.epoch >= {epochs}", timeout=30_000)
    page.click("#play")  # pause
    ui.settle(page)


def test_a_huge_learning_rate_is_flagged_and_a_sane_one_is_not(page, ui):
    ui.open(page, BASE + "&opt=sgd&lr=50")
    warnings = page.locator("#train-warnings li")
    assert warnings.count() == 0  # epoch 0: nothing to say yet
    play_until(page, ui, 40)
    assert page.locator('#train-warnings li[data-warn="loss_grew"]').is_visible()
    text = page.inner_text("#train-warnings")
    assert "lower the learning rate (50)" in text and "times its" in text
    # a new learning rate: the old warnings go, the next lines judge the new one
    page.fill("#lr", "0.5")
    page.press("#lr", "Tab")
    ui.settle(page)
    assert warnings.count() == 0
    # Reset clears them too, and a sane run has none
    ui.open(page, BASE + "&opt=adam&lr=0.03")
    play_until(page, ui, 40)
    assert warnings.count() == 0
