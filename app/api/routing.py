"""Routers and routing helpers: each module's ``router`` is an :func:`api_router`, and
``create_app`` adds their routes to the app's own list with :func:`add_routes`."""

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, get_type_hints

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from app.responses import NumpyJSONResponse

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def operation_id(route: APIRoute) -> str:
    """A readable operationId for generated clients: the route's name in camelCase (``runNetwork``,
    ``stepSweep``) instead of FastAPI's ``run_api_v1_network_run_post``."""
    head, *rest = route.name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _body_model(endpoint: Callable[..., Any]) -> type[BaseModel] | None:
    """The model of an endpoint whose one parameter is a request body model, else None."""
    params = list(inspect.signature(endpoint).parameters)
    if len(params) != 1:
        return None
    model = get_type_hints(endpoint).get(params[0])
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.partition(";")[0].strip() == "application/json"


class JSONBodyRoute(APIRoute):
    """An API route that, for an endpoint taking just a body model, validates a JSON body in
    one pydantic call (``model_validate_json``: the bytes are parsed and checked in Rust).

    FastAPI's own handler parses the body with ``json.loads``, validates the Python objects and
    solves the endpoint's dependencies, which for a 2×2 ``/network/run`` costs about as much as
    the engine's work. The fast path is taken only for a valid ``application/json`` body to an
    endpoint that returns its own ``Response`` (``response_model=None``); anything else (another
    content type, bad JSON, an invalid field, another kind of endpoint, FastAPI's telemetry on)
    goes to FastAPI's handler, so every error is FastAPI's, in its words, and the OpenAPI
    document is unchanged. ``tests/api/test_routing.py`` holds both paths to the same answers.
    """

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        model = _body_model(self.endpoint)
        if model is None or self.response_model is not None:  # FastAPI serialises those itself
            return standard
        validate = model.model_validate_json
        call = self.endpoint
        is_async = inspect.iscoroutinefunction(call)

        async def handler(request: Request) -> Response:
            if request.scope.get("fastapi.telemetry") is None and _is_json(
                request.headers.get("content-type")
            ):
                try:
                    body = validate(await request.body())  # the body is kept for `standard`
                except ValidationError:
                    pass
                else:
                    response = await call(body) if is_async else await run_in_threadpool(call, body)
                    if not isinstance(response, Response):
                        raise TypeError(f"{call.__name__} must return a Response")
                    return response
            return await standard(request)

        return handler


def api_router(prefix: str = "", tags: list[str] | None = None) -> APIRouter:
    """A router whose routes are complete in themselves (response class, operationId), so they
    can join the app's route list as they are; their bodies take :class:`JSONBodyRoute`'s fast
    path."""
    return APIRouter(
        prefix=prefix,
        tags=list(tags or []),
        default_response_class=NumpyJSONResponse,
        generate_unique_id_function=operation_id,
        route_class=JSONBodyRoute,
    )


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Add ``router``'s routes to ``app`` directly, instead of ``app.include_router(router)``.

    Since FastAPI 0.137, ``include_router`` keeps each router as a node that every request walks
    through: measured in process (FastAPI 0.165), a POST to ``/api/v1/network/run``, in the third
    router, spent about 60 µs matching its route, against 2 µs for a route in the app's own list.
    The OpenAPI document is the same either way (compared byte for byte when this was written).
    """
    app.router.routes.extend(router.routes)
