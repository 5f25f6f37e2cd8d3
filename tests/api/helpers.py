"""Small assertions shared by the API tests."""

import math


def assert_error(response, status: int, loc_part: str | int | None = None, words: str = "") -> str:
    """The response is an error of FastAPI's standard shape; return its first message."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for item in detail:
        assert set(item) == {"type", "loc", "msg"}, item
    if loc_part is not None:
        assert any(loc_part in item["loc"] for item in detail), detail
    msgs = " | ".join(item["msg"] for item in detail)
    assert words.lower() in msgs.lower(), msgs
    return msgs


def finite_or_null(values) -> bool:
    """Every leaf is a finite number or None (never NaN, never Infinity)."""
    if isinstance(values, list):
        return all(finite_or_null(v) for v in values)
    return values is None or (isinstance(values, int | float) and math.isfinite(values))
