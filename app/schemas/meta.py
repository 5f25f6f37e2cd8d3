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
