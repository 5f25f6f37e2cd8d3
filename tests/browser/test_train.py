"""Training page: play and pause stream the epochs, the boundary and the gradient norms follow
the stream, Step trains one epoch from the checkpoint, and the URL holds the whole setup."""

import json
import subprocess
import sys

TRAIN = "/api/v1/train"
SETUP = (
    "/train?ds=circles&n=300&noise=0.1&classes=2&dseed=3&test=0.4&H=6:tanh~5:relu"
    "&opt=adam&lr=0.05&bs=16&seed=2"
)


def run_state(page) -> dict:
    """The page's view of the run: epoch, whether it plays, how many reports it holds."""
    return page.evaluate(
        "() => { const r = window.__bpx.run; return {epoch: r.epoch, playing: r.playing,"
        " reports: r.history.epoch.length, resume: r.resume && r.resume.epoch}; }"
    )


def heat(page) -> list:
    return next(t for t in ui_data(page, "plot-boundary") if t["type"] == "heatmap")["z"]


def ui_data(page, plot_id: str) -> list[dict]:
    js = "(id) => JSON.parse(JSON.stringify(document.getElementById(id).data || []))"
    return page.evaluate(js, plot_id)


def test_play_pause_step_and_the_url(page, ui, tmp_path):
    with page.expect_response(lambda r: r.url.endswith(TRAIN)) as first:
        ui.open(page, SETUP)
    ui.settle(page)
    sent = first.value.request.post_data_json
    data = {"name": "circles", "n": 300, "noise": 0.1, "classes": 2, "seed": 3}
    assert sent["dataset"] == data | {"test_fraction": 0.4}
    types = [layer["type"] for layer in sent["layers"]]
    assert types == ["affine", "tanh", "affine", "relu", "affine"]
    assert [layer.get("out") for layer in sent["layers"][::2]] == [6, 5, 2]
    assert sent["epochs"] == 0 and sent["optimizer"] == "adam" and sent["lr"] == 0.05
    assert run_state(page)["epoch"] == 0
    initial = heat(page)
    assert len(initial) == 48 and len(initial[0]) == 48
    assert page.input_value("#lr") == "0.05" and page.input_value("#batch") == "16"
    assert page.locator("#layers li").count() == 2
    assert "beta_1" in page.get_attribute("#rule", "data-tex")  # Adam's update rule is shown

    # Play: the stream runs on its own; the boundary and the gradient norms follow it.
    page.click("#play")
    page.wait_for_function("() => window.__bpx.run.epoch >= 60", timeout=60_000)
    page.click("#play")  # pause
    ui.settle(page)
    paused = run_state(page)
    assert not paused["playing"] and paused["epoch"] >= 60 and paused["resume"] == paused["epoch"]
    assert heat(page) != initial  # the boundary was redrawn
    grads = ui_data(page, "plot-grads")
    assert len(grads) == 3 and len(grads[0]["x"]) == paused["reports"]  # one line per affine layer
    assert all(v is None or v > 0 for v in grads[0]["y"])
    assert ui.layout(page, "plot-grads")["yaxis"]["type"] == "log"
    page.wait_for_timeout(300)
    assert run_state(page)["epoch"] == paused["epoch"]  # paused means paused

    # Step: one epoch more, from the checkpoint, the boundary in the answer is the one drawn.
    with page.expect_response(lambda r: r.url.endswith(TRAIN)) as stepped:
        page.click("#step")
    ui.settle(page)
    body = stepped.value.request.post_data_json
    assert body["resume"]["epoch"] == paused["epoch"] and body["epochs"] == paused["epoch"] + 1
    lines = [json.loads(s) for s in stepped.value.text().splitlines()]
    assert lines[0]["epoch"] == paused["epoch"] + 1 and lines[-1]["done"]
    probs = lines[0]["boundary"]["probs"]
    assert heat(page)[10][20] == probs[10][20][1] - probs[10][20][0]
    assert run_state(page)["epoch"] == paused["epoch"] + 1
    acc = lines[0]["test_accuracy"]
    assert f"test {100 * acc:.2f}%" in page.inner_text("#status")
    ui.assert_fits(page)
    ui.shot(page, "train")

    # Export: the Python script recreates the data and the weights and prints that accuracy.
    with page.expect_download() as dl:
        page.click("#export-py")
    script = tmp_path / "trained.py"
    dl.value.save_as(script)
    out = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True,
                         timeout=60, check=True).stdout  # fmt: skip
    assert out.startswith(f"test accuracy: {acc:.4f} (")

    # Open in Network page: the trained stack and a batch of test points, run there.
    trained = page.evaluate("() => window.__bpx.run.resume.params")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/network/run")) as net:
        page.click("#open-network")
    ui.settle(page)
    sent_net = net.value.request.post_data_json
    assert net.value.ok and "/network?" in page.url and "data=custom" in page.url
    assert [sent_net["layers"][p["index"]]["W"] for p in trained] == [p["W"] for p in trained]
    assert len(sent_net["x"]) == 16 and sent_net["loss"] == "softmax_cross_entropy"
    page.go_back()
    ui.settle(page)

    # The URL holds the whole setup: a second tab sends the same request.
    url = page.url
    assert "H=6%3Atanh%7E5%3Arelu" in url and "lr=0.05" in url and "ds=circles" in url
    other = page.context.new_page()
    with other.expect_response(lambda r: r.url.endswith(TRAIN)) as again:
        other.goto(url)
    ui.settle(other)
    # (and the trained state: it reopens at the epoch it was left at, see test_train_link_resume)
    reopened = again.value.request.post_data_json
    assert reopened["epochs"] == reopened["resume"]["epoch"] == run_state(page)["epoch"]
    assert {k: v for k, v in reopened.items() if k not in ("resume", "epochs")} == {
        k: v for k, v in sent.items() if k not in ("resume", "epochs")
    }
    other.close()


def test_changing_the_optimizer_mid_run_keeps_the_weights(page, ui):
    ui.open(page, "/train?ds=moons&n=200&H=8:tanh&opt=adam&lr=0.02&bs=20")
    ui.settle(page)
    for _ in range(3):
        page.click("#step")
        ui.settle(page)
    with page.expect_response(lambda r: r.url.endswith(TRAIN)) as stepped:
        page.select_option("#optimizer", "momentum")
        page.click("#step")
    ui.settle(page)
    body = stepped.value.request.post_data_json
    assert body["optimizer"] == "momentum" and body["resume"]["epoch"] == 3
    assert body["resume"]["optimizer_state"] == {} and body["resume"]["step"] == 0
    assert stepped.value.ok and run_state(page)["epoch"] == 4
    assert "opt=momentum" in page.url
    assert "\\mu v" in page.get_attribute("#rule", "data-tex")


def test_new_kinds_come_from_meta_batchnorm_trains_and_adamw_decays(page, ui):
    """No page list of kinds: huber, adamw, mish and batchnorm are on offer because they are
    registered; a batchnorm layer trains, resumes from its running statistics, and the update
    rule shown is adamw's record."""
    ui.open(page, "/train?ds=moons&n=200&H=8:mish:batchnorm&opt=adamw&lr=0.02&bs=20")
    ui.settle(page)
    losses = page.eval_on_selector_all("#loss option", "os => os.map((o) => o.value)")
    assert "huber" in losses and "mse" in losses
    assert "adamw" in page.eval_on_selector_all("#optimizer option", "os => os.map((o) => o.value)")
    assert page.input_value("[aria-label='normalisation of hidden layer 1']") == "batchnorm"
    assert "\\lambda" in page.get_attribute("#rule", "data-tex")  # decoupled weight decay
    for _ in range(2):
        with page.expect_response(lambda r: r.url.endswith(TRAIN)) as stepped:
            page.click("#step")
        ui.settle(page)
    body = stepped.value.request.post_data_json
    assert [layer["type"] for layer in body["layers"]] == ["affine", "batchnorm", "mish", "affine"]
    bn = next(p for p in body["resume"]["params"] if p["index"] == 1)
    assert set(bn) >= {"gamma", "beta", "running_mean", "running_var"}
    assert stepped.value.ok and run_state(page)["epoch"] == 2
    assert "H=8%3Amish%3Abatchnorm" in page.url or "H=8:mish:batchnorm" in page.url


def test_a_bad_csv_row_is_named_next_to_the_upload(page, ui, problems, tmp_path):
    problems.allow(r"status of 422")
    ui.open(page, "/train")
    ui.settle(page)
    bad = tmp_path / "points.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,0.4,cat\n")
    # The page reads the file (an await) before its request starts, so settle alone could look
    # before anything is counted: wait for the server's refusal.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/train/data")) as refused:
        page.set_input_files("#csv", str(bad))
    ui.settle(page)
    assert refused.value.status == 422
    error = page.locator('[data-error-for="csv"]')
    assert error.is_visible() and "row 3: label 'cat' is not a whole number" in error.inner_text()
    good = tmp_path / "good.csv"
    good.write_text("\n".join(f"{i % 7},{i % 5},{int(i % 7 > 3)}" for i in range(40)))
    with page.expect_response(lambda r: r.url.endswith("/api/v1/train/data")) as data:
        page.set_input_files("#csv", str(good))
    ui.settle(page)
    assert data.value.ok and not error.is_visible()
    assert "ds=csv" in page.url and "40 lines" in page.inner_text("#csv-note")


def test_a_loss_on_probabilities_gets_the_layer_whose_record_gives_them(page, ui):
    """cross_entropy expects probabilities: the stack ends with the layer kind whose record says
    it gives them (softmax, from /meta's layers), not a name the page keeps."""
    with page.expect_response(lambda r: r.url.endswith(TRAIN)) as first:
        ui.open(page, "/train?loss=cross_entropy")
    ui.settle(page)
    types = [layer["type"] for layer in first.value.request.post_data_json["layers"]]
    assert types[-2:] == ["affine", "softmax"], types
    assert page.inner_text("#shape-hint").endswith("→ softmax")
