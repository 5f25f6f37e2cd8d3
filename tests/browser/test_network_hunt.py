"""Network page, bug hunt mode: a teacher's link sets the challenge, the runs carry it, and a
learner who names the right layer and gradient wins; giving up shows the code side by side."""

from urllib.parse import parse_qs, urlsplit

from app.engine.nn.hunt import make_hunt

HUNT, RUN, GUESS = "/api/v1/exercises/hunt", "/api/v1/network/run", "/api/v1/exercises/hunt/guess"
NUDGE = "/api/v1/network/nudge"


def test_a_teachers_link_sets_a_challenge_a_learner_wins(page, ui):
    truth = make_hunt(12, 1)  # what the server will plant: the test plays a learner who found it
    with (
        page.expect_response(lambda r: r.url.endswith(HUNT)) as hunt,
        page.expect_response(lambda r: r.url.endswith(RUN)) as run,
    ):
        ui.open(page, "/network?hunt=12:1")
    ui.settle(page)
    assert hunt.value.request.post_data_json == {"seed": 12, "level": 1}
    body = run.value.request.post_data_json
    assert body["challenge"] == hunt.value.json()["challenge"]
    assert [la["type"] for la in body["layers"]] == [la["type"] for la in truth.network["layers"]]
    assert "bug" not in str(body["layers"])  # the page never knows where the bug is
    # The gradient check shows that something is wrong.
    checks = run.value.json()["gradcheck"]
    assert not all(c["passed"] for c in checks)
    assert page.locator("#gc-table .badge.pass").count() == sum(c["passed"] for c in checks)
    assert "hunt=12%3A1" in page.url or "hunt=12:1" in page.url
    # The nudge of a weight (layer 0 is selected: its dW is the third heatmap) carries it too.
    w = run.value.json()["params"][0]["W"]
    box = page.locator("#hm-c .nsewdrag").bounding_box()
    with page.expect_response(lambda r: r.url.endswith(NUDGE)) as nudge:
        page.mouse.click(
            box["x"] + box["width"] / (2 * len(w[0])), box["y"] + box["height"] / (2 * len(w))
        )
    ui.settle(page)
    assert nudge.value.request.post_data_json["challenge"] == body["challenge"]
    # A wrong guess first: a hint, announced.
    wrong = (truth.index + 1) % (len(truth.network["layers"]) + 1)
    page.select_option("#hunt-layer", str(wrong))
    with page.expect_response(lambda r: r.url.endswith(GUESS)):
        page.click("#hunt-guess")
    ui.settle(page)
    verdict = page.locator("#hunt-verdict")
    assert verdict.get_attribute("aria-live") == "polite"
    assert "Not quite" in verdict.inner_text() and verdict.get_attribute("data-correct") == "false"
    # The right layer and gradient: won, and the bug's code is shown.
    page.select_option("#hunt-layer", str(truth.index))
    page.select_option("#hunt-tensor", truth.bug.tensor)
    with page.expect_response(lambda r: r.url.endswith(GUESS)) as guess:
        page.click("#hunt-guess")
    ui.settle(page)
    assert guess.value.json()["correct"] is True
    assert verdict.get_attribute("data-correct") == "true" and "Found it" in verdict.inner_text()
    assert page.locator("#hunt-reveal pre.wrong").inner_text().strip() == truth.bug.wrong.strip()
    assert page.locator("#hunt-reveal pre.right").inner_text().strip() == truth.bug.right.strip()


def test_start_from_the_form_then_give_up(page, ui):
    ui.open(page, "/network")
    ui.settle(page)
    page.fill("#hunt-seed", "4")
    page.select_option("#hunt-level", "3")
    with page.expect_response(lambda r: r.url.endswith(RUN)) as run:
        page.click("#hunt-start")
    ui.settle(page)
    assert run.value.request.post_data_json["challenge"]
    assert "hunt=4%3A3" in page.url or "hunt=4:3" in page.url
    truth = make_hunt(4, 3)
    page.click("#hunt-give-up")
    ui.settle(page)
    assert page.locator("#hunt-reveal h3").inner_text().endswith(truth.bug.name)
    assert page.is_visible("#hunt-reveal pre.wrong") and page.is_visible("#hunt-reveal pre.right")
    assert truth.bug.explanation[:40] in page.inner_text("#hunt-reveal")
    # Stop: the page runs without the challenge again.
    with page.expect_response(lambda r: r.url.endswith(RUN)) as plain:
        page.click("#hunt-stop")
    ui.settle(page)
    assert "challenge" not in plain.value.request.post_data_json
    assert not parse_qs(urlsplit(page.url).query).get("hunt")  # the link no longer sets it


def test_a_bad_seed_is_refused_beside_its_field(page, ui, problems):
    problems.allow("status of 422")  # the API's refusal, shown beside the field
    ui.open(page, "/network")
    ui.settle(page)
    page.fill("#hunt-seed", "-3")
    page.click("#hunt-start")
    ui.settle(page)
    assert page.locator("[data-error-for='seed']").inner_text().strip()


def test_the_exercise_during_a_hunt_is_judged_on_the_bugged_network(page, ui):
    """Writing the backward while a bug is planted: the exercise's request carries the run's
    challenge (the page never knows the bug; the server plants it), so its names are the bugged
    network's numbers, as in the runs and the nudge."""
    with (
        page.expect_response(lambda r: r.url.endswith(HUNT)) as hunt,
        page.expect_response(lambda r: r.url.endswith(RUN)),
    ):
        ui.open(page, "/network?hunt=12:1")
    ui.settle(page)
    page.click("#bw-open summary")
    page.fill("#bw-answer", "y - t")  # the seed asked first: names y, t, N
    with page.expect_response(lambda r: r.url.endswith("/api/v1/exercises/backward")) as ex:
        page.click("#bw-check")
    ui.settle(page)
    sent = ex.value.request.post_data_json["network"]
    assert sent["challenge"] == hunt.value.json()["challenge"]
    assert "bug" not in str(sent["layers"]) and "loss_bug" not in sent
    assert ex.value.status == 200, ex.value.text()
    assert page.get_attribute("#bw-verdict", "data-verdict")
