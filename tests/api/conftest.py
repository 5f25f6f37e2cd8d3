import pytest
from fastapi.testclient import TestClient

from app.main import app


@pytest.fixture(scope="session")
def client():
    """HTTP to the app in-process (httpx over ASGI); raises nothing on server errors."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
