"""Pure ASGI middleware: the body limit, the compute slots, the security headers, the limits."""

import math
from collections.abc import Collection

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.compute import inline_in_force
from app.engine.cost import INLINE_US
from app.engine.limits import Limits
from app.schemas.base import limits_in_force
from app.slots import SLOT, Slot

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class BodyLimitMiddleware:
    """Answer 413 to bodies over ``max_bytes``, by Content-Length or while a chunked body streams.

    The body is read here (at most ``max_bytes`` of it) and replayed to the app, so the limit holds
    whatever the app does with the stream.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        body = (
            b'{"detail":[{"type":"body_too_large","loc":["body"],'
            b'"msg":"request body is larger than the limit of %d bytes"}]}' % self.max_bytes
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and friends to every HTTP response, whatever its status.

    It sits outside every other middleware but the access log (see ``create_app``), so the 413
    of the body limit and the 503 of the compute slots carry the headers; an exception nothing
    handled becomes a 500 in the standard error shape here (with the headers, and without the
    exception's text), then goes on up to be logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await send_with_headers(
                    {"type": "http.response.start", "status": 500, "headers": _ERROR_500_HEADERS}
                )
                await send({"type": "http.response.body", "body": _ERROR_500})
            raise


_ERROR_500 = (
    b'{"detail":[{"type":"internal_error","loc":[],"msg":"the server failed on this request; '
    b'it is a bug: please report it"}]}'
)
_ERROR_500_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_ERROR_500)).encode()),
]


class HeadMiddleware:
    """Answer ``HEAD`` wherever ``GET`` is served: the GET's status and headers, no body.

    FastAPI's routes answer only the methods they declare, so without this a HEAD on a page, on
    ``/docs`` or on ``/api/v1/health`` (uptime checkers and link previews send it) was a 405.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class LimitsMiddleware:
    """Put the app's :class:`~app.engine.limits.Limits` and its inline budget in force for each
    request it handles.

    The schemas read the limits while validating the body (:class:`app.schemas.base.Limit`) and
    the routes get the same object (``app.api.deps.LimitsDep``), so one object built in
    ``create_app`` bounds everything; :func:`app.api.compute.run_sized` reads ``inline_us``.
    """

    def __init__(self, app: ASGIApp, limits: Limits, inline_us: float = INLINE_US) -> None:
        self.app = app
        self.limits = limits
        self.inline_us = inline_us

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with limits_in_force(self.limits), inline_in_force(self.inline_us):
            await self.app(scope, receive, send)


class ComputeSlotsMiddleware:
    """Let at most ``slots`` API requests run at once; one that waits ``timeout`` s gets 503.

    Every request under ``/api/`` except the ``exempt`` paths (health and the constant list of
    activations) holds a slot from the moment its body has arrived until its response is sent:
    at most ``slots`` requests are validated, computed and rendered at once, so the event loop and
    the health probe keep their share of the cores and at most ``slots`` results are in memory.
    A request that gets no slot within ``timeout`` seconds is answered ``503`` with
    ``Retry-After`` in the standard error shape, never left hanging. The request's
    :class:`Slot` is in ``scope[SLOT]``: a stream (``/api/v1/train``) lets go of it once its
    request is validated, since it trains in a process of its own (:mod:`app.trainers`).
    """

    def __init__(
        self,
        app: ASGIApp,
        slots: int,
        timeout: float,
        exempt: Collection[str] = ("/api/v1/health", "/api/v1/activations"),
    ) -> None:
        self.app = app
        self.slots = anyio.Semaphore(slots, fast_acquire=True)
        self.timeout = timeout
        self.exempt = frozenset(exempt)
        retry = max(1, math.ceil(timeout))
        self.body = (
            b'{"detail":[{"type":"overloaded","loc":[],"msg":"the server is busy: every compute '
            b'slot stayed taken for %g s; try again in %d s"}]}' % (timeout, retry)
        )
        self.headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
            (b"retry-after", str(retry).encode()),
        ]

    def _gated(self, scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return path.startswith("/api/") and path not in self.exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._gated(scope):
            await self.app(scope, receive, send)
            return
        try:
            self.slots.acquire_nowait()
        except anyio.WouldBlock:
            if not await self._wait():
                await send({"type": "http.response.start", "status": 503, "headers": self.headers})
                await send({"type": "http.response.body", "body": self.body})
                return
        scope[SLOT] = slot = Slot(self.slots)
        try:
            await self.app(scope, receive, send)
        finally:
            slot.release()

    async def _wait(self) -> bool:
        """Wait up to ``timeout`` for a slot; whether one was taken."""
        with anyio.move_on_after(self.timeout):
            await self.slots.acquire()
            return True
        return False
