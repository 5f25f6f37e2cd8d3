"""Build the FastAPI application: routers, static files, middleware and error handlers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __version__, errors
from app.api import (
    activations,
    exercise_backward,
    exercises,
    graph,
    hunt,
    lessons,
    meta,
    network,
    numdiff,
    pages,
    softmax,
    train,
)
from app.api.routing import operation_id
from app.assets import AssetFiles
from app.compression import GzipMiddleware
from app.config import Settings, get_settings
from app.logging_setup import AccessLogMiddleware, configure_logging
from app.middleware import (
    BodyLimitMiddleware,
    ComputeSlotsMiddleware,
    HeadMiddleware,
    LimitsMiddleware,
    SecurityHeadersMiddleware,
)
from app.paths import STATIC_DIR
from app.responses import NumpyJSONResponse
from app.trainers import Trainers, start_forkserver

DESCRIPTION = """
See and check how a neural network computes its forward and backward passes.

Run a stack of layers with a loss forward and backward and compare every gradient with central
differences; differentiate typed functions numerically beside their exact derivatives; run
gradient descent with six optimizers. Invalid input gets a 422 whose `detail[].msg` says what is
wrong; a body over the size limit gets a 413; a request that finds every compute slot busy for
a few seconds gets a 503 with `Retry-After`.
"""


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Start the training processes' forkserver before the first request, not during it."""
    await asyncio.to_thread(start_forkserver)
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, configured from ``settings`` (default: the environment)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Backprop Explorer",
        version=__version__,
        description=DESCRIPTION,
        root_path=settings.root_path,
        default_response_class=NumpyJSONResponse,
        docs_url=None,  # /docs is served by app.api.pages from vendored Swagger UI (offline, CSP)
        redoc_url=None,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        # Off unless asked for: on, FastAPI looks up the global providers on every request.
        telemetry=None if settings.otel else {"tracing": False, "metrics": False, "logs": False},
    )
    routers = (meta, activations, network, hunt, softmax, numdiff, graph, exercises, train)
    for router in (*routers, exercise_backward, lessons, pages):
        app.include_router(router.router)
    app.state.limits = settings.limits()
    app.state.trainers = Trainers(settings.max_training, settings.train_nice)
    app.state.lessons = lessons.load(settings)  # checked now: a bad lesson is logged, left out
    app.mount("/static", AssetFiles(directory=STATIC_DIR), name="static")
    errors.install(app)

    # Added innermost first: a request meets the access log, the security headers (so every
    # answer carries them, the 413 and the 503 included), HEAD as GET, the body limit, CORS,
    # gzip, then waits for a compute slot.
    app.add_middleware(LimitsMiddleware, limits=app.state.limits, inline_us=settings.inline_us)
    app.add_middleware(
        ComputeSlotsMiddleware, slots=settings.slots(), timeout=settings.queue_timeout
    )
    app.add_middleware(GzipMiddleware, max_bytes=settings.gzip_max_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["content-type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)  # outermost: times everything, 413s included
    return app


app = create_app()
