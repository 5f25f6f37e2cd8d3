"""The exact (symbolic) derivative agrees with finite differences at many random points."""

import zlib

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.expr import parse

# (expression in x, interval of test points: away from kinks and singularities)
CASES = [
    ("x**2 + 5", (-5, 5)),
    ("3*x**3 - 2*x + 1", (-3, 3)),
    ("x**-2", (0.5, 4)),
    ("x**0.5 + x**1.5", (0.2, 5)),
    ("1/x + 2/x**2", (0.5, 4)),
    ("(x**2 + 1)/(x - 3)", (-2, 2)),
    ("sin(x)", (-6, 6)),
    ("cos(3*x + 1)", (-3, 3)),
    ("tan(x/2)", (-2, 2)),
    ("exp(-x**2)", (-3, 3)),
    ("exp(sin(x))*cos(x)", (-3, 3)),
    ("log(x)", (0.1, 10)),
    ("log(x**2 + 1)", (-5, 5)),
    ("sqrt(x**2 + 1)", (-5, 5)),
    ("sqrt(x)", (0.1, 5)),
    ("abs(x - 1)", (1.1, 4)),
    ("abs(x - 1)", (-4, 0.9)),
    ("tanh(2*x)", (-2, 2)),
    ("sigmoid(x)", (-8, 8)),
    ("sigmoid(3*x - 1)*x", (-3, 3)),
    ("relu(x)", (0.1, 4)),
    ("relu(x)", (-4, -0.1)),
    ("relu(x**2 - 1)", (1.1, 3)),
    ("x**x", (0.2, 3)),
    ("2**x + e**x + pi**x", (-2, 2)),
    ("x**sin(x)", (0.2, 3)),
    ("sin(x)**2 + cos(x)**2", (-3, 3)),
    ("-x**3", (-2, 2)),
    ("(-x)**3", (-2, 2)),
    ("--x", (-2, 2)),
    ("x*exp(-x)*sin(5*x)", (-2, 4)),
    ("log(sigmoid(x))", (-5, 5)),
    ("tanh(tanh(tanh(x)))", (-2, 2)),
    ("sin(sin(sin(sin(x))))", (-3, 3)),
    ("(x - 1)*(x - 2)*(x - 3)*(x - 4)", (0, 5)),
    ("1/(1 + exp(-x))", (-5, 5)),
    ("5", (-1, 1)),
    ("pi*x/e", (-1, 1)),
    ("sinh(x)", (-5, 5)),
    ("cosh(2*x - 1)", (-3, 3)),
    ("sinh(x)*cosh(x)", (-2, 2)),
    ("log1p(x)", (-0.9, 5)),
    ("log1p(x**2)", (-3, 3)),
    ("log1p(exp(x))", (-5, 5)),
]


def _richardson(f, x, h):
    """Fourth-order central difference: (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


@pytest.mark.parametrize(("source", "interval"), CASES)
def test_exact_derivative_matches_finite_differences(source, interval):
    rng = np.random.default_rng(zlib.crc32(source.encode()))
    f = parse(source, ("x",))
    df = f.diff("x")
    x = rng.uniform(*interval, size=200)
    h = 1e-3 * np.maximum(1.0, np.abs(x))
    numeric = _richardson(f, x, h)
    exact = df(x)
    assert np.all(np.isfinite(exact))
    scale = np.maximum(1.0, np.abs(exact))
    # The noise of the difference quotient is about eps * |f| / h.
    noise = 1e-12 * np.maximum(1.0, np.abs(f(x))) / h
    rel = np.abs(numeric - exact) / (scale + noise)
    assert rel.max() < 1e-7, f"{source}: max relative error {rel.max():.2e}"


@pytest.mark.parametrize(
    ("source", "var", "derivative"),
    [
        ("x1**2 + x2**3 + 1", "x1", lambda a, b: 2 * a),
        ("x1**2 + x2**3 + 1", "x2", lambda a, b: 3 * b**2),
        ("sin(x1*x2)", "x1", lambda a, b: b * np.cos(a * b)),
        ("x1**x2", "x2", lambda a, b: a**b * np.log(a)),
        ("x1/x2", "x2", lambda a, b: -a / b**2),
    ],
)
def test_partial_derivatives(source, var, derivative):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 2, size=(2, 100))
    d = parse(source, ("x1", "x2")).diff(var)
    np.testing.assert_allclose(d(a, b), derivative(a, b), rtol=1e-12)


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("x**2 + 5", "2*x"),
        ("x**3", "3*x**2"),
        ("3*x + 1", "3"),
        ("x*1 + 0", "1"),
        ("x**x", "x**x*(log(x) + 1)"),
        ("-x**2", "-2*x"),
        ("1/x", "-1/x**2"),
        ("sqrt(x)", "1/(2*sqrt(x))"),
        ("relu(x)", "step(x)"),
        ("abs(x)", "sign(x)"),
        ("7", "0"),
        ("sinh(x)", "cosh(x)"),
        ("cosh(3*x)", "3*sinh(3*x)"),
        ("log1p(x)", "1/(1 + x)"),
        ("log1p(x**2)", "2*x/(1 + x**2)"),
    ],
)
def test_derivative_is_lightly_simplified(source, printed):
    assert parse(source, ("x",)).diff("x").source == printed


def test_second_derivative_and_latex():
    f = parse("x**4", ("x",))
    d2 = f.diff("x").diff("x")
    assert d2.source == "12*x**2"
    assert d2.latex() == "12 {x}^{2}"
    assert f.latex() == "{x}^{4}"
    assert parse("sigmoid(x1)/sqrt(x2)", ("x1", "x2")).latex() == (
        r"\frac{\sigma\left(x_{1}\right)}{\sqrt{x_{2}}}"
    )


def test_diff_with_respect_to_an_unknown_variable():
    with pytest.raises(EngineError, match="cannot differentiate"):
        parse("x", ("x",)).diff("y")


def test_derivative_source_reparses_to_the_same_values():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.2, 3, 50)
    for source, _ in CASES:
        df = parse(source, ("x",)).diff("x")
        if "sign(" in df.source or "step(" in df.source:
            continue  # internal functions, not part of the user language
        again = parse(df.source, ("x",))
        np.testing.assert_allclose(again(x), df(x), rtol=1e-14, equal_nan=True)


@pytest.mark.parametrize(
    ("source", "latex", "dlatex"),
    [
        ("sinh(x)", r"\sinh\left(x\right)", r"\cosh\left(x\right)"),
        ("cosh(x1)", r"\cosh\left(x_{1}\right)", r"\sinh\left(x_{1}\right)"),
        ("log1p(x)", r"\operatorname{log1p}\left(x\right)", r"\frac{1}{1 + x}"),
    ],
)
def test_new_functions_latex(source, latex, dlatex):
    var = "x1" if "x1" in source else "x"
    f = parse(source, (var,))
    assert f.latex() == latex
    assert f.diff(var).latex() == dlatex


@pytest.mark.parametrize(
    ("source", "x", "phrase"),
    [
        ("sinh(x)", 800.0, "sinh(x) overflowed (sinh of 800 is beyond the largest float)"),
        ("sinh(x)", -800.0, "sinh(x) overflowed (sinh of -800 is beyond the largest float)"),
        ("cosh(x)", -800.0, "cosh(x) overflowed (cosh of -800 is above the largest float)"),
        ("log1p(x)", -1.0, "log1p(x) is -infinity (log1p of -1)"),
        ("log1p(x)", -3.0, "log1p(x) is undefined (log1p of -3, which is below -1)"),
        ("2*log1p(x - 1)", -1.0, "log1p(x - 1) is undefined (log1p of -2, which is below -1)"),
    ],
)
def test_new_functions_say_why_they_are_not_finite(source, x, phrase):
    assert parse(source, ("x",)).explain_nonfinite(x) == phrase


def test_log1p_is_accurate_where_log_of_1_plus_x_is_not():
    x = 1e-12
    assert parse("log1p(x)", ("x",))(x) == pytest.approx(x - x * x / 2, rel=1e-15)
    assert abs(parse("log(1 + x)", ("x",))(x) - x) / x > 1e-6  # 1 + x rounds


def test_every_function_of_the_table_is_complete():
    from app.engine.expr import FUNCTIONS, USER_FUNCTIONS

    for f in FUNCTIONS.values():
        assert "@" in f.latex and f.derivative
        e = parse(f"{f.name}(x)", ("x",)) if f.user else None
        if f.user:
            assert f.help, f.name
            assert isinstance(e.diff("x").source, str)
    assert set(USER_FUNCTIONS) == {f.name for f in FUNCTIONS.values() if f.user}
    assert {"sinh", "cosh", "log1p"} <= set(USER_FUNCTIONS)
