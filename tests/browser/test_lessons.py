"""The lessons in Chromium: the list with progress from this browser, stepping through a lesson
with the keyboard, every step's link opening a page, and a hostile lesson file previewed inert."""

import json
import re
import urllib.request

from tests.lessons.helpers import GOOD

HOSTILE = GOOD.replace(
    "The slope of $\\sin x$ at 1",
    '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
    "[click](javascript:window.__pwned=3) $\\href{javascript:window.__pwned=4}{tex link}$ "
    "The slope of $\\sin x$ at 1",
)


def test_list_step_through_and_progress(page, ui):
    ui.open(page, "/")
    page.evaluate("localStorage.clear()")  # the context is shared: start as a new learner
    page.click("#start-lessons")
    page.wait_for_url(re.compile(r"/lessons$"))
    ui.settle(page)
    cards = page.locator(".lesson-card")
    assert cards.count() >= 8
    assert "steps" in cards.nth(2).inner_text() and "min" in cards.nth(2).inner_text()
    assert page.locator(".lesson-card .lesson-progress").nth(2).inner_text() == ""
    assert page.get_attribute("nav a[aria-current=page]", "href").endswith("/lessons")
    ui.shot(page, "lessons")
    assert ui.axe(page) == []
    stops = [s["id"] for s in ui.tab_order(page)]
    assert "preview-file" in stops  # the teacher's file chooser is reached by the keyboard

    page.click(".lesson-card:nth-child(3) h2 a")
    page.wait_for_url(re.compile(r"/lessons/chain-rule\?at=1&"))
    ui.settle(page)
    steps = int(page.get_attribute("#lesson", "data-steps"))
    assert page.locator(".lesson-text .katex").count() > 0  # TeX drawn by KaTeX
    for k in range(2, steps + 1):
        page.keyboard.press("ArrowRight")
        page.wait_for_url(re.compile(rf"/lessons/chain-rule\?at={k}&"))
        ui.settle(page)
        assert page.locator(".lesson-count").inner_text() == f"Step {k} of {steps}"
        if k == 5:
            ui.shot(page, "lesson-step")
            assert ui.axe(page) == []
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf"\?at={steps - 1}&"))
    ui.settle(page)
    assert page.locator(".lesson-task").count() in (0, 1)

    page.goto(ui.base_url + "/lessons")
    page.reload()
    ui.settle(page)
    assert page.locator(".lesson-card .lesson-progress").nth(2).inner_text() == "done ✓"
    href = page.get_attribute(".lesson-card:nth-child(3) h2 a", "href")
    assert href.endswith(f"?at={steps - 1}")  # back where the learner left off


def get_json(base_url: str, path: str):
    with urllib.request.urlopen(base_url + path) as r:
        return json.load(r)


def test_every_step_link_opens_its_page(page, ui, base_url):
    """Every step's page opens in the lesson's state without an error shown beside a field
    (the page fixture also fails on a console error, a failed request or a CSP violation)."""
    for lesson in get_json(base_url, "/api/v1/lessons"):
        body = get_json(base_url, f"/api/v1/lessons/{lesson['id']}")
        for step in body["steps"]:
            ui.open(page, step["link"])
            where = f"{lesson['id']}: {step['title']}: {step['link']}"
            assert page.locator("main").count() == 1, where
            assert page.locator(".invalid, .field-error.shown").count() == 0, where


def test_hostile_lesson_file_previews_inert(page, ui, tmp_path):
    path = tmp_path / "evil.md"
    path.write_text(HOSTILE)
    ui.open(page, "/lessons")
    page.set_input_files("#preview-file", str(path))
    page.wait_for_function("() => document.getElementById('preview-out').children.length > 0")
    ui.settle(page)
    out = page.locator("#preview-out")
    assert "A tiny lesson" in out.inner_text()
    assert out.locator("script, img, a").count() == 0
    assert out.locator(".katex").count() > 0
    tex_links = out.locator(".katex a, .katex [href]")
    assert tex_links.count() == 0
    assert page.evaluate("window.__pwned") is None


def test_bad_lesson_file_names_the_line(page, ui, tmp_path, problems):
    problems.allow(r"status of 422")
    path = tmp_path / "mine.md"
    path.write_text(GOOD.replace("x0=1", "y0=1"))
    ui.open(page, "/lessons")
    page.set_input_files("#preview-file", str(path))
    page.wait_for_function(
        "() => document.getElementById('preview-status').textContent.includes('line')"
    )
    assert page.locator("#preview-status").inner_text().startswith("mine.md, line 13: ")
