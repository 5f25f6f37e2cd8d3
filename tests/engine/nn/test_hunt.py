"""Bug hunt: every challenge is the same on every call, names no bug, and its bug is seen."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn.bugs import BUGS
from app.engine.nn.hunt import LEVELS, POOLS, bugs_for_run, decode, encode, judge, make_hunt
from app.engine.nn.network import run_network


@pytest.mark.parametrize("level", LEVELS)
def test_every_challenge_is_seen_by_the_checks(level):
    names = set()
    for seed in range(30):
        hunt = make_hunt(seed, level)
        names.add(hunt.bug.name)
        assert hunt.bug.level == level
        assert "bug" not in str(hunt.network)  # the body names no bug
        clean = run_network(**hunt.network, gradcheck=True)
        assert all(c["passed"] for c in clean["gradcheck"])
        types = [la["type"] for la in hunt.network["layers"]]
        planted = bugs_for_run(hunt.token, {}, None, types, hunt.network["loss"])
        run = run_network(**hunt.network, gradcheck=True, **planted)
        wrote = [w for w in run["warnings"] if w["code"] == "wrote_input"]
        assert wrote or not all(c["passed"] for c in run["gradcheck"])
        assert all(w["loc"] == [] for w in wrote)  # the warning does not say where
    assert names == {b.name for b in BUGS.values() if b.level == level}  # every bug comes up


def test_a_challenge_is_its_seed_and_level():
    a, b = make_hunt(12, 2), make_hunt(12, 2)
    assert a.network == b.network and a.index == b.index and a.bug is b.bug
    assert decode(a.token) == (12, 2) and encode(12, 2) == a.token
    assert make_hunt(13, 2).network != a.network
    for bad in ("", "abc", encode(12, 2)[:-1] + "A", "aDEAAAAMBA"):
        with pytest.raises(EngineError, match="not one the server gave out"):
            decode(bad)


def test_the_guess_is_judged_on_the_server():
    hunt = make_hunt(5, 1)
    wrong_index = (hunt.index + 1) % (len(hunt.network["layers"]) + 1)
    miss = judge(hunt.token, wrong_index, hunt.bug.tensor)
    assert miss == {"correct": False, "bug": None, "hint": miss["hint"]} and miss["hint"]
    near = judge(hunt.token, hunt.index, "nonsense")
    assert not near["correct"] and near["hint"].startswith("Right place")
    hit = judge(hunt.token, hunt.index, hunt.bug.tensor)
    assert hit["correct"] and hit["bug"]["name"] == hunt.bug.name
    assert hit["bug"]["wrong"] == hunt.bug.wrong and hit["bug"]["give_up"] is False
    gave_up = judge(hunt.token, 0, "x", give_up=True)
    assert not gave_up["correct"] and gave_up["bug"]["index"] == hunt.index


def test_a_challenge_keeps_its_stack_but_not_its_numbers():
    hunt = make_hunt(3, 3)
    types = [la["type"] for la in hunt.network["layers"]]
    with pytest.raises(EngineError, match="its own stack"):
        bugs_for_run(hunt.token, {}, None, [*types, "relu"], hunt.network["loss"])
    with pytest.raises(EngineError, match="plants its own bug"):
        bugs_for_run(hunt.token, {0: "affine_db_no_sum"}, None, types, hunt.network["loss"])
    body = {**hunt.network, "x": (np.asarray(hunt.network["x"]) * 2).tolist()}
    planted = bugs_for_run(hunt.token, {}, None, types, hunt.network["loss"])
    assert run_network(**body, **planted)["loss"] > 0  # new numbers, the same hidden bug


def test_seed_and_level_are_checked():
    with pytest.raises(EngineError, match="level"):
        make_hunt(0, 4)
    with pytest.raises(EngineError, match="seed"):
        make_hunt(-1, 1)


def test_a_teachers_link_gives_the_same_challenge_in_every_release():
    """Pinned: a link sent to a class must keep meaning the same network and bug."""
    hunt = make_hunt(12, 1)
    assert (hunt.token, hunt.index, hunt.bug.name) == ("aDEAAAAMAQ", 1, "tanh_from_x")
    assert [la.get("seed") for la in hunt.network["layers"]] == [1036808778, None, 706686763]
    assert [la["type"] for la in hunt.network["layers"]] == ["affine", "tanh", "affine"]
    assert hunt.network["loss"] == "softmax_cross_entropy"
    assert hunt.network["x"][0] == pytest.approx(PINNED_X0)
    assert hunt.network["targets"] == PINNED_T


PINNED_X0, PINNED_T = [0.0, -0.9, -0.9], [1, 0, 2, 0]


def test_the_pools_are_frozen_so_a_new_bug_record_moves_no_seed():
    """Every seed's bug, pinned for the first seeds of each level: a bug record added to bugs.py
    (say batch norm's) must not change them; it joins the hunts only with a new token version."""
    drawn = {level: [make_hunt(seed, level).bug.name for seed in range(4)] for level in LEVELS}
    assert drawn == {
        1: [
            "softmax_cross_entropy_no_mean",
            "tanh_from_x",
            "sigmoid_from_x",
            "softmax_cross_entropy_no_mean",
        ],
        2: [
            "softmax_no_upstream",
            "softmax_no_upstream",
            "layernorm_no_mean_terms",
            "layernorm_no_mean_terms",
        ],
        3: ["sigmoid_in_place", "sigmoid_in_place", "softmax_axis0", "softmax_cross_entropy_block"],
    }
    for level, names in POOLS.items():
        assert all(BUGS[name].level == level for name in names), level
