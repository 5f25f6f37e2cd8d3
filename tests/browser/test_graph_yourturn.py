"""Graph page, "your turn": the learner computes the hidden numbers in boxes on the graph; the
engine judges each (POST /api/v1/graph/check) and its diagnosis shows beside the node, announced
to screen readers; the score line counts first tries and hints; the link reopens the exercise."""

from urllib.parse import urlencode

CHECK = "/api/v1/graph/check"
CS231N = {"expr": "q = x + y\nf = q * z", "values": "x:-2,y:5,z:-4"}  # x0 y1 z2 q3 f4
TWICE = {"expr": "q = x * y\nr = x + z\nf = q + r", "values": "x:2,y:3,z:1"}  # x0 y1 z2 q3 r4 f5


def _url(program: dict, **extra) -> str:
    return "/graph?" + urlencode({**program, "turn": "1", **extra})


def _answer(page, ui, task: str, text: str) -> dict:
    """Type ``text`` in the box of ``task`` (``grad:3``, ``local:3:1``) and press Enter."""
    box = page.locator(f'input.yt-answer[data-task="{task}"]')
    box.fill(text)
    with page.expect_response(lambda r: r.url.endswith(CHECK)) as info:
        box.press("Enter")
    ui.settle(page)
    return info.value.json()


def _note(page, task: str) -> tuple[str, str]:
    note = page.locator(f'.yt-note[data-task="{task}"]')
    return note.get_attribute("data-diagnosis"), note.inner_text()


def _open(page) -> set[str]:
    return set(page.eval_on_selector_all("input.yt-answer", "els => els.map(e => e.dataset.task)"))


def test_cs231n_answered_with_mistakes_diagnosed_then_the_link_reopens_it(page, ui):
    ui.open(page, _url(CS231N))
    ui.settle(page)
    # Gradients hidden, values shown; the drawing shows no gradient, the table is hidden.
    drawn = page.eval_on_selector_all("#graph-svg .gnode", "gs => gs.map(g => g.dataset.grad)")
    assert drawn == ["", "", "", "", ""]
    assert not page.is_visible("#card-grads")
    assert _open(page) == {"grad:4"}  # the output first
    assert _answer(page, ui, "grad:4", "1")["correct"]
    assert _open(page) == {"grad:3", "grad:2"}  # every node whose uses are all answered
    # forward_value: q's value typed for its gradient (z's box keeps what is typed in it)
    page.fill('input.yt-answer[data-task="grad:2"]', "2.5")
    r = _answer(page, ui, "grad:3", "3")
    assert page.input_value('input.yt-answer[data-task="grad:2"]') == "2.5"
    assert r["diagnosis"] == "forward_value"
    diagnosis, text = _note(page, "grad:3")
    assert diagnosis == "forward_value" and "3 is q's value in the forward pass" in text
    assert "3 is q's value" in page.inner_text("#yt-live")
    assert _answer(page, ui, "grad:3", "-4")["correct"]
    # sign
    assert _answer(page, ui, "grad:2", "-3")["diagnosis"] == "sign"
    assert _note(page, "grad:2")[0] == "sign"
    assert _answer(page, ui, "grad:2", "3")["correct"]
    # forgot_upstream: ∂q/∂x alone
    r = _answer(page, ui, "grad:0", "1")
    assert r["diagnosis"] == "forgot_upstream"
    assert "Multiply by the gradient arriving at q" in _note(page, "grad:0")[1]
    assert _answer(page, ui, "grad:0", "-4")["correct"]
    assert _answer(page, ui, "grad:1", "-4.0")["correct"]
    # Done: the score and the table with the truth.
    assert page.inner_text("#yt-score") == (
        "Done: all 5 answered, 2 right at the first try, 3 hints used."
    )
    assert page.is_visible("#card-grads")
    grads = page.eval_on_selector_all("#graph-svg .gnode", "gs => gs.map(g => g.dataset.grad)")
    assert [float(g) for g in grads] == [-4, -4, 3, -4, 1]
    # The link reopens the same exercise, fresh.
    page.reload()
    ui.settle(page)
    assert page.is_checked("#yt-on")
    assert _open(page) == {"grad:4"}
    assert page.input_value("#expr") == CS231N["expr"]


def test_used_twice_one_path_and_local_swapped(page, ui):
    ui.open(page, _url(TWICE, tlocals="1"))
    ui.settle(page)
    assert page.is_checked("#yt-locals")
    # Locals first: every edge into a node that leads to the output.
    assert _open(page) == {
        "local:3:0",
        "local:3:1",
        "local:4:0",
        "local:4:1",
        "local:5:0",
        "local:5:1",
    }
    # local_swapped: ∂q/∂y for q = x·y is x = 2; y's own value 3 typed
    r = _answer(page, ui, "local:3:1", "3")
    assert r["diagnosis"] == "local_swapped"
    assert "the other input, x = 2, not y itself" in _note(page, "local:3:1")[1]
    for task, text in [
        ("local:3:1", "2"),
        ("local:3:0", "3"),
        ("local:4:0", "1"),
        ("local:4:1", "1"),
        ("local:5:0", "1"),
        ("local:5:1", "1"),
    ]:
        assert _answer(page, ui, task, text)["correct"]
    for task, text in [("grad:5", "1"), ("grad:3", "1"), ("grad:4", "1")]:
        assert _answer(page, ui, task, text)["correct"]
    # one_path: x feeds q and r; only the path through q typed
    r = _answer(page, ui, "grad:0", "3")
    assert r["diagnosis"] == "one_path"
    diagnosis, text = _note(page, "grad:0")
    assert diagnosis == "one_path"
    assert "x also feeds r = x + z: its share is ∂f/∂r · ∂r/∂x = 1 · 1 = 1" in text
    # a wrong answer of no known kind climbs the hint ladder
    r = _answer(page, ui, "grad:0", "17")
    assert r["diagnosis"] == "other" and r["hint"].endswith("= ?")
    assert _answer(page, ui, "grad:0", "3 + 1")["correct"]
    page.locator('input.yt-answer[data-task="grad:1"]').focus()
    with page.expect_response(lambda r: r.url.endswith(CHECK)):
        page.click("#yt-show")  # show me: the answer, counted as a hint
    ui.settle(page)
    assert _answer(page, ui, "grad:2", "1")["correct"]
    assert page.inner_text("#yt-score") == (
        "Done: all 12 answered, 9 right at the first try, 4 hints used."
    )


def test_new_circuit_and_new_numbers_keep_the_seed_in_the_link(page, ui):
    ui.open(page, _url(CS231N, rnodes="4", rops="add,mul"))
    ui.settle(page)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/graph/random")) as info:
        page.click("#yt-new-circuit")
    ui.settle(page)
    drawn = info.value.json()
    assert page.input_value("#expr") == drawn["expr"]
    assert f"seed={drawn['seed']}" in page.url
    ops = page.eval_on_selector_all("#graph-svg .gnode .gop", "ts => ts.map(t => t.textContent)")
    assert set(ops) - set(drawn["values"]) - {"2", "3", "0.5", "1"} <= {"+", "×"}
    with page.expect_response(lambda r: r.url.endswith("/api/v1/graph/random")) as info:
        page.click("#yt-new-numbers")
    ui.settle(page)
    again = info.value.json()
    assert again["expr"] == drawn["expr"]
    link = page.url
    page.goto(link)
    ui.settle(page)
    assert page.input_value("#expr") == drawn["expr"]
    for name, v in again["values"].items():
        assert float(page.input_value(f"#var-{name}-num")) == v


def test_values_first_when_hidden(page, ui):
    ui.open(page, _url(CS231N, tvalues="1"))
    ui.settle(page)
    values = page.eval_on_selector_all("#graph-svg .gnode", "gs => gs.map(g => g.dataset.value)")
    assert values == ["-2", "5", "-4", "", ""]  # the inputs are given, the rest hidden
    assert _open(page) == {"value:3"}
    r = _answer(page, ui, "value:3", "-3")
    assert r["diagnosis"] == "sign"
    assert "q = x + y = −2 + 5" in _note(page, "value:3")[1]
    assert _answer(page, ui, "value:3", "3")["correct"]
    assert _answer(page, ui, "value:4", "3*-4")["correct"]
    assert _open(page) == {"grad:4"}  # then the backward pass
    assert page.inner_text("#yt-score") == (
        "2 of 7 answered · 1 right at the first try · 1 hint used"
    )
