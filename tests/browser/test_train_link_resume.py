"""Training page: a link reopens the network where it was trained (issue 27, item 14). When the
run is idle the trained state (weights and optimizer state, exact) is in the link; a second tab
opens at that epoch, and its next step gives the same numbers as the first tab's. A network too
large for a link says plainly, beside the status, that its link reopens untrained."""

import json

TRAIN = "/api/v1/train"
SMALL = "/train?ds=xor&n=100&H=4:tanh&opt=adam&lr=0.05&bs=10&seed=1"
LARGE = "/train?ds=xor&n=100&H=64:tanh~64:tanh&opt=adam&lr=0.01&bs=50&seed=1"


def step(page, ui) -> dict:
    with page.expect_response(lambda r: r.url.endswith(TRAIN)) as res:
        page.click("#step")
    ui.settle(page)
    return json.loads(res.value.text().splitlines()[0])


def test_a_link_reopens_the_trained_network_at_its_epoch(page, ui):
    ui.open(page, SMALL)
    for _ in range(3):
        step(page, ui)
    url = page.url
    assert "R=%7B" in url
    assert not page.locator("#link-note").is_visible()
    nxt = step(page, ui)  # epoch 4 here
    other = page.context.new_page()
    with other.expect_response(lambda r: r.url.endswith(TRAIN)) as first:
        other.goto(url)
    ui.settle(other)
    assert first.value.request.post_data_json["resume"]["epoch"] == 3
    assert other.evaluate("() => window.__bpx.run.epoch") == 3
    assert "epoch 3" in other.inner_text("#status")
    again = step(other, ui)  # epoch 4 there, from the state the link carried
    assert again["epoch"] == nxt["epoch"] == 4
    assert again["train_loss"] == nxt["train_loss"]  # bit for bit
    # Reset: back to epoch 0, and so is the link
    other.click("#reset")
    ui.settle(other)
    assert "R=%7B" not in other.url
    other.close()


def test_a_network_too_large_for_a_link_says_its_link_reopens_untrained(page, ui):
    ui.open(page, LARGE)
    step(page, ui)
    assert "R=%7B" not in page.url
    note = page.locator("#link-note")
    assert note.is_visible()
    assert "reopens untrained" in note.inner_text()
