"""Concurrent runs share no state: 8 threads give bit-identical results to sequential runs."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.engine.nn.activations import activation_curve
from app.engine.nn.network import run_network
from app.engine.nn.presets import toy_2d
from tests.engine.nn.test_network import random_stack


def _flatten(value, path=()):
    """Yield (path, leaf) pairs of a nested result."""
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _flatten(value[k], (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(v, (*path, i))
    else:
        yield path, value


def _assert_identical(a, b):
    fa, fb = list(_flatten(a)), list(_flatten(b))
    assert [p for p, _ in fa] == [p for p, _ in fb]
    for (path, x), (_, y) in zip(fa, fb, strict=True):
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), path  # bit-identical
        else:
            assert x == y, path


def _wide_stack() -> dict:
    """Big enough that the matrix products go through multi-threaded BLAS."""
    rng = np.random.default_rng(9)
    layers = [{"type": "affine", "out": 128, "seed": s} for s in range(3)]
    layers.insert(1, {"type": "gelu"})
    layers.insert(3, {"type": "elu", "alpha": 0.5})
    return {
        "x": rng.normal(size=(256, 128)),
        "targets": rng.integers(0, 128, 256),
        "layers": layers,
        "loss": "softmax_cross_entropy",
    }


def _job(k: int):
    if k == 7:
        return activation_curve("gelu", -5, 5, 501, upstream=3.0)
    if k == 5:
        case = _wide_stack()
        return run_network(case["x"], case["targets"], case["layers"], case["loss"])
    case = toy_2d(seed=k) if k == 6 else random_stack(100 + k)
    dtype = "float32" if k % 2 else "float64"
    return run_network(
        case["x"], case["targets"], case["layers"], case["loss"], gradcheck=True, dtype=dtype
    )


def test_eight_threads_match_sequential_runs():
    sequential = [_job(k) for k in range(8)]
    barrier = threading.Barrier(8)

    def start_together(k):
        barrier.wait()
        return [_job(k) for _ in range(3)]  # repeat to overlap more

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(start_together, range(8)))
    for k in range(8):
        for result in concurrent[k]:
            _assert_identical(result, sequential[k])
