"""Every curl example in the README works: the documented path and body give a 200."""

import json
import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _examples() -> list[tuple[str, dict | None]]:
    """(path, JSON body or None) of each ``curl -s localhost:8000<path> ... -d '<json>'``."""
    starts = [m.start() for m in re.finditer(r"curl -s localhost:8000", README)]
    found = []
    for start, end in zip(starts, [*starts[1:], len(README)], strict=True):
        segment = README[start:end].split("```")[0]  # up to the next curl or the code block's end
        path = re.match(r"curl -s localhost:8000(\S+)", segment)[1]
        body = re.search(r"-d '(.*?)'", segment, re.DOTALL)
        found.append((path, json.loads(body[1]) if body else None))
    return found


EXAMPLES = _examples()


def test_the_readme_has_an_example_per_endpoint():
    paths = {path for path, _ in EXAMPLES}
    assert len(paths) >= 10, paths


@pytest.mark.parametrize(("path", "body"), EXAMPLES, ids=[p for p, _ in EXAMPLES])
def test_readme_example_answers_200(client, path, body):
    r = client.get(path) if body is None else client.post(path, json=body)
    assert r.status_code == 200, (path, r.text[:300])
