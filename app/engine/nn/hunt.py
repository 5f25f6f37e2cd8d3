"""Bug hunt: a network with one planted bug whose place the learner finds with the checks.

A challenge is a token that stands for a seed and a level, nothing else: from them
:func:`make_hunt` rebuilds, the same on every server and in every release, the network, which
layer (or the loss) is bugged and how. So the server keeps no state, any replica answers, and a
teacher's link (the seed in the URL) gives every student the same challenge. The network the
learner gets names no bug; a ``/network/run`` body that carries the token runs with the bug
planted (:func:`planted_for`), and :func:`judge` says whether a guess names the right layer and
gradient.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.errors import EngineError
from app.engine.nn.bugs import BUGS, Bug
from app.engine.nn.network import build_network, run_network

LEVELS = (1, 2, 3)
MAX_SEED = 2**32 - 1
_VERSION = b"h1"  # the token's layout; a new layout gets a new version
_SALT = 25  # keeps a hunt's random stream apart from other seeded draws
_TRIES = 32  # networks drawn until the checks see the bug (one is almost always enough)
_ACTS = ("sigmoid", "tanh", "relu")


@dataclass(frozen=True)
class Hunt:
    """One challenge: the network as the learner gets it, and where its bug is."""

    seed: int
    level: int
    network: dict[str, Any]  # a /network/run body without any bug in it
    index: int  # the bugged layer, or len(layers) for the loss
    bug: Bug

    @property
    def token(self) -> str:
        return encode(self.seed, self.level)

    def places(self) -> list[dict[str, Any]]:
        """Every place a guess may name: each layer with the gradients it yields (``x``, its
        input gradient, then its parameters') and the loss with its ``seed``."""
        body = self.network
        net, params = build_network(body["layers"], len(body["x"][0]), body["loss"])
        out = [
            {"index": i, "label": net.describe(i), "tensors": ["x", *params[i]]}
            for i in range(len(net.layers))
        ]
        loss = {"index": len(net.layers), "label": f"the loss ({body['loss']})"}
        return [*out, loss | {"tensors": ["seed"]}]


def encode(seed: int, level: int) -> str:
    """The opaque token of a seed and a level (URL-safe, no padding)."""
    raw = _VERSION + int(seed).to_bytes(4, "big") + bytes([level])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[int, int]:
    """The seed and level a token stands for; a token the server did not make is an error."""
    bad = EngineError(
        "this challenge is not one the server gave out; start a new hunt.", ("challenge",)
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError as exc:
        raise bad from exc
    if len(raw) != 7 or raw[:2] != _VERSION or raw[6] not in LEVELS:
        raise bad
    return int.from_bytes(raw[2:6], "big"), raw[6]


# The bugs a hunt of each level draws from, in drawing order. A seed picks ``pool[k]`` with ``k``
# drawn below ``len(pool)``, so adding, removing or reordering a name would give every existing
# seed (a teacher's link, a token handed out) another challenge: these lists are frozen. A new
# bug record is not drawn until it comes with a new token version (``_VERSION``) and pools of
# its own, the old version's kept for the old tokens (tests/engine/nn/test_hunt.py pins them).
POOLS: dict[int, tuple[str, ...]] = {
    1: (
        "affine_dW_transposed",
        "affine_db_no_sum",
        "softmax_cross_entropy_no_mean",
        "sigmoid_from_x",
        "tanh_from_x",
    ),
    2: ("softmax_no_upstream", "softmax_diagonal", "layernorm_no_mean_terms"),
    3: (
        "softmax_axis0",
        "cross_entropy_block",
        "softmax_cross_entropy_block",
        "relu_in_place",
        "sigmoid_in_place",
    ),
}


def _pool(level: int) -> list[Bug]:
    return [BUGS[name] for name in POOLS[level]]


def _draw_network(rng: np.random.Generator, bug: Bug, level: int) -> tuple[dict, int]:
    """A small network that holds the bug's layer kind (or loss), and the bugged index."""
    N, D, C = (4, 3, 3) if level == 1 else (5, 3, 3)
    widths = [int(rng.integers(3, 5)) for _ in range(1 if level == 1 else 2)]
    acts = [str(rng.choice(_ACTS)) for _ in widths]
    if bug.applies_to in _ACTS:
        acts[int(rng.integers(len(acts)))] = bug.applies_to
    layers: list[dict] = []
    for width, act in zip(widths, acts, strict=True):
        layers.append({"type": "affine", "out": width, "init": "xavier", "seed": _seed(rng)})
        if bug.applies_to == "layernorm" and not any(la["type"] == "layernorm" for la in layers):
            layers.append({"type": "layernorm"})
        layers.append({"type": act})
    layers.append({"type": "affine", "out": C, "init": "xavier", "seed": _seed(rng)})
    if bug.is_loss:
        loss = bug.applies_to
    elif bug.applies_to == "softmax":
        loss = "cross_entropy"
    else:
        loss = str(rng.choice(["softmax_cross_entropy", "cross_entropy"]))
    if loss == "cross_entropy":
        layers.append({"type": "softmax"})
    x = np.round(rng.standard_normal((N, D)), 1)
    t = rng.permutation(np.arange(N) % C)  # every class, so at least two different labels
    if bug.is_loss:
        index = len(layers)
    else:
        where = [i for i, la in enumerate(layers) if la["type"] == bug.applies_to]
        index = where[int(rng.integers(len(where)))]
    body = {"x": x.tolist(), "targets": t.tolist(), "layers": layers, "loss": loss}
    return body, index


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31))


def planted(hunt_index: int, bug: Bug) -> dict[str, Any]:
    """The engine's ``bugs``/``loss_bug`` arguments for a bug at ``hunt_index``."""
    if bug.is_loss:
        return {"bugs": {}, "loss_bug": bug.name}
    return {"bugs": {hunt_index: bug.name}, "loss_bug": None}


def _caught(body: dict, index: int, bug: Bug) -> bool:
    """Do the gradient check or a wrote_input warning show the bug on this network, while the
    same network without it passes?"""
    clean = run_network(**body, gradcheck=True)
    if not all(c["passed"] for c in clean["gradcheck"]):
        return False
    run = run_network(**body, gradcheck=True, **planted(index, bug))
    wrote = any(w["code"] == "wrote_input" for w in run["warnings"])
    return wrote or not all(c["passed"] for c in run["gradcheck"])


def make_hunt(seed: int, level: int) -> Hunt:
    """The challenge of ``seed`` and ``level``: the same in every run and on every server."""
    if not 0 <= seed <= MAX_SEED:
        raise EngineError(f"seed must be a whole number from 0 to {MAX_SEED}.", ("seed",))
    if level not in LEVELS:
        raise EngineError(f"level must be one of {', '.join(map(str, LEVELS))}.", ("level",))
    rng = np.random.default_rng([seed, level, _SALT])
    pool = _pool(level)
    bug = pool[int(rng.integers(len(pool)))]
    for _ in range(_TRIES):
        body, index = _draw_network(rng, bug, level)
        if _caught(body, index, bug):
            return Hunt(seed, level, body, index, bug)
    raise EngineError("no challenge could be drawn for this seed; try another.", ("seed",))


def planted_for(token: str, layer_types: list[str], loss: str) -> dict[str, Any]:
    """``bugs``, ``loss_bug`` and ``hidden`` for a run of the challenge ``token``.

    The learner may change the numbers of the challenge's network (the batch, the targets),
    not its stack: the bug goes where the challenge put it, so the layer there must still be of
    the bug's kind (said without naming it)."""
    hunt = make_hunt(*decode(token))
    bug, expected = hunt.bug, [la["type"] for la in hunt.network["layers"]]
    if layer_types != expected or loss != hunt.network["loss"]:
        raise EngineError(
            "this challenge runs on its own stack of layers and loss; change its numbers, not "
            "its layers (start again from the challenge's network).",
            ("challenge",),
        )
    return {**planted(hunt.index, bug), "hidden": True}


def judge(token: str, index: int, tensor: str, give_up: bool = False) -> dict[str, Any]:
    """Does the guess name the bugged layer (the loss: the last index + 1) and the first
    gradient it spoils (``x`` for the layer's input gradient, a parameter, ``seed``)? The bug's
    record comes back once found, or on giving up."""
    hunt = make_hunt(*decode(token))
    correct = not give_up and index == hunt.index and tensor == hunt.bug.tensor
    out: dict[str, Any] = {"correct": correct, "bug": None, "hint": None}
    if correct or give_up:
        out["bug"] = {**hunt.bug.record(), "index": hunt.index, "give_up": give_up}
    elif index == hunt.index:
        out["hint"] = "Right place, wrong gradient: which of its gradients goes wrong first?"
    else:
        out["hint"] = (
            "Not there. Going backward from the loss, find the first gradient the check "
            "rejects (or the layer whose backward wrote into its input), then look one step "
            "above it."
        )
    return out


def bugs_for_run(
    challenge: str | None,
    bugs: dict[int, str],
    loss_bug: str | None,
    layer_types: list[str],
    loss: str,
) -> dict[str, Any]:
    """``run_network``'s planting arguments for a request: its own bugs, or its challenge's
    (a challenge's run names no bug of its own)."""
    if challenge is None:
        return {"bugs": bugs, "loss_bug": loss_bug}
    if bugs or loss_bug is not None:
        raise EngineError(
            "a challenge's run plants its own bug; remove 'bug' and 'loss_bug'.", ("challenge",)
        )
    return planted_for(challenge, layer_types, loss)
