"""The README's lists of kinds (activations, losses, optimizers, expression functions) and their
counts are the registries': a new record without its line in the README fails here."""

import re
from pathlib import Path

from app.engine.expr.table import CONSTANTS, FUNCTIONS
from app.engine.nn.activations import ACTIVATIONS
from app.engine.nn.losses import LOSSES
from app.engine.optimizers import OPTIMIZERS

DOC = (Path(__file__).resolve().parents[2] / "README.md").read_text()
WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def _paragraph(start: str) -> str:
    """The README's paragraph that begins with ``start`` (lines joined)."""
    m = re.search(rf"^{re.escape(start)}.*?(?=\n\n|\n```|\Z)", DOC, flags=re.MULTILINE | re.DOTALL)
    assert m, f"README.md has no paragraph starting {start!r}"
    return m.group(0).replace("\n", " ")


def _names(sentence: str) -> list[str]:
    """The `code` names in a sentence (up to its first full stop)."""
    return re.findall(r"`([a-z_0-9]+)`", sentence.split(". ")[0])


def test_the_activations_line_lists_every_activation():
    assert _names(_paragraph("Activations:")) == list(ACTIVATIONS)


def test_the_losses_line_lists_every_loss():
    assert _names(_paragraph("Losses:")) == list(LOSSES)


def test_the_descent_example_lists_every_optimizer():
    line = re.search(r"^# gradient descent: (.*)$", DOC, flags=re.MULTILINE)
    assert line and line.group(1).split(", ") == list(OPTIMIZERS)


def test_every_count_of_optimizers_is_the_registrys():
    counts = re.findall(rf"\b({'|'.join(WORDS)}) optimizers\b", DOC, flags=re.IGNORECASE)
    assert counts, "README.md no longer counts its optimizers"
    assert {w.lower() for w in counts} == {WORDS[len(OPTIMIZERS)]}


def test_the_expression_language_lists_every_function_and_constant():
    m = re.search(r"`pi`, `e` and `([a-z0-9 \n]+)`", DOC)
    assert m, "README.md no longer lists the expression functions"
    assert m.group(1).split() == list(FUNCTIONS)
    assert list(CONSTANTS) == ["pi", "e"]
