"""The lessons a deployment serves: the shipped ones, then a teacher's folder over them.

Loaded once, when the app starts. A lesson that does not parse is logged with its file and line
and left out (the app still starts); a folder lesson whose id is a shipped one's replaces it,
and the log says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.lessons.format import Lesson, LessonError, parse_lesson
from app.lessons.pages import PageState

log = logging.getLogger("app.lessons")
MAX_FILES = 500  # lesson files read from one folder


@dataclass(frozen=True)
class Library:
    """Lessons by id, and the pages' URL states they were checked against."""

    lessons: Mapping[str, Lesson]
    pages: Mapping[str, PageState]

    def ordered(self) -> list[Lesson]:
        """Every lesson, in ``order`` (then id)."""
        return sorted(self.lessons.values(), key=lambda x: (x.order, x.id))

    def get(self, lesson_id: str) -> Lesson | None:
        return self.lessons.get(lesson_id)

    def parse(self, text: str, source: str = "preview") -> Lesson:
        """A draft lesson, checked like the loaded ones (LessonError naming the line)."""
        return parse_lesson(text, source, self.pages)


def _read_folder(folder: Path, pages: Mapping[str, PageState], label: str) -> dict[str, Lesson]:
    out: dict[str, Lesson] = {}
    files = sorted(folder.glob("*.md"))
    if len(files) > MAX_FILES:
        log.error(
            "lessons: %s has %d lesson files; only the first %d are read",
            folder,
            len(files),
            MAX_FILES,
        )
        files = files[:MAX_FILES]
    for path in files:
        name = f"{label}/{path.name}"
        try:
            lesson = parse_lesson(path.read_text(encoding="utf-8"), name, pages)
        except LessonError as e:
            log.error("lesson left out: %s", e.msg)
            continue
        except (OSError, UnicodeDecodeError) as e:
            log.error("lesson left out: %s: cannot be read (%s)", name, type(e).__name__)
            continue
        if lesson.id in out:
            log.error(
                "lesson left out: %s has the id %r of %s", name, lesson.id, out[lesson.id].source
            )
            continue
        out[lesson.id] = lesson
    return out


def load_library(shipped: Path, extra: Path | None, pages: Mapping[str, PageState]) -> Library:
    """The shipped lessons in ``shipped``, then those in ``extra`` (a deployment's folder)."""
    lessons = _read_folder(shipped, pages, "lessons")
    if extra is not None:
        if not extra.is_dir():
            log.error(
                "lessons: BPX_LESSONS_DIR %s is not a folder; no lessons added from it", extra
            )
        else:
            for lesson_id, lesson in _read_folder(extra, pages, str(extra)).items():
                if lesson_id in lessons:
                    log.warning(
                        "lesson %s: %s replaces the shipped %s",
                        lesson_id,
                        lesson.source,
                        lessons[lesson_id].source,
                    )
                lessons[lesson_id] = lesson
    log.debug("lessons: %d loaded", len(lessons))  # stdout carries the JSON log: no line per start
    return Library(lessons, pages)
