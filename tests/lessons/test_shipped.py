"""The shipped lessons: each parses, each link opens a known page with parameters it reads,
each task is one the engine can judge, and every number a lesson states is recomputed here."""

import logging
import math
import re

import numpy as np
import pytest

from app.api.lessons import load
from app.config import Settings
from app.engine.expr import parse
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.network import run_network
from app.engine.nn.presets import notebook_example
from app.engine.optimizers import OPTIMIZERS

ISSUE_ORDER = [
    "derivative",
    "activations",
    "chain-rule",
    "affine",
    "softmax-cross-entropy",
    "gradient-check",
    "gradient-descent",
    "training",
]


@pytest.fixture(scope="module")
def library():
    return load(Settings())


def text(library, lesson_id: str) -> str:
    """A lesson's step texts, one string, for the claims below."""
    return "\n".join(s.text for s in library.get(lesson_id).steps)


def test_every_shipped_lesson_loads_without_an_error(caplog):
    with caplog.at_level(logging.WARNING, logger="app.lessons"):
        lib = load(Settings())
    assert not caplog.records, caplog.text
    assert [x.id for x in lib.ordered()] == ISSUE_ORDER


@pytest.mark.parametrize("lesson_id", ISSUE_ORDER)
def test_lesson_shape_for_a_first_year_student(library, lesson_id):
    lesson = library.get(lesson_id)
    assert len(lesson.steps) >= 5
    assert sum(s.task is not None for s in lesson.steps) >= 2
    for step in lesson.steps:
        assert step.link.split("?")[0] in library.pages
        assert len(step.text) < 1200, f"{step.title!r} is not short"


def _tasks(library):
    for lesson in library.ordered():
        for step in lesson.steps:
            if step.task:
                yield f"{lesson.id}: {step.title}", step.task


def test_every_task_can_be_judged_by_the_engine(library, client):
    """The fields of each task give the engine's truth (the exercise endpoints judge against it)."""
    for where, task in _tasks(library):
        kind = task["kind"]
        if kind == "graph_node":
            r = client.post("/api/v1/graph", json={"expr": task["expr"], "values": task["values"]})
            assert r.status_code == 200, where
            nodes = {n["id"]: n for n in r.json()["nodes"]}
            assert math.isfinite(nodes[task["node"]][task["quantity"]]), where
        elif kind == "number":
            r = client.post(
                "/api/v1/graph", json={"expr": f"f = {task['expr']}", "values": {"x": task["x0"]}}
            )
            assert r.status_code == 200, where
            assert math.isfinite(r.json()["nodes"][-1]["value"]), where
        elif kind in ("slope", "best_h"):
            body = {"expr": task["expr"], "x0": task["x0"]}
            assert client.post("/api/v1/numdiff/derivative", json=body).status_code == 200, where
        elif kind == "backward":
            r = client.post("/api/v1/network/run", json=task["network"])
            assert r.status_code == 200, (where, r.text[:300])
            layers = task["network"]["layers"]
            target = task["target"]
            if target["tensor"] == "seed":
                assert target["index"] == len(layers), where
            elif target["tensor"] != "x":
                assert layers[target["index"]]["type"] == "affine", where
        elif kind == "sketch":
            assert task["activation"] in ACTIVATIONS, where
        elif kind == "hunt":
            assert 1 <= task["level"] <= 3, where


def test_number_tasks_ask_what_the_text_says(library):
    """A number task's truth, evaluated here, is what the step around it leads to."""
    truths = {}
    for where, task in _tasks(library):
        if task["kind"] == "number":
            f = parse(task["expr"], ("x",))
            truths[where] = float(f(np.array([float(task["x0"])]))[0])
    expected = {
        "derivative: A slope from two points": 2.1,
        "activations: Sigmoid and its slope": 0.104993585,
        "softmax-cross-entropy: The Jacobian": 0.21,
        "softmax-cross-entropy: Cross-entropy": math.log(4),
        "softmax-cross-entropy: Fused: (y − t)/N": -0.3,
        "gradient-check: Relative error": 0.025,
        "gradient-descent: One step downhill": 1.96,
        "gradient-descent: A narrow valley": 0.91,
        "gradient-descent: The limit: 2/λmax": 0.1,
        "training: Update ratios": 0.001,
        "training: Vanishing gradients": 0.25**5,
    }
    assert truths.keys() == expected.keys()
    for where, value in expected.items():
        assert truths[where] == pytest.approx(value, rel=1e-6), where


def states(library, lesson_id: str, fragment: str, value: float, rel: float) -> None:
    """The lesson says ``fragment``, and the last number in it is ``value`` to within ``rel``."""
    body = text(library, lesson_id)
    assert fragment in body, f"{lesson_id} no longer says {fragment!r}"
    shown = list(re.finditer(r"-?\d+(?:\.\d+)?(?:\\times 10\^\{(-?\d+)\})?", fragment))[-1]
    number = float(shown.group(0).split("\\times")[0]) * (
        10 ** int(shown.group(1)) if shown.group(1) else 1
    )
    assert number == pytest.approx(value, rel=rel), (lesson_id, fragment, value)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def dsigmoid(x: float) -> float:
    return sigmoid(x) * (1 - sigmoid(x))


EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def test_lesson_1_numbers(library):
    f = lambda x: x**2 + 5  # noqa: E731
    states(library, "derivative", "$f(1.5) = 7.25$", f(1.5), 0)
    states(library, "derivative", "$(7.25 - 6)/0.5 = 2.5$", (f(1.5) - f(1)) / 0.5, 1e-12)
    states(library, "derivative", "$f(0.5) = 5.25$", f(0.5), 0)
    states(library, "derivative", "2.2\\times 10^{-16}", EPS64, 0.01)
    states(library, "derivative", "6\\times 10^{-6}", EPS64 ** (1 / 3), 0.02)
    states(library, "derivative", "1.5\\times 10^{-8}", EPS64**0.5, 0.02)
    states(library, "derivative", "$\\cos 1 = 0.540302$", math.cos(1), 1e-6)
    h = 1e-12
    rough = (math.sin(1 + h) - math.sin(1 - h)) / (2 * h)
    states(library, "derivative", "gives $0.540290$", rough, 2e-6)
    states(library, "derivative", "= 4$", 2 * 2, 0)
    states(library, "derivative", "= 27$", 3 * 3**2, 0)


def test_lesson_2_numbers(library):
    states(library, "activations", "$\\sigma'(0) = 0.5 \\cdot 0.5 = 0.25$", dsigmoid(0), 0)
    states(library, "activations", "$10 \\cdot 0.25 = 2.5$", 2.5, 0)
    assert 10 * dsigmoid(0) == 2.5
    states(library, "activations", "$\\sigma'(5) \\approx 0.0066$", dsigmoid(5), 0.01)
    states(library, "activations", "4.5\\times 10^{-5}", dsigmoid(10), 0.01)
    xs = np.linspace(-6, 6, 1201)
    assert np.max(1 - np.tanh(xs) ** 2) == pytest.approx(1.0)  # tanh′ peaks at 1, at 0


def test_lesson_3_numbers(library, client):
    states(library, "chain-rule", "$q = 3$", -2 + 5, 0)
    states(library, "chain-rule", "$f = 3 \\cdot (-4) = -12$", 3 * -4, 0)
    states(library, "chain-rule", "$-2 + 6 - 3 = 1$", 1, 0)
    assert 2 * -1 + -3 * -2 + -3 == 1
    states(library, "chain-rule", "$f = \\sigma(1) \\approx 0.73$", sigmoid(1), 0.01)
    states(library, "chain-rule", "0.73 \\cdot 0.27 \\approx 0.20$", dsigmoid(1), 0.02)
    states(library, "chain-rule", "0.73 \\cdot 0.27", 1 - sigmoid(1), 0.01)
    states(library, "chain-rule", "0.20$. From there", dsigmoid(1), 0.02)
    states(library, "chain-rule", "-0.20$", -dsigmoid(1), 0.02)
    r = client.post(
        "/api/v1/graph",
        json={
            "expr": "sigmoid(w0*x0 + w1*x1 + w2)",
            "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
        },
    ).json()
    assert r["nodes"][0]["grad"] == pytest.approx(-dsigmoid(1))  # dw0 = x0 · σ′
    # The value used twice and the two paths are the learner's to compute now (their tasks are
    # judged by /graph/check: test_every_task_can_be_judged_by_the_engine): the text gives no sum.
    text = " ".join(s.text for s in library.get("chain-rule").steps)
    assert "3 + 3" not in text and "3 + 1 = 4" not in text


def test_lesson_4_shapes(library):
    lesson = library.get("affine")
    task = next(s.task for s in lesson.steps if s.task)
    out = run_network(**{k: task["network"][k] for k in ("x", "targets", "layers", "loss")})
    params = out["params"][0]
    assert np.shape(params["W"]) == (2, 3) and np.shape(params["b"]) == (3,)
    assert np.shape(out["forward"][0]["output"]) == (3, 3)
    checked = run_network(
        **{k: task["network"][k] for k in ("x", "targets", "layers", "loss")}, gradcheck=True
    )["gradcheck"]
    assert checked and all(c["max_rel_error"] < 1e-7 for c in checked)  # "below 10^{-7}"
    body = text(library, "affine")
    assert "all of them should be below $10^{-7}$" in body
    for claim in ("$N = 3$", "$D = 2$", "$W$ is $2\\times 3$", "$Y$ is $3\\times 3$"):
        assert claim in body


def test_lesson_5_numbers(library):
    z = np.array([2.0, 1.0, 0.0])
    y = np.exp(z) / np.exp(z).sum()
    states(library, "softmax-cross-entropy", "$y \\approx (0.665", y[0], 1e-3)
    assert "0.245, 0.090)" in text(library, "softmax-cross-entropy")
    assert y[1] == pytest.approx(0.245, abs=5e-4) and y[2] == pytest.approx(0.090, abs=5e-4)
    states(library, "softmax-cross-entropy", "$\\ln 4 \\approx 1.386$", math.log(4), 1e-3)
    states(library, "softmax-cross-entropy", "\\approx 6.91$", math.log(1000), 1e-3)
    states(library, "softmax-cross-entropy", "6.91 = 6910$", 1000 * 6.91, 1e-12)
    loss = run_network(**notebook_example())["loss"]
    states(library, "softmax-cross-entropy", "here 1.46", loss, 0.005)


def test_lesson_5_notebook_bug_gives_thousands():
    """The notebook's column softmax and ``y[:, t]`` on such data: above 1000·ln 1000."""
    p = notebook_example()
    x, t = p["x"], p["targets"]
    a = 1 / (1 + np.exp(-(x @ p["layers"][0]["W"] + p["layers"][0]["b"])))
    e = np.exp(a - a.max(axis=0))
    y = e / e.sum(axis=0)
    bug = -np.sum(np.log(y[:, t] + 1e-7)) / len(x)
    assert 6910 < bug < 7100


def test_lesson_6_numbers(library):
    states(library, "gradient-check", "1.19\\times 10^{-7}", EPS32, 0.01)
    states(library, "gradient-check", "\\approx 0.005$", EPS32 ** (1 / 3), 0.05)
    ratio = EPS32 / EPS64
    assert 4e8 < ratio < 6e8 and "half a billion" in text(library, "gradient-check")
    from app.engine.verdicts import REL_ERROR_BANDS

    assert [b.below for b in REL_ERROR_BANDS[:3]] == [1e-7, 1e-4, 1e-2]


def test_lesson_7_numbers(library):
    states(library, "gradient-descent", "$1 - 2\\eta = 0.98$", 1 - 2 * 0.01, 0)
    x1, x2 = 2.0, 3.0
    for _ in range(1000):
        x1, x2 = x1 - 0.01 * 2 * x1, x2 - 0.01 * 3 * x2**2
    states(library, "gradient-descent", "3.4\\times 10^{-9}", x1, 0.02)
    states(library, "gradient-descent", "about $0.033$", x2, 0.02)
    states(library, "gradient-descent", "= -0.8$", 1 - 0.09 * 20, 1e-12)
    states(library, "gradient-descent", "below $0.1$", 2 / 20, 0)
    states(library, "gradient-descent", "$1 - 2.2 = -1.2$", 1 - 0.11 * 20, 1e-12)
    states(library, "gradient-descent", "only $0.91$", 1 - 0.09 * 1, 1e-12)
    states(library, "gradient-descent", "8\\times 10^{-5}", 0.91**100, 0.02)
    words = {6: "Six", 7: "Seven", 8: "Eight"}  # the step names every optimizer the engine has
    title = library.get("gradient-descent").steps[-1].title
    assert f"{words[len(OPTIMIZERS)]} optimizers" in title, title


def test_lesson_8_numbers(library):
    states(library, "training", "\\approx 0.001$", 0.25**5, 0.03)
    weights = (2 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)  # xor, 8:tanh~8:tanh, 2 classes
    assert weights > 100 and "over a\nhundred weights" in text(library, "training")
