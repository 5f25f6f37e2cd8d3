"""Training page: one stream per page, whatever the learner does while it plays.

Changing a setting while training plays (the learning rate, the batch size, L2, the optimizer or
one of its hyper-parameters) restarts the stream from the last checkpoint: the page keeps
playing, holds one stream at a time, and its main thread stays free. Counted, not timed: the page's
own fetches of /api/v1/train (opened, closed), and its renders against the animation frames
it ran: a render per streamed line, between frames, is what froze the page."""

TRAIN = "/api/v1/train"

# Count the page's training streams from the page itself: a stream is open from its fetch until
# its body ends, fails or its signal aborts. And count the animation frames the page runs.
COUNTERS = """(() => {
  const s = (window.__streams = { open: 0, max: 0, total: 0 });
  window.__frames = 0;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (f) => raf((t) => { window.__frames++; f(t); });
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    if (!url.endsWith("/api/v1/train")) return fetch0(input, init);
    s.open++; s.total++; s.max = Math.max(s.max, s.open);
    let closed = false;
    const close = () => { if (!closed) { closed = true; s.open--; } };
    init?.signal?.addEventListener("abort", close);
    let res;
    try { res = await fetch0(input, init); } catch (e) { close(); throw e; }
    if (!res.body) { close(); return res; }
    const body = res.body.pipeThrough(new TransformStream({ flush: close }));
    return new Response(body, { status: res.status, headers: res.headers });
  };
})();"""


def streams(page) -> dict:
    return page.evaluate("() => ({...window.__streams})")


def epoch(page) -> int:
    return page.evaluate("() => window.__bpx.run.epoch")


def playing(page) -> bool:
    return page.get_attribute("#play", "aria-pressed") == "true"


def test_retuning_while_playing_keeps_one_stream_and_a_free_page(page, ui):
    page.add_init_script(COUNTERS)
    ui.open(page, "/train")  # XOR, Adam: the page's default setup
    assert streams(page) == {"open": 0, "max": 1, "total": 1}  # the epoch-0 preview

    page.click("#play")
    page.wait_for_function("() => window.__bpx.run.epoch >= 20", timeout=60_000)
    page.click("details.settings summary")  # the optimizer's own settings
    hyper = page.locator("#hyper input").first.get_attribute("id")
    changes = [("#lr", "0.01"), ("#batch", "20"), ("#l2", "0.001"), (f"#{hyper}", "0.8")]
    for selector, value in [*changes, ("#optimizer", "sgd")]:
        opened, at = streams(page)["total"], epoch(page)
        if selector == "#optimizer":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
            page.keyboard.press("Tab")
        # The change restarts the stream from the checkpoint, and training goes on.
        page.wait_for_function(
            "([n, e]) => window.__streams.total > n && window.__bpx.run.epoch > e + 10",
            arg=[opened, at],
            timeout=60_000,
        )
        assert playing(page), selector
        assert page.inner_text("#play").endswith("Pause"), selector
        assert streams(page)["open"] == 1, selector

    page.click("#play")  # pause
    page.wait_for_function("() => window.__streams.open === 0")
    ui.settle(page)
    assert not playing(page)
    paused = epoch(page)
    page.wait_for_timeout(500)
    assert epoch(page) == paused  # paused means paused: no stream left behind
    counted = streams(page)
    assert counted["max"] == 1 and counted["open"] == 0, counted
    # Lines only schedule a render for the next frame: never more renders than frames.
    renders, frames, lines = page.evaluate(
        "() => [window.__bpx.run.renders, window.__frames, window.__bpx.run.lines]"
    )
    assert 0 < renders <= frames and renders < lines, (renders, frames, lines)
