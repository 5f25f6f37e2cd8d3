"""Settings read from the environment (prefix ``BPX_``); every API limit lives here."""

import math
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.engine.cost import INLINE_US
from app.engine.limits import Limits

_D = Limits()  # the defaults, declared once in app.engine.limits


class Settings(BaseSettings):
    """Limits, logging, CORS and proxy settings; e.g. ``BPX_MAX_BODY_BYTES=2097152``.

    Every field of :class:`app.engine.limits.Limits` is a field here with the same name, so each
    limit is one environment variable (``BPX_MAX_SIDE`` ...); :meth:`limits` collects them.
    """

    model_config = SettingsConfigDict(env_prefix="BPX_", extra="ignore")

    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body (413 above).")
    max_batch: int = Field(_D.max_batch, ge=1, description="Most rows of network input.")
    max_side: int = Field(_D.max_side, ge=1, description="Largest width of any other matrix side.")
    max_layers: int = Field(_D.max_layers, ge=1, description="Most items in a layer stack.")
    max_points: int = Field(_D.max_points, ge=2, description="Most points of a curve or grid.")
    max_steps: int = Field(_D.max_steps, ge=1, description="Most gradient-descent steps.")
    max_epochs: int = Field(_D.max_epochs, ge=1, description="Most epochs of one training run.")
    max_train_seconds: float = Field(
        _D.max_train_seconds, gt=0, description="Wall time of one training request, in seconds."
    )
    max_train_points: int = Field(
        _D.max_train_points, ge=2, description="Most points of a training set (or CSV rows)."
    )
    max_grid: int = Field(
        _D.max_grid, ge=2, description="Largest side of a decision-boundary grid."
    )
    max_expr_chars: int = Field(_D.max_expr_chars, ge=1, description="Longest typed expression.")
    max_expr_nodes: int = Field(
        _D.max_expr_nodes, ge=1, description="Most syntax-tree nodes in an expression."
    )
    max_expr_depth: int = Field(
        _D.max_expr_depth, ge=1, description="Deepest nesting of an expression."
    )
    max_variables: int = Field(
        _D.max_variables, ge=1, le=26, description="Most variables x1..xn of a typed function."
    )
    max_graph_lines: int = Field(
        _D.max_graph_lines, ge=1, description="Most lines of a program for the graph explorer."
    )
    max_graph_chars: int = Field(
        _D.max_graph_chars, ge=1, description="Longest program for the graph explorer."
    )
    max_graph_nodes: int = Field(
        _D.max_graph_nodes, ge=1, description="Most nodes of a computational graph."
    )
    gradcheck_budget: float = Field(
        _D.gradcheck_budget, gt=0, description="Most multiply-adds one gradient check may spend."
    )
    max_response_bytes: int = Field(
        _D.max_response_bytes,
        ge=65_536,
        description="Largest answer (or line of a training stream), estimated from the "
        "request's shapes before any work; above it a 422 that says how to ask for less.",
    )
    max_stream_bytes: int = Field(
        _D.max_stream_bytes,
        ge=65_536,
        description="Most bytes one training stream sends (estimated line by line); then it "
        "ends with reason size_limit and a resume, as at the time limit.",
    )
    compute_slots: int = Field(
        0, ge=0, description="API requests computing at once per process; 0: one per usable core."
    )
    queue_timeout: float = Field(
        5.0, gt=0, description="Seconds a request may wait for a compute slot (503 after)."
    )
    max_training: int = Field(
        16,
        ge=1,
        description="Training streams open at once per worker process, each a process of its "
        "own (app/trainers.py); another gets a 503 with Retry-After.",
    )
    train_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="The CPU priority (nice) of training processes: above 0, the kernel runs "
        "the requests students wait for first.",
    )
    inline_us: float = Field(
        INLINE_US,
        ge=0,
        description="Requests whose work is estimated (from their shapes) at up to this many "
        "microseconds run on the event loop instead of the thread pool (0: never); see "
        "app/engine/cost.py.",
    )
    log_level: str = Field("info", description="Python log level name.")
    otel: bool = Field(
        False,
        description="FastAPI's native OpenTelemetry (traces, metrics and logs to the global "
        "providers). Off, a request skips FastAPI's check of those providers.",
    )
    gzip_max_bytes: int = Field(
        262_144,
        ge=0,
        description="Largest JSON or HTML response sent gzip-compressed (0: none); see "
        "app/compression.py for why large ones are not.",
    )
    lessons_dir: str = Field(
        "",
        description="A folder of a deployment's own lesson files (*.md), added to the shipped "
        "ones; a lesson with a shipped lesson's id replaces it. Empty: the shipped lessons only.",
    )
    cors_origins: list[str] = Field(default_factory=list, description="Allowed CORS origins.")
    root_path: str = Field("", description="Path prefix when served behind a reverse proxy.")

    def limits(self) -> Limits:
        """The :class:`Limits` these settings describe."""
        return Limits(**{name: getattr(self, name) for name in Limits.names()})

    def slots(self) -> int:
        """``compute_slots``, or the cores this process may use when it is 0."""
        return self.compute_slots or usable_cores()


def usable_cores(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """Cores this process may run on: its affinity mask, capped by a cgroup v2 CPU quota.

    In a container with ``limits: cpu: "1"`` that is 1, where ``os.cpu_count()`` tells the host's.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        quota, period = cpu_max.read_text().split()
        if quota != "max":
            return max(1, min(cores or 1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cores or 1


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
