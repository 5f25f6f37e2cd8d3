"""Check your own layer: ``python -m app.check FILE.py:NAME [...]`` or ``check_layer(obj)``.

Checks a layer or loss written in the *Deep Learning from Scratch* style, on your own machine
(the server never accepts code):

- a layer: ``forward(x) -> y`` and ``backward(dout) -> dx``, its parameters attributes (``W``,
  ``b``, ``gamma``, …) with their gradients beside them (``dW``, ``db``, …) after ``backward``;
- a loss: ``forward(x, t) -> L`` (``t`` class indices or one-hot rows) and
  ``backward(dout=1) -> dx``.

On seeded random inputs of several batch sizes (``N`` = 1, 2 and 5), in float64, it compares every
gradient with central differences of :math:`\\sum y \\odot dout` (or of ``L``) using the engine's
own verdict rule (:func:`app.engine.nn.gradcheck.compare`: each entry's error against the tensor's
scale, :mod:`app.engine.verdicts`), and looks for the mistakes learners make again and again: a
write into the caller's array (``x``, ``dout``, ``t`` or a parameter), a gradient of the wrong
shape, a ``backward`` that returns nothing, a result that depends on an earlier call's state (the
same input twice gives two answers), rows of a batch that mix (row n's output moves when another
row changes: a softmax over the wrong axis, ``y[:, t]``), a loss that sums instead of averaging
over the batch, and an overflow on large inputs.

Exit status: 0 when every check passes, 1 when something was found (one line per finding), 2 for
a usage or import error.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import inspect
import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.nn.gradcheck import compare, numeric_gradient, same_shape

BATCHES = (1, 2, 5)  # N = 1 hides a missing sum over the batch; N >= 2 shows it
WIDTH = 4  # input width for a layer without a weight matrix, classes for a loss
H = 1e-5
BIG = 800.0  # |x| for the overflow probe: exp(800) overflows float64


class UsageError(Exception):
    """A bad argument, file or name: exit status 2."""


@dataclass
class Finding:
    """One thing found, as one line."""

    check: str  # wrote_input, shape, no_return, state, mixes_rows, batch_scale, overflow, gradient
    message: str
    N: int | None = None
    tensor: str | None = None

    def line(self) -> str:
        where = "" if self.N is None else f"N={self.N}: "
        return f"{where}{self.message}"


@dataclass
class TensorCheck:
    """One gradient compared with central differences."""

    tensor: str  # x, or a parameter name
    N: int
    targets: str | None  # "indices" or "one-hot" for a loss
    max_rel_error: float | None
    passed: bool
    reading: str  # the relative error's band: good, kink, suspicious, wrong


@dataclass
class Report:
    """What :func:`check_layer` found: per-tensor checks and findings."""

    name: str
    kind: str  # "layer" or "loss"
    checks: list[TensorCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why

    @property
    def passed(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        """One line per finding, prefixed with the layer's name."""
        return [f"{self.name}: {f.line()}" for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "passed": self.passed,
            "checks": [asdict(c) for c in self.checks],
            "findings": [asdict(f) for f in self.findings],
            "notes": self.notes,
        }

    def __str__(self) -> str:
        notes = [f"{self.name}: note: {n}" for n in self.notes]
        if self.passed:
            return "\n".join([f"{self.name} ({self.kind}): all checks pass", *notes])
        return "\n".join([*self.lines(), *notes])

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{c.N}</td><td>{esc(c.targets or '')}</td><td>{esc(c.tensor)}</td>"
            f"<td>{'' if c.max_rel_error is None else f'{c.max_rel_error:.2e}'}</td>"
            f"<td>{'pass' if c.passed else 'FAIL'}</td><td>{esc(c.reading)}</td></tr>"
            for c in self.checks
        )
        found = "".join(f"<li>{esc(f.line())}</li>" for f in self.findings)
        found += "".join(f"<li>note: {esc(n)}</li>" for n in self.notes)
        verdict = "all checks pass" if self.passed else f"{len(self.findings)} finding(s)"
        return (
            f"<div><strong>{esc(self.name)}</strong> ({esc(self.kind)}): {esc(verdict)}"
            "<table><thead><tr><th>N</th><th>targets</th><th>tensor</th>"
            "<th>max rel. error</th><th>check</th><th>reading</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>" + (f"<ul>{found}</ul>" if found else "") + "</div>"
        )


# ------------------------------------------------------------------------------ helpers


def _is_loss(obj: Any) -> bool:
    """A loss's forward takes (x, t); a layer's takes x alone."""
    try:
        sig = inspect.signature(obj.forward)
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(required) >= 2


def _params(obj: Any) -> dict[str, np.ndarray]:
    """Float array attributes ``P`` that have a gradient attribute ``dP`` beside them."""
    out = {}
    for name, value in vars(obj).items():
        if (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and hasattr(obj, "d" + name)
            and not name.startswith("d")
        ):
            out[name] = value
    return out


def _quiet(fn: Callable, *args):
    """Call user code with numpy's floating-point warnings silenced (the probes look for them)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


def _array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _changed(before: np.ndarray, after: Any) -> int:
    """How many entries of an array differ from its copy taken before a call."""
    after = np.asarray(after)
    if after.shape != before.shape:
        return before.size
    return int(np.sum(~((after == before) | (np.isnan(after) & np.isnan(before)))))


class _Checker:
    def __init__(self, obj: Any, name: str, seed: int = 0):
        self.obj = obj
        self.rng = np.random.default_rng(seed)
        self.report = Report(name, "loss" if _is_loss(obj) else "layer")
        self.params = _params(obj)
        self.saved = {k: v.copy() for k, v in self.params.items()}

    def find(self, check: str, message: str, N: int | None = None, tensor: str | None = None):
        if not any(f.check == check and f.tensor == tensor for f in self.report.findings):
            self.report.findings.append(Finding(check, message, N, tensor))

    def restore(self) -> None:
        for k, v in self.saved.items():
            setattr(self.obj, k, v.copy())

    def widths(self) -> tuple[int, int | None]:
        W = self.params.get("W")
        if W is not None and W.ndim == 2:
            return W.shape[0], W.shape[1]
        return WIDTH, None

    def guard_params(self, when: str, N: int) -> None:
        for k, before in self.saved.items():
            now = getattr(self.obj, k, None)
            if now is None or _changed(before, now):
                self.find(
                    "wrote_input", f"{when} changed the parameter {k} (it must only read it).", N, k
                )
                setattr(self.obj, k, before.copy())

    # ----------------------------------------------------------------------- layers

    def layer(self) -> None:
        D, _ = self.widths()
        for N in BATCHES:
            self.restore()
            x = self.rng.standard_normal((N, D))
            self.layer_at(x)
        self.restore()
        self.layer_rows(self.rng.standard_normal((BATCHES[-1], D)))
        self.restore()
        self.overflow(D)

    def forward(self, x: np.ndarray, N: int) -> np.ndarray | None:
        x_in = x.copy()
        y = _quiet(self.obj.forward, x_in)
        if n := _changed(x, x_in):
            self.find("wrote_input", f"forward wrote into its input x ({n} entries changed).", N)
        y = _array(y)
        if y is None:
            self.find("no_return", "forward returned nothing (or not an array).", N)
        return y

    def layer_at(self, x: np.ndarray) -> None:
        N = x.shape[0]
        y = self.forward(x, N)
        if y is None:
            return
        if y.ndim != 2 or y.shape[0] != N:
            self.find("shape", f"forward of x {x.shape} returned shape {y.shape}, not (N, …).", N)
            return
        dout = self.rng.standard_normal(y.shape)
        dx, grads = self.backward(dout, x, N)
        again = self.forward(x, N)
        if again is not None and again.shape == y.shape and not np.array_equal(again, y):
            self.find("state", "forward gave two answers for the same input x.", N)
        if dx is not None:
            dx2, grads2 = self.backward(dout, x, N)
            same = dx2 is not None and dx2.shape == dx.shape and np.array_equal(dx, dx2)
            same = same and all(
                grads2.get(k) is not None and np.array_equal(g, grads2[k]) for k, g in grads.items()
            )
            if not same:
                self.find("state", "backward gave two answers for the same x and dout.", N)
        self.guard_params("forward or backward", N)

        def L_x(a: np.ndarray) -> float:
            return float(np.sum(_quiet(self.obj.forward, a.copy()) * dout))

        if dx is not None:
            self.gradient("x", dx, x, L_x, N)
        for k, g in grads.items():
            P = self.saved[k]

            def L_p(a: np.ndarray, k: str = k) -> float:
                setattr(self.obj, k, a.copy())
                return float(np.sum(_quiet(self.obj.forward, x.copy()) * dout))

            self.gradient(k, g.reshape(P.shape), P, L_p, N)
            self.restore()

    def backward(self, dout: np.ndarray, x: np.ndarray, N: int):
        """Forward at ``x`` then backward of ``dout``: ``(dx, grads)`` with every finding."""
        _quiet(self.obj.forward, x.copy())
        for k in self.params:
            setattr(self.obj, "d" + k, None)
        d_in = dout.copy()
        dx = _quiet(self.obj.backward, d_in)
        if n := _changed(dout, d_in):
            self.find(
                "wrote_input",
                f"backward wrote into its argument dout ({n} of {dout.size} entries changed): "
                "the caller's upstream gradient is no longer what it was; work on a copy.",
                N,
                "dout",
            )
        dx = _array(dx)
        if dx is None:
            self.find("no_return", "backward returned nothing: it must return dx.", N, "x")
        elif dx.shape != x.shape:
            self.find("shape", f"dx has shape {dx.shape} but x has shape {x.shape}.", N, "x")
            dx = None
        grads = {}
        for k, P in self.saved.items():
            g = _array(getattr(self.obj, "d" + k, None))
            if g is None:
                self.find("no_return", f"backward did not set d{k}.", N, k)
            elif not same_shape(g.shape, P.shape):
                self.find("shape", f"d{k} has shape {g.shape} but {k} has shape {P.shape}.", N, k)
            else:
                grads[k] = g
        return dx, grads

    def gradient(
        self,
        tensor: str,
        analytic: np.ndarray,
        at: np.ndarray,
        f: Callable,
        N: int,
        targets: str | None = None,
    ) -> None:
        numeric = numeric_gradient(f, at, H)
        _, worst, judgement = compare(analytic, numeric)
        passed = judgement.passed
        reading = judgement.verdict
        self.report.checks.append(TensorCheck(tensor, N, targets, worst, passed, reading))
        if not passed:
            i = np.unravel_index(np.argmax(np.abs(analytic - numeric)), analytic.shape)
            what = "dx" if tensor == "x" else f"d{tensor}"
            also = f" with {targets} targets" if targets else ""
            self.find(
                "gradient",
                f"{what} disagrees with central differences{also} (max rel. error "
                f"{worst:.2g}); at {tuple(int(j) for j in i)} backward gives "
                f"{analytic[i]:.6g}, central differences {numeric[i]:.6g}.",
                N,
                tensor if targets is None else f"{tensor} ({targets})",
            )

    def layer_rows(self, x: np.ndarray) -> None:
        """Row n of the output must not depend on the other rows (no batch mixing)."""
        y = _array(_quiet(self.obj.forward, x.copy()))
        if y is None or y.shape[:1] != x.shape[:1]:
            return
        for n in range(x.shape[0]):
            alone = _array(_quiet(self.obj.forward, x[n : n + 1].copy()))
            if alone is None or alone.shape != (1, *y.shape[1:]):
                return
            if not np.allclose(alone[0], y[n], rtol=1e-9, atol=1e-12):
                self.find(
                    "mixes_rows",
                    f"row {n} of the output changes with the other rows of the batch (alone it "
                    f"gives {alone[0, 0]:.6g}, in the batch {y[n, 0]:.6g}): the layer mixes the "
                    "samples, e.g. a softmax or max over axis 0 instead of over each row.",
                    x.shape[0],
                )
                return

    def overflow(self, D: int) -> None:
        """Large inputs of either sign: an overflow warning or a non-finite output is a finding."""
        x = np.tile([-BIG, BIG], (2, D))[:, :D]
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            y = _array(self.obj.forward(x.copy()))
        overflowed = [
            w
            for w in caught
            if issubclass(w.category, RuntimeWarning) and "underflow" not in str(w.message)
        ]
        if overflowed or (y is not None and not np.all(np.isfinite(y))):
            why = str(overflowed[0].message) if overflowed else "a non-finite output"
            self.find(
                "overflow",
                f"forward of inputs ±{BIG:g} gives {why}: compute it in a form that cannot "
                "overflow (e.g. a stable sigmoid, a softmax shifted by each row's max).",
            )

    # ----------------------------------------------------------------------- losses

    def loss(self) -> None:
        C = WIDTH
        kinds = {"indices": lambda t: t, "one-hot": lambda t: np.eye(C)[t]}
        try:  # a loss may take rows only (mse): then class indices are not its input
            _quiet(self.obj.forward, self.probabilities(2, C), np.array([0, 1]))
        except Exception as exc:
            del kinds["indices"]
            self.report.notes.append(
                f"forward does not take class indices ({type(exc).__name__}); checked with "
                "one-hot rows only."
            )
        for N in BATCHES:
            y = self.probabilities(N, C)
            t = self.rng.integers(0, C, size=N)
            for kind, rows in kinds.items():
                self.loss_at(y, rows(t), kind)
        y = self.probabilities(BATCHES[-1], C)
        t = self.rng.integers(0, C, size=BATCHES[-1])
        for kind, rows in kinds.items():
            self.loss_rows(y, rows(t), kind)

    def probabilities(self, N: int, C: int) -> np.ndarray:
        """Rows of probabilities away from 0 and 1: valid input for a loss on probabilities and
        for one on logits alike."""
        z = self.rng.standard_normal((N, C))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def loss_value(self, y: np.ndarray, t: np.ndarray, N: int, kind: str) -> float | None:
        y_in, t_in = y.copy(), t.copy()
        L = _quiet(self.obj.forward, y_in, t_in)
        for name, before, after in (("x", y, y_in), ("t", t, t_in)):
            if n := _changed(before, after):
                self.find(
                    "wrote_input",
                    f"forward wrote into its argument {name} ({n} entries changed).",
                    N,
                    name,
                )
        L = _array(L)
        if L is None or L.size != 1:
            shape = None if L is None else L.shape
            self.find("shape", f"forward returned {shape}, not one number (the loss).", N, kind)
            return None
        return float(L.reshape(()))

    def loss_at(self, y: np.ndarray, t: np.ndarray, kind: str) -> None:
        N = y.shape[0]
        L = self.loss_value(y, t, N, kind)
        if L is None:
            return
        if self.loss_value(y, t, N, kind) != L:
            self.find("state", "forward gave two answers for the same x and t.", N)
        dx = self.loss_backward(y, t, N)
        if dx is None:
            return
        dx2 = self.loss_backward(y, t, N)
        if dx2 is None or not np.array_equal(dx, dx2):
            self.find("state", "backward gave two answers for the same x and t.", N)

        def L_y(a: np.ndarray) -> float:
            return float(np.asarray(_quiet(self.obj.forward, a.copy(), t.copy())).reshape(()))

        self.gradient("x", dx, y, L_y, N, kind)

    def loss_backward(self, y: np.ndarray, t: np.ndarray, N: int) -> np.ndarray | None:
        _quiet(self.obj.forward, y.copy(), t.copy())
        try:
            sig = inspect.signature(self.obj.backward)
            takes_none = all(
                p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL,)
                for p in sig.parameters.values()
            )
        except (TypeError, ValueError):
            takes_none = False
        dx = _quiet(self.obj.backward) if takes_none else _quiet(self.obj.backward, 1.0)
        dx = _array(dx)
        if dx is None:
            self.find("no_return", "backward returned nothing: it must return dx.", N, "x")
            return None
        if dx.shape != y.shape:
            self.find("shape", f"dx has shape {dx.shape} but x has shape {y.shape}.", N, "x")
            return None
        return dx

    def loss_rows(self, y: np.ndarray, t: np.ndarray, kind: str) -> None:
        """The batch's loss must be the mean of its rows' losses (rows independent, 1/N)."""
        N = y.shape[0]
        L = self.loss_value(y, t, N, kind)
        rows = [self.loss_value(y[n : n + 1], t[n : n + 1], 1, kind) for n in range(N)]
        if L is None or any(r is None for r in rows):
            return
        mean, total = float(np.mean(rows)), float(np.sum(rows))
        if np.isclose(L, mean, rtol=1e-9, atol=1e-12):
            return
        if np.isclose(L, total, rtol=1e-9, atol=1e-12):
            self.find(
                "batch_scale",
                f"with {kind} targets the loss of a batch is the sum of its rows' losses "
                f"({L:.6g}), not their mean ({mean:.6g}): divide by N.",
                N,
            )
        else:
            self.find(
                "mixes_rows",
                f"with {kind} targets the loss of a batch ({L:.6g}) is not the mean of its rows' "
                f"losses ({mean:.6g}): rows mix, e.g. y[:, t] (an N×N block) instead of "
                "y[np.arange(N), t], or a sum over t · log(y)ᵀ.",
                N,
                kind,
            )


def check_layer(obj: Any, name: str | None = None, seed: int = 0) -> Report:
    """Check one layer or loss object; the report renders as a table in Jupyter."""
    if not (callable(getattr(obj, "forward", None)) and callable(getattr(obj, "backward", None))):
        raise UsageError(f"{name or type(obj).__name__} has no forward and backward methods.")
    checker = _Checker(obj, name or type(obj).__name__, seed)
    try:
        checker.loss() if checker.report.kind == "loss" else checker.layer()
    except Exception as exc:  # the user's code raised: that is a finding, not a crash
        checker.find("raised", f"calling it raised {type(exc).__name__}: {exc}")
    return checker.report


# ------------------------------------------------------------------------------ command line


def load(target: str) -> tuple[str, Any]:
    """``FILE.py:NAME`` -> the object: NAME() for a class or a factory function."""
    path_text, sep, name = target.rpartition(":")
    if not sep or not path_text or not name:
        raise UsageError(f"{target!r}: give FILE.py:NAME, e.g. my_layers.py:Relu.")
    path = Path(path_text)
    if not path.is_file():
        raise UsageError(f"{path_text}: no such file.")
    spec = importlib.util.spec_from_file_location(f"_checked_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path_text}: not a Python file.")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise UsageError(f"{path_text}: importing it failed: {type(exc).__name__}: {exc}") from exc
    if not hasattr(module, name):
        raise UsageError(f"{path_text} defines no {name!r}.")
    made = getattr(module, name)
    if not callable(made):
        raise UsageError(f"{name} is neither a class nor a function.")
    try:
        obj = made()
    except Exception as exc:
        raise UsageError(
            f"{name}() failed ({type(exc).__name__}: {exc}); NAME must be a class constructible "
            "without arguments or a function without required arguments returning a layer."
        ) from exc
    return f"{path.name}:{name}", obj


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.check",
        description="Check layers and losses written in the Deep-Learning-from-Scratch style "
        "against central differences. Exit 0: all pass; 1: findings; 2: usage or import error.",
    )
    parser.add_argument("targets", nargs="+", metavar="FILE.py:NAME")
    parser.add_argument("--json", action="store_true", help="print one JSON document (for CI)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    reports = []
    try:
        for target in args.targets:
            label, obj = load(target)
            reports.append(check_layer(obj, label, args.seed))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    passed = all(r.passed for r in reports)
    if args.json:
        print(json.dumps({"passed": passed, "reports": [r.to_dict() for r in reports]}, indent=2))
    else:
        for r in reports:
            print(str(r))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
