"""The JS tooling: generated API types up to date, vendored bundles equal to the pinned npm
packages, the plotly.js bundle built from its pinned sources with every trace the pages draw."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = json.loads((ROOT / "package-lock.json").read_text())["packages"]
VENDORED = {  # npm package -> (file in the package, its copy in the tree)
    "axe-core": ("axe.min.js", "tests/browser/vendor"),
    "@dagrejs/dagre": ("dist/dagre.esm.js", "static/vendor/dagre"),
}
BUNDLER = ROOT / "scripts" / "plotly-bundle"
PLOTLY = ROOT / "static" / "vendor" / "plotly"


def _node_modules() -> Path:
    nm = ROOT / "node_modules"
    if not (nm / ".bin" / "openapi-typescript").exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules is missing under CI: `make test` runs npm ci first")
        pytest.skip("node_modules is missing: run `npm ci` (make test does)")
    return nm


def test_dev_tools_are_pinned_exactly():
    deps = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in deps.values()), deps
    for name, version in deps.items():
        assert LOCK[f"node_modules/{name}"]["version"] == version, name
    assert all("resolved" not in p for p in LOCK.values())  # no registry host in the repo


@pytest.mark.parametrize("package", sorted(VENDORED))
def test_vendored_bundles_are_the_pinned_packages(package):
    file, where = VENDORED[package]
    version = LOCK[f"node_modules/{package}"]["version"]
    copy = ROOT / where / Path(file).name
    assert (ROOT / where / "VERSION").read_text().strip() == version
    assert (ROOT / where / "LICENSE").is_file()
    assert version in copy.read_text(errors="replace")  # its banner or its version constant
    installed = ROOT / "node_modules" / package / file
    if installed.exists():
        assert copy.read_bytes() == installed.read_bytes(), "run scripts/vendor-js"


def test_the_plotly_bundle_is_built_from_the_pinned_sources(tmp_path):
    lock = json.loads((BUNDLER / "package-lock.json").read_text())["packages"]
    plotly, esbuild = (lock[f"node_modules/{p}"]["version"] for p in ("plotly.js", "esbuild"))
    deps = json.loads((BUNDLER / "package.json").read_text())["devDependencies"]
    assert deps == {"plotly.js": plotly, "esbuild": esbuild}  # pinned exactly
    assert all("resolved" not in p for p in lock.values())
    bundle = PLOTLY / "plotly-explorer.min.js"
    assert (PLOTLY / "VERSION").read_text().startswith(f"plotly.js {plotly} ")
    assert (
        f"plotly.js v{plotly} " in bundle.read_text()[:200]
        and f"esbuild {esbuild}" in (PLOTLY / "VERSION").read_text()
    )
    assert "Plotly Technologies" in (PLOTLY / "LICENSE").read_text()
    if (BUNDLER / "node_modules" / "esbuild").exists():  # built here before: rebuild, compare
        subprocess.run([BUNDLER / "build", tmp_path], check=True, capture_output=True)
        assert (tmp_path / bundle.name).read_bytes() == bundle.read_bytes(), "run its build"


def test_every_trace_type_the_pages_draw_is_in_the_bundle():
    plotly = pytest.importorskip("plotly")
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    traces = lambda text: set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))  # noqa: E731
    every = traces(full.read_text())  # all of plotly.js's trace types
    sources = "\n".join(p.read_text() for p in (ROOT / "static/js").rglob("*.js"))
    used = set(re.findall(r'type: "(\w+)"', sources)) & every
    assert used == {"scatter", "heatmap", "contour"}, used
    assert traces((PLOTLY / "plotly-explorer.min.js").read_text()) == used


def _gen_api_types(out: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [ROOT / "scripts/gen-api-types", out],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable, **(env or {})},
        capture_output=True,
    )


def test_generated_api_types_are_up_to_date(tmp_path):
    _node_modules()
    out = tmp_path / "api.d.ts"
    _gen_api_types(out)
    committed = (ROOT / "static/js/types/api.d.ts").read_text()
    assert out.read_text() == committed, (
        "static/js/types/api.d.ts is stale: run scripts/gen-api-types"
    )


def _blas_kernel(env: dict[str, str]) -> str:
    """The OpenBLAS kernel numpy runs under ``env`` (threadpoolctl reads it from the library)."""
    probe = "import numpy, threadpoolctl; print(threadpoolctl.threadpool_info()[0]['architecture'])"
    run = subprocess.run(
        [sys.executable, "-c", probe], env={**os.environ, **env}, capture_output=True, text=True
    )
    return run.stdout.strip()


# Kernels of numpy's OpenBLAS that round a matrix product differently (Sandybridge's AVX against
# Haswell's FMA, and SkylakeX's AVX-512 where the CPU has it): whatever this machine picks by
# itself, what is generated from computed numbers must not depend on it.
KERNELS = ["Sandybridge", "Haswell"] + (
    ["SkylakeX"] if " avx512f" in Path("/proc/cpuinfo").read_text() else []
)


def test_generated_files_do_not_depend_on_the_blas_kernel(tmp_path):
    """The types (and the OpenAPI examples they embed, some computed by the engine) come out the
    same, byte for byte, under every OpenBLAS kernel this CPU can run."""
    _node_modules()
    outputs = {}
    for kernel in KERNELS:
        env = {"OPENBLAS_CORETYPE": kernel}
        assert _blas_kernel(env) == kernel, f"numpy did not take OPENBLAS_CORETYPE={kernel}"
        out = tmp_path / f"api-{kernel}.d.ts"
        _gen_api_types(out, env)
        outputs[kernel] = out.read_text()
    first, *others = KERNELS
    for kernel in others:
        assert outputs[kernel] == outputs[first], f"{kernel} and {first} generate different types"


def test_no_node_modules_in_the_image():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [r.strip() for r in lines if r.strip() and not r.startswith("#")]
    assert rules[0] == "*" and not any("node_modules" in r for r in rules if r.startswith("!"))
