"""The lesson pages' HTML: the list, one step with its neighbours, and a hostile lesson inert."""

import re

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.lessons.helpers import GOOD


def test_list_page_names_every_lesson_with_level_and_length(client):
    html = client.get("/lessons").text
    lessons = client.get("/api/v1/lessons").json()
    for lesson in lessons:
        assert f'href="/lessons/{lesson["id"]}"' in html
        assert f'data-steps="{lesson["steps"]}"' in html
        assert f"about {lesson['minutes']} min" in html
    assert 'href="/lessons" aria-current="page"' in html
    assert 'id="start-lessons" href="/lessons"' in client.get("/").text


def test_step_page_shows_the_step_with_previous_and_next(client):
    lesson = client.get("/api/v1/lessons/chain-rule").json()
    n = len(lesson["steps"])
    r = client.get("/lessons/chain-rule?at=2", follow_redirects=False)
    assert r.status_code == 302  # to the step's page state
    first = lesson["steps"][0]["link"].split("?", 1)[1]
    assert client.get("/lessons/chain-rule?step=1").url.query.decode() == f"at=1&{first}"
    html = client.get("/lessons/chain-rule?at=2").text
    assert lesson["steps"][1]["html"] in html
    assert f"Step 2 of {n}" in html
    prev = f"/lessons/chain-rule?at=1&{first}".replace("&", "&amp;")
    assert f'href="{prev}"' in html and 'id="next" rel="next"' in html
    assert html.count("<main") == 1 and 'id="lesson-live"' in html  # the graph page, live
    link = lesson["steps"][1]["link"].replace("&", "&amp;")
    assert f'id="open-page" href="{link}"' in html
    last = client.get(f"/lessons/chain-rule?at={n + 5}").text
    assert f"Step {n} of {n}" in last and 'rel="next"' not in last
    assert "Step 1 of" in client.get("/lessons/chain-rule?at=zero").text
    assert client.get("/lessons/no-such-lesson").status_code == 404


def test_hostile_lesson_from_the_folder_is_inert_on_its_page(tmp_path):
    evil = GOOD.replace(
        "The slope of $\\sin x$ at 1",
        '<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) '
        "$\\href{javascript:alert(1)}{y}$ The slope of $\\sin x$ at 1",
    ).replace('"prompt": "Predict the slope."', '"prompt": "<b onmouseover=alert(1)>Predict</b>"')
    (tmp_path / "evil.md").write_text(evil)
    with TestClient(create_app(Settings(lessons_dir=str(tmp_path)))) as c:
        html = c.get("/lessons/tiny?at=1").text
    body = html.split('id="lesson"', 1)[1].split('id="lesson-live"')[0]
    assert "<script" not in body and "<img" not in body and "<b " not in body
    assert not re.search(r"<a [^>]*javascript:", body)
    assert "&lt;img src=x onerror=" in body  # shown as text
    assert 'data-tex="\\href{javascript:alert(1)}{y}"' in body  # left to KaTeX, trust: false
