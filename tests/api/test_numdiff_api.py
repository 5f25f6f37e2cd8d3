import numpy as np
import pytest

from tests.api.helpers import assert_error, finite_or_null


def test_derivative_of_the_notebook_function(client):
    body = {
        "expr": "x**2 + 5",
        "x0": 1.0,
        "h": 1e-5,
        "method": "central",
        "x_min": -5,
        "x_max": 5,
        "num": 1001,
    }
    r = client.post("/api/v1/numdiff/derivative", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["value"] == 6.0
    assert abs(d["derivative"] - 2.0) < 1e-9
    assert d["exact"] == 2.0
    assert d["error"] == abs(d["derivative"] - 2.0)
    assert abs(d["tangent"]["slope"] - 2.0) < 1e-9 and abs(d["tangent"]["intercept"] - 4.0) < 1e-9
    x = np.array(d["curve"]["x"])
    assert np.allclose(x, np.linspace(-5, 5, 1001))
    assert np.allclose(d["curve"]["y"], x**2 + 5)
    assert np.allclose(d["curve"]["tangent"], d["derivative"] * x + d["tangent"]["intercept"])
    assert np.allclose(d["curve"]["dy"], 2 * x)
    assert d["nonfinite"] == 0


def test_derivative_methods_differ_as_theory_says(client):
    errors = {}
    for method in ("central", "forward", "backward"):
        body = {"expr": "sin(x)*exp(-x)", "x0": 0.7, "h": 1e-3, "method": method}
        errors[method] = client.post("/api/v1/numdiff/derivative", json=body).json()["error"]
    assert errors["central"] < errors["forward"] / 100  # O(h^2) against O(h)
    assert errors["central"] < errors["backward"] / 100


def test_curve_with_poles_sends_null_and_counts(client):
    body = {"expr": "log(x)", "x0": 1.0, "x_min": -1, "x_max": 1, "num": 5}
    d = client.post("/api/v1/numdiff/derivative", json=body).json()
    assert d["nonfinite"] > 0
    assert d["curve"]["y"][0] is None
    assert finite_or_null(d["curve"]["y"])


def test_scalar_overflow_is_a_422_that_says_so(client):
    r = client.post("/api/v1/numdiff/derivative", json={"expr": "exp(x)", "x0": 1000.0})
    msg = assert_error(r, 422)
    assert "finite" in msg or "overflow" in msg


def test_gradient_of_the_notebook_function(client):
    body = {"expr": "x1**2 + x2**3 + 1", "point": [2.0, 3.0], "h": 1e-5}
    d = client.post("/api/v1/numdiff/gradient", json=body).json()
    assert d["value"] == 32.0
    assert np.allclose(d["gradient"], [4.0, 27.0], rtol=1e-8)
    assert d["exact"] == [4.0, 27.0]


def test_gradient_names_the_allowed_variables(client):
    body = {"expr": "x1 + y", "point": [1.0, 2.0]}
    r = client.post("/api/v1/numdiff/gradient", json=body)
    assert_error(r, 422, "expr", "name 'y' is not allowed")


def test_descent_reproduces_the_notebook_run(client):
    body = {
        "expr": "x1**2 + x2**3 + 1",
        "start": [2.0, 3.0],
        "lr": 0.01,
        "steps": 1000,
        "optimizer": "sgd",
        "h": 1e-5,
    }
    d = client.post("/api/v1/numdiff/descent", json=body).json()
    assert d["stopped"] == "max_steps"
    assert len(d["path"]) == 1001 and d["path"][0] == [2.0, 3.0]
    assert len(d["values"]) == len(d["grad_norms"]) == 1001
    assert abs(d["final"][0]) < 1e-8
    assert abs(d["final"][1] - 0.0328) < 5e-4


def test_every_optimizer_converges_on_a_bowl(client):
    for opt in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        lr = 0.5 if opt == "adagrad" else 0.05
        body = {
            "expr": "x1**2 + 3*x2**2",
            "start": [1.0, -1.0],
            "lr": lr,
            "steps": 5000,
            "optimizer": opt,
            "tol": 1e-6,
        }
        d = client.post("/api/v1/numdiff/descent", json=body).json()
        assert d["values"][-1] < 1e-6, (opt, d["values"][-1], d["stopped"])


def test_descent_divergence_and_lr_warning(client):
    body = {"expr": "x1**2 + x2**2", "start": [1.0, 1.0], "lr": 1.5, "steps": 1000}
    d = client.post("/api/v1/numdiff/descent", json=body).json()
    assert d["stopped"] == "diverged"
    assert d["warning"] and abs(d["lr_limit"] - 1.0) < 1e-3  # 2 / λmax = 2 / 2
    assert finite_or_null(d["values"])


def test_step_sweep_finds_the_textbook_steps(client):
    body = {"expr": "sin(x)", "x0": 1.0, "h_min": 1e-16, "h_max": 1e-1, "num": 61}
    d = client.post("/api/v1/numdiff/step-sweep", json=body).json()
    assert np.allclose(d["h"], np.logspace(-16, -1, 61))
    assert 1e-10 < d["best_h"]["forward"] < 1e-6  # about sqrt(eps)
    assert 1e-7 < d["best_h"]["central"] < 1e-3  # about eps ** (1/3)
    assert finite_or_null(d["forward_error"]) and finite_or_null(d["central_error"])


def test_grid_is_plotly_oriented(client):
    body = {"expr": "x1 + 10*x2", "x1_min": 0, "x1_max": 1, "x2_min": 0, "x2_max": 2, "num": 3}
    d = client.post("/api/v1/numdiff/grid", json=body).json()
    assert d["x1"] == [0.0, 0.5, 1.0] and d["x2"] == [0.0, 1.0, 2.0]
    assert d["z"][2][1] == 0.5 + 20.0  # z[i][j] = f(x1[j], x2[i])
    body["num"] = 101
    assert_error(client.post("/api/v1/numdiff/grid", json=body), 422, "num")


# The request schemas are the one place that checks types and ranges (the engine takes them as
# given): each bad field is a 422 naming it.
BAD_FIELDS = [
    ("derivative", {"h": 0.0}, "h"),
    ("derivative", {"h": -1e-5}, "h"),
    ("derivative", {"h": 2.0}, "h"),
    ("derivative", {"method": "complex"}, "method"),
    ("derivative", {"x_min": 1, "x_max": 1}, "x_max"),
    ("derivative", {"num": 1}, "num"),
    ("derivative", {"num": 10_002}, "num"),
    ("derivative", {"num": 10.5}, "num"),
    ("derivative", {"x0": "1.0"}, "x0"),
    ("derivative", {"x0": True}, "x0"),
    ("gradient", {"point": []}, "point"),
    ("gradient", {"point": [1, 2, 3, 4, 5, 6]}, "point"),
    ("step-sweep", {"h_min": 1e-2, "h_max": 1e-3}, "h_max"),
    ("step-sweep", {"dtype": "float16"}, "dtype"),
    ("grid", {"x2_min": 1, "x2_max": 0}, "x2_max"),
    ("grid", {"num": 101}, "num"),
    ("descent", {"lr": 0.0}, "lr"),
    ("descent", {"lr": -1}, "lr"),
    ("descent", {"steps": 10_001}, "steps"),
    ("descent", {"steps": 0}, "steps"),
    ("descent", {"steps": 2.5}, "steps"),
    ("descent", {"optimizer": "lbfgs"}, "optimizer"),
    ("descent", {"h": 0.0}, "h"),
    ("descent", {"tol": -1.0}, "tol"),
    ("descent", {"start": []}, "start"),
    ("descent", {"optimizer": "adam", "beta2": 1.0}, "beta2"),
    ("descent", {"optimizer": "rmsprop", "eps": 0}, "eps"),
    ("descent", {"optimizer": "adam", "momentum": 0.9}, "momentum"),  # the record says so
]
GOOD = {
    "derivative": {"expr": "x**2", "x0": 1.0},
    "gradient": {"expr": "x1**2", "point": [1.0]},
    "step-sweep": {"expr": "x**2", "x0": 1.0},
    "grid": {"expr": "x1*x2"},
    "descent": {"expr": "x1**2", "start": [1.0], "steps": 3},
}


@pytest.mark.parametrize(("path", "change", "loc"), BAD_FIELDS, ids=lambda v: str(v))
def test_each_bad_field_is_a_422_naming_it(client, path, change, loc):
    assert client.post(f"/api/v1/numdiff/{path}", json=GOOD[path]).status_code == 200
    r = client.post(f"/api/v1/numdiff/{path}", json={**GOOD[path], **change})
    assert_error(r, 422, loc)


def test_help_texts_list_every_function_of_the_table(client):
    from app.engine.expr import FUNCTIONS, USER_FUNCTIONS

    spec = client.get("/openapi.json").json()
    page = client.get("/derivative").text
    for path in ("derivative", "gradient", "descent", "step-sweep", "grid"):
        description = spec["paths"][f"/api/v1/numdiff/{path}"]["post"]["description"]
        for name in USER_FUNCTIONS:
            assert f"`{name}` {FUNCTIONS[name].help}" in description, (path, name)
    assert " ".join(USER_FUNCTIONS) in page
    assert "sign" not in USER_FUNCTIONS and "step" not in USER_FUNCTIONS


def test_descent_takes_adamws_weight_decay_from_the_generated_options(client):
    body = {"expr": "(x1 - 1)**2 + (x2 + 2)**2", "start": [2.0, 3.0], "lr": 0.05, "steps": 50,
            "optimizer": "adamw", "weight_decay": 0.5}  # fmt: skip
    r = client.post("/api/v1/numdiff/descent", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["options"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.5}
    r = client.post("/api/v1/numdiff/descent", json=body | {"weight_decay": -1})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "weight_decay"
