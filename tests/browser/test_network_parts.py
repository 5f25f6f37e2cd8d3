"""Network page: the run asks for only the parts it draws (``include``), the gradient check's
per-entry arrays only while their heatmap is open, and fetches them when it is opened."""

RUN = "/api/v1/network/run"
DRAWN = ["forward", "backward", "params", "seed"]


def test_the_run_asks_for_only_what_the_page_draws(page, ui):
    bodies = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data_json) if r.url.endswith(RUN) else None,
    )
    ui.open(page, "/network?data=toy_2d")
    assert bodies[-1]["include"] == DRAWN and bodies[-1]["gradcheck"] is True
    assert page.locator("#gc-table tbody tr .badge.pass").count() >= 1  # verdicts without arrays
    assert not page.is_visible("#hm-rel")
    # Opening the heatmap fetches the arrays alone, for the same inputs. The details element's
    # toggle event is queued as a task after the click, so wait for the request it sends.
    with page.expect_request(lambda r: r.url.endswith(RUN)):
        page.click("#gc-more summary")
    ui.settle(page)
    assert bodies[-1]["include"] == ["gradcheck_arrays"]
    assert {k: v for k, v in bodies[-1].items() if k != "include"} == {
        k: v for k, v in bodies[-2].items() if k != "include"
    }
    assert page.is_visible("#hm-rel") and ui.data(page, "hm-rel")[0]["z"]
    # While it is open, a run asks for them at once (one request), and the heatmap follows.
    n = len(bodies)
    page.fill("[aria-label='output width of layer 0']", "5")
    page.dispatch_event("[aria-label='output width of layer 0']", "change")
    ui.settle(page)
    assert len(bodies) == n + 1 and bodies[-1]["include"] == [*DRAWN, "gradcheck_arrays"]
    assert len(ui.data(page, "hm-rel")[0]["z"]) == 2  # layer 0's W is now 2 × 5
    assert len(ui.data(page, "hm-rel")[0]["z"][0]) == 5
    # Without the gradient check there are no arrays to ask for.
    page.uncheck("#gc")
    ui.settle(page)
    assert bodies[-1]["include"] == DRAWN and bodies[-1]["gradcheck"] is False
    assert page.inner_text("#gc-table tbody") == "gradient check is off"
    # Closed again: the next run leaves them out.
    page.check("#gc")
    ui.settle(page)
    page.click("#gc-more summary")
    page.wait_for_function("() => location.search.includes('gca=0')")
    page.fill("[aria-label='output width of layer 0']", "4")
    page.dispatch_event("[aria-label='output width of layer 0']", "change")
    ui.settle(page)
    assert bodies[-1]["include"] == DRAWN and "gca=0" in page.url
