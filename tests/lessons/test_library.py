"""Loading: the shipped lessons, a deployment's folder over them, bad files logged and left out."""

import logging
from pathlib import Path

from app.api.lessons import load
from app.config import Settings
from tests.lessons.helpers import GOOD


def test_folder_adds_replaces_and_skips_with_file_and_line(tmp_path: Path, caplog):
    shipped = load(Settings()).ordered()
    assert shipped, "the repository ships lessons"
    first = shipped[0]
    (tmp_path / "mine.md").write_text(GOOD)
    (tmp_path / "clash.md").write_text(GOOD.replace("id: tiny", f"id: {first.id}"))
    (tmp_path / "broken.md").write_text(GOOD.replace("level: beginner", "level: hard"))
    (tmp_path / "notes.txt").write_text("not a lesson")
    with caplog.at_level(logging.INFO, logger="app.lessons"):
        lib = load(Settings(lessons_dir=str(tmp_path)))
    assert lib.get("tiny") is not None
    assert lib.get(first.id).title == "A tiny lesson"  # replaced
    assert len(lib.lessons) == len(shipped) + 1
    text = caplog.text
    assert f"{tmp_path}/broken.md, line 5: the level 'hard'" in text
    assert f"{tmp_path}/clash.md replaces the shipped lessons/" in text


def test_missing_folder_is_logged_not_fatal(tmp_path: Path, caplog):
    with caplog.at_level(logging.ERROR, logger="app.lessons"):
        lib = load(Settings(lessons_dir=str(tmp_path / "nope")))
    assert lib.lessons and "is not a folder" in caplog.text


def test_same_id_twice_in_one_folder_keeps_the_first(tmp_path: Path, caplog):
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / "b.md").write_text(GOOD.replace("A tiny lesson", "Another"))
    with caplog.at_level(logging.ERROR, logger="app.lessons"):
        lib = load(Settings(lessons_dir=str(tmp_path)))
    assert lib.get("tiny").title == "A tiny lesson"
    assert "b.md has the id 'tiny'" in caplog.text


def test_undecodable_file_is_skipped(tmp_path: Path, caplog):
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe---")
    with caplog.at_level(logging.ERROR, logger="app.lessons"):
        load(Settings(lessons_dir=str(tmp_path)))
    assert "bad.md: cannot be read" in caplog.text


def test_the_kubernetes_example_lesson_parses():
    """deploy/k8s/lessons-configmap.yaml's lesson is a valid lesson, not a stale example."""
    import yaml

    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "deploy/k8s/lessons-configmap.yaml").read_text())["data"]
    lib = load(Settings())
    for name, text in data.items():
        assert lib.parse(text, name).id == name.removesuffix(".md")


def test_the_image_ships_the_lessons():
    """The Docker build context and the image both hold lessons/ (read at start)."""
    root = Path(__file__).resolve().parents[2]
    assert "!lessons/" in (root / ".dockerignore").read_text().splitlines()
    assert "COPY lessons ./lessons" in (root / "Dockerfile").read_text().splitlines()
