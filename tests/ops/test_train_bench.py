"""bench/train_speed.py runs (one short round): both loops on every setting, and they agree."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_train_speed_prints_a_row_per_setting_with_both_loops() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.train_speed", "--rounds", "1", "--epochs", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [line for line in out.stdout.splitlines() if line.startswith("2-")]
    assert len(rows) == 4, out.stdout
    for row in rows:  # the final training losses of the two loops: both train, alike
        plain, product = (float(v) for v in row.rsplit(None, 3)[-3::2])
        assert 0 < product < 1.5 and abs(plain - product) < 0.05 * max(plain, product) + 0.02


def test_train_extras_prints_each_part_of_a_playground_epoch() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.train_extras", "--rounds", "1", "--epochs", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = dict(line.rsplit(None, 1) for line in out.stdout.splitlines()[-6:])
    parts = {name.strip(): float(us) for name, us in rows.items()}
    assert set(parts) == {"total", "training epochs", "reports (with the two below)",
                          "boundary, 48 × 48", "checkpoint", "serialising the lines"}  # fmt: skip
    assert parts["boundary, 48 × 48"] > 0 and parts["checkpoint"] > 0
    assert parts["training epochs"] + parts["reports (with the two below)"] <= parts["total"]
