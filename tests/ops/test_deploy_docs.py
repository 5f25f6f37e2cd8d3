"""The README lists every setting with its true default."""

import re
from pathlib import Path

import pytest

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "README.md").read_text()
ROWS = dict(re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", DOC, flags=re.MULTILINE))


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    field = Settings.model_fields[name]
    row = ROWS.get(f"BPX_{name.upper()}")
    assert row is not None, f"BPX_{name.upper()} is missing from README.md"
    default = field.get_default(call_default_factory=True)
    if default in ("", []):
        return  # documented in words ("empty", "none")
    if isinstance(default, bool):
        default = str(default).lower()  # as it is written in the environment
    assert f"`{default}`" in row, f"BPX_{name.upper()}: docs say {row.strip()}, code says {default}"


@pytest.mark.parametrize(("name", "default"), [("PORT", "8000"), ("WEB_CONCURRENCY", "2")])
def test_image_defaults_match_the_docs(name: str, default: str) -> None:
    assert re.search(rf"^\s+{name}={default}\b", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert ROWS[name].strip() == f"`{default}`"
