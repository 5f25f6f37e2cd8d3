"""What machine a benchmark ran on: CPU, cores, load, numpy's BLAS and its threads, torch's threads.

Ratios measured side by side in one run travel between machines; absolute times do not, so every
script prints this header first.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import numpy as np


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def blas() -> str:
    """numpy's BLAS libraries and their thread counts (threadpoolctl if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
        return f"{info.get('name')} {info.get('version')} (threads: {threads or 'default'})"
    pools = [
        f"{p['internal_api']} {p.get('version')} {p.get('architecture', '')} "
        f"{p['num_threads']} threads"
        for p in threadpool_info()
    ]
    return "; ".join(pools) or "none found"


def torch_threads() -> str:
    """torch's version and intra-op threads, or a note that it is absent."""
    try:
        import torch
    except ImportError:
        return "not installed (pip install -e '.[bench]' for the torch rows)"
    return f"{torch.__version__}, {torch.get_num_threads()} threads"


def describe() -> str:
    """A few lines naming the machine and the numeric libraries, for the top of a report."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"machine: {cpu_model()}, {os.cpu_count()} cores ({usable_cores()} usable), "
            f"load average {load}",
            f"python {platform.python_version()} ({sys.executable}), numpy {np.__version__}",
            f"BLAS: {blas()}",
            f"torch: {torch_threads()}",
        ]
    )


if __name__ == "__main__":
    print(describe())
