"""Static files: versioned URLs cached for a year, gzip once per file; JSON gzip by size."""

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.testclient import TestClient

from app.assets import VERSION, module_closure
from app.compression import MIN_BYTES, GzipMiddleware
from app.paths import STATIC_DIR

JS = "js/kit/lifecycle.js"


def test_versioned_urls_are_immutable_and_others_revalidate(client):
    r = client.get(f"/static/v/{VERSION}/{JS}")
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert r.content == (STATIC_DIR / JS).read_bytes()
    for url in (f"/static/{JS}", f"/static/v/0.0.0-old/{JS}"):  # a stale page's old version
        r = client.get(url)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    assert client.get(f"/static/v/{VERSION}/js/nope.js").status_code == 404


def test_text_files_are_gzipped_once_with_their_own_etag(client):
    url = f"/static/v/{VERSION}/vendor/plotly/plotly-explorer.min.js"
    raw = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    r = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    assert r.content == raw.content  # httpx decodes; the bytes on the wire are far fewer:
    assert int(r.headers["content-length"]) < len(raw.content) / 2.5
    etag = r.headers["etag"]
    assert etag.endswith('-gz"') and etag != raw.headers["etag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    font = f"/static/v/{VERSION}/vendor/katex/fonts/KaTeX_Main-Regular.woff2"
    assert "content-encoding" not in client.get(font, headers={"Accept-Encoding": "gzip"}).headers


def test_module_closure_lists_every_static_import():
    mods = module_closure("js/pages/network/index.js")
    assert mods[0] == "js/pages/network/index.js"
    assert {"js/kit/api.js", "js/kit/lifecycle.js", "js/pages/network/stack.js"} <= set(mods)
    assert all((STATIC_DIR / m).is_file() for m in mods)


def _app(body: bytes, streamed: bool = False, max_bytes: int = 10_000) -> TestClient:
    inner = FastAPI()

    @inner.get("/x")
    def x():
        if streamed:
            return StreamingResponse(iter([body, body]), media_type="application/x-ndjson")
        return JSONResponse({"a": body.decode()})

    inner.add_middleware(GzipMiddleware, max_bytes=max_bytes)
    return TestClient(inner)


@pytest.mark.parametrize(
    ("size", "compressed"), [(10, False), (MIN_BYTES, True), (5_000, True), (20_000, False)]
)
def test_json_is_gzipped_between_the_minimum_and_the_limit(size, compressed):
    r = _app(b"1" * size).get("/x", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.json()["a"] == "1" * size
    assert (r.headers.get("content-encoding") == "gzip") is compressed


def test_streamed_bodies_pass_untouched():
    r = _app(b"{}\n" * 1000, streamed=True).get("/x", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and r.text == "{}\n" * 2000


def test_app_json_compresses_at_level_1(client):
    body = {"activation": "gelu", "num": 801}
    r = client.post("/api/v1/activations/curve", json=body, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and len(r.json()["x"]) == 801
    assert int(r.headers["content-length"]) < len(r.content) / 2
