"""Mini-batch training of a layer stack on a data set, one report per epoch as it goes.

The loop folds the one protocol (each layer's ``forward -> (y, backward)``, the loss's gradient,
the backward closures in reverse) through :func:`app.engine.nn.fused.make_step`, fused where a
record allows it, and steps one optimizer record of :mod:`app.engine.optimizers`, the same
records the descent page uses: no second forward, backward, loss or update rule lives here.

What makes it fast at toy sizes, where the cost of a step is the number of numpy calls and not
the arithmetic: every parameter tensor is a view into one flat vector ``theta`` and every
gradient is written into its view of one flat ``g``, so the optimizer updates all of them in one
call per operation, in place (the record's ``rule_into``); each epoch's shuffle is applied once
(``take``) and batches are slices; the forward and backward passes skip their finiteness scans,
and divergence is read once an epoch off the losses of every step's output
(:func:`~app.engine.nn.fused.first_divergence`: the same epoch and step as a look at every
step). ``Training.fuse = False`` runs the plain protocol instead; the tests compare the two.

Determinism: the shuffle of epoch ``e`` is drawn from ``PCG64(seed)`` advanced by ``e·2^64``
steps (:func:`epoch_order`: streams that never overlap, and cheaper to reach than a new seeded
generator per epoch), so a run depends only on the request, and a run resumed at epoch ``e``
from the returned parameters, optimizer state and step counter continues bit for bit as if it
had never stopped.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any

import numpy as np

from app.engine import cost
from app.engine.errors import EngineError
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.nn.datasets import Data
from app.engine.nn.fused import first_divergence, make_step
from app.engine.nn.layers import LayerSpec, softmax, spec_from_dict
from app.engine.nn.losses import LOSSES, as_targets, get_loss
from app.engine.nn.network import Network, backward, build_network, forward, shapes_of
from app.engine.nn.protocol import Params
from app.engine.optimizers import OPTIMIZERS, Optimizer  # the seam: update rules come from here

DIVERGENCE_THRESHOLD = 1e12  # a loss above this (or not finite) ends the run as "diverged"
# A report warns (its run goes on) when the training loss has grown this many times over its
# value where the stream started (or over LOSS_GROWTH_FLOOR, whichever is larger: a resumed,
# well-trained run's tiny loss may wobble), or when an update moved a layer's weights by more
# than this share of their size (about 1e-3 trains well): the steps overshoot.
LOSS_GROWTH = 4.0
LOSS_GROWTH_FLOOR = 0.1
UPDATE_RATIO_LARGE = 0.1
PROB_DECIMALS = 4  # boundary probabilities are rounded to this many decimals (smaller lines)


# ------------------------------------------------------------------------ parameter layout


def epoch_order(seed: int, n: int) -> Callable[[int], np.ndarray]:
    """``order(e)``: the shuffle of the ``n`` training rows for epoch ``e``, a function of
    ``(seed, e)`` alone, drawn from ``PCG64(seed)`` advanced by ``e·2^64`` steps."""
    bits = np.random.PCG64(seed)
    start = bits.state
    rng = np.random.Generator(bits)

    def order(epoch: int) -> np.ndarray:
        bits.state = start
        bits.advance(epoch << 64)  # an epoch draws far fewer than 2^64 numbers
        return rng.permutation(n)

    return order


@dataclass(frozen=True)
class Layout:
    """Where each parameter tensor lives in the flat vector: ``keys[k] = (layer, name)`` in layer
    order (W then b of each affine layer), with its shape and its slice ``[lo, hi)``."""

    keys: tuple[tuple[int, str], ...]
    shapes: tuple[tuple[int, ...], ...]
    bounds: tuple[tuple[int, int], ...]
    n_layers: int

    @classmethod
    def of(cls, params: Sequence[Params], buffers: Sequence[Sequence[str]] = ()) -> Layout:
        """The layout of the trained tensors of ``params``: every one but layer i's
        ``buffers[i]`` (batchnorm's running statistics, carried beside the parameters)."""
        skip = [set(b) for b in buffers] or [set() for _ in params]
        keys = tuple((i, name) for i, p in enumerate(params) for name in p if name not in skip[i])
        shapes = tuple(params[i][name].shape for i, name in keys)
        ends = np.cumsum([0] + [math.prod(s) for s in shapes]).tolist()
        return cls(keys, shapes, tuple(itertools.pairwise(ends)), len(params))

    @property
    def size(self) -> int:
        return self.bounds[-1][1] if self.bounds else 0

    def flatten(self, tensors: Sequence[np.ndarray]) -> np.ndarray:
        """One float64 vector from the tensors in :attr:`keys` order."""
        return np.concatenate([np.asarray(t, dtype=np.float64) for t in tensors], axis=None)

    def tensors(self, flat: np.ndarray) -> list[np.ndarray]:
        """Views of ``flat`` shaped as the tensors, in :attr:`keys` order."""
        pairs = zip(self.bounds, self.shapes, strict=True)
        return [flat[lo:hi].reshape(s) for (lo, hi), s in pairs]

    def params(self, flat: np.ndarray) -> list[Params]:
        """The per-layer parameter dicts the layers take, as views of ``flat``."""
        out: list[Params] = [{} for _ in range(self.n_layers)]
        for (i, name), t in zip(self.keys, self.tensors(flat), strict=True):
            out[i][name] = t
        return out

    def weight_mask(self) -> np.ndarray:
        """1 on the entries of every W, 0 on the biases: L2 acts on weights only."""
        mask = np.zeros(self.size)
        for (_, name), (lo, hi) in zip(self.keys, self.bounds, strict=True):
            if name == "W":
                mask[lo:hi] = 1.0
        return mask

    def norms(self, flat: np.ndarray) -> list[float]:
        """The Euclidean norm of every tensor's part of ``flat``."""
        return [math.sqrt(float(np.vdot(t, t))) for t in self.tensors(flat)]


# ------------------------------------------------------------------------ what the outputs mean


@dataclass(frozen=True)
class Task:
    """How the network's outputs meet the data: ``classes`` (one output per class), ``sign``
    (one output for two classes with a loss on values, mse or huber, on targets -1/+1, as
    TensorFlow Playground trains) or ``regression`` (one real output, a loss on values). What
    a loss ``expects`` decides, never its name."""

    kind: str
    classes: int
    loss: str

    def targets(self, y: np.ndarray, n_out: int) -> np.ndarray:
        if self.kind == "sign":
            return (2.0 * y - 1.0).reshape(-1, 1)  # class 0 -> -1, class 1 -> +1
        return as_targets(y, (len(y), n_out), self.loss, source="the last layer")

    def probs(self, out: np.ndarray) -> np.ndarray:
        """Class probabilities ``(N, C)`` for the boundary: softmax of logits, the softmax layer's
        output, or the mse outputs clipped to [0, 1] (scores, not probabilities)."""
        if self.kind == "sign":
            p = np.clip((out[:, 0] + 1.0) / 2.0, 0.0, 1.0)
            return np.stack([1.0 - p, p], axis=1)
        expects = get_loss(self.loss).expects
        if expects == "logits":
            return softmax(out)
        if expects == "probabilities":
            return out
        return np.clip(out, 0.0, 1.0)

    def accuracy(self, out: np.ndarray, y: np.ndarray) -> float | None:
        if self.kind == "regression":
            return None
        predicted = (out[:, 0] > 0).astype(np.int64) if self.kind == "sign" else out.argmax(1)
        return float(np.mean(predicted == y))


def _on_values() -> str:
    """The losses on real values, by name ("mse or huber"), for messages."""
    return " or ".join(name for name, loss in LOSSES.items() if loss.expects == "values")


def make_task(data: Data, net: Network, loss: str) -> Task:
    """The task for ``data`` and this network, or an error saying what does not fit."""
    last = ("layers", len(net.layers) - 1)
    n_out = net.n_out
    on_values = net.loss.expects == "values"
    if data.regression:
        if not on_values:
            raise EngineError(
                f"{data.name} is a regression set (real targets): train it with a loss on "
                f"values ({_on_values()}), not {loss}, which expects {net.loss.expects}.",
                ("loss",),
            )
        if n_out != 1:
            raise EngineError(
                f"{data.name} has one real target per point, so the last layer must output 1 "
                f"value; it outputs {n_out}.",
                last,
            )
        return Task("regression", 0, loss)
    if on_values and n_out == 1 and data.classes == 2:
        return Task("sign", 2, loss)
    if n_out != data.classes:
        extra = (
            f" (or 1, trained with {_on_values()} on targets -1/+1)" if data.classes == 2 else ""
        )
        raise EngineError(
            f"the data set has {data.classes} classes, so the last layer must output "
            f"{data.classes} values{extra}, one per class; it outputs {n_out}.",
            last,
        )
    return Task("classes", data.classes, loss)


# ------------------------------------------------------------------------ the run


@dataclass(frozen=True)
class Resume:
    """Where a paused run stands: the parameters (``[{"index", "W", "b"}]``), the optimizer
    state (``{slot: [tensor, ...]}`` in :class:`Layout` order; empty: the optimizer starts
    afresh, e.g. after a change of optimizer, with ``step`` 0), the epochs and steps done."""

    params: Sequence[Mapping[str, Any]]
    optimizer_state: Mapping[str, Sequence[Any]]
    epoch: int
    step: int | None = None


@dataclass
class Outcome:
    """How a stream ended, for the log: the reason and the epochs it ran."""

    reason: str = "running"
    epoch: int = 0
    epochs_run: int = 0
    steps: int = 0  # optimizer steps taken by this stream


@dataclass
class Training:
    """A validated training run; :meth:`stream` runs it. Build it with :func:`prepare`."""

    data: Data
    net: Network
    task: Task
    layout: Layout
    theta: np.ndarray  # the initial parameters, flat
    buffers: list[Params]  # per layer, what it carries untrained (batchnorm's running statistics)
    slots: tuple[np.ndarray, ...]  # the optimizer's state: a flat vector per optimizer.slots
    step: int  # optimizer steps done so far
    start: int  # epochs done so far
    end: int  # the epoch to stop after
    optimizer: Optimizer
    options: dict[str, float]
    lr: float
    l2: float
    batch_size: int
    report_every: int
    boundary_every: int
    grid: int
    seed: int
    checkpoint: bool
    time_limit: float
    check_every: int  # optimizer steps between two looks at the clock and at stop()
    line_bytes: tuple[int, int, int]  # upper bounds: a report, one with a boundary, the last
    max_stream_bytes: int
    x: np.ndarray  # training inputs and target rows, test inputs and target rows
    t: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    outcome: Outcome = field(default_factory=Outcome)
    fuse: bool = True  # the fused training step (False: the plain protocol, for the tests)

    @cached_property
    def eval_net(self) -> Network:
        """The network in evaluation mode: batchnorm on its running statistics."""
        layers = tuple(
            replace(layer, training=False) if getattr(layer, "buffers", ()) else layer
            for layer in self.net.layers
        )
        return Network(layers, self.net.loss)

    # --------------------------------------------------------------------- reports

    def _params(self, theta: np.ndarray, buffers: Sequence[Params]) -> list[Params]:
        """The layers' parameters (views of ``theta``) with their buffers."""
        return [p | b for p, b in zip(self.layout.params(theta), buffers, strict=True)]

    def _evaluate(self, theta, buffers, x: np.ndarray, t: np.ndarray, y: np.ndarray, net=None):
        params = self._params(theta, buffers)
        outputs, backs = forward(net or self.net, params, x, check=False)
        L, loss_backward = self.net.loss.forward(outputs[-1], t)
        return outputs[-1], float(L), backs, loss_backward, self.task.accuracy(outputs[-1], y)

    @cached_property
    def _grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The boundary's axes ``x1, x2`` over the data's extent and its points, x1 varying
        fastest (one curve's x for a regression set): the same for every boundary of a run."""
        ext = self.data.extent()
        x1 = np.linspace(*ext[0], self.grid)
        x2 = x1 if self.task.kind == "regression" else np.linspace(*ext[1], self.grid)
        points = x1[:, None] if x2 is x1 else np.stack(np.meshgrid(x1, x2), axis=-1).reshape(-1, 2)
        for a in (x1, x2):
            a.flags.writeable = False  # every boundary line holds these very arrays
        return x1, x2, points

    def _boundary(self, theta: np.ndarray, buffers: Sequence[Params]) -> dict:
        """Class probabilities on a grid over the data (``probs[i][j]`` at ``x1[j], x2[i]``), or
        for a regression set the fitted curve ``{"x", "y"}``, in evaluation mode."""
        params = self._params(theta, buffers)
        x1, x2, points = self._grid
        out, _ = forward(self.eval_net, params, points, check=False)
        if self.task.kind == "regression":
            return {"curve": {"x": x1, "y": out[-1][:, 0]}}
        probs = np.round(self.task.probs(out[-1]), PROB_DECIMALS)
        return {"boundary": {"x1": x1, "x2": x2, "probs": probs.reshape(self.grid, self.grid, -1)}}

    def _state(self, theta, buffers, slots: tuple, epoch: int, step: int) -> dict:
        """What a resume needs, as JSON-ready arrays (copies: theta moves on)."""
        params = self._params(theta.copy(), buffers)
        return {
            "params": [{"index": i, **p} for i, p in enumerate(params) if p],
            "optimizer_state": {
                name: self.layout.tensors(s.copy())
                for name, s in zip(self.optimizer.slots, slots, strict=True)
            },
            "epoch": epoch,
            "step": step,
        }

    def _report(self, epoch, theta, buffers, slots, step, update, boundary: bool) -> dict:
        # the training set through the training-mode network (batchnorm: the whole set's
        # statistics, updating nothing); the test set and the boundary in evaluation mode
        _, train_loss, backs, loss_backward, train_acc = self._evaluate(
            theta, buffers, self.x, self.t, self.data.y_train
        )
        dy, _ = loss_backward(1.0)
        grads = backward(self.net, backs, dy, check=False)
        g = self.layout.flatten([grads[i][1][name] for i, name in self.layout.keys])
        _, test_loss, _, _, test_acc = self._evaluate(
            theta, buffers, self.x_test, self.t_test, self.data.y_test, self.eval_net
        )
        line: dict[str, Any] = {
            "epoch": epoch,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": train_acc,
            "test_accuracy": test_acc,
            "grad_norms": self.layout.norms(g),
            "update_ratios": None,
            "warnings": [],
        }
        if update is not None:  # ||ΔW|| / ||W|| of each affine layer at the epoch's last step
            pairs = zip(self.layout.norms(update), self.layout.norms(theta), strict=True)
            ratios = [u / w if w > 0 else None for u, w in pairs]
            line["update_ratios"] = [
                r for (_, name), r in zip(self.layout.keys, ratios, strict=True) if name == "W"
            ]
        if boundary:
            line |= self._boundary(theta, buffers)
        if self.checkpoint:
            line["resume"] = self._state(theta, buffers, slots, epoch, step)
        return line

    # --------------------------------------------------------------------- the loop

    def _epoch(self, epoch: int, theta: np.ndarray, run: dict, slots: tuple, step: int) -> tuple:
        """Train one epoch in place on ``theta``: ``(slots, step, update, diverged_loss)`` with
        ``update`` the last step's change of θ and ``diverged_loss`` None unless the loss blew
        up (then ``step`` counts the steps before the one whose loss did). ``run`` holds what
        every epoch reuses; every ``check_every`` steps ``run["halt"]()`` is asked whether to
        stop where it is (then ``update`` is the string ``"halted"``).

        The losses are read once, at the end (or at the halt), from the outputs of every step
        (:func:`~app.engine.nn.fused.first_divergence`): a step after a diverged one changes
        nothing the caller keeps, since a diverged run ends without its parameters."""
        rule, options, lr, bs = self.optimizer.rule, self.options, self.lr, self.batch_size
        into = self.optimizer.rule_into if self.fuse else None
        train_step, g, l2_mask = run["step"], run["g"], run["l2_mask"]
        order = run["shuffle"](epoch)
        xs, ts = self.x.take(order, 0), self.t.take(order, 0)
        n = len(xs)
        update = None
        halt, every = run["halt"], self.check_every
        outputs: list[np.ndarray] = []
        keep = outputs.append
        start, outcome = step, self.outcome
        for k, i in enumerate(range(0, n, bs)):
            if k and k % every == 0 and halt():
                update = "halted"
                break
            keep(train_step(xs[i : i + bs], ts[i : i + bs]))  # leaves dL/dθ in g
            if l2_mask is not None:
                g += l2_mask * theta  # d/dθ of (l2/2)·Σ‖W‖²
            step += 1
            outcome.steps += 1
            # one flat tensor: the optimizer record's rule is its whole step
            if into is not None:  # in place on theta and the slots, which this run owns
                if i + bs >= n:
                    before = theta.copy()
                    into(theta, g, slots, step, lr, options)
                    update = theta - before  # the epoch's last step, for update_ratios
                else:
                    into(theta, g, slots, step, lr, options)
                continue
            new, slots = rule(theta, g, slots, step, lr, options)
            if i + bs >= n:
                update = new - theta
            theta[...] = new
        bad = first_divergence(self.net.loss, outputs, ts, bs, DIVERGENCE_THRESHOLD)
        if bad is not None:  # the steps after the diverged one do not count
            outcome.steps -= step - start - bad[0]
            return slots, start + bad[0], update, bad[1]
        return slots, step, update, None

    def stream(
        self,
        stop: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
    ) -> Iterator[dict]:
        """One report per reported epoch, then ``{"done": true, "reason": ...}`` with what a
        resume needs. Ends early on ``stop()`` (nothing more is yielded), on the time limit
        (reason ``time_limit``), on the stream's byte budget (reason ``size_limit``: the next
        report would take the stream over ``max_stream_bytes``) or when the loss diverges.

        ``stop()`` and the clock are read between epochs and every ``check_every`` optimizer
        steps within one, so after either at most that many steps more are computed. An epoch
        cut short by the time limit is undone: the last line holds the state after the last
        whole epoch, so a resume continues bit for bit.

        The caller may resume this generator from different threads (a web server's pool):
        numpy's error state is set around each piece of work, never across a ``yield``.
        """
        t0 = clock()
        theta, step = self.theta.copy(), self.step
        slots = tuple(s.copy() for s in self.slots)  # the optimizer may update them in place
        epoch, reason, outcome = self.start, "max_epochs", self.outcome
        over = {"time": False}

        def halt() -> bool:
            if stop():
                return True
            over["time"] = clock() - t0 > self.time_limit
            return over["time"]

        params = self._params(theta, self.buffers)  # views: each update writes through
        with_stats = [i for i, b in enumerate(self.buffers) if b]
        g = np.empty_like(theta)  # dL/dθ of a step, written in place by the step's layers
        grads = self.layout.params(g)
        run = {
            "params": params,
            "step": make_step(self.net, params, grads, with_stats, fuse=self.fuse),
            "g": g,
            "l2_mask": self.l2 * self.layout.weight_mask() if self.l2 else None,
            "shuffle": epoch_order(self.seed, len(self.x)),
            "halt": halt,
        }
        report, with_boundary, last = self.line_bytes
        sent = 0
        quiet = partial(np.errstate, all="ignore")  # overflow shows as a diverged loss instead

        def buffers() -> list[Params]:  # the running statistics as they stand
            return [{k: run["params"][i][k] for k in b} for i, b in enumerate(self.buffers)]

        if self.start == 0 or self.start == self.end:  # the start, or the state resumed as is
            with quiet():
                line = self._report(
                    self.start, theta, self.buffers, slots, step, None, self.boundary_every > 0
                )
            sent += with_boundary if self.boundary_every > 0 else report
            yield line
            origin = (self.start, line["train_loss"])
        else:
            with quiet():
                start = self._evaluate(theta, self.buffers, self.x, self.t, self.data.y_train)
            origin = (self.start, start[1])
        for epoch in range(self.start + 1, self.end + 1):
            if stop():
                outcome.reason = "cancelled"
                return
            # the state to go back to if the epoch is cut (the running statistics' arrays are
            # replaced, never written into, so holding them keeps them)
            kept = (theta.copy(), tuple(s.copy() for s in slots), step, buffers())
            with quiet():
                slots, step, update, bad = self._epoch(epoch, theta, run, slots, step)
            if bad is not None:
                yield self._diverged(epoch, step, bad)
                return
            if isinstance(update, str):  # halted within the epoch
                if stop():
                    outcome.reason = "cancelled"
                    return
                theta[...], slots, step, stats = kept
                for i, b in enumerate(stats):
                    run["params"][i].update(b)
                epoch -= 1
                reason = "time_limit"
                break
            outcome.epoch, outcome.epochs_run = epoch, epoch - self.start
            if stop():
                outcome.reason = "cancelled"
                return
            over_time = epoch < self.end and clock() - t0 > self.time_limit
            if epoch % self.report_every == 0 or epoch == self.end or over_time:
                boundary = self.boundary_every > 0 and (
                    epoch % self.boundary_every == 0 or epoch == self.end or over_time
                )
                size = with_boundary if boundary else report
                if sent + size + last > self.max_stream_bytes:
                    reason = "size_limit"
                    break
                with quiet():
                    line = self._report(epoch, theta, buffers(), slots, step, update, boundary)
                line["warnings"] = self._warnings(line, origin)
                sent += size
                yield line
            if over_time:
                reason = "time_limit"
                break
        outcome.reason = reason
        done = {"done": True, "reason": reason, "seed": self.seed}
        if reason == "time_limit" and epoch == self.start:
            done["msg"] = (
                "not one epoch fitted in the time limit (BPX_MAX_TRAIN_SECONDS); use a larger "
                "batch, fewer points, or fewer or narrower layers."
            )
        yield done | self._state(theta, buffers(), slots, epoch, step)

    def _warnings(self, line: dict, origin: tuple[int, float]) -> list[dict]:
        """What a report has to warn about: a training loss that is not finite or has grown
        ``LOSS_GROWTH`` times over where the stream started (``origin``: its epoch and loss), an
        update as large as ``UPDATE_RATIO_LARGE`` of a layer's weights. The run goes on (it
        stops only when it diverges); the learner is told the steps overshoot."""
        epoch, loss, lr = line["epoch"], line["train_loss"], self.lr
        at, start = origin
        out = []
        if not math.isfinite(loss):
            out.append(
                _warning(
                    "loss_not_finite",
                    f"the training loss is {loss} at epoch {epoch}: lower the learning rate "
                    f"({lr:g}).",
                )
            )
        elif math.isfinite(start) and loss > LOSS_GROWTH * max(start, LOSS_GROWTH_FLOOR):
            out.append(
                _warning(
                    "loss_grew",
                    f"the training loss is {loss:.4g} at epoch {epoch}, {loss / start:.3g} times "
                    f"its {start:.3g} at epoch {at}: the steps overshoot; lower the learning "
                    f"rate ({lr:g}).",
                )
            )
        ratios = [(k, r) for k, r in enumerate(line["update_ratios"] or []) if r is not None]
        if ratios:
            k, r = max(ratios, key=lambda kr: kr[1])
            if not r <= UPDATE_RATIO_LARGE:
                out.append(
                    _warning(
                        "update_ratio_large",
                        f"at epoch {epoch} one step changed the weights of affine layer {k + 1} "
                        f"by {r:.2g} of their size (‖ΔW‖/‖W‖; about 0.001 trains well): lower "
                        f"the learning rate ({lr:g}).",
                    )
                )
        return out

    def _diverged(self, epoch: int, step: int, loss: float) -> dict:
        """The last line of a run whose loss blew up: where it happened and what to do. No
        parameters: a resume would only blow up again."""
        self.outcome.reason, self.outcome.epoch = "diverged", epoch
        what = "not a number" if math.isnan(loss) else f"{loss:.3g}"
        return {
            "done": True,
            "reason": "diverged",
            "epoch": epoch,
            "step": step,
            "msg": f"the training loss became {what} at epoch {epoch} (step {step + 1}); "
            "lower the learning rate.",
        }


def _warning(code: str, msg: str) -> dict:
    """One warning of a report; the learning rate is what to change."""
    return {"code": code, "msg": msg, "loc": ["lr"]}


def _with_params(
    specs: Sequence[LayerSpec | Mapping[str, Any]],
    given: Sequence[Mapping[str, Any]],
    names: Sequence[set[str]],
) -> list[LayerSpec]:
    """The specs with the parameters in ``given`` (``{"index", "W", "b"}``, ``{"index",
    "gamma", "beta"}``, ...) placed into the layers they name; ``names[i]`` are layer i's
    parameter names, every one of which must be given."""
    specs = [spec_from_dict(s, i) if isinstance(s, Mapping) else s for i, s in enumerate(specs)]
    by_index: dict[int, dict[str, Any]] = {}
    for k, p in enumerate(given):
        i, loc = p.get("index"), ("resume", "params", k)
        if not isinstance(i, int) or not 0 <= i < len(specs) or not names[i]:
            raise EngineError(
                f"resume.params[{k}] names index {i!r}, not a layer with parameters.",
                (*loc, "index"),
            )
        if i in by_index:
            raise EngineError(
                f"resume.params[{k}] gives layer {i}'s parameters twice; send each layer once.",
                (*loc, "index"),
            )
        values = {name: v for name, v in p.items() if name != "index" and v is not None}
        if set(values) != names[i]:
            raise EngineError(
                f"resume.params[{k}]: layer {i} ({specs[i].type}) takes "
                f"{', '.join(sorted(names[i]))}; got {', '.join(sorted(values)) or 'none'}.",
                loc,
            )
        by_index[i] = values
    for i, wanted in enumerate(names):
        if wanted and i not in by_index:
            raise EngineError(
                f"resume.params has no entry for layer {i} ({specs[i].type}).", ("resume", "params")
            )
    return [replace(s, **by_index[i]) if i in by_index else s for i, s in enumerate(specs)]


def place_params(
    layers: Sequence[LayerSpec | Mapping[str, Any]],
    given: Sequence[Mapping[str, Any]],
    width: int,
    loss: str,
) -> tuple[Network, list[Params]]:
    """The network of ``layers`` with the trained parameters ``given`` (by layer ``index``, as
    a stream's last line holds them) in place of their initial values, every shape checked."""
    _, initial = build_network(layers, width, loss)
    return build_network(_with_params(layers, given, [set(p) for p in initial]), width, loss)


def prepare(
    data: Data,
    layers: Sequence[LayerSpec | Mapping[str, Any]],
    loss: str = "softmax_cross_entropy",
    optimizer: str = "adam",
    options: Mapping[str, float] | None = None,
    lr: float = 0.01,
    batch_size: int = 32,
    epochs: int = 100,
    l2: float = 0.0,
    report_every: int = 1,
    boundary_every: int = 10,
    grid: int = 64,
    seed: int = 0,
    checkpoint: bool = False,
    resume: Resume | None = None,
    time_limit: float | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Training:
    """Check everything and set up the run; :meth:`Training.stream` then trains.

    Trains ``epochs`` epochs in all (a resumed run continues from ``resume.epoch`` to
    ``epochs``) of mini-batches of ``batch_size`` rows (the last batch of an epoch may be
    smaller) on ``data``'s training rows, minimising the mean loss plus ``(l2/2)·Σ‖W‖²`` over
    the weights (not the biases) with ``optimizer`` at learning rate ``lr``. Reports every
    ``report_every`` epochs (and the first and the last), with the decision boundary on a
    ``grid × grid`` grid every ``boundary_every`` epochs (0: never). ``time_limit`` seconds
    (default ``limits.max_train_seconds``) bound the run.
    """
    if optimizer not in OPTIMIZERS:
        raise EngineError(
            f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}.",
            ("optimizer",),
        )
    opt: Optimizer = OPTIMIZERS[optimizer]
    opts = opt.options(options)
    for name, value, lo in (
        ("epochs", epochs, 0),
        ("batch_size", batch_size, 1),
        ("report_every", report_every, 1),
        ("boundary_every", boundary_every, 0),
        ("grid", grid, 2),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise EngineError(f"{name} must be a whole number >= {lo}, got {value!r}.", (name,))
    if epochs > limits.max_epochs:
        raise EngineError(
            f"epochs must be at most {limits.max_epochs} (the limit BPX_MAX_EPOCHS).", ("epochs",)
        )
    if grid > limits.max_grid:
        raise EngineError(f"grid must be at most {limits.max_grid} (BPX_MAX_GRID).", ("grid",))
    for name, value in (("lr", lr), ("l2", l2)):
        if not (math.isfinite(value) and value >= 0) or (name == "lr" and value == 0):
            raise EngineError(f"{name} must be a finite number > 0, got {value!r}.", (name,))

    if resume is None:
        net, params = build_network(layers, data.width, loss)
    else:
        net, params = place_params(layers, resume.params, data.width, loss)
    task = make_task(data, net, loss)
    kept = [getattr(layer, "buffers", ()) for layer in net.layers]
    layout = Layout.of(params, kept)
    _no_batch_of_one(net, len(data.x_train), batch_size)
    if not layout.keys:
        raise EngineError(
            "the stack has no parameters (no affine layer): nothing to train.", ("layers",)
        )
    theta = layout.flatten([params[i][name] for i, name in layout.keys])
    buffers = [{k: params[i][k].astype(np.float64) for k in b} for i, b in enumerate(kept)]
    start, step = 0, 0
    slots = tuple(opt.init([theta.shape])[name][0] for name in opt.slots)
    if resume is not None:
        start = resume.epoch
        if not 0 <= start <= epochs:
            raise EngineError(
                f"resume.epoch is {start} but the run has {epochs} epochs in all.",
                ("resume", "epoch"),
            )
        steps_per_epoch = -(-len(data.x_train) // batch_size)
        step = start * steps_per_epoch if resume.step is None else resume.step
        if opt.slots and not resume.optimizer_state:  # an optimizer started afresh mid-run
            step = 0 if resume.step is None else resume.step
        else:
            slots = _state_from(resume.optimizer_state, opt, layout)
    check_every, line_bytes = _budget(data, net, params, task, layout, opt, limits, batch_size)(
        boundary_every, grid, checkpoint
    )
    return Training(
        data=data,
        net=net,
        task=task,
        layout=layout,
        theta=theta,
        buffers=buffers,
        slots=slots,
        step=step,
        start=start,
        end=epochs,
        optimizer=opt,
        options=opts,
        lr=float(lr),
        l2=float(l2),
        batch_size=batch_size,
        report_every=report_every,
        boundary_every=boundary_every,
        grid=grid,
        seed=seed,
        checkpoint=checkpoint,
        time_limit=limits.max_train_seconds if time_limit is None else time_limit,
        check_every=check_every,
        line_bytes=line_bytes,
        max_stream_bytes=limits.max_stream_bytes,
        x=data.x_train,
        t=task.targets(data.y_train, net.n_out),
        x_test=data.x_test,
        t_test=task.targets(data.y_test, net.n_out),
    )


def _budget(data, net, params, task, layout, opt, limits, batch_size):
    """``(boundary_every, grid, checkpoint) -> (check_every, line_bytes)`` from the cost model:
    the optimizer steps between two looks at the clock (about 50 ms of work) and the upper
    bounds of a report, a report with a boundary and the last line; refuses lines over
    ``limits.max_response_bytes`` and a stream whose first and last lines alone exceed
    ``limits.max_stream_bytes``."""
    n = len(data.x_train)
    shapes = shapes_of(net, params)
    epoch = cost.training_epoch(n, batch_size, shapes)
    check_every = cost.steps_between_checks(epoch.us / -(-n // batch_size))
    slots = len(opt.slots)

    def sizes(boundary_every: int, grid: int, checkpoint: bool) -> tuple[int, tuple]:
        def line(with_boundary: bool, resume: bool) -> int:
            c = cost.training_line(layout.shapes, slots, resume)
            if with_boundary:
                classes = 0 if task.kind == "regression" else max(net.n_out, 2)
                c += cost.boundary(grid, classes)
            return c.bytes

        passes = {  # (rows, with a backward, the way out); the largest names the field
            ("dataset", "n"): (n, True, "use fewer points"),
            ("dataset", "test_fraction"): (len(data.x_test), False, "use fewer points"),
            ("batch_size",): (batch_size, True, "use a smaller batch"),
            ("grid",): (grid * grid if boundary_every else 0, False, "lower grid"),
        }
        costs = {
            loc: (cost.training_memory(rows, back, shapes, slots), rows, how)
            for loc, (rows, back, how) in passes.items()
        }
        loc, (memory, rows, how) = max(costs.items(), key=lambda item: item[1][0].memory)
        cost.refuse_large(
            memory,
            limits.max_response_bytes,
            f"a pass over {rows} rows",
            f"{how}, or use fewer or narrower layers.",
            loc,
        )
        report, boundary, last = line(False, checkpoint), line(True, checkpoint), line(False, True)
        biggest = max(report, boundary if boundary_every else 0, last)
        if biggest > limits.max_response_bytes:
            big_boundary = boundary_every and boundary - report > last
            cost.refuse_large(
                cost.Cost(extra_bytes=biggest),
                limits.max_response_bytes,
                "a line of this stream",
                "lower grid or raise boundary_every to 0"
                if big_boundary
                else "use fewer or narrower layers (the last line carries every weight and the "
                "optimizer's state), or turn checkpoint off.",
                ("grid",) if big_boundary else ("layers",),
            )
        first = boundary if boundary_every else report
        if first + last > limits.max_stream_bytes:
            raise EngineError(
                f"the first and the last line of this stream alone would be up to "
                f"{(first + last) / 2**20:.3g} MiB, over the stream's limit of "
                f"{limits.max_stream_bytes / 2**20:.3g} MiB (BPX_MAX_STREAM_BYTES); lower grid, "
                "or use fewer or narrower layers.",
                ("layers",),
            )
        return check_every, (report, boundary, last)

    return sizes


def _no_batch_of_one(net: Network, n: int, batch_size: int) -> None:
    """Refuse a run whose mini-batches include one of a single row while a layer normalises
    over the batch (batchnorm in training mode), as PyTorch refuses it."""
    last = n % batch_size or min(batch_size, n)
    if min(batch_size, n, last) >= 2:
        return
    for layer in net.layers:
        if getattr(layer, "mixes_rows", False):
            raise EngineError(
                f"{net.describe(layer.index)} normalises each column over a mini-batch, and "
                f"with {n} training rows in batches of {batch_size} one batch has a single row "
                "(variance 0, so its output would be beta alone); choose a batch size that "
                "leaves at least 2 rows in every batch.",
                ("batch_size",),
            )


def _state_from(given: Mapping[str, Sequence[Any]], opt: Optimizer, layout: Layout) -> tuple:
    """The optimizer state of a resume (per tensor) as one flat vector per slot."""
    loc = ("resume", "optimizer_state")
    if set(given) != set(opt.slots):
        want = ", ".join(opt.slots) or "nothing (an empty object)"
        got = ", ".join(sorted(name[:20] for name in given)[:4])
        raise EngineError(f"{opt.name}'s state holds {want}; got {got}.", loc)
    out = []
    for slot in opt.slots:
        tensors = given[slot]
        if len(tensors) != len(layout.shapes):
            raise EngineError(
                f"optimizer_state.{slot} must hold {len(layout.shapes)} tensors, one per "
                f"parameter tensor, got {len(tensors)}.",
                (*loc, slot),
            )
        flat = []
        for k, (a, shape) in enumerate(zip(tensors, layout.shapes, strict=True)):
            arr = np.asarray(a, dtype=np.float64)
            if arr.shape != shape or not np.isfinite(arr).all():
                raise EngineError(
                    f"optimizer_state.{slot}[{k}] must be finite numbers of shape {shape}.",
                    (*loc, slot, k),
                )
            if slot in opt.squares and (arr < 0).any():
                raise EngineError(
                    f"optimizer_state.{slot}[{k}] holds a negative number, but {opt.name}'s "
                    f"{slot} sums squared gradients and is never negative: send the state the "
                    "stream returned, or {} to start the optimizer afresh.",
                    (*loc, slot, k),
                )
            flat.append(arr)
        out.append(layout.flatten(flat))
    return tuple(out)
