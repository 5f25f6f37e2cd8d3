"""The JSON contract (``shared/API.md``) as pydantic models, one module per area."""

from app.schemas.activations import *  # noqa: F403
from app.schemas.base import *  # noqa: F403
from app.schemas.graph import *  # noqa: F403
from app.schemas.lessons import *  # noqa: F403
from app.schemas.meta import *  # noqa: F403
from app.schemas.network import *  # noqa: F403
from app.schemas.numdiff import *  # noqa: F403
from app.schemas.train import *  # noqa: F403
