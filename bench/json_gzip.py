"""CPU cost and gain of gzip on the API's own JSON answers, at levels 1 and 6.

    python bench/json_gzip.py

The numbers behind app/compression.py's choice: compress JSON at level 1 up to 256 KiB.
"""

import statistics
import time
import zlib

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

client = TestClient(create_app(Settings(gzip_max_bytes=0, log_level="warning")))
notebook = client.get("/api/v1/network/presets").json()["presets"][0]
CASES = {
    "activation curve, 801 points": (
        "/api/v1/activations/curve",
        {"activation": "gelu", "num": 801},
    ),
    "activation curve, 10001 points": (
        "/api/v1/activations/curve",
        {"activation": "gelu", "num": 10001},
    ),
    "grid 80 × 80": ("/api/v1/numdiff/grid", {"expr": "x1**2 + x2**2", "num": 80}),
    "descent, 1000 steps": (
        "/api/v1/numdiff/descent",
        {"expr": "x1**2 + x2**3 + 1", "start": [2, 3], "steps": 1000},
    ),
    "network run, notebook + gradcheck": (
        "/api/v1/network/run",
        {k: notebook[k] for k in ("x", "targets", "layers", "loss")},
    ),
}


def timed(fn, repeat=7):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times) * 1000


print("| answer | JSON (KB) | engine + JSON (ms) | gzip 1: KB, ms | gzip 6: KB, ms |")
print("|---|---:|---:|---:|---:|")
for name, (path, body) in CASES.items():
    r, t_req = timed(lambda p=path, b=body: client.post(p, json=b), repeat=3)
    raw = r.content
    cells = []
    for level in (1, 6):
        z, ms = timed(lambda lv=level, data=raw: zlib.compress(data, lv))
        cells.append(f"{len(z) / 1024:.0f}, {ms:.1f}")
    print(f"| {name} | {len(raw) / 1024:.0f} | {t_req:.1f} | {cells[0]} | {cells[1]} |")
