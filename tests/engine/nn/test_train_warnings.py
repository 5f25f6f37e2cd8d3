"""Training lines warn when the steps overshoot (issue 27, item 10), and a resume with no epoch
left reports the state it resumes (a link reopening a trained network, item 14)."""

from app.engine.nn.train import Resume
from tests.engine.nn.test_train import XOR, run, stack

XOR_NET = stack([8, 8, 2])


def test_sgd_at_a_huge_rate_warns_on_its_lines_where_a_sane_rate_does_not():
    # Issue 27, item 10: SGD at lr = 50 bounces to a loss of 133.6 without diverging; the lines
    # say so (the run goes on), and say to lower the learning rate.
    lines = run(XOR, XOR_NET, optimizer="sgd", lr=50.0, epochs=60, batch_size=10, report_every=10)
    reports = lines[:-1]
    assert lines[-1]["reason"] == "max_epochs" and reports[0]["warnings"] == []
    codes = {w["code"] for line in reports for w in line["warnings"]}
    assert {"loss_grew", "update_ratio_large"} <= codes
    grew = next(w for line in reports for w in line["warnings"] if w["code"] == "loss_grew")
    assert grew["loc"] == ["lr"] and "lower the learning rate (50)" in grew["msg"]
    assert "at epoch 0" in grew["msg"]
    calm = run(XOR, XOR_NET, optimizer="sgd", lr=1.0, epochs=60, batch_size=10, report_every=10)
    assert all(line["warnings"] == [] for line in calm[:-1])
    adam = run(XOR, XOR_NET, epochs=60, report_every=10)
    assert all(line["warnings"] == [] for line in adam[:-1])


def test_a_resumed_stream_warns_against_the_loss_where_it_resumed():
    first = run(XOR, XOR_NET, optimizer="sgd", lr=1.0, epochs=20, batch_size=10)
    done = first[-1]
    resume = Resume(done["params"], done["optimizer_state"], done["epoch"], done["step"])
    more = run(XOR, XOR_NET, optimizer="sgd", lr=80.0, epochs=60, batch_size=10, resume=resume)
    grew = [w for line in more[:-1] for w in line["warnings"] if w["code"] == "loss_grew"]
    assert grew and "at epoch 20" in grew[0]["msg"]


def test_a_resume_with_no_epoch_left_reports_the_state_it_resumes():
    # A link that carries a trained state reopens it: the preview stream shows that epoch.
    first = run(XOR, XOR_NET, epochs=5)
    done = first[-1]
    resume = Resume(done["params"], done["optimizer_state"], done["epoch"], done["step"])
    lines = run(XOR, XOR_NET, epochs=5, resume=resume, boundary_every=1, grid=4)
    assert [line.get("epoch") for line in lines[:-1]] == [5]
    assert lines[0]["train_loss"] == first[-2]["train_loss"] and "boundary" in lines[0]
    assert lines[-1]["done"] and lines[-1]["epoch"] == 5
