import numpy as np
import pytest

from app import __version__
from tests.api.helpers import assert_error, finite_or_null

REQUIRED = {"relu", "sigmoid", "tanh", "leaky_relu", "elu", "softplus", "gelu", "identity"}


def test_health_reports_the_package_version(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}


def test_activations_list_has_latex_for_f_and_its_derivative(client):
    items = client.get("/api/v1/activations").json()
    names = {a["name"] for a in items}
    assert names >= REQUIRED
    for a in items:
        assert a["formula"] and a["derivative"]
    alphas = {a["name"]: a["alpha"] for a in items}
    assert alphas["leaky_relu"] == 0.01 and alphas["elu"] == 1.0


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_curve_fields_and_derivative_check(client, name):
    body = {"activation": name, "x_min": -10, "x_max": 10, "num": 2001, "upstream": 3.0}
    r = client.post("/api/v1/activations/curve", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    for key in ("x", "y", "dy", "dy_numeric", "backward"):
        assert len(d[key]) == 2001
    assert d["nonfinite"] == 0
    x = np.array(d["x"])
    assert np.allclose(x, np.linspace(-10, 10, 2001))
    assert np.allclose(d["backward"], 3.0 * np.array(d["dy"]), rtol=1e-12, atol=0)
    assert d["max_abs_error"] < 1e-8


def test_relu_derivative_at_zero_is_zero_and_kink_is_excluded(client):
    body = {"activation": "relu", "x_min": -1, "x_max": 1, "num": 3}
    d = client.post("/api/v1/activations/curve", json=body).json()
    assert d["dy"] == [0.0, 0.0, 1.0]  # relu'(0) = 0 by convention
    assert d["max_abs_error"] < 1e-9  # the kink at 0 (numeric 0.5) is left out


def test_gelu_is_the_tanh_form(client):
    d = client.post(
        "/api/v1/activations/curve", json={"activation": "gelu", "x_min": -3, "x_max": 3, "num": 7}
    ).json()
    x = np.array(d["x"])
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    assert np.allclose(d["y"], expected, rtol=1e-14, atol=1e-15)


def test_curve_overflow_is_null_and_counted(client):
    body = {"activation": "gelu", "x_min": -1e300, "x_max": 1e300, "num": 3}
    r = client.post("/api/v1/activations/curve", json=body)
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        d = r.json()
        assert finite_or_null([d[k] for k in ("x", "y", "dy", "dy_numeric", "backward")])


def test_curve_rejects_unknown_activation_and_bad_range(client):
    r = client.post("/api/v1/activations/curve", json={"activation": "swishy"})
    assert_error(r, 422, "activation")
    body = {"activation": "relu", "x_min": 2, "x_max": 1}
    r = client.post("/api/v1/activations/curve", json=body)
    assert_error(r, 422, "x_max", "x_min must be less than x_max")


def test_curve_point_limit_is_named(client):
    r = client.post("/api/v1/activations/curve", json={"activation": "relu", "num": 10_002})
    assert_error(r, 422, "num", "10001")
