"""Data sets for training: seeded, shaped as documented, split in two; the CSV upload's errors."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn.datasets import DATASETS, generator_source, make_data, parse_csv, xor

CLASSIFIERS = [k for k in DATASETS.values() if not k.regression]


@pytest.mark.parametrize("kind", DATASETS.values(), ids=lambda k: k.name)
def test_same_seed_same_points_other_seed_other_points(kind):
    a = make_data(kind.name, 300, 0.2, kind.max_classes, seed=5)
    b = make_data(kind.name, 300, 0.2, kind.max_classes, seed=5)
    c = make_data(kind.name, 300, 0.2, kind.max_classes, seed=6)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("kind", CLASSIFIERS, ids=lambda k: k.name)
@pytest.mark.parametrize("classes", [2, 3, 5])
def test_classification_sets_have_their_classes_in_balance(kind, classes):
    if not kind.min_classes <= classes <= kind.max_classes:
        with pytest.raises(EngineError) as err:
            make_data(kind.name, 100, 0.1, classes)
        assert err.value.loc == ("dataset", "classes") and "2 classes" in err.value.msg
        return
    d = make_data(kind.name, 500, 0.1, classes, test_fraction=0.3)
    assert d.x_train.shape == (350, 2) and d.x_test.shape == (150, 2)
    assert d.classes == classes and d.y_train.dtype == np.int64
    labels = np.concatenate([d.y_train, d.y_test])
    counts = np.bincount(labels, minlength=classes)
    assert len(counts) == classes
    if kind.name != "xor":  # xor's classes follow the points' quadrants, so roughly even
        assert counts.max() - counts.min() <= 1


def test_xor_is_four_blobs_labelled_by_quadrant():
    d = make_data("xor", 4000, 0.3, 2, seed=1)
    x = np.concatenate([d.x_train, d.x_test])
    y = np.concatenate([d.y_train, d.y_test])
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(int))
    for cx, cy in [(1, 1), (-1, -1), (1, -1), (-1, 1)]:
        near = np.hypot(x[:, 0] - cx, x[:, 1] - cy) < 0.9
        assert near.sum() > 900  # a quarter of the points sit around each centre
    blob = xor(4000, 0.3, 2, np.random.default_rng(0))[0][::4]  # the points drawn at (1, 1)
    np.testing.assert_allclose(blob.mean(axis=0), [1.0, 1.0], atol=0.03)
    np.testing.assert_allclose(blob.std(axis=0), [0.3, 0.3], atol=0.02)


def test_sine_is_regression_with_real_targets():
    d = make_data("sine", 400, 0.1, seed=2)
    assert d.regression and d.classes == 0 and d.width == 1
    assert d.y_train.shape == (200, 1) and d.y_train.dtype == np.float64
    residual = d.y_train - np.sin(d.x_train)
    assert abs(residual.std() - 0.1) < 0.02
    assert d.x_train.min() >= -np.pi and d.x_train.max() <= np.pi


def test_split_keeps_one_row_on_each_side_and_extent_pads_the_data():
    d = make_data("moons", 2, 0.0, 2, test_fraction=0.01)
    assert len(d.x_train) == 1 and len(d.x_test) == 1
    d = make_data("circles", 200, 0.0, 2)
    (lo1, hi1), (lo2, _) = d.extent()
    x = np.concatenate([d.x_train, d.x_test])
    assert lo1 < x[:, 0].min() and hi1 > x[:, 0].max() and lo2 < x[:, 1].min()
    assert hi1 - lo1 == pytest.approx(1.2 * np.ptp(x[:, 0]))


@pytest.mark.parametrize("kind", DATASETS.values(), ids=lambda k: k.name)
def test_generator_source_recreates_the_points_with_numpy_alone(kind):
    """The export copies this source into a script that imports nothing but numpy."""
    scope: dict = {"np": np}
    exec(generator_source(kind.name), scope)  # noqa: S102
    rng = np.random.default_rng(3)
    x, y = scope[kind.make.__name__](120, 0.2, kind.max_classes, rng)
    x_train, _, _, y_test = scope["split"](x, y, 0.25, rng)
    d = make_data(kind.name, 120, 0.2, kind.max_classes, seed=3, test_fraction=0.25)
    np.testing.assert_array_equal(x_train, d.x_train)
    np.testing.assert_array_equal(y_test, d.y_test)


@pytest.mark.parametrize(
    ("kwargs", "loc"),
    [
        ({"name": "swirl"}, ("dataset", "name")),
        ({"n": 1}, ("dataset", "n")),
        ({"n": 6000}, ("dataset", "n")),
        ({"noise": -1.0}, ("dataset", "noise")),
        ({"test_fraction": 1.0}, ("dataset", "test_fraction")),
        ({"name": "csv"}, ("dataset", "csv")),
    ],
)
def test_bad_arguments_name_their_field(kwargs, loc):
    args = {"name": "circles", "n": 100, "noise": 0.1, "classes": 2} | kwargs
    with pytest.raises(EngineError) as err:
        make_data(**args)
    assert err.value.loc == loc


# ------------------------------------------------------------------------ CSV


def test_csv_with_and_without_header_and_blank_lines():
    body = "0.5, 1.5, 0\n\n-1,2e-1,1\n3,4,2\n"
    x, y = parse_csv(body, 100)
    np.testing.assert_array_equal(x, [[0.5, 1.5], [-1.0, 0.2], [3.0, 4.0]])
    np.testing.assert_array_equal(y, [0, 1, 2])
    x2, y2 = parse_csv("X1,x2, Label\r\n" + body, 100)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(y2, y)
    d = make_data("csv", csv=body * 4, seed=1)
    assert d.classes == 3 and len(d.x_train) + len(d.x_test) == 12


def test_csv_label_that_is_not_a_whole_number_is_named_by_its_row():
    rows = ["x1,x2,label"] + [f"{i},{i},{i % 2}" for i in range(15)] + ["1,2,cat", "1,2,1"]
    with pytest.raises(EngineError) as err:
        parse_csv("\n".join(rows), 100)
    assert err.value.msg == "row 17: label 'cat' is not a whole number."
    assert err.value.loc == ("dataset", "csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,c\n1,2,0\n", "row 1: the header must be x1,x2,label (or leave it out), got 'a,b,c'."),
        ("1,2,0\n1,x,1\n", "row 2: x2 'x' is not a number."),
        ("1,2,0\nnan,1,1\n", "row 2: x1 'nan' is not a number."),
        ("1,2,0\n1,2,1.5\n", "row 2: label '1.5' is not a whole number."),
        ("1,2,0\n1,2,12\n", "row 2: label 12 is out of range; labels are 0 to 9."),
        ("1,2,0\n1,2\n", "row 2: expected 3 values x1,x2,label, got 2."),
        ("1,2,0\n3,4,0\n", "the CSV file needs points of at least two classes."),
        ("\n\n", "the CSV file is empty; give one row x1,x2,label per point."),
        ("x1,x2,label\n", "the CSV file has a header but no rows."),
    ],
)
def test_csv_errors_say_what_is_wrong(text, message):
    with pytest.raises(EngineError) as err:
        parse_csv(text, 100)
    assert err.value.msg == message


def test_csv_names_the_first_five_bad_rows_and_counts_the_rest():
    rows = ["1,2,0", "2,1,1"] + [f"{i},oops,1" for i in range(8)]
    with pytest.raises(EngineError) as err:
        parse_csv("\n".join(rows), 100)
    msg = err.value.msg
    assert msg.startswith("row 3: x2 'oops' is not a number; row 4:")
    assert "row 7:" in msg and "row 8:" not in msg and msg.endswith("(and 3 more bad rows).")


def test_csv_over_the_row_limit_is_refused_whole():
    text = "\n".join(f"{i},{i},{i % 2}" for i in range(11))
    with pytest.raises(EngineError) as err:
        parse_csv(text, 10)
    assert "11 rows; at most 10" in err.value.msg and "BPX_MAX_TRAIN_POINTS" in err.value.msg
    assert parse_csv(text, 11)[0].shape == (11, 2)
