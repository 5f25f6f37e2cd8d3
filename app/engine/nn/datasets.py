"""Seeded toy data sets for the training playground, the CSV upload, and the train/test split.

Each generator is one record in :data:`DATASETS`; its ``make(n, noise, classes, rng)`` is a plain
function of numpy alone, so the exported script carries its source unchanged
(:func:`generator_source`) and recreates the very same points. The same ``seed`` gives the same
points and the same split, bit for bit: the points are drawn from ``np.random.default_rng(seed)``
and the split is the next draw of that generator (:func:`split`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.errors import EngineError

MAX_CSV_CLASSES = 10  # labels 0..9 in an uploaded file
_BAD_ROWS_SHOWN = 5  # a CSV error names at most this many rows
_PAD = 0.1  # the plotted extent reaches this fraction of the data's range beyond it


# ------------------------------------------------------------------------ the generators
# Each takes (n, noise, classes, rng) and returns x: (n, 2) (or (n, 1) for sine) and labels (n,)
# (or real targets (n, 1)); numpy only, no names from this module, so the export can copy them.


def xor(n, noise, classes, rng):
    """Four Gaussian blobs centred at (±1, ±1) with standard deviation ``noise``; class 1 where
    x1·x2 < 0 (the point's own quadrant, so a point that strays across an axis changes class)."""
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    x = centres[np.arange(n) % 4] + noise * rng.standard_normal((n, 2))
    return x, (x[:, 0] * x[:, 1] < 0).astype(np.int64)


def circles(n, noise, classes, rng):
    """Concentric rings: class k at radius (2/C)(k + 0.1 ... k + 0.85), then Gaussian noise."""
    y = np.arange(n) % classes
    r = 2.0 * (y + 0.1 + 0.75 * rng.uniform(size=n)) / classes
    a = rng.uniform(0.0, 2.0 * np.pi, size=n)
    x = np.stack([r * np.cos(a), r * np.sin(a)], axis=1) + noise * rng.standard_normal((n, 2))
    return x, y


def gaussians(n, noise, classes, rng):
    """One Gaussian blob per class, centred on a circle of radius √2, standard deviation noise."""
    y = np.arange(n) % classes
    a = 2.0 * np.pi * y / classes + np.pi / 4
    centres = np.sqrt(2.0) * np.stack([np.cos(a), np.sin(a)], axis=1)
    return centres + noise * rng.standard_normal((n, 2)), y


def spiral(n, noise, classes, rng):
    """One spiral arm per class (radius 0.1 to 2, four radians of turn), then Gaussian noise."""
    y = np.arange(n) % classes
    t = rng.uniform(size=n)
    r = 0.1 + 1.9 * t
    a = 2.0 * np.pi * y / classes + 4.0 * t
    x = np.stack([r * np.cos(a), r * np.sin(a)], axis=1) + noise * rng.standard_normal((n, 2))
    return x, y


def moons(n, noise, classes, rng):
    """Two interleaved half circles (as scikit-learn's make_moons), centred, then Gaussian noise."""
    y = np.arange(n) % 2
    a = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(a), np.sin(a)], axis=1)
    lower = np.stack([1.0 - np.cos(a), 0.5 - np.sin(a)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    return x + noise * rng.standard_normal((n, 2)), y


def sine(n, noise, classes, rng):
    """Regression: x uniform in [-π, π], target y = sin(x) + Gaussian noise of sd ``noise``."""
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


def split(x, y, test_fraction, rng):
    """(x_train, y_train, x_test, y_test), a random ``test_fraction`` of the rows for testing."""
    order = rng.permutation(len(x))
    n_test = min(len(x) - 1, max(1, round(len(x) * test_fraction)))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


# ------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class DatasetKind:
    """A data set: its generator, its title, how many classes it may have, what it is for."""

    name: str
    title: str
    make: Callable
    min_classes: int = 2
    max_classes: int = 5
    regression: bool = False
    noise: float = 0.1  # a default that shows the shape

    def describe(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "min_classes": self.min_classes,
            "max_classes": self.max_classes,
            "regression": self.regression,
            "width": 1 if self.regression else 2,
            "noise": self.noise,
        }


_KINDS = [
    DatasetKind("xor", "XOR: four blobs, opposite corners alike", xor, 2, 2, noise=0.3),
    DatasetKind("circles", "Concentric circles", circles, noise=0.1),
    DatasetKind("gaussians", "Gaussian blobs", gaussians, noise=0.4),
    DatasetKind("spiral", "Spiral arms", spiral, noise=0.05),
    DatasetKind("moons", "Two moons", moons, 2, 2, noise=0.1),
    DatasetKind("sine", "Sine regression: y = sin(x) + noise", sine, 1, 1, True, noise=0.1),
]

# The one registry of data sets (uploaded CSV files are the name "csv", parsed by parse_csv).
DATASETS: dict[str, DatasetKind] = {k.name: k for k in _KINDS}
CSV = "csv"


@dataclass(frozen=True)
class Data:
    """A data set split into training and test rows.

    ``x_*: (N, D)`` with D = 2 (D = 1 for a regression set); ``y_*`` are class labels ``(N,)``
    (ints ``0 .. classes-1``) or, for regression, real targets ``(N, 1)``.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: int  # 0 for regression
    seed: int
    noise: float
    test_fraction: float
    csv: str | None = None

    @property
    def regression(self) -> bool:
        return self.classes == 0

    @property
    def width(self) -> int:
        return self.x_train.shape[1]

    def extent(self) -> list[tuple[float, float]]:
        """(lo, hi) of every input column over all rows, widened by 10% of its range each side."""
        x = np.concatenate([self.x_train, self.x_test])
        out = []
        for lo, hi in zip(x.min(axis=0), x.max(axis=0), strict=True):
            pad = _PAD * (hi - lo) if hi > lo else 0.5
            out.append((float(lo - pad), float(hi + pad)))
        return out

    def preview(self) -> dict:
        """What the page draws before training: the points, train and test apart."""
        return {
            "name": self.name,
            "classes": self.classes,
            "regression": self.regression,
            "x_train": self.x_train,
            "y_train": self.y_train,
            "x_test": self.x_test,
            "y_test": self.y_test,
            "extent": self.extent(),
        }


def make_data(
    name: str,
    n: int = 400,
    noise: float = 0.1,
    classes: int = 2,
    seed: int = 0,
    test_fraction: float = 0.5,
    csv: str | None = None,
    max_rows: int = 5000,
) -> Data:
    """The data set ``name`` (or the uploaded ``csv`` when ``name == "csv"``), split in two.

    ``n`` points (``n`` is ignored for a CSV), ``noise`` the standard deviation of the Gaussian
    noise, ``classes`` for the sets that take a number of classes (ignored for regression),
    ``test_fraction`` of the rows (at least one, leaving at least one) held out for testing.
    """
    loc = ("dataset",)
    if not 0.0 < test_fraction < 1.0:
        raise EngineError("test_fraction must be between 0 and 1.", (*loc, "test_fraction"))
    rng = np.random.default_rng(seed)
    if name == CSV:
        if csv is None:
            raise EngineError("the csv data set needs the file's text in 'csv'.", (*loc, "csv"))
        x, y = parse_csv(csv, max_rows)
        n_classes = int(y.max()) + 1
    else:
        kind = DATASETS.get(name)
        if kind is None:
            names = ", ".join([*DATASETS, CSV])
            raise EngineError(f"unknown data set {name!r}; use one of {names}.", (*loc, "name"))
        if not kind.regression and not kind.min_classes <= classes <= kind.max_classes:
            span = (
                f"exactly {kind.min_classes}"
                if kind.min_classes == kind.max_classes
                else f"{kind.min_classes} to {kind.max_classes}"
            )
            raise EngineError(f"{name} takes {span} classes, got {classes}.", (*loc, "classes"))
        if n < 2 or n > max_rows:
            raise EngineError(f"n must be between 2 and {max_rows}, got {n}.", (*loc, "n"))
        if not (math.isfinite(noise) and noise >= 0):
            raise EngineError("noise must be a finite number >= 0.", (*loc, "noise"))
        x, y = kind.make(int(n), float(noise), int(classes), rng)
        n_classes = 0 if kind.regression else int(classes)
    if len(x) < 2:
        raise EngineError("a data set needs at least 2 rows (one to train, one to test).", loc)
    x_train, y_train, x_test, y_test = split(x, y, test_fraction, rng)
    return Data(name, x_train, y_train, x_test, y_test, n_classes, seed, noise, test_fraction, csv)


def generator_source(name: str) -> str:
    """The source of the generator behind ``name`` and of :func:`split`, for the export."""
    return inspect.getsource(DATASETS[name].make) + "\n\n" + inspect.getsource(split)


# ------------------------------------------------------------------------ CSV upload


def _number(cell: str) -> float | None:
    try:
        v = float(cell)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_csv(text: str, max_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``x1,x2,label`` (an ``x1,x2,label`` header line is optional; blank lines are skipped)
    as ``x: (N, 2)`` floats and ``labels: (N,)`` ints ``0 .. 9``.

    Rows are numbered as lines of the file (1 is the first line). Any bad row rejects the whole
    file, with an error naming the first few bad rows; at most ``max_rows`` data rows.
    """
    loc = ("dataset", "csv")
    text = text.removeprefix("\ufeff")  # the byte-order mark of Excel's "CSV UTF-8"
    rows = [(i, line) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not rows:
        raise EngineError("the CSV file is empty; give one row x1,x2,label per point.", loc)
    first_no, first = rows[0]
    cells = [c.strip() for c in first.split(",")]
    if len(cells) >= 2 and (_number(cells[0]) is None or _number(cells[1]) is None):
        if [c.lower() for c in cells] != ["x1", "x2", "label"]:
            shown = first.strip()[:40]
            raise EngineError(
                f"row {first_no}: the header must be x1,x2,label (or leave it out), got '{shown}'.",
                loc,
            )
        rows = rows[1:]
    if not rows:
        raise EngineError("the CSV file has a header but no rows.", loc)
    if len(rows) > max_rows:
        raise EngineError(
            f"the CSV file has {len(rows)} rows; at most {max_rows} are allowed "
            "(the limit BPX_MAX_TRAIN_POINTS).",
            loc,
        )
    x = np.empty((len(rows), 2))
    labels = np.empty(len(rows), dtype=np.int64)
    bad: list[str] = []
    for k, (no, line) in enumerate(rows):
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != 3:
            bad.append(f"row {no}: expected 3 values x1,x2,label, got {len(cells)}")
            continue
        problem = None
        for j, name in enumerate(("x1", "x2")):
            v = _number(cells[j])
            if v is None:
                problem = problem or f"row {no}: {name} '{cells[j][:20]}' is not a number"
            else:
                x[k, j] = v
        label = _number(cells[2])
        if label is None or label != int(label):
            problem = problem or f"row {no}: label '{cells[2][:20]}' is not a whole number"
        elif not 0 <= label < MAX_CSV_CLASSES:
            problem = problem or (
                f"row {no}: label {int(label)} is out of range; labels are 0 to "
                f"{MAX_CSV_CLASSES - 1}"
            )
        else:
            labels[k] = int(label)
        if problem:
            bad.append(problem)
    if bad:
        more = len(bad) - _BAD_ROWS_SHOWN
        tail = f" (and {more} more bad row{'s' if more > 1 else ''})" if more > 0 else ""
        raise EngineError("; ".join(bad[:_BAD_ROWS_SHOWN]) + tail + ".", loc)
    if np.unique(labels).size < 2:
        raise EngineError("the CSV file needs points of at least two classes.", loc)
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = x.min(axis=0), x.max(axis=0)
        edges = np.concatenate([lo - _PAD * (hi - lo), hi + _PAD * (hi - lo)])
    if not np.isfinite(edges).all():
        j = int(np.argmin(np.isfinite(edges))) % 2
        raise EngineError(
            f"x{j + 1} spans {lo[j]:.3g} to {hi[j]:.3g}, too wide for float64 once the plot's "
            "margin is added; rescale the column (divide it by 1e300, say).",
            loc,
        )
    return x, labels
