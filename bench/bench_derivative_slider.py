"""Latency from an input event on the /derivative page's x0 slider to the tangent being painted.

The browser test (tests/browser/test_derivative.py) checks that the tangent moves without waiting
for the API; this script measures how fast, as the test's old 50 ms median budget did. Not a
test: it prints and never fails. Needs Debian's Chromium and Playwright, as the browser tests::

    .venv/bin/python bench/bench_derivative_slider.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.conftest import start_server, stop_server

# 21 input events; for each, the time until the tangent has moved and been painted.
DRAG = """async () => {
  const s = document.getElementById('x0');
  const gd = document.getElementById('plot-f');
  const out = [];
  for (let i = 0; i <= 20; i++) {
    const before = gd.layout.shapes[0].y0;
    const t0 = performance.now();
    s.value = String(-2 + i * 0.2);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    while (gd.layout.shapes[0].y0 === before) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => r()));
    out.push(performance.now() - t0);
  }
  return out;
}"""


def main(rounds: int = 5) -> None:
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(base + "/derivative")
            page.wait_for_function("() => document.getElementById('plot-f').layout")
            samples: list[float] = []
            for _ in range(rounds):
                samples += page.evaluate(DRAG)
            browser.close()
    finally:
        stop_server(proc)
    median = statistics.median(samples)
    print(f"slider -> tangent: median {median:.1f} ms ({median / 50:.0%} of the old 50 ms budget)")
    print(f"                   max {max(samples):.1f} ms over {len(samples)} events")


if __name__ == "__main__":
    main()
