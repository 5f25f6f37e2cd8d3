"""The bounded cache of built expressions, and the derivative's use of it."""

import dataclasses
import threading

import numpy as np
import pytest

from app.engine import numdiff
from app.engine.errors import EngineError
from app.engine.expr.cache import BoundedCache
from app.engine.limits import DEFAULT_LIMITS


def test_hits_do_not_build_again_and_least_recently_used_go_first():
    cache: BoundedCache[str] = BoundedCache(max_entries=2, max_size=100)
    built = []

    def build(key):
        def make():
            built.append(key)
            return key.upper(), 1

        return make

    assert cache.get("a", build("a")) == "A"
    assert cache.get("b", build("b")) == "B"
    assert cache.get("a", build("a")) == "A"  # a hit; "b" is now the least recently used
    assert built == ["a", "b"]
    cache.get("c", build("c"))
    assert len(cache) == 2
    cache.get("a", build("a"))
    cache.get("b", build("b"))
    assert built == ["a", "b", "c", "b"]
    assert cache.builds == 4


def test_size_bound_evicts_and_oversized_values_are_not_stored():
    cache: BoundedCache[int] = BoundedCache(max_entries=10, max_size=10)
    cache.get("big", lambda: (1, 11))
    assert len(cache) == 0 and cache.size == 0
    for k in range(4):
        cache.get(k, lambda k=k: (k, 4))
    assert len(cache) == 2 and cache.size == 8  # 4 + 4 <= 10 < 4 + 4 + 4


def test_failures_are_not_stored():
    cache: BoundedCache[int] = BoundedCache(max_entries=10, max_size=10)
    calls = []

    def fail():
        calls.append(1)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.get("k", fail)
    assert len(calls) == 2 and len(cache) == 0


def test_threads_share_the_cache_safely():
    cache: BoundedCache[int] = BoundedCache(max_entries=8, max_size=1000)
    errors = []

    def work(t):
        try:
            for i in range(300):
                k = (t * 7 + i) % 20
                assert cache.get(k, lambda k=k: (k * k, 3)) == k * k
        except AssertionError as exc:  # pragma: no cover - the failure is the point
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(cache) <= 8 and cache.size == 3 * len(cache)


def test_derivative_builds_an_expression_once_and_answers_the_same():
    numdiff._ONE_VARIABLE.clear()
    before = numdiff._ONE_VARIABLE.builds
    first = numdiff.derivative("sin(x)*exp(-x**2/10) + x**2", 0.5)
    again = numdiff.derivative("sin(x)*exp(-x**2/10) + x**2", 0.5)
    other = numdiff.derivative("sin(x)*exp(-x**2/10) + x**2", 1.5, method="forward")
    assert numdiff._ONE_VARIABLE.builds == before + 1
    for key in ("value", "derivative", "exact", "error", "latex", "derivative_expr"):
        assert first[key] == again[key]
    for key in ("x", "y", "tangent", "dy"):
        np.testing.assert_array_equal(first["curve"][key], again["curve"][key])
    assert other["value"] != first["value"]
    # a caller changing its answer changes nothing the next caller gets
    first["curve"]["y"][:] = 0.0
    first["latex"]["f"] = "changed"
    np.testing.assert_array_equal(
        numdiff.derivative("sin(x)*exp(-x**2/10) + x**2", 0.5)["curve"]["y"], again["curve"]["y"]
    )
    assert numdiff.derivative("sin(x)*exp(-x**2/10) + x**2", 0.5)["latex"] == again["latex"]


def test_derivative_cache_is_keyed_by_the_limits_and_rejects_afresh():
    numdiff.derivative("x + x + x", 1.0)
    small = dataclasses.replace(DEFAULT_LIMITS, max_expr_chars=5)
    for _ in range(2):
        with pytest.raises(EngineError, match="limit 5"):
            numdiff.derivative("x + x + x", 1.0, limits=small)


@pytest.mark.parametrize(
    "expr",
    ["sin(x)*exp(-x**2/10) + x**2", "exp(x)", "x", "3", "x**x", "log1p(x**2)*tanh(x)", "1/x"],
)
def test_one_program_for_f_and_its_derivative_gives_the_same_bits(expr):
    from app.engine.expr import parse
    from app.engine.expr.compile import compile_trees

    f = parse(expr, ("x",))
    df = f.diff("x")
    x = np.linspace(-3, 3, 101)
    with np.errstate(all="ignore"):
        y, dy = compile_trees((f.tree, df.tree), ("x",), np.float64)((x,))
    np.testing.assert_array_equal(np.broadcast_to(y, x.shape), f(x), strict=False)
    np.testing.assert_array_equal(np.broadcast_to(dy, x.shape), df(x), strict=False)
    r = numdiff.derivative(expr, 0.7, x_min=-3, x_max=3, num=101)
    assert r["curve"]["dy"] is not r["curve"]["y"]  # exp: f' = f, still two arrays
    np.testing.assert_array_equal(r["curve"]["dy"], df(x))
