"""Settings read from the environment (prefix ``BPX_``); every API limit lives here."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Limits, logging, CORS and proxy settings; e.g. ``BPX_MAX_BODY_BYTES=2097152``."""

    model_config = SettingsConfigDict(env_prefix="BPX_", extra="ignore")

    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body (413 above).")
    max_batch: int = Field(1024, ge=1, description="Most rows of network input.")
    max_side: int = Field(256, ge=1, description="Largest width of any other matrix side.")
    max_layers: int = Field(16, ge=1, description="Most layers in a stack.")
    max_points: int = Field(10_001, ge=2, description="Most points of a curve or grid.")
    max_steps: int = Field(10_000, ge=1, description="Most gradient-descent steps.")
    max_expr_chars: int = Field(256, ge=1, description="Longest typed expression.")
    max_expr_nodes: int = Field(200, ge=1, description="Most syntax-tree nodes in an expression.")
    max_expr_depth: int = Field(32, ge=1, description="Deepest nesting of an expression.")
    log_level: str = Field("info", description="Python log level name.")
    cors_origins: list[str] = Field(default_factory=list, description="Allowed CORS origins.")
    root_path: str = Field("", description="Path prefix when served behind a reverse proxy.")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
