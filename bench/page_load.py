"""Time from navigation to the first drawn plot on every page, against a bare full-plotly page.

    python bench/page_load.py [--runs 3] [--pages /derivative,/network] [--json out.json]

Starts the app under uvicorn and, beside it, a bare baseline page that only loads the full
plotly.js bundle of the ``plotly`` Python package (4.8 MB, sent uncompressed) and draws one
heatmap. Each page is opened in headless Chromium at 1366x768 in a fresh browser context (cold
cache), then once more in the same context (warm: a second visit); the first plot is the first
animation frame in which a Plotly graph has drawn a trace. Prints the median over ``--runs`` and
each page's cold median as a fraction of the baseline's, measured in the same run (absolute times
swing with the machine's load). The home page draws no plot: its row times the load event.
Every page is visited once unmeasured first, so the server has gzipped its static files (it does
that once per file, on the first request).
Needs Playwright's Python package and /usr/bin/chromium (as the browser tests do).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
PAGES = ["/derivative", "/activations", "/descent", "/network", "/graph", "/train", "/"]
FULL_BUNDLE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

BASELINE_HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>baseline</title>
<script defer src="/plotly.min.js"></script><script defer src="/draw.js"></script></head>
<body><div id="p" style="width:600px;height:400px"></div></body></html>"""
BASELINE_JS = (
    b"""Plotly.newPlot('p', [{type: 'heatmap', z: [[1, -2, 3], [-4, 5, -6], [7, -8, 9]]}]);"""
)

# Runs before any page script: note the first frame in which a Plotly graph holds a drawn trace
# (or, on /graph, which draws SVG with dagre and no Plotly, a node of the graph).
PROBE = """
(() => {
  const drawn = () => document.querySelector(
    '.js-plotly-plot .cartesianlayer .trace, .js-plotly-plot .cartesianlayer image, svg .gnode');
  const tick = () => {
    if (drawn()) { window.__firstPlot = performance.now(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


class _Baseline(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        files = {
            "/": (BASELINE_HTML, "text/html"),
            "/draw.js": (BASELINE_JS, "text/javascript"),
            "/plotly.min.js": (FULL_BUNDLE.read_bytes(), "text/javascript"),
        }
        body, kind = files.get(self.path.split("?")[0], (b"", ""))
        self.send_response(200 if kind else 404)
        self.send_header("Content-Type", kind or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=86400")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_app() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--log-level", "warning"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the app did not start")


def _visit(page, url: str, plot: bool) -> dict:
    page.goto(url, wait_until="load")
    if plot:
        page.wait_for_function("() => window.__firstPlot !== undefined", timeout=60_000)
        ms = page.evaluate("window.__firstPlot")
    else:
        ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    sizes = page.evaluate(
        """() => {
        const r = performance.getEntriesByType('resource');
        const n = performance.getEntriesByType('navigation')[0];
        const api = r.filter((e) => e.name.includes('/api/v1/')).map((e) => e.startTime);
        const mark = (m) => (performance.getEntriesByName(m)[0] || {}).startTime;
        return {bytes: r.reduce((s, e) => s + e.transferSize, n.transferSize), requests: r.length,
                plotly: r.some((e) => /plotly/.test(e.name)),
                api: api.length ? Math.min(...api) : null,
                plotlyRan: [mark('bpx:plotly-start'), mark('bpx:plotly-ready')]};
    }"""
    )
    return {"ms": ms, **sizes}


def measure(runs: int, pages: list[str]) -> dict[str, dict[str, list]]:
    app, base = _start_app()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Baseline))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    targets = {"baseline": f"http://127.0.0.1:{httpd.server_address[1]}/"}
    targets.update({p: base + p for p in pages})
    out: dict[str, dict[str, list]] = {
        k: {"cold": [], "warm": [], "kb": [], "api": [], "plotly": []} for k in targets
    }
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            # One unmeasured visit each, so the server has compressed its static files once
            # (app.assets does that on first request) as a server that has been up would have.
            for name, url in targets.items():
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.add_init_script(PROBE)
                _visit(ctx.new_page(), url, name != "/")
                ctx.close()
            for _ in range(runs):
                for name, url in targets.items():  # interleaved, so load swings hit all alike
                    ctx = browser.new_context(viewport=VIEWPORT)
                    ctx.add_init_script(PROBE)
                    page = ctx.new_page()
                    plot = name != "/"
                    cold = _visit(page, url, plot)
                    page.goto("about:blank")
                    warm = _visit(page, url, plot)
                    ctx.close()
                    out[name]["cold"].append(cold["ms"])
                    out[name]["warm"].append(warm["ms"])
                    out[name]["kb"].append(cold["bytes"] / 1024)
                    out[name]["loads_plotly"] = cold["plotly"]
                    out[name]["api"].append(cold["api"])
                    out[name]["plotly"].append(cold["plotlyRan"])
            browser.close()
    finally:
        httpd.shutdown()
        app.terminate()
        app.wait(10)
    return out


def table(out: dict[str, dict[str, list]]) -> str:
    base = statistics.median(out["baseline"]["cold"])
    rows = [
        "| page | first plot, cold (ms) | × baseline | warm (ms) | sent cold (KB) | plotly.js |"
        " first API request at (ms) | plotly.js ran (ms) |",
        "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for name, r in out.items():
        cold = statistics.median(r["cold"])
        label = f"{name} (load event, no plot)" if name == "/" else name
        api = [a for a in r["api"] if a is not None]
        ran = [p for p in r["plotly"] if p[0] is not None and p[1] is not None]
        start, ready = (statistics.median(p[i] for p in ran) for i in (0, 1)) if ran else (0, 0)
        rows.append(
            f"| {label} | {cold:.0f} | {cold / base:.2f} | {statistics.median(r['warm']):.0f}"
            f" | {statistics.median(r['kb']):.0f} | {'yes' if r.get('loads_plotly') else 'no'}"
            f" | {f'{statistics.median(api):.0f}' if api else '—'}"
            f" | {f'{start:.0f}–{ready:.0f}' if ran else '—'} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--json", type=Path, help="also write the raw samples here")
    a = ap.parse_args()
    out = measure(a.runs, a.pages.split(","))
    print(f"median of {a.runs} runs, headless Chromium 1366x768, cold = fresh browser context")
    print(table(out))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
