"""The load benchmark of `make bench` runs: a short pass of bench/api_load.py over loopback."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def api_load(*args: str) -> subprocess.CompletedProcess:
    """``python -m bench.api_load ARGS`` from the project's root, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bench.api_load", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_api_load_runs_every_part_and_nothing_hangs() -> None:
    args = ["--clients", "4", "--seconds", "0.3", "--rounds", "1", "--heavy-seconds", "2"]
    out = api_load(*args, "--render-repeat", "1")
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert "machine:" in text and "BLAS:" in text
    health = next(line for line in text.splitlines() if line.startswith("health "))
    assert "{200:" in health
    assert "peak (VmHWM)" in text
    assert "serialisation share" in text
    assert "Error" not in text, text  # no TimeoutError or ConnectionError among the statuses


def test_the_floor_part_checks_its_cached_twin_and_reports_what_is_left() -> None:
    """``--parts floor`` serves the app beside ``bench.cached_app``; before measuring it checks
    that the cached twin answers every target with the app's status and bytes (it raises, and
    exits non-zero, if not), then prints one row per small request."""
    args = ["--parts", "floor", "--clients", "4", "--seconds", "0.3", "--rounds", "1"]
    out = api_load(*args)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    rows = [line.split() for line in lines if line.startswith(("network/", "numdiff/"))]
    assert [r[0] for r in rows] == ["network/run", "network/run", "numdiff/derivative"]
    for row in rows:
        real, cached, compute = (float(v) for v in row[-5:-2])
        assert compute == pytest.approx(real - cached, abs=1)


def test_the_floor_part_refuses_a_twin_that_answers_otherwise() -> None:
    """A twin whose cache hits (not its first answers) differ from the app by a byte is refused."""
    args = ["--parts", "floor", "--clients", "2", "--seconds", "0.2", "--rounds", "1"]
    out = api_load(*args, "--twin", "tests.ops.wrong_twin:app")
    assert out.returncode != 0
    assert "tests.ops.wrong_twin:app does not answer network/run 2x2" in out.stderr


def test_the_classroom_runs_a_small_class_and_reports_its_row() -> None:
    """``bench.classroom`` starts its own server with two workers, runs students and a training
    stream over loopback for a bounded time, and prints one row with every column filled."""
    args = ["--students", "3", "--trainers", "1", "--seconds", "2", "--warmup", "1"]
    out = subprocess.run(
        [sys.executable, "-m", "bench.classroom", *args, "--max-wait", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert any(line.startswith("machine:") for line in lines)
    assert any("one-minute load average" in line for line in lines)
    (row,) = [line for line in lines if line.startswith("  3 ( 1)")]
    cells = [c.strip() for c in row.split("|")]
    assert cells[2] != "—" and float(cells[2].split("–")[0]) > 0, row  # the stream trained
    assert cells[7] == "none", row  # every request answered 200
    assert "200 students" in out.stdout
