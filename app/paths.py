"""Where templates and static files live: found from the package, never the working directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
LESSONS_DIR = ROOT / "lessons"
