"""Serialisation of a 256x256 network result: orjson straight from numpy against the alternatives.

python -m bench.serialise     (medians of interleaved runs, and the ratios to orjson)
"""

import json

import numpy as np
from fastapi.encoders import jsonable_encoder

from app.engine.nn.network import run_network
from app.responses import NumpyJSONResponse, PiecewiseJSONResponse
from bench.machine import describe
from bench.timing import side_by_side


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
    ms = side_by_side(
        {
            "orjson": lambda: NumpyJSONResponse(result).body,
            "pieces": lambda: PiecewiseJSONResponse(result).pieces,
            "encoder": lambda: json.dumps(jsonable_encoder(to_lists(result))).encode(),
            "stdlib": lambda: json.dumps(to_lists(result)).encode(),
        },
        rounds=15,
        warmup=False,
    )
    ms = {name: 1000 * t for name, t in ms.items()}
    orjson_ms, encoder_ms, stdlib_ms = ms["orjson"], ms["encoder"], ms["stdlib"]
    pieces_ms = ms["pieces"]
    size = len(NumpyJSONResponse(result).body) / 1e6
    print(describe())
    print(f"\n256x256 network result ({size:.1f} MB of JSON), median of 15 interleaved runs:")
    print(f"  orjson from numpy, one call        {orjson_ms:8.1f} ms  1.0x")
    print(f"  orjson per array (the app)         {pieces_ms:8.1f} ms  {pieces_ms / orjson_ms:.1f}x")
    print(f"  json.dumps(.tolist())              {stdlib_ms:8.1f} ms  {stdlib_ms / orjson_ms:.1f}x")
    print(
        f"  jsonable_encoder(.tolist()) + json {encoder_ms:8.1f} ms  {encoder_ms / orjson_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
