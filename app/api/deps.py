"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.engine.limits import Limits


def get_limits(request: Request) -> Limits:
    """The limits of the app serving this request (built once in ``create_app``)."""
    return request.app.state.limits


LimitsDep = Annotated[Limits, Depends(get_limits)]
