"""Bug hunt: a challenge with a hidden planted bug, and a guess of where it is."""

from typing import Any

from pydantic import ConfigDict, Field

from app.engine.nn.hunt import LEVELS, MAX_SEED
from app.schemas.base import OutMatrix, Request, Response
from app.schemas.meta import BugInfo


class HuntRequest(Request):
    seed: int = Field(0, ge=0, le=MAX_SEED, description="The same seed gives the same challenge.")
    level: int = Field(
        1,
        ge=min(LEVELS),
        le=max(LEVELS),
        description="1: a parameter's own gradient; 2: an activation or softmax backward; "
        "3: a forward pass, a loss's indexing, a write into the caller's array.",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"seed": 12, "level": 1}]})


class HuntNetwork(Response):
    """A /network/run body without any bug in it."""

    x: OutMatrix
    targets: list[int]
    layers: list[dict[str, Any]]
    loss: str


class HuntPlace(Response):
    index: int = Field(description="A layer's index, or the last index + 1 for the loss.")
    label: str
    tensors: list[str] = Field(description="The gradients a guess may name there.")


class HuntOut(Response):
    challenge: str = Field(description="Stands for the seed and level; opaque to the client.")
    network: HuntNetwork = Field(
        description="A /network/run body without any bug in it; send it with `challenge` to run "
        "it with the bug planted."
    )
    places: list[HuntPlace] = Field(description="Where a guess may point: layers and the loss.")


class GuessRequest(Request):
    challenge: str = Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    index: int = Field(
        0, ge=0, le=64, description="The bugged layer's index (the loss: the last index + 1)."
    )
    tensor: str = Field(
        "x",
        pattern=r"^[A-Za-z_]{1,16}$",
        description="The first gradient the bug spoils: `x` (the layer's input gradient), a "
        "parameter (`W`, `b`, `gamma`, `beta`), or `seed` (the loss's gradient).",
    )
    give_up: bool = Field(False, description="Reveal the bug (the guess then does not count).")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"challenge": "aDEAAAAMAQ", "index": 2, "tensor": "x"}]}
    )


class FoundBug(BugInfo):
    index: int = Field(description="Where it was planted (the loss: the last index + 1).")
    give_up: bool


class GuessOut(Response):
    correct: bool
    bug: FoundBug | None = Field(description="The record, once found or on giving up.")
    hint: str | None = Field(None, description="Where to look next, after a wrong guess.")
