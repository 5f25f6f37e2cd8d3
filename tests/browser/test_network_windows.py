"""Network page, batches over 64 rows: the seed, the gradient check's heatmap and the Jacobian
follow the one row-window slider of the tensor heatmaps, and hover names the real row."""

import math

import pytest

RUN = "/api/v1/network/run"
JAC = "/api/v1/softmax/jacobian"


def _move_window(page, start):
    page.fill("#row-window", str(start))
    page.dispatch_event("#row-window", "input")
    page.wait_for_function(
        """(s) => ['hm-a', 'hm-seed', 'hm-rel']
            .every((id) => (document.getElementById(id).data || [{}])[0].y?.[0] === s)""",
        arg=start,
    )


def test_seed_and_gradcheck_heatmaps_follow_the_row_window(page, ui):
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        ui.open(page, "/network?data=notebook&gca=1&gct=0:x")
    body = run.value.request.post_data_json
    assert "gradcheck_arrays" in body["include"]  # the heatmap is open: its arrays come at once
    api = run.value.json()
    check = next(g for g in api["gradcheck"] if g["param"] == "x")
    assert len(api["seed"]) == len(check["rel_error"]) == 1000
    for start in (0, 500, 936):
        if start:
            _move_window(page, start)
        rows = list(range(start, start + 64))
        seed = ui.data(page, "hm-seed")[0]
        assert seed["y"] == rows and seed["z"] == api["seed"][start : start + 64]
        assert seed["customdata"][0][0][1] == "(1000 × 4)"  # hover: the whole tensor's shape
        rel = ui.data(page, "hm-rel")[0]
        assert rel["y"] == rows and len(rel["z"]) == 64
        assert "%{y}" in rel["hovertemplate"] and "%{y}" in seed["hovertemplate"]
        want = check["rel_error"][start + 7][1]
        assert rel["z"][7][1] == pytest.approx(math.log10(max(want, 1e-16)))
        assert rel["customdata"][7][1][1] == check["numeric"][start + 7][1]  # the real row's
        assert f"rows {start}–{start + 63} of 1000" in ui.layout(page, "hm-rel")["title"]["text"]
        for plot in ("hm-seed", "hm-rel"):
            box = page.locator(f"#{plot} .nsewdrag").bounding_box()
            assert box["height"] / 64 >= 1, plot  # never sub-pixel stripes
    assert "rows 936–999 of 1000" in page.inner_text("#row-window-note")


def test_a_wide_softmax_jacobian_shows_a_window_of_its_rows(page, ui):
    with page.expect_response(lambda r: r.url.endswith(JAC)) as jac:
        ui.open(page, "/network?data=toy_2d&gc=0&L=affine:100:he:0~softmax")
    full = jac.value.json()["jacobian"]
    assert len(full) == 100
    hm = ui.data(page, "hm-jac")[0]
    assert len(hm["z"]) == 64 and hm["y"][0] == 0
    # The batch has 40 rows, but the window's range covers the Jacobian's 100.
    assert page.is_visible("#row-window")
    page.fill("#row-window", "30")
    page.dispatch_event("#row-window", "input")
    page.wait_for_function("document.getElementById('hm-jac').data[0].y[0] === 30")
    hm = ui.data(page, "hm-jac")[0]
    assert hm["z"] == full[30:94] and hm["y"] == list(range(30, 94))
    assert "∂y[%{y}]" in hm["hovertemplate"]
    out = ui.data(page, "hm-a")[0]
    assert len(out["z"]) == 40 and out.get("y", [0])[0] == 0  # the batch's 40 rows: all of them
