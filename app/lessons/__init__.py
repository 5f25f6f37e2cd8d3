"""Lessons: Markdown files that walk a learner through the explorers, step by step.

Pure Python (no web framework): :mod:`format` parses and checks a lesson file, :mod:`render`
turns its Markdown into safe HTML, :mod:`tasks` holds the kinds of task a step may set,
:mod:`pages` reads each page's URL state from its module, :mod:`library` loads the shipped
lessons and a deployment's folder.
"""

from app.lessons.format import Lesson, LessonError, Step, parse_lesson
from app.lessons.library import Library, load_library
from app.lessons.pages import PageState, check_link, load_page_states
from app.lessons.tasks import TASK_KINDS

__all__ = [
    "TASK_KINDS",
    "Lesson",
    "LessonError",
    "Library",
    "PageState",
    "Step",
    "check_link",
    "load_library",
    "load_page_states",
    "parse_lesson",
]
