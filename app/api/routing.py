"""Routers: each module's ``router`` is an :func:`api_router`, included by ``create_app``."""

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.responses import NumpyJSONResponse


def operation_id(route: APIRoute) -> str:
    """A readable operationId for generated clients: the route's name in camelCase (``runNetwork``,
    ``stepSweep``) instead of FastAPI's ``run_api_v1_network_run_post``."""
    head, *rest = route.name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def api_router(prefix: str = "", tags: list[str] | None = None) -> APIRouter:
    """A router whose routes answer with :class:`NumpyJSONResponse` and readable operationIds."""
    return APIRouter(
        prefix=prefix,
        tags=list(tags or []),
        default_response_class=NumpyJSONResponse,
        generate_unique_id_function=operation_id,
    )
