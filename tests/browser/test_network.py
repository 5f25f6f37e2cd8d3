"""Network page: notebook preset, graph, heatmaps, gradient check and Jacobian equal the API."""

import math

import pytest

RUN = "/api/v1/network/run"
JAC = "/api/v1/softmax/jacobian"


def test_notebook_example(page, ui):
    with (
        page.expect_response(lambda r: r.url.endswith(RUN)) as run,
        page.expect_response(lambda r: r.url.endswith(JAC)) as jac,
    ):
        ui.open(page, "/network")
    ui.settle(page)
    api = run.value.json()
    body = run.value.request.post_data_json
    assert len(body["x"]) == 1000 and [layer["type"] for layer in body["layers"]] == [
        "affine",
        "sigmoid",
        "softmax",
    ]
    # The notebook's loss bug gave 6952; a correct cross-entropy over 4 classes is near ln 4.
    assert api["loss"] < 3
    assert "1.46" in page.inner_text("#graph") or f"{api['loss']:.5}"[:4] in page.inner_text(
        "#graph"
    )
    nodes = page.locator("#graph .node")
    assert nodes.count() == len(api["forward"]) + 2
    # Layer 0 (affine) is selected: output, gradient flowing back, dW, db as heatmaps.
    # 1000 rows: a window of the first 64 (row-window slider), never sub-pixel stripes.
    assert ui.data(page, "hm-a")[0]["z"] == api["forward"][0]["output"][:64]
    assert ui.data(page, "hm-b")[0]["z"] == api["backward"][0]["grad_input"][:64]
    assert ui.data(page, "hm-c")[0]["z"] == api["backward"][0]["grads"]["W"]
    assert ui.data(page, "hm-d")[0]["z"] == [api["backward"][0]["grads"]["b"]]
    hm = ui.data(page, "hm-c")[0]
    assert hm["zmid"] == 0 and hm["zmin"] == -hm["zmax"]
    assert "shape" in hm["hovertemplate"] and "W =" in hm["hovertemplate"]
    # Gradient check: one row per tensor, coloured by the API's verdict.
    rows = page.locator("#gc-table tbody tr")
    assert rows.count() == len(api["gradcheck"])
    assert page.locator("#gc-table .badge.pass").count() == sum(
        g["passed"] for g in api["gradcheck"]
    )
    # The per-entry arrays are not sent until their heatmap is opened; then they are fetched.
    assert "gradcheck_arrays" not in body["include"] and "numeric" not in api["gradcheck"][0]
    assert not page.is_visible("#hm-rel")
    with page.expect_response(lambda r: r.url.endswith(RUN)) as arrays:
        page.click("#gc-more summary")
    ui.settle(page)
    assert arrays.value.request.post_data_json["include"] == ["gradcheck_arrays"]
    assert "gca=1" in page.url
    rel = ui.data(page, "hm-rel")[0]["z"]
    first = arrays.value.json()["gradcheck"][0]
    assert rel[0][0] == pytest.approx(math.log10(max(first["rel_error"][0][0], 1e-16)))
    # Softmax Jacobian of sample 0, fed the softmax layer's input (layer 1's output).
    assert jac.value.request.post_data_json["x"] == api["forward"][1]["output"][0]
    assert ui.data(page, "hm-jac")[0]["z"] == jac.value.json()["jacobian"]
    ui.assert_fits(page)
    ui.shot(page, "network")
    # Click a cell of dL/dW: its numbers, the numerical value, and the sum that gives it.
    box = page.locator("#hm-c .nsewdrag").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.25)
    text = page.inner_text("#sel-formula")
    dw = api["backward"][0]["grads"]["W"][0][0]
    assert "∂L/∂W[0, 0]" in text and "numerical" in text and "Σₙ x[n,0]·δ[n,0]" in text
    assert f"{dw:.6g}"[:6] in text
    ui.settle(page)  # the click on a weight also asks for its nudge chart
    # Click a node: its tensors (redrawn without a request: wait for the plot, not the counters).
    page.click("#graph .node[data-node='1']")
    assert page.inner_text("#sel-title") == "Layer 1: sigmoid"
    ui.plotted(page, "hm-a", api["forward"][1]["output"][:64])
    assert ui.data(page, "hm-a")[0]["z"] == api["forward"][1]["output"][:64]
    assert "sel=1" in page.url


def test_build_stack_on_toy_data(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/network?data=toy_2d")
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        page.select_option("#add-type", "relu")
        page.click("#add-layer")
    ui.settle(page)
    types = [layer["type"] for layer in run.value.request.post_data_json["layers"]]
    assert types == ["affine", "tanh", "affine", "softmax", "relu"]
    # cross-entropy after a relu is refused; the API's message is shown, not swallowed.
    assert run.value.status == 422
    assert page.locator(".field-error.shown, .form-error.shown").count() >= 1
    # Move the new relu up twice and remove the tanh: the request follows the list. Under load
    # the clicks may be further apart than the debounce, so each may run; wait for the page to
    # settle and judge the last run (older ones are aborted or answered before it was sent).
    runs = []
    page.on("response", lambda r: runs.append(r) if r.url.endswith(RUN) else None)
    page.click("[aria-label='move layer 4 up']")
    page.click("[aria-label='move layer 3 up']")
    page.click("[aria-label='remove layer 1']")
    ui.settle(page)
    # The graph is redrawn only by a good run: the final stack's is on screen.
    page.wait_for_function(
        "document.querySelector(\"#graph .node[data-node='1']\")?.textContent.startsWith('relu')"
    )
    assert runs and runs[-1].status == 200
    body = runs[-1].request.post_data_json
    assert [layer["type"] for layer in body["layers"]] == ["affine", "relu", "affine", "softmax"]
    assert body["layers"][2]["in"] == 4  # widths follow the stack
    api = runs[-1].json()
    assert page.locator("#graph .node").count() == 6
    assert "L=affine" in page.url
    # Another sample for the Jacobian.
    with page.expect_response(lambda r: r.url.endswith(JAC)) as jac:
        page.fill("#sample", "3")
        page.dispatch_event("#sample", "change")
    ui.settle(page)
    assert jac.value.request.post_data_json["x"] == api["forward"][2]["output"][3]


def test_inline_errors_and_url_round_trip(page, ui, problems):
    problems.allow(r"status of 422")
    query = "?data=toy_2d&L=affine:3:xavier:2~tanh~affine:2:he:0~softmax&sel=2&gc=0"
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network" + query)
    body = run.value.request.post_data_json
    assert body["layers"][0] == {"type": "affine", "in": 2, "out": 3, "init": "xavier", "seed": 2}
    assert body["gradcheck"] is False
    assert page.get_attribute("#graph .node[data-node='2']", "aria-pressed") == "true"
    # Pasted data with a target out of range: marked on the targets box.
    page.select_option("#data", "custom")
    page.fill("#x-text", "1 2\n3 4")
    page.fill("#t-text", "0\n7")
    ui.settle(page)
    assert "invalid" in (page.get_attribute("#t-text", "class") or "")
    assert page.is_visible("[data-error-for=targets]")
    assert "X=1%2C2%3B3%2C4" in page.url
    # A width the stack cannot take: marked on that layer.
    page.fill("#t-text", "0\n1")
    page.fill("[aria-label='output width of layer 2']", "3")
    page.dispatch_event("[aria-label='output width of layer 2']", "change")
    ui.settle(page)
    assert page.locator("#graph .node").count() == 6
    ui.assert_fits(page)
    ui.shot(page, "network-custom")


def test_preset_weights_survive_pasted_data_and_errors_mark_the_layer(page, ui, problems):
    problems.allow(r"status of 422")
    ui.open(page, "/network?data=notebook&gc=0")
    # Paste 3-column data: the notebook's W (2 x 4) no longer fits; layer 0 is marked.
    page.select_option("#data", "custom")
    with page.expect_response(lambda r: r.url.endswith(RUN) and r.status == 422) as run:
        page.fill("#x-text", "1 2 3\n4 5 6")
        page.fill("#t-text", "0\n3")
    ui.settle(page)
    w = run.value.request.post_data_json["layers"][0]["W"]
    assert w[0][0] == pytest.approx(0.29642285776231825)  # the notebook's W, kept
    first = page.locator("#layers li").first
    assert "invalid" in (first.get_attribute("class") or "")
    assert "layer 0" in first.locator(".layer-err").inner_text()
    assert "L=affine%3A%3Dnotebook.0" in page.url
    # Two columns again: it runs.
    with page.expect_response(lambda r: r.url.endswith(RUN) and r.status == 200):
        page.fill("#x-text", "1 2\n4 5")
    ui.settle(page)
    assert "invalid" not in (first.get_attribute("class") or "")


@pytest.mark.parametrize("custom", [False, True])
def test_custom_link_survives_clicks_and_restores_in_fresh_context(page, ui, browser, custom):
    ui.open(page, "/network?data=toy_2d")
    if custom:  # the toy set pasted as matrices, then one more row in both boxes
        page.select_option("#data", "custom")
        ui.settle(page)
        # Both boxes change in one task. Filled one after the other, a pause longer than the
        # debounce between the two (CI under load) runs 41 rows with 40 targets: a 422.
        page.evaluate(
            """() => { for (const [id, row] of [['x-text', '0.5 0.25'], ['t-text', '1']]) {
                const box = document.getElementById(id);
                box.value += '\\n' + row;
                box.dispatchEvent(new Event('input', {bubbles: true})); } }"""
        )
        ui.settle(page)
        assert page.input_value("#x-text").endswith("\n0.5 0.25")
    width = "[aria-label='output width of layer 0']"
    with page.expect_response(lambda r: r.url.endswith(RUN) and r.status == 200) as run:
        page.fill(width, "8")
        page.dispatch_event(width, "change")
    ui.settle(page)
    first = run.value.json()
    page.click("#graph .node[data-node='1']")
    page.locator("#gc-table tbody tr").nth(1).click()
    ui.settle(page)
    url = page.url
    assert "L=affine%3A8" in url and ("data=custom" if custom else "data=toy_2d") in url
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        with other.expect_response(lambda r: r.url.endswith(RUN)) as again:
            other.goto(url)
        ui.settle(other)
        body = again.value.request.post_data_json
        assert body["layers"] == run.value.request.post_data_json["layers"]
        assert body["x"] == run.value.request.post_data_json["x"]
        assert again.value.json()["loss"] == first["loss"]
        assert other.get_attribute("#graph .node[data-node='1']", "aria-pressed") == "true"
    finally:
        fresh.close()


def test_results_not_matching_the_inputs_are_marked_out_of_date(page, ui):
    ui.open(page, "/network?data=notebook&gc=0")  # 1000 rows: a change waits for Run
    cards = ["#card-tensors", "#card-gc", "#card-jac", "#graph"]
    assert all("stale" not in (page.get_attribute(c, "class") or "") for c in cards)
    page.select_option("#loss", "mse")
    ui.settle(page)
    for c in cards:
        assert "stale" in (page.get_attribute(c, "class") or ""), c
    title = "document.querySelector('#card-tensors > .panel-title')"
    label = page.evaluate(f"getComputedStyle({title}, '::after').content")
    assert "out of date — Run" in label
    with page.expect_response(lambda r: r.url.endswith(RUN)):
        page.click("#run")
    ui.settle(page)
    assert all("stale" not in (page.get_attribute(c, "class") or "") for c in cards)


@pytest.mark.parametrize(
    ("query", "code", "where"),
    [
        (
            "data=toy_2d&L=affine:4:he:0~tanh~affine:2:he:1~softmax&loss=softmax_cross_entropy",
            "double_softmax",
            "#layers li:nth-child(4)",
        ),
        (
            "data=custom&L=identity~softmax&X=0,1000&T=0&loss=cross_entropy",
            "cross_entropy_underflow",
            ".field:has(#loss)",
        ),
        ("data=custom&L=relu&X=0,1;-1,2&T=0,0;1,1&loss=mse", "kink_in_step", ".field:has(#data)"),
    ],
)
def test_api_warnings_appear_beside_what_they_concern(page, ui, query, code, where):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network?" + query)
    warnings = run.value.json()["warnings"]
    assert code in [w["code"] for w in warnings]
    note = page.locator(f"{where} .warn-note[data-warn='{code}']")
    assert note.count() == 1
    msg = next(w["msg"] for w in warnings if w["code"] == code)
    assert note.inner_text().strip() == msg


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("data=toy_2d", "data"),  # a preset's targets: marked at the data field
        (
            "data=custom&L=affine:3:he:0~tanh~affine:2:he:1&X=1,2;3,4&T=0;1"
            "&loss=softmax_cross_entropy",
            "targets",
        ),
    ],
)
def test_width_error_is_shown_at_the_targets_and_at_the_layer_that_chose_the_width(
    page, ui, problems, query, field
):
    problems.allow(r"status of 422")
    ui.open(page, "/network?" + query)
    width = "[aria-label='output width of layer 2']"
    with page.expect_response(lambda r: r.url.endswith(RUN) and r.status == 422) as run:
        page.fill(width, "1")
        page.dispatch_event(width, "change")
    ui.settle(page)
    detail = run.value.json()["detail"]
    assert sorted(tuple(d["loc"]) for d in detail) == [("body", "layers", 2), ("body", "targets")]
    msg = detail[0]["msg"]
    assert "layer 2 (affine) outputs 1 column" in msg
    err = page.locator(f"[data-error-for={field}]")
    assert err.is_visible() and msg in err.inner_text()
    layer = page.locator("#layers li").nth(2)
    assert "invalid" in (layer.get_attribute("class") or "")
    assert msg in layer.locator(".layer-err").inner_text()
    assert page.locator("#layers li.invalid").count() == 1
    assert "stale" in (page.get_attribute("#card-tensors", "class") or "")


@pytest.mark.parametrize(
    ("stack", "loss", "formula"),
    [
        ("affine:3:he:0~identity", "mse", "y - t"),
        ("affine:2:he:0~identity", "softmax_cross_entropy", "softmax"),
        ("affine:2:he:0~softmax", "cross_entropy", "N\\,y"),
    ],
)
def test_seed_gradient_drawn_beside_the_loss_with_its_formula(page, ui, stack, loss, formula):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, f"/network?data=toy_2d&gc=0&L={stack}&loss={loss}")
    api = run.value.json()
    body = run.value.request.post_data_json
    seed = ui.data(page, "hm-seed")[0]["z"]
    y = api["forward"][-1]["output"]
    n = len(y)
    if loss == "cross_entropy":
        # The softmax layer's output y: ∂L/∂y = -t / (N y), t one-hot.
        want = [
            [(-1 / (n * v) if j == body["targets"][i] else 0) for j, v in enumerate(row)]
            for i, row in enumerate(y)
        ]
    else:  # an identity last layer passes the seed straight through: its grad_input is the seed
        want = api["backward"][-1]["grad_input"]
    assert len(seed) == n
    for got_row, want_row in zip(seed, want, strict=True):
        assert got_row == pytest.approx(want_row, rel=1e-9, abs=1e-15)
    tex = page.get_attribute("#seed-formula", "data-tex") or page.inner_text("#seed-formula")
    assert formula in tex or formula in page.inner_html("#seed-formula")


def test_step_mode_forward_then_backward_equals_the_api(page, ui):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network?data=toy_2d&gc=0")
    api = run.value.json()
    n = len(api["forward"])
    assert page.inner_text("#step-text") == ""  # all at once by default
    # Typing in an input does not step.
    page.focus("#sample")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#step-text", "data-step") is None
    page.click("#step-next")
    seen = []
    for k in range(2 * n + 1):
        if k:
            page.keyboard.press("ArrowRight")
        ui.settle(page)
        d = page.evaluate("({...document.getElementById('step-text').dataset})")
        eq = page.evaluate("({...document.querySelector('#step-text .eq').dataset})")
        assert d["step"] == str(k)
        seen.append(d["phase"])
        current = page.locator("#graph .node.current")
        assert current.count() == 1
        # A step redraws the tensors without a request, so settle cannot see it: wait for them.
        if k < n:  # forward: layer k's output, cell [0, 0]
            assert current.get_attribute("data-node") == str(k)
            want = api["forward"][k]["output"][0][0]
            ui.plotted(page, "hm-a", api["forward"][k]["output"])
            assert ui.data(page, "hm-a")[0]["z"] == api["forward"][k]["output"]
            # hidden once the step's plots are drawn: only the layer's output exists yet
            page.wait_for_function(
                "getComputedStyle(document.getElementById('hm-b')).visibility === 'hidden'"
            )
        elif k == n:
            assert current.get_attribute("data-node") == "loss"
            assert f"{api['loss']:.6}"[:6] in page.inner_text("#step-text")
            continue
        else:  # backward: layer i's dx
            i = 2 * n - k
            assert current.get_attribute("data-node") == str(i)
            want = api["backward"][i]["grad_input"][0][0]
            ui.plotted(page, "hm-b", api["backward"][i]["grad_input"])
            assert ui.data(page, "hm-b")[0]["z"] == api["backward"][i]["grad_input"]
        assert float(eq["api"]) == want
        assert float(eq["value"]) == pytest.approx(want, rel=1e-9, abs=1e-15)
    assert seen == ["forward"] * n + ["loss"] + ["backward"] * n
    assert "dx[0,0] = Σ_j dy[0,j] W[0,j]" in page.inner_text("#step-text")
    page.keyboard.press("ArrowRight")  # the end: stays
    assert page.get_attribute("#step-text", "data-step") == str(2 * n)
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#step-text", "data-step") == str(2 * n - 1)
    page.keyboard.press("r")
    assert page.inner_text("#step-text") == ""
    assert page.locator("#graph .node.current").count() == 0


NUDGE = "/api/v1/network/nudge"


def _click_cell(page, plot, i, j, rows, cols):
    box = page.locator(f"#{plot} .nsewdrag").bounding_box()
    page.mouse.click(
        box["x"] + box["width"] * (j + 0.5) / cols, box["y"] + box["height"] * (i + 0.5) / rows
    )


@pytest.mark.parametrize("kinked", [False, True])
def test_nudge_chart_from_a_weight_gradient_cell(page, ui, kinked):
    query = "data=custom&L=affine:2:he:0~relu&X=1,0&T=0,0&loss=mse" if kinked else "data=toy_2d"
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, f"/network?gc=0&{query}")
    api = run.value.json()
    w = api["params"][0]["W"]
    # Kinked: a negative weight on the only nonzero input keeps its relu at 0 until Δ = |w|.
    j = next(c for c, v in enumerate(w[0]) if v < 0) if kinked else 0
    _click_cell(page, "hm-c", 0, j, len(w), len(w[0]))
    ui.settle(page)
    assert page.is_visible("#card-nudge")
    page.fill("#nudge-max", "10" if kinked else "0.1")
    with page.expect_response(lambda r: r.url.endswith(NUDGE)) as nudge:
        page.dispatch_event("#nudge-max", "change")
    ui.settle(page)
    body = nudge.value.request.post_data_json
    assert body["entry"] == [0, j] and body["index"] == 0 and body["param"] == "W"
    # Both directions in one call: +Δ and −Δ over the same magnitudes.
    up = [d for d in body["deltas"] if d > 0]
    assert sorted(-d for d in body["deltas"] if d < 0) == sorted(up) and len(up) == 25
    assert min(up) == pytest.approx(1e-6) and max(up) == pytest.approx(10 if kinked else 0.1)
    got = nudge.value.json()
    traces = ui.data(page, "hm-nudge")
    assert [t["name"] for t in traces] == [
        "|actual ΔL|, +Δ",
        "|actual ΔL|, −Δ",
        "|predicted ∂L/∂w·Δ|",
        "gap, +Δ",
        "gap, −Δ",
    ]
    by_delta = dict(zip(got["deltas"], got["actual"], strict=True))
    for trace, sign in ((traces[0], 1), (traces[1], -1)):
        assert trace["x"] == pytest.approx(up)
        assert trace["y"] == pytest.approx([abs(by_delta[sign * d]) for d in up])
    assert ui.layout(page, "hm-nudge")["xaxis"]["type"] == "log"
    note = page.inner_text("#nudge-note")
    warnings = page.locator("#nudge-warnings li")
    assert [w["msg"] for w in got["warnings"]] == warnings.all_inner_texts()
    if kinked:
        # The weight is negative: only +Δ reaches the kink, −Δ keeps the relu at 0.
        assert any(got["crossed_kink"]) and "kink is crossed for Δ ≥" in note and "Δ ≤" not in note
        assert page.get_attribute("#nudge-warnings li", "data-warn") == "nudge_crosses_kink"
        assert "Δ²" in warnings.first.inner_text() and not page.is_visible("#nudge-no-warnings")
        page.locator("#card-nudge").scroll_into_view_if_needed()
        ui.shot(page, "network-nudge-kink")
    else:
        assert got["order"] == pytest.approx(2, abs=0.1) and "kink" not in note
        assert float(page.get_attribute("#nudge-note", "data-order")) == pytest.approx(got["order"])
        assert warnings.count() == 0 and page.is_visible("#nudge-no-warnings")


def test_large_batch_heatmaps_show_a_window_of_rows(page, ui):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network?data=notebook&gc=0")
    api = run.value.json()
    out = api["forward"][0]["output"]
    assert len(out) == 1000
    assert page.is_visible("#row-window")
    assert "rows 0–63 of 1000" in page.inner_text("#row-window-note")
    hm = ui.data(page, "hm-a")[0]
    assert len(hm["z"]) == 64 and hm["y"][0] == 0
    box = page.locator("#hm-a .nsewdrag").bounding_box()
    assert box["height"] / len(hm["z"]) >= 2  # each row at least 2 px tall
    assert len(ui.data(page, "hm-seed")[0]["z"]) == 64
    # Move the window: rows 500..563, hover still names the real row and the exact value.
    page.fill("#row-window", "500")
    page.dispatch_event("#row-window", "input")
    ui.settle(page)
    page.wait_for_function("document.getElementById('hm-a').data[0].y[0] === 500")
    hm = ui.data(page, "hm-a")[0]
    assert hm["z"] == out[500:564] and hm["y"] == list(range(500, 564))
    assert "%{y}" in hm["hovertemplate"] and "%{z:.6g}" in hm["hovertemplate"]
    assert hm["customdata"][0][0][1] == "(1000 × 4)"
    assert "rows 500–563 of 1000" in page.inner_text("#row-window-note")
    # A click in the window names the real sample.
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.5 / 64)
    text = page.inner_text("#sel-formula")
    assert "y[500, 0] = " in text
