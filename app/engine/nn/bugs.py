"""The registry of planted bugs, and the layers and losses that run them.

Each :class:`Bug` is one record: the layer kind or loss it applies to, its wrong and its right
code (functions of :mod:`app.engine.nn.bug_code`; the text shown is their source, so the code
shown is the code that runs), an explanation, where the mistake comes from, and ``shows_when``:
the condition under which the gradient check (or a ``wrote_input`` warning) sees it, in words
and as a predicate the tests hold it to.

:func:`plant` puts bugs into a built :class:`app.engine.nn.network.Network`: the layer (or the
loss) named then runs the bug's wrong code instead of the engine's, through the same protocol,
so the forward pass, the backward pass and the gradient check fold it without knowing. Nothing
runs buggy code unless a request names a bug (or a hunt's challenge).

A batchnorm layer is not in this engine yet: its record ("a batchnorm backward that drops the
mean terms") is to be added beside it; ``layernorm_no_mean_terms`` is the same mistake in the
layer that normalises each row.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.errors import EngineError, warning
from app.engine.nn import bug_code as code
from app.engine.nn.protocol import Backward, Params
from app.engine.verdicts import judge

# shows(a, t, dy): a is the input of the bugged layer (the loss's y), t the targets as the loss
# gets them (class indices (N,) or rows), dy the gradient arriving at the layer's output (None
# for a loss), all from a run without the bug.
Shows = Callable[[np.ndarray, np.ndarray, np.ndarray | None], bool]


def _always(a, t, dy) -> bool:
    return dy is None or bool(np.any(dy))


def _batch(a, t, dy) -> bool:
    return a.shape[0] >= 2 and _always(a, t, dy)


def _classes(a, t, dy) -> bool:
    return a.shape[1] >= 2 and _always(a, t, dy)


def _beyond_tolerance(wrong: np.ndarray, right: np.ndarray) -> bool:
    """Would the gradient check's verdict fail the layer's own dx against the true one?"""
    return not judge(wrong, right).passed


def _tanh_far_from_0(a, t, dy) -> bool:
    y = np.tanh(a)
    return _beyond_tolerance(dy * (1 - a**2), dy * (1 - y**2))


def _not_one_per_class(a, t, dy) -> bool:
    rows = np.eye(a.shape[1])[t] if t.ndim == 1 else t
    return a.shape[1] >= 2 and not np.allclose(rows.sum(axis=0), 1.0)


def _two_labels(a, t, dy) -> bool:
    return t.ndim == 1 and np.unique(t).size >= 2


def _negative_input(a, t, dy) -> bool:
    return bool(np.any((a <= 0) & (dy != 0)))


def _not_symmetric(a, t, dy) -> bool:
    G = a.T @ dy  # the right dW; its transpose has W's shape only when W is square
    return G.shape[0] != G.shape[1] or not np.allclose(G, G.T, rtol=1e-3, atol=1e-5)


@dataclass(frozen=True)
class Bug:
    """One planted mistake: where it goes, its code wrong and right, and when it shows."""

    name: str
    applies_to: str  # a layer type, or a loss name
    wrong_fn: Callable = field(repr=False)
    right_fn: Callable = field(repr=False)
    explanation: str
    source: str
    shows_when: str
    shows: Shows = field(repr=False)
    tensor: str  # the first gradient it spoils: "x" (the layer's input), a parameter, or "seed"
    level: int  # 1: a parameter's own gradient; 2: an activation or loss; 3: forward, in place
    caught_by: str = "gradient check"  # or "wrote_input"
    mixes_rows: bool = False  # its forward mixes the samples of a batch (rows are not separable)
    options: tuple[str, ...] = ()  # layer options its code takes (layernorm's eps)

    @property
    def wrong(self) -> str:
        """The wrong code, as it runs."""
        return inspect.getsource(self.wrong_fn)

    @property
    def right(self) -> str:
        """The right code, as the tests run it beside the engine's own layer."""
        return inspect.getsource(self.right_fn)

    @property
    def is_loss(self) -> bool:
        return self.tensor == "seed"

    def record(self) -> dict[str, Any]:
        """The record as ``/api/v1/meta`` lists it."""
        return {
            "name": self.name,
            "applies_to": self.applies_to,
            "wrong": self.wrong,
            "right": self.right,
            "explanation": self.explanation,
            "source": self.source,
            "shows_when": self.shows_when,
            "tensor": self.tensor,
            "level": self.level,
            "caught_by": self.caught_by,
        }


NOTEBOOK = "the seed notebook (error {}), in the style of Deep Learning from Scratch"
CLASSIC = "a classic: {}"

_LIST = [
    Bug(
        "softmax_axis0",
        "softmax",
        code.softmax_axis0,
        code.softmax,
        "The softmax normalises each column (axis 0, across the samples) instead of each row "
        "(across the classes), after subtracting the column max. The outputs are no longer a "
        "distribution per sample and each row depends on the others; the backward pass, written "
        "for a row-wise softmax, is not the derivative of this forward pass.",
        NOTEBOOK.format(1),
        "C ≥ 2, fed to cross_entropy, unless every class is the label of exactly one sample "
        "(N = C): then each column of dy·y sums to what each row does, and the row-wise backward "
        "happens to be this forward's derivative",
        _not_one_per_class,
        "x",
        3,
        mixes_rows=True,
    ),
    Bug(
        "cross_entropy_block",
        "cross_entropy",
        code.cross_entropy_block,
        code.cross_entropy,
        "y[:, t] is an N×N block: every row's probability of every label in the batch, so the "
        "loss sums N² logs instead of N and the seed gradient (written for y[arange(N), t]) is "
        "not its derivative. The notebook's loss of 6952 for 4 classes comes from here; the "
        "right loss is near ln 4 ≈ 1.4.",
        NOTEBOOK.format(2),
        "N ≥ 2",
        _batch,
        "seed",
        3,
        mixes_rows=True,
    ),
    Bug(
        "softmax_cross_entropy_block",
        "softmax_cross_entropy",
        code.softmax_cross_entropy_block,
        code.softmax_cross_entropy,
        "dz[:, t] -= 1 subtracts 1 in every row at every label that occurs in the batch; each "
        "row must lose 1 only at its own label: dz[np.arange(N), t] -= 1. When every label is "
        "the same the two agree, which is why a small test can miss it.",
        NOTEBOOK.format(3),
        "class-index targets with at least two different labels",
        _two_labels,
        "seed",
        3,
    ),
    Bug(
        "softmax_no_upstream",
        "softmax",
        code.softmax_no_upstream,
        code.softmax,
        "The backward returns y(1 - y), the Jacobian's diagonal, and never uses dy, the gradient "
        "arriving from above. By the chain rule dx is the Jacobian-vector product "
        "(diag(y) - y yᵀ) dy = y ⊙ (dy - Σ dy·y), row by row.",
        NOTEBOOK.format(4),
        "C ≥ 2",
        _classes,
        "x",
        2,
    ),
    Bug(
        "relu_in_place",
        "relu",
        code.relu_in_place,
        code.relu,
        "dy[x <= 0] = 0 zeroes entries of the array the caller passed in and returns it: dx is "
        "right, but the layer above now holds a different gradient than the one it computed. "
        "Work on a copy: dx = dy * (x > 0).",
        NOTEBOOK.format(5),
        "some input of the relu is ≤ 0 where the arriving gradient is not already 0",
        _negative_input,
        "x",
        3,
        caught_by="wrote_input",
    ),
    Bug(
        "softmax_diagonal",
        "softmax",
        code.softmax_diagonal,
        code.softmax,
        "dy * y(1 - y) keeps only the diagonal of the Jacobian diag(y) - y yᵀ: each output "
        "depends on every input of its row, so the off-diagonal terms -y_i y_j count too. "
        "dx = y ⊙ (dy - Σ dy·y).",
        CLASSIC.format("treating softmax like an element-wise activation"),
        "C ≥ 2",
        _classes,
        "x",
        2,
    ),
    Bug(
        "affine_dW_transposed",
        "affine",
        code.affine_dW_transposed,
        code.affine,
        "dy.T @ x is (out, in), the transpose of dW. A gradient has its parameter's shape: "
        "dW = x.T @ dy, (in, N) @ (N, out).",
        CLASSIC.format("a transpose, the most reported backward mistake"),
        "always, unless xᵀ·dy happens to be symmetric (W square)",
        _not_symmetric,
        "W",
        1,
    ),
    Bug(
        "affine_db_no_sum",
        "affine",
        code.affine_db_no_sum,
        code.affine,
        "b is added to every row, so its gradient sums dy over the batch: db = dy.sum(axis=0), "
        "of b's shape (out,). dy itself is (N, out).",
        CLASSIC.format("a bias gradient without its sum over the batch"),
        "N ≥ 2",
        _batch,
        "b",
        1,
    ),
    Bug(
        "softmax_cross_entropy_no_mean",
        "softmax_cross_entropy",
        code.softmax_cross_entropy_no_mean,
        code.softmax_cross_entropy,
        "The loss is a mean over the N samples, so its gradient carries 1/N: (y - t) / N. "
        "Without it every gradient is N times too large.",
        CLASSIC.format("the missing 1/N"),
        "N ≥ 2",
        _batch,
        "seed",
        1,
    ),
    Bug(
        "sigmoid_from_x",
        "sigmoid",
        code.sigmoid_from_x,
        code.sigmoid,
        "σ'(x) = y(1 - y) with y = σ(x), the output; x(1 - x) uses the input instead.",
        CLASSIC.format("a derivative written in the output, fed the input"),
        "always (where a gradient arrives at the layer: not all of dy is 0)",
        _always,
        "x",
        1,
    ),
    Bug(
        "tanh_from_x",
        "tanh",
        code.tanh_from_x,
        code.tanh,
        "tanh'(x) = 1 - y² with y = tanh(x), the output; 1 - x² uses the input instead.",
        CLASSIC.format("a derivative written in the output, fed the input"),
        "an input is far enough from 0 that 1 - x² and 1 - tanh²(x) differ beyond the "
        "check's tolerance (near 0 they agree to about x⁴)",
        _tanh_far_from_0,
        "x",
        1,
    ),
    Bug(
        "sigmoid_in_place",
        "sigmoid",
        code.sigmoid_in_place,
        code.sigmoid,
        "dy *= … multiplies the caller's array in place: dx is right, but the layer above now "
        "holds a different gradient than the one it computed. dx = dy * y * (1 - y) makes a "
        "new array.",
        CLASSIC.format("an in-place write into dy (the += and *= of micrograd's issues)"),
        "always (some arriving gradient is not 0)",
        _always,
        "x",
        3,
        caught_by="wrote_input",
    ),
    Bug(
        "layernorm_no_mean_terms",
        "layernorm",
        code.layernorm_no_mean_terms,
        code.layernorm,
        "The mean μ and the deviation σ are functions of x too, so dx has two more terms: "
        "dx = (g - mean(g) - x̂ · mean(g x̂)) / σ with g = dy ⊙ γ. Dropping them treats the "
        "normalisation as a constant scale. (Batch norm's backward has the same two terms, "
        "over the batch instead of the row.)",
        CLASSIC.format("a normalisation backward that drops the mean terms"),
        "D ≥ 2",
        _classes,
        "x",
        2,
        options=("eps",),
    ),
]

# The one registry of bugs.
BUGS: dict[str, Bug] = {bug.name: bug for bug in _LIST}


def get_bug(name: str, loc: tuple) -> Bug:
    if name not in BUGS:
        raise EngineError(f"unknown bug {name[:40]!r}; see /api/v1/meta for the list.", loc)
    return BUGS[name]


# ------------------------------------------------------------------------------ planting


def _wrote(where: str | None, before: np.ndarray, after: np.ndarray, loc: tuple) -> dict:
    n = int(np.sum(before != after))
    who = "a layer's backward" if where is None else f"the backward of {where}"
    return warning(
        "wrote_input",
        f"{who} wrote into the gradient it was given ({n} of {before.size} entries changed): "
        "the gradient the layer above passed down is not what that layer computed any more.",
        loc,
    )


@dataclass(frozen=True, eq=False)
class PlantedLayer:
    """A layer of the network running a bug's wrong code, with the protocol of the others."""

    inner: Any  # the engine's layer it replaces (index, widths, kinks, cost)
    bug: Bug
    base: Mapping[str, int]  # each parameter's own number of axes (more: perturbed copies)
    warnings: list = field(default_factory=list)  # this request's wrote_input warnings
    hidden: bool = False  # a hunt: warnings do not say which layer

    keeps_finite = False

    @property
    def mixes_rows(self) -> bool:
        return self.bug.mixes_rows

    def __getattr__(self, name: str):  # index, kind, n_in, n_out, passes, sets_width, eps...
        if name.startswith("__") or name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def regions(self, x: np.ndarray):
        return self.inner.regions(x)

    def macs(self, N: int) -> int:
        return self.inner.macs(N)

    def _run(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        opts = {k: getattr(self.inner, k) for k in self.bug.options}
        with np.errstate(all="ignore"):
            y, back = self.bug.wrong_fn(x, **p, **opts)
        return np.asarray(y, dtype=x.dtype), back

    def forward(self, x: np.ndarray, p: Params) -> tuple[np.ndarray, Backward]:
        if x.ndim == 2 and all(v.ndim == self.base[k] for k, v in p.items()):
            y, back = self._run(x, p)

            def backward(dy: np.ndarray) -> tuple[np.ndarray, Params]:
                before = dy.copy()
                with np.errstate(all="ignore"):
                    dx, grads = back(dy)
                if not np.array_equal(before, dy):
                    where = None if self.hidden else f"layer {self.index} ({self.kind})"
                    loc = () if self.hidden else ("layers", self.index)
                    self.warnings.append(_wrote(where, before, dy, loc))
                return np.asarray(dx, dtype=dy.dtype), {
                    k: np.asarray(g, dtype=dy.dtype) for k, g in grads.items()
                }

            return y, backward
        # Perturbed copies of the gradient check: the book-style code is 2-D, one copy at a time.
        K = next(
            (v.shape[0] for k, v in p.items() if v.ndim > self.base[k]),
            x.shape[0] if x.ndim > 2 else 1,
        )
        ys = []
        for k in range(K):
            xk = x[k] if x.ndim > 2 else x
            pk = {n: (v[k] if v.ndim > self.base[n] else v) for n, v in p.items()}
            ys.append(self._run(xk, pk)[0])
        return np.stack(ys), _no_backward


def _no_backward(dy):
    raise RuntimeError("perturbed copies have no backward pass")


@dataclass(frozen=True, eq=False)
class PlantedLoss:
    """The network's loss running a bug's wrong code: the loss is the whole batch's number."""

    inner: Any  # the engine's Loss it replaces
    bug: Bug
    mixes_rows = True  # a bug's loss is not a mean of separable row terms

    def __getattr__(self, name: str):  # name, expects, passes, fragile, formula...
        if name.startswith("__") or name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def forward(self, y: np.ndarray, t: np.ndarray):
        with np.errstate(all="ignore"):
            L, back = self.bug.wrong_fn(y, t)

        def backward(dL: Any = 1.0) -> tuple[np.ndarray, dict]:
            with np.errstate(all="ignore"):
                dy, _ = back(dL)
            return np.asarray(dy, dtype=y.dtype), {}

        return float(L), backward

    def rows(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """``(..., N)`` terms whose mean is the loss of each copy (every term is that loss)."""
        N = y.shape[-2]
        flat = y.reshape(-1, N, y.shape[-1])
        with np.errstate(all="ignore"):
            L = np.array([float(self.bug.wrong_fn(c, t)[0]) for c in flat])
        return np.repeat(L[:, None], N, axis=1).reshape(*y.shape[:-2], N)


def plant(
    net: Any,
    params: list[Params],
    bugs: Mapping[int, str] | None = None,
    loss_bug: str | None = None,
    hidden: bool = False,
) -> Any:
    """``net`` with the named layers (``{index: bug name}``) and loss running their bugs.

    Each bug must apply to the layer's kind (the loss's name). ``hidden`` (a hunt) keeps the
    wrote_input warnings from naming the layer and the errors from naming the bug.
    """
    layers = list(net.layers)
    for i, name in (bugs or {}).items():
        loc = ("layers", i, "bug")
        if not 0 <= i < len(layers):
            raise EngineError(f"there is no layer {i} to plant a bug in.", ("layers",))
        bug = get_bug(name, loc)
        if bug.is_loss or layers[i].kind != bug.applies_to:
            raise EngineError(
                f"bug {name!r} applies to {bug.applies_to}"
                f"{'' if bug.is_loss else ' layers'}, not to {net.describe(i)}.",
                loc,
            )
        base = {k: v.ndim for k, v in params[i].items()}
        layers[i] = PlantedLayer(layers[i], bug, base, [], hidden)
    loss = net.loss
    if loss_bug is not None:
        bug = get_bug(loss_bug, ("loss_bug",))
        if not bug.is_loss or bug.applies_to != loss.name:
            raise EngineError(
                f"bug {loss_bug!r} applies to {bug.applies_to}, not to the loss {loss.name}.",
                ("loss_bug",),
            )
        loss = PlantedLoss(loss, bug)
    return type(net)(tuple(layers), loss)


def planted_warnings(net: Any) -> list[dict]:
    """The wrote_input warnings the planted layers raised in this request's backward pass."""
    return [w for layer in net.layers for w in getattr(layer, "warnings", ())]


def mixes_rows(net: Any) -> bool:
    """Does some layer (or the loss) mix the samples of a batch? Then the gradient check moves
    the input one entry at a time instead of a column at a time."""
    return any(getattr(part, "mixes_rows", False) for part in (*net.layers, net.loss))
