"""A Network page link keeps the step position and the nudge (issue 27, item 14): set both, copy
the link, open it in a fresh context, and the same view comes back."""

NUDGE = "/api/v1/network/nudge"
RUN = "/api/v1/network/run"


def _click_cell(page, plot, i, j, rows, cols):
    box = page.locator(f"#{plot} .nsewdrag").bounding_box()
    page.mouse.click(
        box["x"] + box["width"] * (j + 0.5) / cols, box["y"] + box["height"] * (i + 0.5) / rows
    )


def _view(page):
    """What the step bar and the nudge card show."""
    return {
        "step": page.get_attribute("#step-text", "data-step"),
        "phase": page.get_attribute("#step-text", "data-phase"),
        "head": page.inner_text("#step-text .step-head")
        if page.is_visible("#step-text .step-head")
        else "",
        "current": page.get_attribute("#graph .node.current", "data-node")
        if page.locator("#graph .node.current").count()
        else None,
        "nudge": page.is_visible("#card-nudge"),
        "nudge_title": page.inner_text("#nudge-title"),
        "nudge_min": page.input_value("#nudge-min"),
        "nudge_max": page.input_value("#nudge-max"),
    }


def test_a_link_keeps_the_step_position_and_the_nudge(page, ui, browser):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network?gc=0&data=toy_2d")
    w = run.value.json()["params"][0]["W"]
    # a weight's gradient cell: the nudge of W[1, 2] of layer 0, over Δ from 1e-4 to 0.5
    _click_cell(page, "hm-c", 1, 2, len(w), len(w[0]))
    ui.settle(page)
    assert page.is_visible("#card-nudge")
    page.fill("#nudge-min", "0.0001")
    page.dispatch_event("#nudge-min", "change")
    page.fill("#nudge-max", "0.5")
    with page.expect_response(lambda r: r.url.endswith(NUDGE)):
        page.dispatch_event("#nudge-max", "change")
    ui.settle(page)
    for _ in range(3):
        page.click("#step-next")
    ui.settle(page)
    before = _view(page)
    assert before["step"] == "2" and before["nudge"] and "W[1, 2]" in before["nudge_title"], before
    link = page.url

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        fresh = context.new_page()
        with fresh.expect_response(lambda r: r.url.endswith(NUDGE)) as nudge:
            fresh.goto(link)
        ui.settle(fresh)
        body = nudge.value.request.post_data_json
        assert body["index"] == 0 and body["entry"] == [1, 2], body
        assert body["delta_min"] == 0.0001 and body["delta_max"] == 0.5, body
        assert _view(fresh) == before
    finally:
        context.close()
