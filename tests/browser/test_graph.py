"""Graph page: step through both passes against the API, the inspector's chain rule in numbers,
variables re-run at once, the link reproduces the view, errors stay beside the expression."""

import pytest

from tests.browser.conftest import CSP_LISTENER, VIEWPORT

GRAPH = "/api/v1/graph"
CS231N = {"expr": "q = x + y\nf = q * z", "values": {"x": -2, "y": 5, "z": -4}}
NEURON = {
    "expr": "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
    "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
}
# How the drawing writes each operation (functions by their name).
SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "neg"}


def _graph_response(**fields):
    """A predicate for page.expect_response: a POST to the graph API whose body has ``fields``."""

    def match(r) -> bool:
        if not r.url.endswith(GRAPH) or r.request.method != "POST":
            return False
        body = r.request.post_data_json or {}
        return all(body.get(k) == v for k, v in fields.items())

    return match


def _nodes(page) -> dict[int, dict]:
    """Every drawn node: its operation, name and the value and gradient it shows."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#graph-svg .gnode')].map((g) => ({
            id: Number(g.dataset.id), op: g.querySelector('.gop').textContent,
            name: (g.querySelector('.gname') || {}).textContent || '',
            value: g.dataset.value, grad: g.dataset.grad,
            shown: [g.querySelector('.gval').textContent,
                    g.querySelector('.ggrad').textContent]}))"""
    )
    return {r["id"]: r for r in rows}


def _edges(page) -> dict[str, dict]:
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#graph-svg text.glocal')].map((t) => ({
            key: t.dataset.edge, local: t.dataset.local,
            text: t.querySelector('tspan').textContent}))"""
    )
    return {r["key"]: r for r in rows}


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def _stale(page) -> bool:
    """Whether the graph, the inspector and the table are all marked stale (kit/lifecycle.js)."""
    cards = ["#card-graph", "#card-inspector", "#card-grads"]
    marks = ["stale" in (page.get_attribute(c, "class") or "").split() for c in cards]
    assert len(set(marks)) == 1, marks
    return marks[0]


def _step_count(page) -> str:
    return page.inner_text("#step-count")


def _blur(page) -> None:
    """Take the focus off any control, so the page's keyboard shortcuts get the keys."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def _open_preset(page, ui, preset: str, **fields) -> dict:
    with page.expect_response(_graph_response(**fields)) as info:
        page.select_option("#preset", preset)
    ui.settle(page)
    return info.value.json()


def test_step_through_both_passes_matches_the_api(page, ui):
    ui.open(page, "/graph")
    api = _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    assert api == ui.api(GRAPH, CS231N)  # what the page drew came from the API as is
    assert api["output"] == -12 and api["gradients"] == {"x": -4, "y": -4, "z": 3}
    nodes = {n["id"]: n for n in api["nodes"]}
    fwd, bwd = api["forward_order"], api["backward_order"]
    last = len(fwd) + len(bwd)
    # The page opens a preset at the end; back to the blank graph.
    assert _step_count(page).startswith(f"step {last} / {last}")
    page.click("#btn-reset")
    _blur(page)
    assert _step_count(page).startswith(f"step 0 / {last}")
    assert all(n["value"] == "" and n["grad"] == "" for n in _nodes(page).values())
    # Forward, one node at a time, in forward_order (→ key).
    for i, node_id in enumerate(fwd, start=1):
        page.keyboard.press("ArrowRight")
        assert _step_count(page).startswith(f"step {i} / {last} · forward")
        drawn = _nodes(page)
        assert float(drawn[node_id]["value"]) == nodes[node_id]["value"]
        assert [d for d in drawn if drawn[d]["value"]] == sorted(fwd[:i])
        assert page.inner_text("#step-formula").startswith("forward:")
    assert page.inner_text("#step-formula") == "forward: f = q · z = 3 · (−4) = −12"
    assert not _edges(page)["4:0"]["text"]  # no local derivative before the backward pass
    # The seed: the output's gradient is 1.
    page.click("#btn-fwd")
    assert page.inner_text("#step-formula").startswith("seed: ∂f/∂f = 1")
    assert _nodes(page)[api["output_id"]]["grad"] == "1"
    # Backward, one node at a time, in backward_order; each edge shows its local derivative
    # once the pass has used it.
    for i, node_id in enumerate(bwd[1:], start=len(fwd) + 2):
        page.keyboard.press("ArrowRight")
        assert _step_count(page).startswith(f"step {i} / {last} · backward")
        assert float(_nodes(page)[node_id]["grad"]) == nodes[node_id]["grad"]
        edges = _edges(page)
        for use in api["nodes"]:
            for k, j in enumerate(use["inputs"]):
                assert bool(edges[f"{use['id']}:{k}"]["text"]) == (j in bwd[: i - len(fwd)])
    assert page.inner_text("#step-formula") == ("backward: ∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4")
    assert page.is_disabled("#btn-fwd") and page.is_disabled("#btn-end")
    # At the end every label, value, gradient and local derivative is the API's.
    drawn, edges = _nodes(page), _edges(page)
    for n in api["nodes"]:
        d = drawn[n["id"]]
        plain = n["op"] in ("var", "const")
        assert d["op"] == (n["label"] if plain else SYMBOL.get(n["op"], n["op"]))
        assert d["name"] == (n.get("name") or ("" if n["op"] == "var" else "f"))
        assert (float(d["value"]), float(d["grad"])) == (n["value"], n["grad"])
        assert _num(d["shown"][0]) == pytest.approx(n["value"], rel=1e-3)
        for k, local in enumerate(n["local"]):
            e = edges[f"{n['id']}:{k}"]
            assert float(e["local"]) == local
            assert _num(e["text"].strip("×()")) == pytest.approx(local, rel=1e-3)
    table = page.locator("#grad-body tr")
    assert table.count() == 3
    for row, var in zip(table.all(), ["x", "y", "z"], strict=True):
        cells = row.locator("td").all_inner_texts()
        assert row.locator("th").inner_text() == var
        assert _num(cells[0]) == api["gradients"][var]
        assert _num(cells[1]) == api["exact"][var]
        assert _num(cells[2]) == pytest.approx(api["numeric"][var], rel=1e-9)
        assert "e−" in cells[3] and cells[4] == api["verdict"] == "good"  # the server's
    # ← steps back, Home resets, End jumps to the end.
    page.keyboard.press("ArrowLeft")
    assert _step_count(page).startswith(f"step {last - 1} / {last}")
    page.keyboard.press("Home")
    assert _step_count(page).startswith(f"step 0 / {last}")
    page.keyboard.press("End")
    assert _step_count(page).startswith(f"step {last} / {last}")
    ui.assert_fits(page)


def test_play_runs_to_the_end_and_stops(page, ui):
    ui.open(page, "/graph")
    _open_preset(page, ui, "square", expr="x**2 + 5")
    page.select_option("#speed", "8")
    page.click("#btn-reset")
    _blur(page)
    page.keyboard.press("Space")
    assert page.inner_text("#btn-play") == "■ Pause"
    page.wait_for_function("() => document.getElementById('btn-fwd').disabled")
    assert page.inner_text("#btn-play") == "▶ Play"
    assert page.inner_text("#step-formula") == (
        "backward: ∂f/∂x = ∂f/∂n2 · ∂n2/∂x = 1 · (2 · x) = 1 · 2 = 2"
    )


def test_inspector_writes_the_chain_rule_with_numbers(page, ui):
    ui.open(page, "/graph")
    _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    page.click("#graph-svg .gnode[data-id='3']")  # q = x + y
    text = page.inner_text("#inspector-body")
    assert "q = x + y = −2 + 5 = 3" in text
    assert "∂q/∂x = 1, ∂q/∂y = 1" in text
    assert "∂f/∂q = ∂f/∂f · ∂(q · z)/∂q\n= 1 · z\n= 1 · (−4)\n= −4" in text
    assert page.get_attribute("#graph-svg .gnode[data-id='3']", "aria-pressed") == "true"
    page.click("#graph-svg .gnode[data-id='4']")  # the output: the seed
    assert "∂f/∂f = 1 (the seed" in page.inner_text("#inspector-body")
    # A variable used twice: its gradient is the explicit sum over its two edges.
    _open_preset(page, ui, "square2", expr="x * x")
    page.focus("#graph-svg .gnode[data-id='0']")
    page.keyboard.press("Enter")
    text = page.inner_text("#inspector-body")
    assert "x is used 2 times, so its gradient is the sum over its 2 edges" in text
    assert (
        "∂f/∂x = ∂f/∂f · ∂(x · x)/∂(left x) + ∂f/∂f · ∂(x · x)/∂(right x)\n"
        "= 1 · x + 1 · x\n= 1 · 3 + 1 · 3\n= 6"
    ) in text
    # The neuron: an intermediate node by its number, the function's rule from the engine.
    api = _open_preset(page, ui, "neuron", expr=NEURON["expr"])
    exp = next(n for n in api["nodes"] if n["op"] == "exp")
    page.click(f"#graph-svg .gnode[data-id='{exp['id']}']")
    text = page.inner_text("#inspector-body")
    (arg,) = exp["inputs"]
    assert f"n{exp['id']} = exp(n{arg}) = exp(−1) = 0.367879" in text
    assert f"∂n{exp['id']}/∂n{arg} = exp(n{arg}) = 0.367879" in text
    ui.assert_fits(page)
    ui.shot(page, "graph-neuron")


def test_chain_rule_never_writes_the_local_partial_as_the_result(page, ui):
    """Issue 27 item 5: where a node's use is the output, its local partial is written with the
    operation (∂(x · x)/∂x), and two edges from one node into one use are told apart by their
    side; the chain line's left-hand side never comes back on its right."""
    ui.open(page, "/graph")
    _open_preset(page, ui, "square2", expr="x * x")
    page.click("#graph-svg .gnode[data-id='0']")
    text = page.inner_text("#inspector-body")
    twice = "∂f/∂x = ∂f/∂f · ∂(x · x)/∂(left x) + ∂f/∂f · ∂(x · x)/∂(right x)"
    assert f"{twice}\n= 1 · x + 1 · x" in text
    page.click("#graph-svg .gnode[data-id='1']")  # the output's local derivatives, the same way
    text = page.inner_text("#inspector-body")
    assert "∂(x · x)/∂(left x) = x = 3, ∂(x · x)/∂(right x) = x = 3" in text
    _blur(page)
    page.keyboard.press("End")
    assert page.inner_text("#step-formula").startswith(f"backward: {twice} = 1 · x")
    _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    page.click("#graph-svg .gnode[data-id='3']")  # q, read by the output f = q · z
    text = page.inner_text("#inspector-body")
    assert "∂f/∂q = ∂f/∂f · ∂(q · z)/∂q\n= 1 · z" in text
    for line in text.split("\n"):
        if " = " in line and line.startswith("∂"):
            lhs, rhs = line.split(" = ", 1)
            assert lhs not in rhs, line


def test_variables_rerun_at_once(page, ui):
    ui.open(page, "/graph")
    _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    page.click("#graph-svg .gnode[data-id='3']")
    assert page.locator("#var-list input[type=range]").count() == 3
    with page.expect_response(_graph_response(values={"x": 1, "y": 5, "z": -4})) as info:
        page.fill("#var-x-num", "1")
    ui.settle(page)
    api = info.value.json()
    assert api["output"] == -24
    drawn = _nodes(page)
    assert (drawn[0]["value"], drawn[3]["value"], drawn[4]["value"]) == ("1", "6", "-24")
    assert "q = x + y = 1 + 5 = 6" in page.inner_text("#inspector-body")  # selection kept
    assert page.input_value("#var-x") == "1"
    # Dragging a slider: a burst of input events makes one debounced request for the last one.
    sent = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith(GRAPH) else None)
    with page.expect_response(_graph_response(values={"x": 1, "y": 5, "z": 2})):
        page.evaluate(
            """() => { const s = document.getElementById('var-z');
                for (const v of ['-3', '-1', '0', '1', '2']) {
                    s.value = v; s.dispatchEvent(new Event('input', { bubbles: true })); } }"""
        )
    ui.settle(page)
    assert len(sent) == 1
    assert _nodes(page)[4]["value"] == "12"
    assert page.input_value("#var-z-num") == "2"
    # A new name in the expression gets its own slider.
    with page.expect_response(_graph_response(expr="q = x + y\nf = q * z * w")):
        page.fill("#expr", "q = x + y\nf = q * z * w")
    ui.settle(page)
    assert page.locator("#var-list input[type=range]").count() == 4
    assert page.input_value("#var-w-num") == "1"


def test_copied_link_reproduces_the_view(page, ui, browser, problems):
    ui.open(page, "/graph")
    _open_preset(page, ui, "gate", expr="sigmoid(w0*x0 + w1*x1 + w2)")
    with page.expect_response(_graph_response(expand=True)) as info:
        page.check("#expand")
    ui.settle(page)
    api = info.value.json()
    assert any(n["op"] == "exp" for n in api["nodes"])  # the sigmoid staged in primitives
    assert api["gradients"] == pytest.approx(ui.api(GRAPH, NEURON)["gradients"], rel=1e-12)
    page.select_option("#speed", "4")
    _blur(page)
    page.keyboard.press("Home")
    half = len(api["forward_order"]) + 1 + len(api["backward_order"]) // 2
    for _ in range(half):
        page.keyboard.press("ArrowRight")
    page.click("#graph-svg .gnode[data-id='2']")
    before = {
        "count": _step_count(page),
        "formula": page.inner_text("#step-formula"),
        "inspector": page.inner_text("#inspector-body"),
        "nodes": _nodes(page),
        "table": page.inner_text("#grad-body"),
    }
    page.click("#copy-link")
    page.wait_for_function("() => document.getElementById('copy-link').dataset.copied")
    url = page.get_attribute("#copy-link", "data-copied")
    assert url == page.url
    # A fresh context: nothing shared with the first page but the link.
    ctx = browser.new_context(viewport=VIEWPORT, service_workers="block")
    ctx.add_init_script(CSP_LISTENER)
    try:
        other = ctx.new_page()
        other.on("console", lambda m: problems.errors.append(m.text) if m.type == "error" else None)
        other.on("pageerror", lambda e: problems.errors.append(f"page error: {e}"))
        with other.expect_response(_graph_response(expand=True)):
            other.goto(url)
        ui.settle(other)
        assert other.input_value("#expr") == "sigmoid(w0*x0 + w1*x1 + w2)"
        assert other.is_checked("#expand")
        assert other.input_value("#speed") == "4"
        assert other.input_value("#var-w0-num") == "2"
        after = {
            "count": _step_count(other),
            "formula": other.inner_text("#step-formula"),
            "inspector": other.inner_text("#inspector-body"),
            "nodes": _nodes(other),
            "table": other.inner_text("#grad-body"),
        }
        assert after == before
        assert other.url == url  # the reloaded state writes the very same link
    finally:
        ctx.close()


def test_invalid_expression_keeps_the_last_good_graph(page, ui, problems):
    problems.allow("status of 422")
    ui.open(page, "/graph")
    _open_preset(page, ui, "cs231n", expr=CS231N["expr"])
    good = _nodes(page)
    with page.expect_response(_graph_response(expr="q = x +\nf = q * z")) as info:
        page.fill("#expr", "q = x +\nf = q * z")
    ui.settle(page)
    assert info.value.status == 422
    (detail,) = info.value.json()["detail"]
    assert detail["loc"] == ["body", "expr"]
    error = page.locator("#expr-error")
    assert error.is_visible() and error.inner_text() == detail["msg"]
    assert page.get_attribute("#expr", "aria-invalid") == "true"
    # The last good graph stays, marked stale.
    assert _nodes(page) == good
    assert _stale(page)
    assert page.inner_text("#status").startswith("Showing the last good result")
    # A value the engine cannot finish with: its message beside the variables.
    with page.expect_response(_graph_response(expr="exp(x)")):
        page.fill("#expr", "exp(x)")
    ui.settle(page)
    with page.expect_response(_graph_response(values={"x": 1000})) as info:
        page.fill("#var-x-num", "1000")
    ui.settle(page)
    msg = info.value.json()["detail"][0]["msg"]
    assert "overflowed" in msg
    assert page.inner_text("[data-error-for=values]") == msg
    assert _stale(page)
    # Fixed: the error goes, the graph is fresh again.
    with page.expect_response(_graph_response(values={"x": 2})):
        page.fill("#var-x-num", "2")
    ui.settle(page)
    assert not page.is_visible("#expr-error") and not _stale(page)
    fresh = ui.api(GRAPH, {"expr": "exp(x)", "values": {"x": 2}})
    assert _nodes(page)[1]["value"] == repr(fresh["output"])


def test_network_preset_fits_the_screen(page, ui):
    ui.open(page, "/graph")
    with page.expect_response(_graph_response()) as info:
        page.select_option("#preset", "net")
    ui.settle(page)
    api = info.value.json()
    assert len(api["gradients"]) == 8
    assert page.locator("#grad-body tr").count() == 8
    assert float(page.get_attribute("#graph-svg", "data-scale")) >= 0.75
    ui.assert_fits(page)
    ui.shot(page, "graph-network")


def test_gradients_show_the_servers_verdict_and_warnings(page, ui):
    with page.expect_response(lambda r: r.url.endswith(GRAPH)) as info:
        ui.open(page, "/graph?expr=relu(x)*y&values=x:0,y:2")
    ui.settle(page)
    api = info.value.json()
    assert api["verdict"] == "kink" and [w["code"] for w in api["warnings"]] == [
        "not_differentiable"
    ]
    cells = page.locator("#grad-body tr").first.locator("td").all_inner_texts()
    assert cells[4] == "kink within ±h"  # the server's verdict, not the page's
    assert "relu'(0) = 0, as PyTorch" in page.inner_text("#grad-warnings")


def test_statements_and_empty_programs_are_named_beside_the_expression(page, ui, problems):
    """Issue 27, item 13: no slider for "import" or "lambda"; a learner's words, not pydantic's."""
    problems.allow("status of 422")
    ui.open(page, "/graph")
    for typed, words in [
        ("import os", "'import' is not allowed"),
        ("lambda x: x", "lambda is not allowed"),
        ("if x: y", "'if' is not allowed"),
        ("for x in y: x", "'for' is not allowed"),
    ]:
        page.fill("#expr", typed)
        ui.settle(page)
        assert words in page.inner_text("#expr-error"), typed
        assert (
            page.locator("#var-import-num, #var-lambda-num, #var-if-num, #var-for-num").count() == 0
        )
    page.fill("#expr", "exp * 2")
    ui.settle(page)
    shown = page.inner_text("[data-error-for=values]") + page.inner_text("#expr-error")
    assert "reads no variable" in shown and "after validation" not in shown
