"""Gzip for JSON and HTML responses of moderate size, at level 1.

Measured on this app's own answers (``bench/json_gzip.py``): level 1 shrinks numeric JSON 2-4x at
40-130 MB/s of one core; level 6 gains another 10-25% at a quarter of that speed. A 70 KB curve
or a 120 KB grid costs under 1 ms at level 1, but a 560 KB network run with its gradient check
8-16 ms, up to 70% of the time the engine and the JSON encoder spent on it. So responses from
``MIN_BYTES`` up to ``max_bytes`` (256 KiB by default, ``BPX_GZIP_MAX_BYTES``) are compressed and
larger ones are sent as they are, keeping the CPU for the computations. Streamed bodies (NDJSON)
are never touched: compressing them would hold lines back in the compressor's buffer. Static
files are compressed once each in :mod:`app.assets`.
"""

from __future__ import annotations

import gzip

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_BYTES = 1024
LEVEL = 1
TYPES = ("application/json", "text/html")


class GzipMiddleware:
    """Compress single-message JSON and HTML bodies of ``MIN_BYTES`` to ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.max_bytes <= 0
            or "gzip" not in Headers(scope=scope).get("accept-encoding", "")
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passthrough = False

        async def send_maybe_compressed(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                kind = headers.get("content-type", "")
                if "content-encoding" in headers or not kind.startswith(TYPES):
                    passthrough = True
                    await send(message)
                else:
                    start = message  # held until the body says whether it is worth it
                return
            if passthrough or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body = message.get("body", b"")
            held, start = start, None
            if message.get("more_body", False) or not MIN_BYTES <= len(body) <= self.max_bytes:
                passthrough = True
                await send(held)
                await send(message)
                return
            compressed = gzip.compress(body, LEVEL, mtime=0)
            headers = MutableHeaders(raw=list(held.get("headers", [])))
            headers["Content-Encoding"] = "gzip"
            headers["Content-Length"] = str(len(compressed))
            headers.add_vary_header("Accept-Encoding")
            await send({**held, "headers": headers.raw})
            await send({"type": "http.response.body", "body": compressed})

        await self.app(scope, receive, send_maybe_compressed)
