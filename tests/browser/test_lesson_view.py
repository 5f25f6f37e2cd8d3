"""The lesson view in Chromium: the step's explorer page live beside the text, a task judged in
place by the engine (wrong with a diagnosis, then right), progress kept in this browser across
a reload, a hand-in summary at the end, and lesson 3 walked with the keyboard in presenter mode."""

import re
from urllib.parse import unquote

from tests.browser.conftest import CSP_LISTENER
from tests.browser.test_layouts import MEASURE
from tests.browser.test_lessons import get_json


def test_walk_lesson_3_in_presenter_mode(page, ui):
    ui.open(page, "/lessons/chain-rule?present=1")
    assert page.locator("body.presenting").count() == 1
    steps = int(page.get_attribute("#lesson", "data-steps"))
    assert page.locator("#lesson-live main").count() == 1  # the graph page, live
    assert ui.axe(page) == []
    # the page's own keys while it has the focus: → steps the graph, not the lesson
    page.focus("#lesson-live #btn-fwd")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '1'")
    assert "at=1&present=1" in page.url
    # space plays the page (the focus on the lesson's text, not on a button)
    page.locator("#step-title").click()
    page.keyboard.press(" ")
    page.wait_for_function("() => Number(new URLSearchParams(location.search).get('step')) > 1")
    page.keyboard.press(" ")  # pause
    for k in range(2, steps + 1):
        page.locator("#step-title").click()  # the focus on the lesson's text
        page.keyboard.press("ArrowRight")
        page.wait_for_url(re.compile(rf"/lessons/chain-rule\?at={k}&present=1"))
        ui.settle(page)
        assert page.locator(".lesson-count").inner_text() == f"Step {k} of {steps}"
        assert page.locator("body.presenting").count() == 1
        assert page.locator("#lesson-live main").count() == 1
    assert page.locator("#summary").is_visible()  # the last step hands in
    # typing in an answer box never turns the page
    page.fill("#task-answer", "")
    page.focus("#task-answer")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(200)
    assert f"at={steps}" in page.url
    page.locator("#step-title").click()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf"at={steps - 1}&present=1"))
    # the toggle leaves presenter mode, and the links follow
    ui.settle(page)
    page.click("#present-toggle")
    assert page.locator("body.presenting").count() == 0
    assert "present=1" not in page.get_attribute("#next", "href")


def test_task_wrong_then_right_and_progress_survives_reload(page, ui):
    ui.open(page, "/lessons")
    page.evaluate("localStorage.clear()")
    ui.open(page, "/lessons/chain-rule?at=2")
    page.fill("#task-answer", "3")  # q's forward value, not df/dq
    page.click("#task-check")
    ui.settle(page)
    out = page.locator("#task-verdict")
    assert "forward" in out.inner_text()
    assert page.get_attribute("#task-verdict", "aria-live") == "polite"
    assert page.locator("#task-verdict.right").count() == 0
    page.fill("#task-answer", "-4")
    page.click("#task-check")
    ui.settle(page)
    assert page.locator("#task-verdict.right").count() == 1
    page.reload()
    ui.settle(page)
    assert "1 hint" in page.locator("#lesson-score").inner_text()
    assert "done" in page.locator("#lesson-score").inner_text()
    ui.open(page, "/lessons")
    assert "1 of 5 tasks" in page.locator(".lesson-card .lesson-progress").nth(2).inner_text()
    ui.open(page, "/lessons/chain-rule?at=8")
    summary = page.locator("#summary-text").input_value().lower()
    assert "the chain rule" in summary and "tasks done: 1 of 5" in summary
    assert "first try right: 0" in summary and "hints used: 1" in summary
    page.evaluate("localStorage.clear()")  # the context is shared with other tests


def test_live_page_draws_beside_the_text(page, ui):
    ui.open(page, "/lessons/derivative?at=2")
    page.wait_for_function("() => (document.getElementById('plot-f')?.data || []).length > 0")
    text = page.locator(".lesson-step").bounding_box()
    plot = page.locator("#plot-f").bounding_box()
    assert plot["x"] >= text["x"] + text["width"] - 1  # beside, not below
    assert "expr=" in page.url and "at=2" in page.url  # the page's own state in the lesson URL


def test_hunt_step_opens_the_challenge(page, ui):
    ui.open(page, "/lessons/gradient-check")
    k = page.locator(".lesson-dots a[title='Hunt a bug']").inner_text()
    ui.open(page, f"/lessons/gradient-check?at={k}")
    assert "hunt=12:1" in unquote(page.url)
    assert "hunt=12:1" in page.get_attribute("#open-page", "href")


def test_presenter_mode_fits_a_projector(browser, ui, problems):
    """At 1280x720 in presenter mode: large type, the page's controls hidden, plots of a usable
    size, nothing spilling."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, service_workers="block")
    ctx.add_init_script(CSP_LISTENER)
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.errors.append(f"page error: {e}"))
    try:
        ui.open(page, "/lessons/derivative?at=4&present=1")
        page.wait_for_timeout(300)
        m = page.evaluate(MEASURE)
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.lesson-text')).fontSize)"
        )
        assert page.locator("#lesson-live .controls").is_hidden()
    finally:
        ctx.close()
    assert size >= 20
    assert m["plots"] and all(p["w"] >= 300 and p["h"] >= 300 for p in m["plots"]), m["plots"]
    assert not m["bad"], m["bad"]
    assert m["docW"] <= m["viewW"] + 1


def test_every_step_mounts_its_page_live(page, ui, base_url):
    """Each step of each shipped lesson, in the lesson view: its page mounted beside the text,
    no field marked wrong (the page fixture also fails on a console error or a CSP violation),
    and the lesson's place kept in the URL after the page wrote its state."""
    for lesson in get_json(base_url, "/api/v1/lessons"):
        for k in range(1, lesson["steps"] + 1):
            ui.open(page, f"/lessons/{lesson['id']}?at={k}")
            where = f"{lesson['id']} step {k}"
            assert page.locator("#lesson-live main").count() == 1, where
            assert page.locator("#lesson-live .invalid, .field-error.shown").count() == 0, where
            assert f"?at={k}&" in page.url or page.url.endswith(f"?at={k}"), where


def test_sketch_task_hides_the_pages_derivative_until_checked(page, ui):
    ui.open(page, "/lessons/activations")
    k = page.locator(".lesson-dots a[title='tanh: sketch its slope']").inner_text()
    ui.open(page, f"/lessons/activations?at={k}")
    second = page.locator("#lesson-live .plots-grid .plot-card").nth(1)
    assert second.is_hidden()  # f′ beside the question would give it away
    page.locator("#task-sketch").focus()
    page.keyboard.press("Enter")  # check the flat sketch as it is
    page.wait_for_function("() => document.getElementById('task-verdict').textContent !== ''")
    ui.settle(page)
    assert "score" in page.locator("#task-verdict").inner_text()
    assert second.is_visible()
    page.evaluate("localStorage.clear()")
