"""The lessons' tests also talk HTTP where a task is judged by an endpoint."""

from tests.api.conftest import client  # noqa: F401
