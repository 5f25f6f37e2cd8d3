"""Parsing a lesson file: the good one, and each kind of mistake named with its file and line."""

import pytest

from app.lessons import LessonError, parse_lesson
from tests.lessons.helpers import GOOD, pages


def parse(text: str):
    return parse_lesson(text, "lessons/x.md", pages())


def error(text: str) -> LessonError:
    with pytest.raises(LessonError) as e:
        parse(text)
    return e.value


def test_good_lesson_parses_into_steps_with_links_and_tasks():
    lesson = parse(GOOD)
    assert (lesson.id, lesson.level, lesson.minutes, lesson.order) == ("tiny", "beginner", 5, 9)
    assert [s.title for s in lesson.steps] == ["A slope", "A circuit"]
    first, second = lesson.steps
    assert first.link == "/derivative?expr=sin(x)&x0=1"
    assert first.task is not None and first.task["kind"] == "slope" and first.task["x0"] == 1
    assert "page:" not in first.text and "```task" not in first.text
    assert second.task is None
    assert "page: /nowhere" in second.text and "## not a step" in second.text
    assert second.link == "/graph?values=x:-2,y:5,z:-4&step=3"


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("level: beginner", "level: easy", 5, "level"),
        ("minutes: 5", "minutes: five", 6, "minutes"),
        ("id: tiny", "id: Tiny Lesson", 2, "id"),
        ("order: 9\n", "order: 9\ncolour: red\n", 8, "not a front matter field"),
        ("summary: Two steps.\n", "", 7, "'summary'"),
        ("/derivative?expr=sin(x)&x0=1", "/nowhere?x=1", 13, "is not a page"),
        ("/derivative?expr=sin(x)&x0=1", "/derivative?y0=1", 13, 'parameter "y0"'),
        ("/derivative?expr=sin(x)&x0=1", "/derivative?x0=one", 13, "finite number"),
        ("/derivative?expr=sin(x)&x0=1", "/derivative?method=sideways", 13, "central"),
        ("/derivative?expr=sin(x)&x0=1", "javascript:alert(1)", 13, "page path"),
        ("/derivative?expr=sin(x)&x0=1", "https://example.org/derivative", 13, "page path"),
        ("/graph?values=x:-2,y:5,z:-4&step=3", "/graph?step=2.5", 27, "whole number"),
        ('"kind": "slope"', '"kind": "essay"', 15, "unknown task kind"),
        (', "x0": 1}', "}", 15, "'x0'"),
        (', "x0": 1}', ', "x0": "one"}', 15, "finite number"),
        (', "x0": 1}', ', "x0": 1, "h": 2}', 15, "does not take the field 'h'"),
        ('"prompt": "Predict the slope.", ', "", 15, "prompt"),
        ('"x0": 1}', '"x0": 1', 16, "not valid JSON"),
        ("page: /derivative?expr=sin(x)&x0=1\n", "", 10, "no `page:"),
    ],
)
def test_each_mistake_is_named_with_the_file_and_line(old, new, line, words):
    assert old in GOOD
    e = error(GOOD.replace(old, new, 1))
    assert (e.source, e.line) == ("lessons/x.md", line), e.msg
    assert words in e.reason
    assert e.msg.startswith(f"lessons/x.md, line {line}: ")


def test_front_matter_and_steps_are_required():
    assert "front matter" in error("## A step\ntext\n").reason
    assert "not closed" in error("---\nid: a\n").reason
    e = error(GOOD.split("## A slope")[0] + "Some text, but no step.\n")
    assert "before the first step" in e.reason


def test_a_second_page_line_or_task_in_a_step_is_refused():
    two = GOOD.replace("page: /derivative?expr=sin(x)&x0=1", "page: /derivative\npage: /graph")
    assert "second page" in error(two).reason
    task = '```task\n{"kind": "sketch", "prompt": "Draw it.", "activation": "tanh"}\n```\n'
    assert "at most one task" in error(GOOD.replace("## A circuit", task + "\n## A circuit")).reason


def test_unclosed_task_block_is_named():
    e = error(GOOD.split("## A circuit")[0].replace("}\n```", "}\n"))
    assert "not closed" in e.reason and e.line == 15


def test_oversized_lesson_is_refused_before_parsing():
    assert "at most" in error(GOOD + "x" * 200_001).reason


def test_every_task_kind_takes_its_endpoints_fields():
    tasks = {
        "graph_node": '"expr": "q = x + y\\nf = q * z", "values": {"x": -2, "y": 5, "z": -4}, '
        '"node": 0, "quantity": "grad"',
        "backward": '"network": {"x": [[1, 2]], "layers": []}, '
        '"target": {"index": 0, "tensor": "W"}',
        "hunt": '"seed": 12, "level": 1',
        "slope": '"expr": "sin(x)", "x0": 1',
        "best_h": '"expr": "sin(x)", "x0": 1, "method": "forward"',
        "sketch": '"activation": "tanh"',
        "number": '"expr": "sigmoid(x)*(1 - sigmoid(x))", "x0": 0',
    }
    for kind, fields in tasks.items():
        block = f'{{"kind": "{kind}", "prompt": "Go.", {fields}}}'
        text = GOOD.replace(
            '{"kind": "slope", "prompt": "Predict the slope.", "expr": "sin(x)", "x0": 1}', block
        )
        if kind == "hunt":  # a hunt's page runs its challenge
            text = text.replace("/derivative?expr=sin(x)&x0=1", "/network?hunt=12:1")
        assert parse(text).steps[0].task["kind"] == kind
    bad = GOOD.replace('"x0": 1}', '"x0": 1, "method": "central"}')
    assert "does not take" in error(bad).reason


def test_task_functions_are_checked_by_the_engine():
    bad = GOOD.replace('"expr": "sin(x)", "x0": 1}', '"expr": "__import__(1)", "x0": 1}')
    assert "is not a function of x" in error(bad).reason
    nan = GOOD.replace(
        '"kind": "slope", "prompt": "Predict the slope.", "expr": "sin(x)", "x0": 1',
        '"kind": "number", "prompt": "Compute.", "expr": "log(x)", "x0": -1',
    )
    assert "no finite value" in error(nan).reason


def test_a_hunt_task_opens_its_own_challenge():
    """The hunt step's page must be the network running that very challenge (a link to the toy
    network let the learner hunt a bug that was not there)."""
    hunt = '{"kind": "hunt", "prompt": "Which gradient is wrong?", "seed": 12, "level": 1}'
    text = GOOD.replace(
        '{"kind": "slope", "prompt": "Predict the slope.", "expr": "sin(x)", "x0": 1}', hunt
    )
    e = error(text.replace("/derivative?expr=sin(x)&x0=1", "/network?data=toy_2d&gc=1"))
    assert e.line == 13 and "hunt=12:1" in e.reason
    ok = text.replace("/derivative?expr=sin(x)&x0=1", "/network?hunt=12:1&gc=1")
    assert parse_lesson(ok, "lessons/x.md", pages()).steps[0].task["kind"] == "hunt"
