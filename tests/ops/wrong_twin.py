"""A cached twin that is wrong only on a cache hit (its first answer to each request is right):
``bench.api_load --parts floor`` must refuse to measure it."""

from fastapi import Response

import app.api.network as network_routes
from bench import cached_app

_right = network_routes.respond  # cached_app's _respond


def _wrong_when_cached(result: dict) -> Response:
    key = cached_app._HIT.get()
    hit = key is not None and key in cached_app._BODIES
    response = _right(result)
    if not hit:
        return response
    return Response(bytes(response.body) + b" ", media_type="application/json")


network_routes.respond = _wrong_when_cached
app = cached_app.app
