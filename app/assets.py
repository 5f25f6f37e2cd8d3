"""Static files behind versioned URLs with long cache lifetimes, gzip-compressed once each.

``/static/v/<VERSION>/js/kit/dom.js`` serves ``static/js/kit/dom.js`` with ``Cache-Control:
immutable`` for a year: ``VERSION`` is the package version plus a hash of the whole static tree,
so any change to any file gives every URL a new version. Because the version is a path segment,
not a query string, the relative imports inside ES modules (``import "./dom.js"``) and the
relative ``url()``s inside CSS resolve to versioned URLs too. Unversioned ``/static/...`` URLs
(and an old version's) are served with ``no-cache``.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from functools import cache
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app import __version__
from app.paths import STATIC_DIR

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {".js", ".css", ".html", ".json", ".svg", ".txt", ".map"}
MIN_GZIP_BYTES = 1024


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


VERSION = f"{__version__}-{_tree_hash(STATIC_DIR)}"


def asset_url(root: str, path: str) -> str:
    """The versioned URL of ``static/<path>`` for an app served under ``root``."""
    return f"{root}/static/v/{VERSION}/{path}"


_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?\bfrom\s*["'](\.{1,2}/[^"']+)["']""", re.M)
_BARE_IMPORT = re.compile(r"""^\s*import\s*["'](\.{1,2}/[^"']+)["']""", re.M)


@cache
def module_closure(path: str) -> tuple[str, ...]:
    """``path`` (e.g. ``js/pages/derivative.js``) and every module it imports statically, for
    ``<link rel="modulepreload">``: the browser then fetches the whole graph at once instead of
    discovering it one import level per round trip."""
    seen: dict[str, None] = {}

    def visit(rel: str) -> None:
        if rel in seen:
            return
        seen[rel] = None
        text = (STATIC_DIR / rel).read_text()
        base = Path(rel).parent
        for spec in _IMPORT.findall(text) + _BARE_IMPORT.findall(text):
            visit((STATIC_DIR / base / spec).resolve().relative_to(STATIC_DIR).as_posix())

    visit(path)
    return tuple(seen)


class _GzipCache:
    """Each compressible file gzipped once (level 9) and kept, keyed by its path, mtime, size."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, int], bytes] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> bytes:
        st = Path(path).stat()
        key = (path, st.st_mtime_ns, st.st_size)
        with self._lock:
            if key not in self._items:
                self._items[key] = gzip.compress(Path(path).read_bytes(), 9, mtime=0)
            return self._items[key]


class AssetFiles(StaticFiles):
    """StaticFiles with versioned URLs (see the module docstring) and gzip for text files."""

    gzipped = _GzipCache()

    async def get_response(self, path: str, scope: Scope) -> Response:
        versioned = path.startswith("v/") and path.count("/") >= 2
        version = ""
        if versioned:
            _, version, path = path.split("/", 2)
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        cache_control = IMMUTABLE if version == VERSION else "no-cache"
        response.headers["Cache-Control"] = cache_control
        full_path = getattr(response, "path", None)
        if response.status_code != 200 or full_path is None:
            return response
        return self._maybe_gzip(response, str(full_path), scope) or response

    def _maybe_gzip(self, response: Response, full_path: str, scope: Scope) -> Response | None:
        request = Headers(scope=scope)
        if "gzip" not in request.get("accept-encoding", "") or "range" in request:
            return None
        if Path(full_path).suffix not in COMPRESSIBLE:
            return None
        if int(response.headers.get("content-length", "0")) < MIN_GZIP_BYTES:
            return None
        etag = response.headers.get("etag", "").strip('"')
        headers = {
            "Cache-Control": response.headers["Cache-Control"],
            "Content-Encoding": "gzip",
            "Vary": "Accept-Encoding",
            "ETag": f'"{etag}-gz"',
            "Last-Modified": response.headers.get("last-modified", ""),
        }
        if request.get("if-none-match", "") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        body = self.gzipped.get(full_path)
        return Response(body, headers=headers, media_type=response.media_type)
