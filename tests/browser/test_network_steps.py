"""Network page, step mode: each step's chain rule written with the selected cell's numbers.

The test asks the API itself (same body, every part) and checks every number a step shows."""

import re

import pytest

RUN = "/api/v1/network/run"


def _click_cell(page, plot, i, j, rows, cols):
    box = page.locator(f"#{plot} .nsewdrag").bounding_box()
    page.mouse.click(
        box["x"] + box["width"] * (j + 0.5) / cols, box["y"] + box["height"] * (i + 0.5) / rows
    )


def _expected(api, n, step, name):
    """The API's value of the entry a step's equation names ("dW[1,2]"), at step ``step``."""
    what, idx = re.fullmatch(r"(\w+)\[([\d,]+)\]", name).groups()
    ix = [int(v) for v in idx.split(",")]
    layer = step if step < n else 2 * n - step  # forward: layer k; backward: layer 2n - k
    if what == "y":
        return api["forward"][layer]["output"][ix[0]][ix[1]]
    if what == "seed":
        return api["seed"][ix[0]][ix[1]]
    if what == "dx":
        return api["backward"][layer]["grad_input"][ix[0]][ix[1]]
    if what == "dW":
        return api["backward"][layer]["grads"]["W"][ix[0]][ix[1]]
    assert what == "db", name
    return api["backward"][layer]["grads"]["b"][ix[0]]


@pytest.mark.parametrize(
    ("stack", "loss", "marks"),
    [
        (
            "affine:3:he:0~tanh~affine:4:he:1~softmax",
            "cross_entropy",
            ["1 − y²", "Σ_k dy_k y_k", "−t / (N·y)"],
        ),
        (
            "affine:3:he:2~relu~affine:3:he:3~sigmoid",
            "mse",
            ["relu′", "y(1 − y)", "(y − t) / N"],
        ),
        ("affine:3:he:0~sigmoid~affine:2:he:1", "softmax_cross_entropy", ["(softmax(z)"]),
        (  # the kinds added as records: a batch layer, a row layer, mish and huber
            "affine:3:he:0~batchnorm~mish~affine:3:he:1~layernorm",
            "huber",
            ["over the batch", "mish′", "clip(y − t, −1, 1)", "mean(g x̂)"],
        ),
    ],
)
def test_steps_write_the_selected_cells_numbers_equal_to_the_api(page, ui, stack, loss, marks):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, f"/network?data=toy_2d&gc=0&L={stack}&loss={loss}")
    body = run.value.request.post_data_json
    rows = len(body["x"])
    # Select sample 5, unit 2 in layer 0's output, then dW[1, 2]: the cell is n=5, k=1, j=2.
    _click_cell(page, "hm-a", 5, 2, rows, 3)
    _click_cell(page, "hm-c", 1, 2, 2, 3)
    ui.settle(page)
    assert "cell=5%2C1%2C2" in page.url
    # The cell is outlined where it falls: y[5, 2] of the output, W[1, 2] of dL/dW.
    for plot, (i, j) in (("hm-a", (5, 2)), ("hm-c", (1, 2))):
        shape = ui.layout(page, plot)["shapes"][0]
        assert (shape["y0"], shape["x0"]) == (i - 0.5, j - 0.5), plot
    api = ui.api(RUN, {k: v for k, v in body.items() if k != "include"})  # every part
    n = len(api["forward"])
    # ... and in the seed, at sample 5 and the output's unit 2 (clamped to its width).
    shape = ui.layout(page, "hm-seed")["shapes"][0]
    seed_j = min(2, len(api["seed"][0]) - 1)
    assert (shape["y0"], shape["x0"]) == (5 - 0.5, seed_j - 0.5)
    page.click("#step-next")
    text = ""
    names = []
    for k in range(2 * n + 1):
        if k:
            page.keyboard.press("ArrowRight")
        ui.settle(page)
        assert page.get_attribute("#step-text", "data-step") == str(k)
        eqs = page.evaluate(
            """() => [...document.querySelectorAll('#step-text .eq')]
                .map((e) => ({...e.dataset, text: e.textContent}))"""
        )
        assert eqs
        for eq in eqs:
            want = _expected(api, n, k, eq["name"])
            assert float(eq["api"]) == want, eq
            assert float(eq["value"]) == pytest.approx(want, rel=1e-9, abs=1e-15), eq
            shown = float(eq["text"].rsplit("= ", 1)[1].replace("−", "-"))
            assert shown == pytest.approx(want, rel=1e-8, abs=1e-15), eq
            names.append(eq["name"])
        text += page.inner_text("#step-text") + "\n"
    # The selected cell, clamped to each tensor's width: unit 2 of 3 (or 4), unit 1 of 2.
    out_w = len(api["forward"][-1]["output"][0])
    j_last = min(2, out_w - 1)
    assert names[:n] == [f"y[5,{min(2, len(f['output'][0]) - 1)}]" for f in api["forward"]]
    assert names[n] == f"seed[5,{j_last}]"
    # Backward through layer 0 (affine 2 → 3): dx[5,1], dW[1,2], db[2].
    assert names[-3:] == ["dx[5,1]", "dW[1,2]", "db[2]"]
    assert f"({rows} terms)" in text  # the sums over the batch: first terms, then the count
    for mark in marks:
        assert mark in text, mark
    ui.shot(page, f"network-step-{loss}")
    bar = page.locator(".step-bar").bounding_box()
    assert bar["y"] + bar["height"] < 300  # three equations of the last step: a few lines


# Sample 7's unit 1 is positive into every activation; its unit 2 is negative into leaky_relu
# and elu (their α branches) and positive again by the relu.
@pytest.mark.parametrize("unit", [1, 2])
def test_every_activations_derivative_in_the_backward_steps_equals_the_api(page, ui, unit):
    acts = ["leaky_relu", "elu", "softplus", "gelu", "silu", "softsign", "identity", "relu"]
    stack = "~".join(["affine:3:xavier:4", *acts, "affine:2:he:1", "sigmoid", "tanh"])
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, f"/network?data=toy_2d&gc=0&loss=mse&L={stack}&cell=7,1,{unit}")
    api = run.value.json()
    n = len(api["forward"])
    page.click("#step-next")
    seen = set()
    text = ""
    for k in range(1, 2 * n + 1):
        page.keyboard.press("ArrowRight")
        ui.settle(page)
        if k <= n:
            continue  # forward and the loss: checked by the test above
        for eq in page.evaluate(
            "() => [...document.querySelectorAll('#step-text .eq')].map((e) => ({...e.dataset}))"
        ):
            want = _expected(api, n, k, eq["name"])
            assert float(eq["api"]) == want, eq
            assert float(eq["value"]) == pytest.approx(want, rel=1e-9, abs=1e-15), (k, eq)
            assert float(eq["api"]) != 0, eq  # a gradient that flows, not a trivial 0 = 0
        seen.add(api["forward"][2 * n - k]["type"])
        text += page.inner_text("#step-text")
    assert set(acts) <= seen
    assert ("α = 0.01 as x ≤ 0" in text) == (unit == 2) and ("elu′ = α·e^x" in text) == (unit == 2)
