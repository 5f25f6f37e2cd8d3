"""Dependencies shared by the routers: the one way a route gets the limits in force.

(The request schemas read the same object while validating, through the context variable that
:class:`app.middleware.LimitsMiddleware` sets: :func:`app.schemas.base.current_limits`.)"""

from typing import Annotated

from fastapi import Depends, Request

from app.engine.limits import Limits


async def get_limits(request: Request) -> Limits:
    """The limits of the app serving this request (built once in ``create_app``).

    ``async`` so FastAPI calls it on the event loop: a plain ``def`` dependency costs every request
    a round trip through the thread pool (bench/api_load.py: /network/run 2×2 served 20% fewer
    requests/s with it).
    """
    return request.app.state.limits


LimitsDep = Annotated[Limits, Depends(get_limits)]
