"""The lessons over HTTP: the list in order, one lesson, a draft's preview, and the errors."""

from tests.lessons.helpers import GOOD


def test_list_is_in_order_with_step_counts(client):
    r = client.get("/api/v1/lessons")
    assert r.status_code == 200
    lessons = r.json()
    assert len(lessons) >= 8
    assert [x["order"] for x in lessons] == sorted(x["order"] for x in lessons)
    assert set(lessons[0]) == {"id", "title", "summary", "level", "minutes", "order", "steps"}
    assert all(x["steps"] >= 5 for x in lessons)


def test_one_lesson_has_rendered_steps(client):
    first = client.get("/api/v1/lessons").json()[0]
    r = client.get(f"/api/v1/lessons/{first['id']}")
    assert r.status_code == 200
    lesson = r.json()
    assert len(lesson["steps"]) == first["steps"]
    step = lesson["steps"][0]
    assert set(step) == {"title", "text", "html", "link", "task"}
    assert step["html"].startswith("<") and step["link"].startswith("/")


def test_unknown_lesson_is_a_404_that_says_so(client):
    r = client.get("/api/v1/lessons/no-such-lesson")
    assert r.status_code == 404
    assert "no-such-lesson" in r.json()["detail"][0]["msg"]


def test_preview_renders_a_draft_like_a_shipped_lesson(client):
    r = client.post("/api/v1/lessons/preview", json={"text": GOOD})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "tiny" and len(body["steps"]) == 2
    assert 'data-tex="a_1*b_2"' in body["steps"][0]["html"]
    assert client.get("/api/v1/lessons/tiny").status_code == 404  # stored nowhere


def test_preview_names_the_line_of_the_mistake(client):
    r = client.post("/api/v1/lessons/preview", json={"text": GOOD.replace("x0=1", "x9=1")})
    assert r.status_code == 422
    (d,) = r.json()["detail"]
    assert d["loc"] == ["body", "text"]
    assert d["msg"].startswith("preview, line 13: ") and '"x9"' in d["msg"]


def test_preview_renders_hostile_text_inert(client):
    evil = GOOD.replace(
        "The slope",
        '<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) '
        "$\\href{javascript:alert(1)}{y}$ The slope",
    )
    html = client.post("/api/v1/lessons/preview", json={"text": evil}).json()["steps"][0]["html"]
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_preview_is_bounded(client):
    r = client.post("/api/v1/lessons/preview", json={"text": "x" * 200_001})
    assert r.status_code == 422
    assert client.post("/api/v1/lessons/preview", json={"text": 3}).status_code == 422
    assert client.post("/api/v1/lessons/preview", json={}).status_code == 422


def test_openapi_documents_the_lessons(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/lessons", "/api/v1/lessons/{lesson_id}", "/api/v1/lessons/preview"} <= set(
        paths
    )
