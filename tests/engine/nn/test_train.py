"""Training: accuracy on the toy sets, determinism, resume bit for bit, the stream's bounds."""

import dataclasses
import itertools
import json

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.limits import Limits
from app.engine.nn.datasets import make_data
from app.engine.nn.network import run_network
from app.engine.nn.train import Resume, prepare
from app.engine.optimizers import OPTIMIZERS

SCE = "softmax_cross_entropy"


def stack(widths, activation="tanh"):
    """Affine layers of these widths (seeded xavier init) with ``activation`` between them."""
    layers = []
    for k, w in enumerate(widths):
        layers.append({"type": "affine", "out": w, "init": "xavier", "seed": k})
        if k < len(widths) - 1:
            layers.append({"type": activation})
    return layers


def run(data, layers, loss=SCE, **kw):
    kw = {"optimizer": "adam", "lr": 0.03, "epochs": 20, "boundary_every": 0} | kw
    return list(prepare(data, layers, loss, **kw).stream())


def as_json(lines):
    """The lines as the API sends them (floats exact), for bit-for-bit comparisons."""
    return [json.loads(json.dumps(line, default=lambda a: a.tolist())) for line in lines]


XOR = make_data("xor", 400, 0.3, 2, seed=0)


@pytest.mark.parametrize(
    ("name", "kw", "widths", "lr", "epochs"),
    [
        ("xor", {"noise": 0.3}, [8, 8, 2], 0.03, 100),
        ("circles", {"noise": 0.1}, [8, 8, 2], 0.03, 100),
        ("spiral", {"noise": 0.05, "classes": 3, "n": 600}, [32, 32, 3], 0.01, 300),
    ],
)
def test_reaches_95_percent_test_accuracy(name, kw, widths, lr, epochs):
    data = make_data(name, **({"n": 400, "seed": 0} | kw))
    lines = run(data, stack(widths), lr=lr, epochs=epochs, report_every=epochs)
    assert lines[-1] == lines[-1] | {"done": True, "reason": "max_epochs", "epoch": epochs}
    assert lines[-2]["epoch"] == epochs
    assert lines[-2]["test_accuracy"] >= 0.95, lines[-2]


def test_sine_regression_reaches_a_test_mse_below_0_01():
    """Noise sd 0.1 puts the floor at 0.5·0.1² = 0.005 (the loss is ½·mean squared error)."""
    data = make_data("sine", 400, 0.1, seed=0)
    lines = run(data, stack([16, 16, 1]), "mse", lr=0.01, epochs=300, report_every=300)
    last = lines[-2]
    assert last["test_loss"] < 0.01 and last["test_accuracy"] is None
    curve = run(data, stack([16, 16, 1]), "mse", epochs=1, boundary_every=1)[-2]["curve"]
    assert len(curve["x"]) == len(curve["y"]) == 64


def test_playground_setting_mse_on_one_output_trains_on_minus_one_plus_one():
    lines = run(XOR, stack([8, 8, 1]), "mse", optimizer="sgd", lr=0.03, batch_size=10,
                epochs=150, report_every=150, boundary_every=150)  # fmt: skip
    assert lines[-2]["test_accuracy"] >= 0.95
    probs = np.array(lines[-2]["boundary"]["probs"])
    assert probs.shape == (64, 64, 2) and np.all((probs >= 0) & (probs <= 1))


def test_same_request_same_numbers_bit_for_bit():
    a = run(XOR, stack([8, 2]), epochs=5, boundary_every=5, checkpoint=True)
    b = run(XOR, stack([8, 2]), epochs=5, boundary_every=5, checkpoint=True)
    assert as_json(a) == as_json(b)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_100_epochs_equal_40_then_60_resumed_bit_for_bit(optimizer):
    kw = {"optimizer": optimizer, "lr": 0.01, "epochs": 100, "report_every": 10, "l2": 1e-3}
    kw["boundary_every"] = 20
    whole = as_json(run(XOR, stack([6, 2]), **kw))
    first = as_json(run(XOR, stack([6, 2]), **(kw | {"epochs": 40})))
    done = first[-1]
    resume = Resume(done["params"], done["optimizer_state"], done["epoch"], done["step"])
    rest = as_json(run(XOR, stack([6, 2]), **kw, resume=resume))
    assert [line["epoch"] for line in first[:-1]] == [0, 10, 20, 30, 40]
    assert first[:-1] + rest == whole  # every report and the last line, to the last bit
    assert whole[-1]["step"] == 100 * 7  # 200 training rows in batches of 32


def test_resume_without_step_counts_it_from_the_epochs():
    done = as_json(run(XOR, stack([4, 2]), epochs=3))[-1]
    again = as_json(run(XOR, stack([4, 2]), epochs=3, resume=Resume(
        done["params"], done["optimizer_state"], 1)))  # fmt: skip
    assert again[-1]["step"] == 3 * 7


def test_reports_follow_report_every_with_the_boundary_every_k_epochs():
    lines = run(XOR, stack([5, 3, 2]), epochs=25, report_every=5, boundary_every=10, grid=9)
    reports, done = lines[:-1], lines[-1]
    assert [r["epoch"] for r in reports] == [0, 5, 10, 15, 20, 25]
    assert [("boundary" in r) for r in reports] == [True, False, True, False, True, True]
    b = reports[2]["boundary"]
    assert len(b["x1"]) == len(b["x2"]) == 9 and np.shape(b["probs"]) == (9, 9, 2)
    np.testing.assert_allclose(np.sum(b["probs"], axis=-1), 1.0, atol=2e-4)  # rounded to 4 places
    (lo1, hi1), (_, hi2) = XOR.extent()
    assert b["x1"][0] == lo1 and b["x1"][-1] == hi1 and b["x2"][-1] == hi2
    r = reports[1]
    assert len(r["grad_norms"]) == 6  # W and b of each of the three affine layers
    assert all(g > 0 for g in r["grad_norms"])
    assert len(r["update_ratios"]) == 3 and all(0 < u < 1 for u in r["update_ratios"])
    assert reports[0]["update_ratios"] is None  # nothing was updated at epoch 0
    assert done["done"] and done["reason"] == "max_epochs" and done["epoch"] == 25
    assert [p["index"] for p in done["params"]] == [0, 2, 4]
    assert set(done["optimizer_state"]) == {"m", "v"}


def test_grad_norms_are_the_full_training_set_gradient():
    lines = run(XOR, stack([4, 2]), epochs=2, report_every=2)
    last, done = lines[-2], lines[-1]
    layers = stack([4, 2])
    for p in done["params"]:
        layers[p["index"]] |= {"W": p["W"], "b": p["b"]}
    net = run_network(XOR.x_train, XOR.y_train, layers, SCE)
    assert net["loss"] == pytest.approx(last["train_loss"], rel=1e-12)
    norms = [np.linalg.norm(b["grads"][k]) for b in net["backward"] if "grads" in b for k in "Wb"]
    np.testing.assert_allclose(last["grad_norms"], norms, rtol=1e-10)


def test_l2_shrinks_the_weights_not_the_biases():
    plain = run(XOR, stack([4, 2]), optimizer="sgd", lr=0.1, epochs=30)[-1]["params"]
    decayed = run(XOR, stack([4, 2]), optimizer="sgd", lr=0.1, epochs=30, l2=0.5)[-1]["params"]
    for p, q in zip(plain, decayed, strict=True):
        assert np.linalg.norm(q["W"]) < 0.7 * np.linalg.norm(p["W"])


def test_a_huge_learning_rate_diverges_and_says_when():
    lines = run(XOR, stack([16, 16, 1], "relu"), "mse", optimizer="sgd", lr=50.0, epochs=50)
    done = lines[-1]
    assert done["done"] and done["reason"] == "diverged"
    assert 1 <= done["epoch"] < 50 and "lower the learning rate" in done["msg"]
    assert "params" not in done
    assert all(line["epoch"] < done["epoch"] for line in lines[:-1])


def test_the_time_limit_stops_after_the_epoch_that_crossed_it():
    ticks = itertools.count()  # a clock that moves one second per reading
    training = prepare(XOR, stack([4, 2]), SCE, epochs=1000, report_every=100, time_limit=3.5)
    lines = list(training.stream(clock=lambda: float(next(ticks))))
    done = lines[-1]
    # read at the start (0) and after each epoch: 1, 2, 3, then 4 > 3.5 after epoch 4
    assert done["reason"] == "time_limit" and done["epoch"] == 4
    assert lines[-2]["epoch"] == 4 and "boundary" in lines[-2]  # the latest state, reported
    assert training.outcome.reason == "time_limit" and training.outcome.epochs_run == 4


def test_stop_ends_the_stream_without_a_last_line():
    seen = []
    training = prepare(XOR, stack([4, 2]), SCE, epochs=1000, report_every=1, boundary_every=0)
    for line in training.stream(stop=lambda: len(seen) >= 3):
        seen.append(line)
    assert [line["epoch"] for line in seen] == [0, 1, 2]
    # stop() is read before each epoch: epoch 3 was never trained
    assert training.outcome.reason == "cancelled" and training.outcome.epochs_run == 2


@pytest.mark.parametrize(
    ("layers", "loss", "data", "loc", "words"),
    [
        (stack([4, 3]), SCE, XOR, ("layers", 2), "2 classes, so the last layer must output 2"),
        (stack([4, 1]), SCE, XOR, ("layers", 2), "or 1, trained with mse"),
        (stack([4, 1]), SCE, make_data("sine", 50), ("loss",), "regression set"),
        (stack([4, 2]), "mse", make_data("sine", 50), ("layers", 2), "must output 1 value"),
        ([*stack([4, 2], "relu"), {"type": "softmax"}], "mse", XOR, None, None),
    ],
)
def test_layers_that_do_not_fit_the_data_are_refused(layers, loss, data, loc, words):
    if loc is None:
        prepare(data, layers, loss)  # mse on softmax outputs is allowed (odd but valid)
        return
    with pytest.raises(EngineError) as err:
        prepare(data, layers, loss)
    assert err.value.loc == loc and words in err.value.msg


def test_bad_resume_states_are_refused_with_their_place():
    done = run(XOR, stack([4, 2]), epochs=2)[-1]
    state = {k: [np.asarray(a).tolist() for a in v] for k, v in done["optimizer_state"].items()}
    params = done["params"]
    cases = [
        (Resume(params, {"m": state["m"]}, 2), ("resume", "optimizer_state")),
        (Resume(params, state | {"v": state["v"][:3]}, 2), ("resume", "optimizer_state", "v")),
        (Resume(params, state, 9), ("resume", "epoch")),
        (Resume(params[:1], state, 2), ("resume", "params")),
        (Resume([{"index": 1, "W": [[0.0]]}], state, 2), ("resume", "params", 0, "index")),
    ]
    for resume, loc in cases:
        with pytest.raises(EngineError) as err:
            prepare(XOR, stack([4, 2]), SCE, epochs=5, resume=resume)
        assert err.value.loc == loc, err.value.msg


def test_limits_bound_epochs_and_grid():
    small = Limits(max_epochs=10, max_grid=8)
    with pytest.raises(EngineError, match="BPX_MAX_EPOCHS"):
        prepare(XOR, stack([2]), SCE, epochs=11, limits=small)
    with pytest.raises(EngineError, match="BPX_MAX_GRID"):
        prepare(XOR, stack([2]), SCE, epochs=5, grid=9, limits=small)


def test_layernorm_parameters_train_and_resume_too():
    layers = [{"type": "affine", "out": 6, "seed": 1}, {"type": "layernorm"}, {"type": "tanh"},
              {"type": "affine", "out": 2, "seed": 2}]  # fmt: skip
    whole = as_json(run(XOR, layers, epochs=6, report_every=3))
    first = as_json(run(XOR, layers, epochs=3, report_every=3))
    done = first[-1]
    assert [sorted(p) for p in done["params"]] == [["W", "b", "index"], ["beta", "gamma", "index"],
                                                   ["W", "b", "index"]]  # fmt: skip
    assert len(whole[1]["grad_norms"]) == 6  # W, b, gamma, beta, W, b
    rest = run(XOR, layers, epochs=6, report_every=3,
               resume=Resume(done["params"], done["optimizer_state"], 3, done["step"]))  # fmt: skip
    assert first[:-1] + as_json(rest) == whole


def test_zero_epochs_reports_the_initial_network_only():
    lines = run(XOR, stack([4, 2]), epochs=0, boundary_every=10, grid=5)
    assert [line.get("epoch") for line in lines] == [0, 0]
    assert "boundary" in lines[0] and lines[1]["done"] and lines[1]["step"] == 0


def test_an_empty_optimizer_state_starts_the_optimizer_afresh():
    """The page switches optimizer mid-run: the trained params go on, Adam starts at t = 0."""
    sgd = as_json(run(XOR, stack([4, 2]), optimizer="sgd", epochs=3))[-1]
    fresh = Resume(sgd["params"], {}, 3)
    switched = as_json(run(XOR, stack([4, 2]), optimizer="adam", epochs=5, resume=fresh))
    assert switched[-1]["step"] == 2 * 7  # counted from the switch
    again = as_json(run(XOR, stack([4, 2]), optimizer="adam", epochs=5, resume=fresh))
    assert again == switched


def _every(training, k):
    """The run with the clock and stop() read every ``k`` optimizer steps."""
    return dataclasses.replace(training, check_every=k)


def test_stop_is_read_within_an_epoch_and_at_most_a_few_steps_follow():
    """A disconnect mid-epoch (one epoch of 200 steps at batch 1) costs at most check_every
    steps more, counted, not timed."""
    training = _every(prepare(XOR, stack([4, 2]), SCE, epochs=3, batch_size=1), 5)
    at_stop = []

    def stop() -> bool:
        if training.outcome.steps >= 42:
            at_stop.append(training.outcome.steps)
            return True
        return False

    lines = list(training.stream(stop=stop))
    assert [line["epoch"] for line in lines] == [0]  # nothing after the stop, no last line
    assert training.outcome.reason == "cancelled"
    assert training.outcome.steps - at_stop[0] <= 5 and at_stop[0] < 200


def test_the_time_limit_is_read_within_an_epoch_and_the_cut_epoch_is_undone():
    ticks = itertools.count()  # a clock that moves one second per reading
    clock_steps = []  # the optimizer steps done at each reading

    def clock() -> float:
        clock_steps.append(training.outcome.steps)
        return float(next(ticks))

    kw = {"epochs": 10, "batch_size": 1, "report_every": 1, "boundary_every": 0, "lr": 0.03}
    training = _every(prepare(XOR, stack([4, 2]), SCE, time_limit=50.5, **kw), 5)
    lines = list(training.stream(clock=clock))
    done = lines[-1]
    crossed = clock_steps[51]  # the first reading past 50.5 s
    assert training.outcome.steps - crossed <= 5
    assert done["reason"] == "time_limit" and done["epoch"] == 1  # epoch 2 was cut: undone
    assert done["step"] == 200
    whole = as_json(run(XOR, stack([4, 2]), **kw | {"epochs": 1}))
    assert as_json([done])[0]["params"] == whole[-1]["params"]  # the state after epoch 1


def test_an_epoch_too_long_for_the_time_limit_ends_with_a_sentence():
    ticks = itertools.count()
    training = _every(prepare(XOR, stack([4, 2]), SCE, epochs=3, batch_size=1, time_limit=2.5), 5)
    done = list(training.stream(clock=lambda: float(next(ticks))))[-1]
    assert done["reason"] == "time_limit" and done["epoch"] == 0
    assert "not one epoch fitted" in done["msg"]


def test_the_cost_model_spaces_the_looks_at_the_clock_by_the_work_of_a_step():
    heavy = [{"type": "affine", "out": 256}] * 2 + [{"type": "affine", "out": 2}]
    big = make_data("xor", 500, 0.1, 2)
    assert prepare(big, heavy, SCE, batch_size=1, epochs=1, grid=16).check_every <= 10
    assert prepare(XOR, stack([4, 2]), SCE, batch_size=1, epochs=1).check_every >= 50


def test_adamw_decays_every_parameter_w_and_b_beside_adams_step():
    """One full-batch step from the same weights (b not zero): AdamW's result is Adam's minus
    lr·λ·θ on every entry, the biases included (PyTorch decays every parameter it is given)."""
    small = make_data("xor", 40, 0.3, 2, seed=0)
    layers = stack([3, 2])
    rng = np.random.default_rng(5)
    given = [
        {"index": 0, "W": rng.normal(size=(2, 3)).tolist(), "b": rng.normal(size=3).tolist()},
        {"index": 2, "W": rng.normal(size=(3, 2)).tolist(), "b": rng.normal(size=2).tolist()},
    ]
    fresh = Resume(given, {}, 0, 0)  # these weights, the optimizer started afresh
    lr, wd, n = 0.1, 0.05, len(small.x_train)
    out = {}
    for opt, options in (("adam", {}), ("adamw", {"weight_decay": wd})):
        lines = run(small, layers, optimizer=opt, options=options, lr=lr, epochs=1,
                    batch_size=n, resume=fresh)  # fmt: skip
        out[opt] = lines[-1]["params"]
    for p0, pa, pw in zip(given, out["adam"], out["adamw"], strict=True):
        for k in ("W", "b"):
            x0 = np.asarray(p0[k])
            np.testing.assert_allclose(pw[k] - pa[k], -lr * wd * x0, rtol=1e-9, atol=1e-15)


def test_huber_trains_the_regression_set_and_classification_is_refused():
    data = make_data("sine", 200, 0.1, seed=0)
    layers = [{"type": "affine", "out": 16, "seed": 1}, {"type": "mish"},
              {"type": "affine", "out": 1, "seed": 2}]  # fmt: skip
    lines = run(data, layers, "huber", epochs=60, report_every=60)
    assert lines[-2]["test_loss"] < lines[0]["test_loss"] / 5
    with pytest.raises(EngineError, match=r"regression set.*mse or huber") as err:
        prepare(data, layers, SCE)
    assert err.value.loc == ("loss",)


def test_l2_and_adamws_weight_decay_may_both_be_set():
    """l2 adds (l2/2)·Σ‖W‖² to the loss (in g, weights only); weight_decay shrinks every
    parameter in the step: different terms, both applied."""
    small = make_data("xor", 40, 0.3, 2, seed=0)
    finals = {}
    for l2, wd in ((0.0, 0.0), (0.1, 0.0), (0.0, 0.1), (0.1, 0.1)):
        lines = run(small, stack([3, 2]), optimizer="adamw", options={"weight_decay": wd},
                    l2=l2, epochs=3)  # fmt: skip
        finals[l2, wd] = json.dumps(lines[-1]["params"], default=lambda a: a.tolist())
    assert len(set(finals.values())) == 4
