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
    formula: str = Field(description="LaTeX of the loss L.")
    gradient: str = Field(description="LaTeX of the seed gradient the loss hands back.")


class OptimizerInfo(Response):
    name: str
    defaults: dict[str, float] = Field(description="Its hyper-parameters and their defaults.")


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
