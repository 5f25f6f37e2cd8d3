"""Meta: health and the activation list."""

from typing import Literal

from pydantic import Field

from app.schemas.base import Response


class HealthOut(Response):
    status: Literal["ok"]
    version: str


class ActivationInfo(Response):
    name: str
    formula: str = Field(description="LaTeX of f(x).")
    derivative: str = Field(description="LaTeX of f'(x).")
    alpha: float | None = Field(None, description="Default alpha, for activations that take one.")


class ActivationMeta(ActivationInfo):
    label: str = Field(description="How the pages name it.")
    init: str = Field(description="The initialisation of the affine layer before it.")
    nonsmooth: list[float] = Field(
        description="Points where f' jumps (kinks) or only f'' does, at any alpha: a central "
        "difference straddling one is not a check of f'."
    )


class Tolerances(Response):
    rel_floor: float = Field(description="rel_error = |a - n| / max(rel_floor, |a| + |n|).")


class ErrorBand(Response):
    name: Literal["good", "kink", "suspicious", "wrong"]
    below: float | None = Field(
        description="Exclusive upper bound of the band's relative errors; null for the last band."
    )
    label: str
    meaning: str


class VerdictRuleInfo(Response):
    dtype: Literal["float64", "float32"]
    good: float = Field(description="Largest scaled error |a - n| / scale below this: good.")
    acceptable: float = Field(description="Below this: acceptable; above: kink, suspicious, wrong.")
    wrong: float = Field(description="Above this (away from kinks): wrong; below: suspicious.")
    scale_floor: float = Field(description="The least scale: max(largest |a|, |n|, this).")
    why: str = Field(description="Where the dtype's error comes from.")


class LossInfo(Response):
    name: str
    label: str = Field(description="How the pages name it.")
    expects: Literal["probabilities", "logits", "values"] = Field(
        description="What the last layer must give it: probabilities (after a softmax layer), "
        "logits, or real values (a regression, or two classes on one output as -1/+1)."
    )
    formula: str = Field(description="LaTeX of the loss L.")
    gradient: str = Field(description="LaTeX of the seed gradient the loss hands back.")


class HyperInfo(Response):
    name: str
    symbol: str = Field(description="LaTeX symbol in the update rule.")
    glyph: str = Field(description="The symbol as plain text, for labels.")
    meaning: str
    default: float = Field(description="This optimizer's default (PyTorch's).")


class OptimizerInfo(Response):
    name: str
    label: str = Field(description="How the pages name it.")
    defaults: dict[str, float] = Field(description="Its hyper-parameters and their defaults.")
    hyper: list[HyperInfo] = Field(description="Its hyper-parameters, described.")
    rule: str = Field(description="LaTeX of the update rule; g is the gradient, η the lr.")
    note: str = Field(description="What a page says beside its path, or empty.")


class LayerInfo(Response):
    name: str
    label: str = Field(description="How the pages name it.")
    formula: str = Field(description="LaTeX of the forward pass.")
    backward: str = Field(description="LaTeX of the backward pass.")
    params: list[str] = Field(description="Its parameters, e.g. W and b.")
    step: Literal["affine", "elementwise", "row", "batch"] = Field(
        description="How step mode explains it: a matrix product, entry by entry, mixing each "
        "row's features, or mixing each column's rows (a batch statistic)."
    )
    init: str | None = Field(
        description="An activation's: the initialisation of the affine layer before it."
    )
    gives: str = Field(
        "values",
        description="What each output row is: `values`, or `probabilities` (a distribution, as "
        "softmax gives): the layer a loss that expects probabilities needs last.",
    )


class BugInfo(Response):
    """A planted bug of the registry: its code wrong and right, as the server runs them."""

    name: str
    applies_to: str = Field(description="The layer type or loss name it applies to.")
    wrong: str = Field(description="The wrong numpy code, exactly as it runs.")
    right: str = Field(description="The right numpy code, exactly as it runs.")
    explanation: str
    source: str = Field(description="Where the mistake comes from.")
    shows_when: str = Field(description="When the gradient check (or wrote_input) sees it.")
    tensor: str = Field(description="The first gradient it spoils: x, a parameter, or seed.")
    level: int = Field(description="Its bug hunt level, 1 to 3.")
    caught_by: Literal["gradient check", "wrote_input"]


class DerivativePresetInfo(Response):
    """A ready-made view of /derivative: f, the point x0 and the plotted range."""

    name: str
    title: str = Field(description="How the page names it.")
    expr: str = Field(description="f(x), in the typed-function language.")
    x0: float
    x_min: float
    x_max: float


class MinimumInfo(Response):
    x: list[float] = Field(description="(x1, x2) of the minimum.")
    f: float = Field(description="f there.")


class DescentPresetInfo(Response):
    """A ready-made landscape of /descent."""

    name: str
    title: str = Field(description="How the page names it.")
    expr: str = Field(description="f(x1, x2), in the typed-function language.")
    start: list[float] = Field(description="The start point (x1, x2).")
    box: list[float] = Field(description="The view: x1 from, x1 to, x2 from, x2 to.")
    lr: float
    steps: int
    optimizers: list[str] = Field(description="The optimizers it opens with.")
    scale: Literal["linear", "log"] = Field(description="The contour's colour scale.")
    minima: list[MinimumInfo] = Field(
        description="Every minimum it is known to have (none if f is unbounded below)."
    )
    note: str = Field(description="What the page says about its minima, or empty.")


class PresetsInfo(Response):
    derivative: list[DerivativePresetInfo]
    descent: list[DescentPresetInfo]


class MetaOut(Response):
    version: str
    gradcheck: Tolerances
    rel_error_bands: list[ErrorBand] = Field(
        description="How to read a relative error, from good to wrong (CS231n's bands)."
    )
    verdict_rules: list[VerdictRuleInfo] = Field(
        description="The gradient check's one verdict rule, per dtype: each entry's |a - n| over "
        "the tensor's scale; `kink` only where the kink detector found a kink within ±h of "
        "every disagreeing entry; `passed` exactly when good, acceptable or kink."
    )
    losses: list[LossInfo]
    inits: list[str] = Field(description="Initialisations of an affine layer given `out`.")
    optimizers: list[OptimizerInfo]
    activations: list[ActivationMeta]
    bugs: list[BugInfo] = Field(
        description="The planted bugs a layer's `bug` (the loss's `loss_bug`) of /network/run "
        "may name."
    )
    layers: list[LayerInfo] = Field(description="Every layer kind, activations included.")
    presets: PresetsInfo = Field(
        description="The ready-made views of the typed-function pages (/derivative, /descent)."
    )
