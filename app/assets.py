"""Static files behind versioned URLs with long cache lifetimes, gzip-compressed once each.

``/static/v/<VERSION>/js/kit/dom.js`` serves ``static/js/kit/dom.js`` with ``Cache-Control:
immutable`` for a year: ``VERSION`` is the package version plus a hash of the whole static tree,
so any change to any file gives every URL a new version. Because the version is a path segment,
not a query string, the relative imports inside ES modules (``import "./dom.js"``) and the
relative ``url()``s inside CSS resolve to versioned URLs too. Unversioned ``/static/...`` URLs
(and an old version's) are served with ``no-cache`` from the disk.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
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


@dataclass(frozen=True)
class _Asset:
    raw: bytes
    gz: bytes | None  # None: not worth compressing (small, or already compressed like woff2)
    media_type: str
    etag: str


class AssetFiles(StaticFiles):
    """StaticFiles with versioned URLs (see the module docstring) and gzip for text files.

    A file under the current version is read (and gzipped, level 9) once, on its first request,
    and then served from memory without touching the disk or a thread: the version promises it
    does not change while the process runs (restart to serve edits under a new version).
    Anything else falls back to StaticFiles, with ``no-cache``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._assets: dict[str, _Asset] = {}
        self._lock = threading.Lock()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if "\x00" in path:  # no file has one; the OS would refuse the name (a 500 before)
            raise HTTPException(status_code=404)
        parts = path.split("/", 2)
        if len(parts) == 3 and parts[0] == "v" and parts[1] == VERSION:
            asset = self._asset(parts[2])
            if asset is not None:
                return self._serve(asset, Headers(scope=scope), scope["method"] == "HEAD")
        if parts[0] == "v" and len(parts) == 3:
            path = parts[2]  # an older page's version: the current file, revalidated
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "no-cache"
        return response

    def _asset(self, rel: str) -> _Asset | None:
        with self._lock:
            if rel in self._assets:
                return self._assets[rel]
            file = (STATIC_DIR / rel).resolve()
            if not (file.is_relative_to(STATIC_DIR) and file.is_file()):
                return None
            raw = file.read_bytes()
            worth = file.suffix in COMPRESSIBLE and len(raw) >= MIN_GZIP_BYTES
            media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            digest = hashlib.sha256(raw).hexdigest()[:16]
            asset = _Asset(raw, gzip.compress(raw, 9, mtime=0) if worth else None, media, digest)
            self._assets[rel] = asset
            return asset

    @staticmethod
    def _serve(asset: _Asset, request: Headers, head: bool) -> Response:
        gz = asset.gz is not None and "gzip" in request.get("accept-encoding", "")
        etag = f'"{asset.etag}{"-gz" if gz else ""}"'
        headers = {"Cache-Control": IMMUTABLE, "ETag": etag}
        if asset.gz is not None:
            headers["Vary"] = "Accept-Encoding"
        if gz:
            headers["Content-Encoding"] = "gzip"
        if request.get("if-none-match", "") == etag:
            return Response(status_code=304, headers=headers)
        body = asset.gz if gz else asset.raw
        if head:
            headers["Content-Length"] = str(len(body or b""))
            return Response(b"", headers=headers, media_type=asset.media_type)
        return Response(body, headers=headers, media_type=asset.media_type)
