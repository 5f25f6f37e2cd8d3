"""Serialisation of a 256x256 network result: orjson straight from numpy against the alternatives.

Run: .venv/bin/python scripts/bench_api.py   (prints medians of repeated runs, side by side)
"""

import json
import statistics
import time

import numpy as np
from fastapi.encoders import jsonable_encoder

from app.engine.nn.network import run_network
from app.responses import NumpyJSONResponse


def median_ms(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def to_lists(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: to_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_lists(v) for v in value]
    return value


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 256))
    layers = [{"type": "affine", "in": 256, "out": 256, "seed": i} for i in range(2)]
    result = run_network(x, rng.standard_normal((256, 256)), layers, "mse", gradcheck=False)
    orjson_ms = median_ms(lambda: NumpyJSONResponse(result).body)
    encoder_ms = median_ms(lambda: json.dumps(jsonable_encoder(to_lists(result))).encode())
    stdlib_ms = median_ms(lambda: json.dumps(to_lists(result)).encode())
    size = len(NumpyJSONResponse(result).body) / 1e6
    print(f"256x256 network result ({size:.1f} MB of JSON), median of 15:")
    print(f"  orjson from numpy (the app)        {orjson_ms:8.1f} ms  1.0x")
    print(f"  json.dumps(.tolist())              {stdlib_ms:8.1f} ms  {stdlib_ms / orjson_ms:.1f}x")
    print(
        f"  jsonable_encoder(.tolist()) + json {encoder_ms:8.1f} ms  {encoder_ms / orjson_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
