"""The JSON contract (the README's "The REST API (v1)"; `/openapi.json` is built from these
models) as pydantic models, one module per area."""

from app.schemas.activations import *  # noqa: F403
from app.schemas.base import *  # noqa: F403
from app.schemas.exercise_backward import *  # noqa: F403
from app.schemas.exercises import *  # noqa: F403
from app.schemas.graph import *  # noqa: F403
from app.schemas.hunt import *  # noqa: F403
from app.schemas.lessons import *  # noqa: F403
from app.schemas.meta import *  # noqa: F403
from app.schemas.network import *  # noqa: F403
from app.schemas.numdiff import *  # noqa: F403
from app.schemas.train import *  # noqa: F403
