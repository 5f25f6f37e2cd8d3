"""Installs come from the hashed lock: every dependency of pyproject.toml pinned exactly, with a
hash for each file, in requirements/runtime.txt (the app) and requirements/test.txt (the app and
the test tools, at the same versions); every install path reads them; no index is named."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCKS = {name: ROOT / "requirements" / f"{name}.txt" for name in ("runtime", "test")}


def _pins(path: Path) -> dict[str, tuple[str, str | None, int]]:
    """name -> (version, marker or None, number of hashes) of each pin in a lock file."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text())  # join continued lines
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *hashes = line.split(" --hash=")
        req = Requirement(spec)
        (op, version), *rest = ((s.operator, s.version) for s in req.specifier)
        assert op == "==" and not rest, f"{path.name}: {spec} is not an exact pin"
        key = canonicalize_name(req.name)
        if key in pins and req.marker and not req.marker.evaluate():
            continue  # one version per Python: keep the one that applies here
        pins[key] = (version, str(req.marker) if req.marker else None, len(hashes))
    return pins


PINS = {name: _pins(path) for name, path in LOCKS.items()}


def _direct(requirements: list[str]) -> list[Requirement]:
    return [Requirement(r) for r in requirements]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_pin_is_exact_and_hashed_and_names_no_index(lock):
    text = LOCKS[lock].read_text()
    assert "://" not in text and "--index" not in text and "--find-links" not in text
    assert PINS[lock], lock
    unhashed = [name for name, (_, _, hashes) in PINS[lock].items() if hashes == 0]
    assert not unhashed, unhashed


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("runtime", PROJECT["dependencies"]),
        ("test", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
    ],
)
def test_the_lock_pins_every_dependency_within_its_range(lock, requirements):
    for req in _direct(requirements):
        pinned = PINS[lock].get(canonicalize_name(req.name))
        assert pinned, f"{req.name} is not in requirements/{lock}.txt: run scripts/lock"
        assert req.specifier.contains(pinned[0], prereleases=True), (req, pinned[0])


def test_the_test_lock_has_the_runtime_versions():
    runtime, test = PINS["runtime"], PINS["test"]
    differ = {n: (v[0], test.get(n, ("missing",))[0]) for n, v in runtime.items()}
    assert {n: d for n, d in differ.items() if d[0] != d[1]} == {}


def test_this_environment_is_the_lock():
    """What `make test` installed is what the lock says (a package installed by hand, or a range
    resolved afresh, shows up here)."""
    if not sys.prefix.startswith(str(ROOT)):
        pytest.skip("not the project's own .venv")
    wrong = {}
    for name, (version, marker, _) in PINS["test"].items():
        if marker and not Requirement(f"x; {marker}").marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert wrong == {}, "run `make test` from a clean .venv, or scripts/lock"


@pytest.mark.parametrize(
    ("path", "lock"),
    [
        ("Makefile", "requirements/runtime.txt"),
        ("Makefile", "requirements/test.txt"),
        ("Dockerfile", "/tmp/requirements.txt"),
    ],
)
def test_every_install_path_reads_the_lock_with_hashes(path, lock):
    text = (ROOT / path).read_text()
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs, path
    for line in installs:  # each install is the lock with hashes, or the app itself alone
        assert "--require-hashes" in line or "--no-deps" in line, line
    assert any(lock in line and "--require-hashes" in line for line in installs), (path, lock)
    if path == "Dockerfile":
        assert "COPY requirements/runtime.txt /tmp/requirements.txt" in text
