"""Network page, "write the backward": the notebook example's gradients written by hand (the
cross-entropy seed, softmax, sigmoid, affine), one of them wrong first, the wrong cells read off
the heatmap; "show me", a bad answer at its field, and a teacher's link that fixes the gradient."""

from urllib.parse import parse_qs, urlparse

URL = "/api/v1/exercises/backward"


def answer(page, ui, target: str, text: str) -> dict:
    """Pick ``target``, type ``text``, check; the verdict element's data."""
    if page.input_value("#bw-target") != target:
        page.select_option("#bw-target", target)
    page.fill("#bw-answer", text)
    with page.expect_response(lambda r: r.url.endswith(URL)):
        page.click("#bw-check")
    ui.settle(page)
    return {
        "verdict": page.get_attribute("#bw-verdict", "data-verdict"),
        "diagnosis": page.get_attribute("#bw-verdict", "data-diagnosis"),
        "text": page.inner_text("#bw-verdict"),
        "hint": page.inner_text("#bw-hint"),
    }


def test_write_the_notebook_examples_gradients(page, ui, problems):
    problems.allow(r"status of 422")  # the bad answer below
    ui.open(page, "/network")  # the notebook's example: affine, sigmoid, softmax, cross-entropy
    assert page.is_visible("#card-tensors")
    page.click("#bw-open summary")
    page.wait_for_function("() => location.search.includes('bw=3%3Aseed')")
    assert not page.is_visible("#card-tensors") and not page.is_visible("#card-seed")
    assert page.get_attribute(".bw-result", "aria-live") == "polite"
    options = page.eval_on_selector_all("#bw-target option", "os => os.map(o => o.value)")
    assert options == ["3:seed", "2:x", "1:x", "0:W", "0:b", "0:x"]

    # The seed without its 1/N: wrong in exactly the target class of each of the 1000 rows.
    wrong = answer(page, ui, "3:seed", "-t / y")
    assert (wrong["verdict"], wrong["diagnosis"]) == ("wrong", "batch_scale")
    assert wrong["text"].startswith("Wrong: 1000 of 4000 entries")
    assert "N = 1000 times the truth" in wrong["hint"]
    assert page.is_visible("#hm-bw")
    z = ui.data(page, "hm-bw")[0]["z"]
    assert len(z) == 1000 and all(len(row) == 4 and sum(row) == 1 for row in z)
    targets = page.evaluate("fetch('/api/v1/network/presets').then(r => r.json())")
    notebook = next(p for p in targets["presets"] if p["name"] == "notebook")
    assert [row.index(1) for row in z] == notebook["targets"]  # the red cell is the class t_n
    ui.shot(page, "network-backward")
    assert ui.axe(page) == []
    assert page.get_attribute("#hm-bw", "data-wrong") == "1000"
    assert "1000 wrong cells (red) on its 1000×4 grid" in page.get_attribute("#hm-bw", "aria-label")

    assert answer(page, ui, "3:seed", "-t / (N * y)")["verdict"] in ("exact", "close")
    assert ui.data(page, "hm-bw")[0]["z"][0] == [0, 0, 0, 0]
    softmax = answer(page, ui, "2:x", "y * (dy - sum(dy * y, axis=1, keepdims=True))")
    assert softmax["verdict"] in ("exact", "close")
    assert answer(page, ui, "1:x", "dy * y * (1 - y)")["verdict"] in ("exact", "close")
    assert page.get_attribute(".node[data-node='1']", "aria-pressed") == "true"  # its node

    # dW transposed: a wrong shape, said with both shapes; no heatmap for a shape.
    w = answer(page, ui, "0:W", "dy.T @ x")
    assert (w["verdict"], w["diagnosis"]) == ("shape", "transposed")
    assert w["hint"].startswith("Your dW is 4×2 and matches dWᵀ. dW has W's shape, 2×4")
    assert not page.is_visible("#hm-bw")
    assert answer(page, ui, "0:W", "x.T @ dy")["verdict"] in ("exact", "close")
    assert page.is_visible("#hm-bw") and page.get_attribute("#hm-bw", "data-wrong") == "0"
    assert "bwa=x.T+%40+dy" in page.url and "bw=0%3AW" in page.url

    # A name the layer does not have is refused at the answer box, not as a verdict.
    page.fill("#bw-answer", "dW")
    page.click("#bw-check")
    ui.settle(page)
    assert "name 'dW' is not allowed; use x, y, W, b, dy, N" in page.inner_text(
        "[data-error-for='answer']"
    )
    assert page.get_attribute("#bw-answer", "aria-invalid") == "true"

    # "Show me" reveals an accepted answer.
    page.select_option("#bw-target", "0:b")
    page.fill("#bw-answer", "dy")
    page.click("#bw-reveal")
    ui.settle(page)
    assert page.inner_text("#bw-reference") == "An accepted answer:\nsum(dy, axis=0)"
    assert page.get_attribute("#bw-verdict", "data-diagnosis") == "missing_sum"


def test_a_teachers_link_fixes_the_gradient_and_the_reveal(page, ui):
    ui.open(page, "/network?data=toy_2d&bw=0%3AW")
    assert page.is_visible("#bw-target") and page.input_value("#bw-target") == "0:W"
    page.uncheck("#bw-allow")
    assert not page.is_visible("#bw-reveal")
    page.fill("#bw-answer", "x.T @ dy")
    page.dispatch_event("#bw-answer", "input")
    link = page.get_attribute("#bw-link", "href")
    q = parse_qs(urlparse(link).query)
    assert q["bw"] == ["0:W"] and q["bwfix"] == ["1"] and q["bwshow"] == ["0"] and "bwa" not in q
    assert q["data"] == ["toy_2d"] and q["L"]  # the stack travels with it
    ui.open(page, link)
    assert page.input_value("#bw-target") == "0:W" and page.is_disabled("#bw-target")
    assert page.is_disabled("#bw-allow") and not page.is_visible("#bw-reveal")
    assert page.input_value("#bw-answer") == ""
    assert answer(page, ui, "0:W", "x.T @ dy")["verdict"] in ("exact", "close")
