"""Fixtures for the browser tests: the app under uvicorn, and Debian's Chromium via Playwright.

Every page is opened with a listener for ``securitypolicyviolation`` events; any CSP violation,
console error, uncaught exception or request to another host fails the test.
"""

import contextlib
import json
import os
import re
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core, vendored for the tests only
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-sync",
    # Offline: every host name but the app's resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1366, "height": 768}

# Runs before any page script: report CSP violations through console.error, which the page
# fixture collects, so a violation fails the test even if the page swallows the exception.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const v = `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`
    + ` at ${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(v);
  console.error('CSP violation: ' + v);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set; run scripts/ensure-chromium")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """The app under uvicorn on a free 127.0.0.1 port (see tests/conftest.py)."""
    return live_server


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        # launch() gives every run a fresh temporary profile.
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class PageProblems:
    """Console errors, page errors, CSP violations and off-host requests seen by one page."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` (e.g. the browser's log of a 422)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context for the session, so plotly.js is fetched and compiled once."""
    ctx = browser.new_context(viewport=VIEWPORT, service_workers="block")
    ctx.add_init_script(CSP_LISTENER)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, base_url: str, problems: PageProblems):
    host = base_url.split("//", 1)[1]

    def check_host(request) -> None:
        # Every page must work offline: nothing may be fetched from any other host (and
        # --host-resolver-rules makes such a fetch fail anyway).
        url = request.url
        if not (url.split("//", 1)[-1].startswith(host) or url.startswith(("data:", "blob:"))):
            problems.errors.append(f"request to another host: {url}")

    pg = context.new_page()
    pg.on("request", check_host)
    pg.on(
        "console",
        lambda m: (
            problems.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
        ),
    )
    pg.on("pageerror", lambda e: problems.errors.append(f"page error: {e}"))
    pg.set_default_timeout(10_000)
    yield pg
    with contextlib.suppress(Exception):
        violations = pg.evaluate("window.__cspViolations || []")
        problems.errors.extend(f"CSP violation: {v}" for v in violations)
    pg.close()
    bad = problems.unexpected()
    assert not bad, "browser problems:\n" + "\n".join(dict.fromkeys(bad))


class UI:
    """Small helpers shared by the page tests."""

    def __init__(self, base_url: str, shots: Path, problems: PageProblems) -> None:
        self.base_url = base_url
        self.shots = shots
        self.problems = problems

    def api(self, path: str, body: dict) -> dict:
        """POST ``body`` to the API directly, outside the browser, and return the JSON answer."""
        req = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def open(self, page, path: str) -> None:
        def no_dialogs(d) -> None:
            # Errors belong inline next to their input, never in an alert box.
            self.problems.errors.append(f"dialog shown: {d.message}")
            d.dismiss()

        page.on("dialog", no_dialogs)
        page.goto(self.base_url + path)
        self.settle(page)

    @staticmethod
    def settle(page, timeout: float = 10_000) -> None:
        """Wait until no request is in flight and no debounced call is waiting."""
        page.wait_for_function(
            # Modules run before the load event, so a page without the counter has no requests.
            "() => !window.__bpxActivity || (window.__bpxActivity.inflight === 0"
            " && window.__bpxActivity.pending === 0)",
            timeout=timeout,
        )

    @staticmethod
    def plotted(page, plot_id: str, z, timeout: float = 10_000) -> None:
        """Wait until the graph div ``plot_id`` draws ``z`` (its first trace's z).

        For redraws a page starts without a request (a click on a node, a step): they go on the
        queue of plot draws (kit/plot.js), behind any plot drawn for the first time, which waits
        for a frame. The activity counters do not count them, so settle cannot wait for them."""
        page.wait_for_function(
            """([id, z]) => { const d = document.getElementById(id).data;
                return !!d && !!d[0] && JSON.stringify(d[0].z) === JSON.stringify(z); }""",
            arg=[plot_id, z],
            timeout=timeout,
        )

    @staticmethod
    def data(page, plot_id: str) -> list[dict]:
        """The traces Plotly holds for the graph div ``plot_id`` (``gd.data``), as plain JSON."""
        return page.evaluate(
            "(id) => JSON.parse(JSON.stringify(document.getElementById(id).data || []))", plot_id
        )

    @staticmethod
    def layout(page, plot_id: str) -> dict:
        return page.evaluate(
            "(id) => JSON.parse(JSON.stringify(document.getElementById(id).layout || {}))",
            plot_id,
        )

    @staticmethod
    def assert_fits(page) -> None:
        """The page fits a 1366x768 screen: neither the window nor the plot column scrolls."""
        sizes = page.evaluate(
            """() => {
            const d = document.scrollingElement, s = document.querySelector('.stage');
            return {dw: d.scrollWidth, dh: d.scrollHeight,
                    sh: s ? s.scrollHeight : 0, ch: s ? s.clientHeight : 0,
                    sw: s ? s.scrollWidth : 0, cw: s ? s.clientWidth : 0};
        }"""
        )
        assert sizes["dw"] <= VIEWPORT["width"] and sizes["dh"] <= VIEWPORT["height"], sizes
        assert sizes["sh"] <= sizes["ch"] + 1 and sizes["sw"] <= sizes["cw"] + 1, sizes

    @staticmethod
    def axe(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
        """axe-core's violations of those impacts on the page as it is now, one line each.

        The script goes in through DevTools (page.evaluate), which the page's CSP does not
        govern, so the page keeps its real policy while it is checked."""
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(AXE.read_text())
        found = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                              where: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))"""
        )
        return [f"{v['impact']} {v['id']}: {v['help']} at {v['where']}" for v in found
                if v["impact"] in impacts]  # fmt: skip

    @staticmethod
    def tab_order(page, limit: int = 200) -> list[dict]:
        """Press Tab from the top until focus comes back round; each stop's id, tag, label."""
        page.evaluate("document.activeElement && document.activeElement.blur()")
        stops: list[dict] = []
        for _ in range(limit):
            page.keyboard.press("Tab")
            stop = page.evaluate(
                """() => { const e = document.activeElement;
                    if (!e || e === document.body) return null;
                    if (!e.dataset.tabMark) e.dataset.tabMark = String(Math.random());
                    return {mark: e.dataset.tabMark, id: e.id, tag: e.tagName.toLowerCase(),
                            modebar: !!e.closest('.modebar'),
                            plot: (e.closest('.js-plotly-plot') || {}).id || null}; }"""
            )
            if stop is None or (stops and stop["mark"] == stops[0]["mark"]):
                break
            stops.append(stop)
        return stops

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"))


@pytest.fixture
def ui(base_url: str, screenshots: Path, problems: PageProblems) -> UI:
    return UI(base_url, screenshots, problems)
