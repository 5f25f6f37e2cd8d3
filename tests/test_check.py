"""``python -m app.check``: it flags every code bug of the seed notebook's classes (transcribed in
tests/fixtures/notebook_layers.py), passes their corrections, and exits 2 on a usage error."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.check import UsageError, check_layer, load, main
from tests.fixtures import notebook_layers as nb
from tests.fixtures import notebook_layers_fixed as fixed

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ("Relu", "Sigmoid", "affine", "Softmax", "CrossEntropy", "SoftmaxWithLoss")


def checks(obj) -> set[str]:
    return {f.check for f in check_layer(obj).findings}


def test_every_corrected_class_passes():
    for name in NAMES:
        report = check_layer(getattr(fixed, name)(), name)
        assert report.passed, report.lines()
        assert report.checks and all(c.passed for c in report.checks)
        assert {c.N for c in report.checks} == {1, 2, 5}


def test_error5_relu_backward_writes_into_dout():
    [f] = check_layer(nb.Relu()).findings
    assert (f.check, f.tensor) == ("wrote_input", "dout")


def test_error11_naive_sigmoid_overflows():
    [f] = check_layer(nb.Sigmoid()).findings
    assert f.check == "overflow" and "overflow" in f.message


def test_notebook_affine_passes_with_b_one_by_c():
    assert check_layer(nb.affine()).passed  # db (C,) for b (1, C): the same entries


def test_error1_softmax_over_axis_0_mixes_rows():
    class AxisZero(fixed.Softmax):
        def forward(self, x):  # the notebook's forward, the corrected backward
            return nb.Softmax.forward(self, x)

    found = check_layer(AxisZero()).findings
    assert "mixes_rows" in {f.check for f in found}
    assert "gradient" in {f.check for f in found}  # the row-wise backward is not its gradient
    assert checks(nb.Softmax()) >= {"mixes_rows", "gradient"}


def test_error4_softmax_backward_returns_the_diagonal():
    class Diagonal(fixed.Softmax):
        def backward(self, dout):
            return nb.Softmax.backward(self, dout)

    [f] = check_layer(Diagonal()).findings
    assert (f.check, f.tensor) == ("gradient", "x")
    assert f.N == 1  # seen at once: it ignores the upstream gradient


def test_error2_cross_entropy_block_mixes_rows():
    class Block(fixed.SoftmaxWithLoss):
        def forward(self, x, t):
            self.t = t
            self.y = fixed.softmax(x)
            return nb.cross_entropy_error(self.y, t)

    found = check_layer(Block()).findings
    assert {f.check for f in found} >= {"mixes_rows", "gradient"}
    assert all(f.N is None or f.N >= 2 for f in found)  # N = 1 hides it


def test_error3_softmax_with_loss_backward_indexes_a_block():
    class Block(fixed.SoftmaxWithLoss):
        def backward(self, dout=1):
            return nb.SoftmaxWithLoss.backward(self, dout)

    [f] = check_layer(Block()).findings
    assert (f.check, f.tensor, f.N) == ("gradient", "x (indices)", 2)  # class indices, N >= 2


def test_notebook_softmax_with_loss_and_cross_entropy_are_flagged():
    assert checks(nb.SoftmaxWithLoss()) >= {"mixes_rows", "gradient"}
    found = check_layer(nb.CrossEntropy()).findings
    assert {f.check for f in found} == {"no_return", "mixes_rows"}  # the N×N sum; no backward


def test_missing_one_over_n_and_dw_transposed_and_state():
    class Summed(fixed.CrossEntropy):
        def forward(self, y, t):
            return super().forward(y, t) * len(y)

    assert "batch_scale" in checks(Summed())

    class Transposed(fixed.Affine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = self.dW.T
            return dx

    square = Transposed(np.arange(9.0).reshape(3, 3) / 9, np.zeros(3))
    [f] = check_layer(square).findings
    assert (f.check, f.tensor) == ("gradient", "W")
    [f] = check_layer(Transposed(np.ones((2, 3)), np.zeros(3))).findings
    assert (f.check, f.tensor) == ("shape", "W")

    class Counting(fixed.Relu):
        calls = 0

        def forward(self, x):
            self.calls += 1
            return super().forward(x) * self.calls

    assert "state" in checks(Counting())


def test_report_renders_in_jupyter_and_as_json():
    report = check_layer(nb.Relu(), "Relu")
    html = report._repr_html_()
    assert "<table>" in html and "dout" in html and "FAIL" not in html
    assert json.loads(json.dumps(report.to_dict()))["findings"][0]["check"] == "wrote_input"


def test_command_line_exit_codes(capsys):
    path = FIXTURES / "notebook_layers.py"
    assert main([f"{FIXTURES / 'notebook_layers_fixed.py'}:{n}" for n in NAMES]) == 0
    assert main([f"{path}:{n}" for n in NAMES]) == 1
    out = capsys.readouterr().out.splitlines()
    findings = [line for line in out if "all checks pass" not in line]
    assert findings and all(line.startswith("notebook_layers.py:") for line in findings)
    assert "notebook_layers.py:affine (layer): all checks pass" in out
    for bad in ("nope.py:Relu", f"{path}:Nope", str(path), f"{path}:np"):
        assert main([bad]) == 2
    assert main(["--json", f"{path}:Relu"]) == 1
    assert json.loads(capsys.readouterr().out)["passed"] is False


def test_load_reports_import_errors(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import not_a_module_anywhere\n")
    with pytest.raises(UsageError, match="importing it failed"):
        load(f"{broken}:X")
    needs = tmp_path / "needs.py"
    needs.write_text("class A:\n    def __init__(self, W):\n        self.W = W\n")
    with pytest.raises(UsageError, match="without arguments"):
        load(f"{needs}:A")


def test_module_runs_as_a_command():
    path = FIXTURES / "notebook_layers.py"
    done = subprocess.run(
        [sys.executable, "-m", "app.check", f"{path}:Relu"], capture_output=True, text=True
    )
    assert done.returncode == 1 and "dout" in done.stdout


def test_a_loss_on_rows_only_is_checked_with_one_hot_rows():
    class MSE:
        def forward(self, y, t):
            self.d = y - t
            return 0.5 * np.sum(self.d**2) / len(y)

        def backward(self, dout=1):
            return dout * self.d / len(self.d)

    report = check_layer(MSE())
    assert report.passed and report.notes and "one-hot rows only" in report.notes[0]
    assert {c.targets for c in report.checks} == {"one-hot"}

    class Summed(MSE):
        def backward(self, dout=1):
            return dout * self.d  # the missing 1/N

    found = check_layer(Summed()).findings
    assert {f.check for f in found} == {"gradient"} and all(f.N >= 2 for f in found)
