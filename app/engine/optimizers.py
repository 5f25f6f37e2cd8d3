"""Update rules of seven optimizers, one record each: SGD, momentum, Nesterov, Adagrad, RMSprop,
Adam, AdamW.

A record (:class:`Optimizer`) holds everything about one optimizer: its hyper-parameters and
their defaults, its update rule on one tensor, and its stability bound on a quadratic. The rules
work on any list of parameter tensors of any shapes, so the descent of a typed expression
(:func:`app.engine.numdiff.descent`) and a training loop use the same code::

    adam = OPTIMIZERS["adam"]
    options = adam.options({"beta1": 0.8})        # the defaults with these overrides
    state = adam.init([W.shape, b.shape])          # {"m": [zeros, zeros], "v": [zeros, zeros]}
    for t in range(1, steps + 1):                  # t counts steps from 1
        (W, b), state = adam.step([W, b], [dW, db], state, t, lr, options)

``step`` is pure: it returns new arrays and never writes into ``params``, ``grads`` or ``state``.
The state is a dict of lists of float64 arrays, one per parameter; :func:`state_to_json` and
:func:`state_from_json` turn it into nested lists and back bit for bit.

Hyper-parameters follow PyTorch's conventions and defaults:

- momentum (heavy ball): ``v = μ v + g``, ``x = x - lr v``
- nesterov: ``v = μ v + g``, ``x = x - lr (g + μ v)``
- adagrad: ``G = G + g²``, ``x = x - lr g / (√G + eps)`` (eps 1e-10)
- rmsprop: ``s = ρ s + (1 - ρ) g²``, ``x = x - lr g / (√s + eps)`` (ρ = 0.99, PyTorch's ``alpha``;
  Keras and Hinton's lecture use 0.9)
- adam: ``m = β1 m + (1 - β1) g``, ``v = β2 v + (1 - β2) g²``,
  ``x = x - lr m̂ / (√v̂ + eps)`` with bias-corrected ``m̂ = m / (1 - β1ᵗ)``, ``v̂ = v / (1 - β2ᵗ)``
- adamw: ``x = x (1 - lr λ)`` (decoupled weight decay, λ = 0.01, on every tensor it updates),
  then adam's step (Loshchilov and Hutter; PyTorch's ``AdamW``)

Each hyper-parameter is a :class:`Hyper` with its default, its range and its symbol: the API's
options schema and the pages' labels are built from these records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from app.engine.errors import EngineError

__all__ = [
    "HYPERS",
    "OPTIMIZERS",
    "Hyper",
    "Optimizer",
    "State",
    "state_from_json",
    "state_to_json",
]

State = dict[str, list[np.ndarray]]
# The rule on one tensor: (x, g, its slots in order, t, lr, options) -> (new x, new slots).
Rule = Callable[
    [np.ndarray, np.ndarray, tuple[np.ndarray, ...], int, float, Mapping[str, float]],
    tuple[np.ndarray, tuple[np.ndarray, ...]],
]


@dataclass(frozen=True)
class Hyper:
    """A hyper-parameter: ``lo <= value < hi`` (``lo < value`` when ``lo_open``; ``value <= hi``
    when ``hi_closed``), its LaTeX symbol and what it does, in a few words."""

    lo: float
    hi: float
    symbol: str
    meaning: str
    lo_open: bool = False
    hi_closed: bool = False
    glyph: str = ""  # the symbol as plain text, for labels ("μ")


# Every hyper-parameter any optimizer takes; a record's defaults name some of these.
HYPERS: Mapping[str, Hyper] = MappingProxyType(
    {
        "momentum": Hyper(
            0.0, 1.0, r"\mu", "momentum: the fraction of v kept each step", glyph="μ"
        ),
        "beta1": Hyper(0.0, 1.0, r"\beta_1", "decay of the first moment m", glyph="β1"),
        "beta2": Hyper(0.0, 1.0, r"\beta_2", "decay of the second moment v", glyph="β2"),
        "rho": Hyper(0.0, 1.0, r"\rho", "decay of the mean square s", glyph="ρ"),
        "eps": Hyper(
            0.0, 1.0, r"\epsilon", "added to the root in the denominator", True, True, glyph="ε"
        ),
        "weight_decay": Hyper(
            0.0,
            1e3,
            r"\lambda",
            "decoupled decay: x shrinks by lr·λ·x each step",
            hi_closed=True,
            glyph="λ",
        ),
    }
)


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its defaults, its update rule (code and LaTeX) and its stability bound."""

    name: str
    defaults: Mapping[str, float]  # every hyper-parameter it takes, with PyTorch's default
    slots: tuple[str, ...]  # names of its per-parameter state arrays, e.g. ("m", "v")
    rule: Rule
    # On f = ½ λ x², stable iff lr·λ < 2·factor(options); None for adaptive methods, which scale
    # their step themselves. ``bound`` writes that limit, ``who`` names the method.
    factor: Callable[[Mapping[str, float]], float] | None = None
    bound: str = ""
    who: str = ""
    squares: tuple[str, ...] = ()  # the slots that accumulate g² (never negative)
    label: str = ""  # how the pages name it
    latex: str = ""  # the update rule, with g the gradient and η the learning rate
    # What a page says beside its path (adamw: the decay moves the point it settles at).
    note: str = ""
    # The rule written into x and the slots' arrays (g is spent as scratch), for a caller that
    # owns all three (the training loop): the bits of ``rule``, in numpy's in-place calls.
    rule_into: Callable[..., None] | None = None

    def options(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """The defaults with ``overrides`` applied; EngineError for a name it does not take."""
        merged = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if key not in merged:
                allowed = ", ".join(merged) or "none"
                raise EngineError(
                    f"{self.name} has no option {key!r}; its options are: {allowed}", (key,)
                )
            merged[key] = float(value)
        return merged

    def init(self, shapes: Sequence[tuple[int, ...]]) -> State:
        """The state before the first step: zeros for each slot and each parameter shape."""
        return {slot: [np.zeros(shape) for shape in shapes] for slot in self.slots}

    def step(
        self,
        params: Sequence[np.ndarray],
        grads: Sequence[np.ndarray],
        state: State,
        t: int,
        lr: float,
        options: Mapping[str, float] | None = None,
    ) -> tuple[list[np.ndarray], State]:
        """Step ``t`` (1, 2, ...) on every parameter: the new parameters and the new state.

        ``options`` is the full set from :meth:`options` (the defaults if None).
        """
        o = self.defaults if options is None else options
        new_params: list[np.ndarray] = []
        new_slots: list[tuple[np.ndarray, ...]] = []
        for i, (x, g) in enumerate(zip(params, grads, strict=True)):
            x, s = self.rule(x, g, tuple(state[k][i] for k in self.slots), t, lr, o)
            new_params.append(x)
            new_slots.append(s)
        return new_params, {k: [s[j] for s in new_slots] for j, k in enumerate(self.slots)}

    def warning(
        self, lr: float, lr_limit: float | None, options: Mapping[str, float]
    ) -> str | None:
        """A warning when ``lr`` is at or above this method's bound for ``lr_limit`` = 2/λmax.

        The bound comes from a finite-difference Hessian (x1**2 + x2**2 gives 2/λmax =
        1.0000000005, not 1), so ``lr`` within ``BOUND_RTOL`` of it counts as on it: there plain
        gradient descent neither converges nor diverges but oscillates for ever."""
        if lr_limit is None or self.factor is None:
            return None
        limit = lr_limit * self.factor(options)
        if lr < limit * (1 - BOUND_RTOL):
            return None
        if lr <= limit * (1 + BOUND_RTOL):
            return (
                f"lr {lr:g} is at {self.bound} = {limit:.6g} at the start point (to within "
                f"{BOUND_RTOL:g}): {self.who} will oscillate without converging; take a "
                "smaller lr"
            )
        return (
            f"lr {lr:g} is above {self.bound} = {limit:.3g} at the start point: "
            f"{self.who} will likely diverge"
        )


BOUND_RTOL = 1e-6  # how close to the stability bound counts as on it (see Optimizer.warning)


def _sgd(x, g, s, t, lr, o):
    return x - lr * g, s  # x - lr ∇f


def _momentum(x, g, s, t, lr, o):
    v = o["momentum"] * s[0] + g  # v = μ v + g
    return x - lr * v, (v,)


def _nesterov(x, g, s, t, lr, o):
    mu = o["momentum"]
    v = mu * s[0] + g  # v = μ v + g
    return x - lr * (g + mu * v), (v,)  # look ahead along v


def _adagrad(x, g, s, t, lr, o):
    G = s[0] + g * g  # running sum of g²
    return x - lr * g / (np.sqrt(G) + o["eps"]), (G,)


def _rmsprop(x, g, s, t, lr, o):
    rho = o["rho"]
    sq = rho * s[0] + (1 - rho) * g * g  # moving average of g²
    return x - lr * g / (np.sqrt(sq) + o["eps"]), (sq,)


def _adam(x, g, s, t, lr, o):
    b1, b2 = o["beta1"], o["beta2"]
    m = b1 * s[0] + (1 - b1) * g  # first moment
    v = b2 * s[1] + (1 - b2) * g * g  # second moment
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + o["eps"]), (m, v)


def _adamw(x, g, s, t, lr, o):
    # PyTorch's AdamW: decay first (x (1 - lr λ)), decoupled from g, then adam's step
    return _adam(x * (1 - lr * o["weight_decay"]), g, s, t, lr, o)


# The same rules in place: x and s[k] take the new values; g is overwritten. Each computes the
# very expressions above, operand for operand (a * b and b * a are the same bits).


def _sgd_into(x, g, s, t, lr, o):
    g *= lr
    x -= g


def _momentum_into(x, g, s, t, lr, o):
    v = s[0]
    v *= o["momentum"]
    v += g
    np.multiply(v, lr, out=g)
    x -= g


def _nesterov_into(x, g, s, t, lr, o):
    mu, v = o["momentum"], s[0]
    v *= mu
    v += g
    g += mu * v
    g *= lr
    x -= g


def _adagrad_into(x, g, s, t, lr, o):
    G = s[0]
    G += g * g
    d = np.sqrt(G)
    d += o["eps"]
    g *= lr
    g /= d
    x -= g


def _rmsprop_into(x, g, s, t, lr, o):
    rho, sq = o["rho"], s[0]
    sq *= rho
    sq += (1 - rho) * g * g
    d = np.sqrt(sq)
    d += o["eps"]
    g *= lr
    g /= d
    x -= g


def _adam_into(x, g, s, t, lr, o):
    b1, b2 = o["beta1"], o["beta2"]
    m, v = s
    m *= b1
    m += (1 - b1) * g
    v *= b2
    v += (1 - b2) * g * g
    np.divide(m, 1 - b1**t, out=g)  # m_hat, lr times it below
    d = v / (1 - b2**t)  # v_hat
    np.sqrt(d, out=d)
    d += o["eps"]
    g *= lr
    g /= d
    x -= g


def _adamw_into(x, g, s, t, lr, o):
    x *= 1 - lr * o["weight_decay"]
    _adam_into(x, g, s, t, lr, o)


def _frozen(d: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(d)


_ADAM = (
    r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
    r"\theta \leftarrow \theta - \frac{\eta\, \hat m}{\sqrt{\hat v} + \epsilon},\ "
    r"\hat m = \frac{m}{1-\beta_1^t},\ \hat v = \frac{v}{1-\beta_2^t}"
)

OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer(
            "sgd",
            _frozen({}),
            (),
            _sgd,
            lambda o: 1.0,
            "2/λmax",
            "plain gradient descent",
            rule_into=_sgd_into,
            label="SGD",
            latex=r"\theta \leftarrow \theta - \eta\, g",
        ),
        # Heavy ball on a quadratic: stable iff lr·λ < 2(1+μ).
        Optimizer(
            "momentum",
            _frozen({"momentum": 0.9}),
            ("v",),
            _momentum,
            lambda o: 1 + o["momentum"],
            "2(1+μ)/λmax",
            "momentum",
            rule_into=_momentum_into,
            label="momentum",
            latex=r"v \leftarrow \mu v + g,\quad \theta \leftarrow \theta - \eta\, v",
        ),
        # Nesterov on a quadratic: stable iff lr·λ < 2(1+μ)/(1+2μ).
        Optimizer(
            "nesterov",
            _frozen({"momentum": 0.9}),
            ("v",),
            _nesterov,
            lambda o: (1 + o["momentum"]) / (1 + 2 * o["momentum"]),
            "2(1+μ)/((1+2μ)λmax)",
            "nesterov",
            rule_into=_nesterov_into,
            label="Nesterov",
            latex=r"v \leftarrow \mu v + g,\quad \theta \leftarrow \theta - \eta\,(g + \mu v)",
        ),
        Optimizer(
            "adagrad",
            _frozen({"eps": 1e-10}),
            ("G",),
            _adagrad,
            squares=("G",),
            rule_into=_adagrad_into,
            label="Adagrad",
            latex=r"G \leftarrow G + g^2,\quad "
            r"\theta \leftarrow \theta - \frac{\eta\, g}{\sqrt{G} + \epsilon}",
        ),
        Optimizer(
            "rmsprop",
            _frozen({"rho": 0.99, "eps": 1e-8}),
            ("s",),
            _rmsprop,
            squares=("s",),
            rule_into=_rmsprop_into,
            label="RMSprop",
            latex=r"s \leftarrow \rho s + (1-\rho) g^2,\quad "
            r"\theta \leftarrow \theta - \frac{\eta\, g}{\sqrt{s} + \epsilon}",
        ),
        Optimizer(
            "adam",
            _frozen({"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
            ("m", "v"),
            _adam,
            squares=("v",),
            rule_into=_adam_into,
            label="Adam",
            latex=_ADAM,
        ),
        Optimizer(
            "adamw",
            _frozen({"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}),
            ("m", "v"),
            _adamw,
            squares=("v",),
            rule_into=_adamw_into,
            label="AdamW",
            latex=r"\theta \leftarrow \theta\,(1 - \eta\lambda),\ " + _ADAM,
            note="weight decay pulls every parameter toward 0 each step, so the path settles "
            "where Adam's step balances that pull, not at the minimum of f: the contour's "
            "minimum is not where AdamW stops.",
        ),
    )
}


def state_to_json(state: State) -> dict[str, list]:
    """The state as nested lists of floats (JSON writes each float so that it reads back exact)."""
    return {k: [a.tolist() for a in arrays] for k, arrays in state.items()}


def state_from_json(data: Mapping[str, Sequence]) -> State:
    """The state written by :func:`state_to_json`, as float64 arrays again."""
    return {k: [np.array(a, dtype=np.float64) for a in arrays] for k, arrays in data.items()}
