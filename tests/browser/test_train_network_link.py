"""Training page → "open in Network page" (issue 27, item 8): the page says which rows it sends
and how many, the learner picks training or test rows (kept in the link), the Network page labels
the layers as the weights trained to epoch N and says which rows it got, and the loss the Network
page computes is the one this page shows when all the rows go (the mean over the rows sent)."""

import math

import pytest

TRAIN = "/api/v1/train"
SETUP = "/train?ds=circles&n=200&noise=0.1&dseed=3&test=0.4&H=6:tanh&opt=adam&lr=0.05&bs=16&seed=2"


def step(page, ui, times: int) -> None:
    for _ in range(times):
        with page.expect_response(lambda r: r.url.endswith(TRAIN)):
            page.click("#step")
        ui.settle(page)


@pytest.mark.parametrize(
    ("send", "rows", "which"), [("test:all", 80, "test"), ("train:16", 16, "train")]
)
def test_the_network_page_gets_the_rows_chosen_said_and_labelled(page, ui, send, rows, which):
    ui.open(page, SETUP)
    assert "Sends test rows 1–16 of 80" in page.inner_text("#net-note")  # the default, said
    step(page, ui, 3)
    page.select_option("#net-rows", send)
    note = page.inner_text("#net-note")
    assert "epoch 3" in note
    assert f"send={send.replace(':', '%3A')}" in page.evaluate("location.search")
    if send == "test:all":
        assert "all 80 test rows" in note and "is the test loss here" in note
    else:
        assert "training rows 1–16 of 120" in note and "mean over these 16 rows" in note
    run = page.evaluate(
        "() => { const r = window.__bpx.run; return {last: r.last, data: r.data}; }"
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/network/run")) as net:
        page.click("#open-network")
    ui.settle(page)
    sent = net.value.request.post_data_json
    answer = net.value.json()
    x = run["data"]["x_test" if which == "test" else "x_train"][:rows]
    assert len(sent["x"]) == rows
    assert all(
        math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)
        for r, s in zip(x, sent["x"], strict=True)
        for a, b in zip(r, s, strict=True)
    )
    if send == "test:all":
        # the Network page's loss is the training page's test loss (the data kept to 6 digits)
        assert math.isclose(answer["loss"], run["last"]["test_loss"], rel_tol=1e-4)
    layers = page.inner_text("#layers")
    assert "the preset's W and b" not in layers
    assert "W and b trained on the Training page to epoch 3" in layers
    told = page.inner_text("#sent-note")
    assert ("all 80 test rows" if which == "test" else "training rows 1–16 of 120") in told
