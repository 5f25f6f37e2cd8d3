"""Lessons: the list, one lesson, and the preview of a teacher's draft (stored nowhere)."""

from pathlib import Path

from fastapi import Request
from starlette.exceptions import HTTPException

from app.api.pages import PAGES
from app.api.routing import api_router
from app.config import Settings
from app.engine.optimizers import OPTIMIZERS
from app.lessons import Library, load_library, load_page_states
from app.paths import LESSONS_DIR, STATIC_DIR, TEMPLATES_DIR
from app.schemas import LessonOut, LessonPreviewRequest, LessonSummaryOut
from app.schemas.base import ERROR_RESPONSES, OVERLOAD_RESPONSES, ErrorOut

router = api_router(prefix="/api/v1", tags=["lessons"])


def load(settings: Settings) -> Library:
    """The shipped lessons and ``BPX_LESSONS_DIR``'s, checked against every page's URL state."""
    pages = load_page_states(
        [(path, TEMPLATES_DIR / template) for path, template, _ in PAGES],
        STATIC_DIR,
        {name for o in OPTIMIZERS.values() for name in o.defaults},
    )
    extra = Path(settings.lessons_dir) if settings.lessons_dir else None
    return load_library(LESSONS_DIR, extra, pages)


def library(request: Request) -> Library:
    return request.app.state.lessons


@router.get(
    "/lessons",
    response_model=list[LessonSummaryOut],
    summary="The lessons, in order",
    description="Each lesson's id, title, summary, level, minutes, order and number of steps.",
    responses={**OVERLOAD_RESPONSES},
)
async def list_lessons(request: Request) -> list[dict]:
    return [lesson.summary_json() for lesson in library(request).ordered()]


@router.get(
    "/lessons/{lesson_id}",
    response_model=LessonOut,
    summary="One lesson with its steps",
    description="Each step's Markdown, its HTML (rendered once, on the server), its page link "
    "and its task. 404 for an unknown id.",
    responses={
        404: {"model": ErrorOut, "description": "No lesson has this id."},
        **OVERLOAD_RESPONSES,
    },
)
async def get_lesson(lesson_id: str, request: Request) -> dict:
    lesson = library(request).get(lesson_id)
    if lesson is None:
        raise HTTPException(404, f"no lesson has the id {lesson_id[:40]!r}")
    return lesson.to_json()


@router.post(
    "/lessons/preview",
    response_model=LessonOut,
    summary="Render a draft lesson",
    description="A lesson file's text in, the same JSON as `GET /api/v1/lessons/{id}` out, checked "
    "and rendered by the same code; a 422 names the line of the first problem. Nothing is stored.",
    responses={**ERROR_RESPONSES},
)
async def preview_lesson(body: LessonPreviewRequest, request: Request) -> dict:
    return library(request).parse(body.text).to_json()
