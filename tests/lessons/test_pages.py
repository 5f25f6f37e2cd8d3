"""The pages' URL states, read from each page module's own ``new UrlState({...})``."""

import pytest

from app.lessons.pages import check_link, parse_state
from tests.lessons.helpers import pages

SOURCE = """
const METHODS = /** @type {const} */ (["central", "forward"]);
const STATE = new UrlState({
  expr: str("x**2 + 5"), // a comment, with a comma
  x0: numProp(1),
  step: num(-1, { min: -1, integer: true }),
  method: oneOf("central", METHODS),
  scale: oneOf("linear", ["linear", "log"]),
  act: words(["relu", "sigmoid"]),
  on: bool(false),
  start: nums([1, 2], { length: 2 }),
  hp: keyed(HYPER),
  alpha: suffixed("_alpha"),
  values: { ...valuesProp, fallback: () => ({ x: 1 }) },
});
"""


def test_declaration_kinds_bounds_and_words():
    p = parse_state("/x", SOURCE, {"METHODS": ("central", "forward")})
    assert list(p) == [
        "expr",
        "x0",
        "step",
        "method",
        "scale",
        "act",
        "on",
        "start",
        "hp",
        "alpha",
        "values",
    ]
    assert (p["step"].kind, p["step"].lo, p["step"].integer) == ("num", -1, True)
    assert p["method"].words == ("central", "forward")
    assert p["scale"].words == ("linear", "log")
    assert p["act"].words is None  # the fallback list is not the allowed list
    assert p["values"].kind == "pairs" and p["alpha"].suffix == "_alpha"


def test_unknown_property_kind_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="unknown property kind"):
        parse_state("/x", "new UrlState({ a: mystery(1) })")
    with pytest.raises(ValueError, match="declares no"):
        parse_state("/x", "const x = 1;")


def test_every_explorer_page_is_read_from_its_module():
    ps = pages()
    assert set(ps) == {"/derivative", "/activations", "/descent", "/network", "/graph", "/train"}
    assert {"expr", "x0", "h", "method"} <= set(ps["/derivative"].params)
    assert {"expr", "values", "step", "node"} <= set(ps["/graph"].params)
    assert ps["/descent"].param("momentum") is not None  # keyed(HYPER): the optimizers' names
    assert ps["/activations"].param("leaky_relu_alpha") is not None


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("/derivative?expr=sin(x)&x0=1&method=forward", True),
        ("/derivative", True),
        ("/derivative?x0=1e-3&h=1e-5", True),
        ("/derivative?h=0", False),  # below the declared min
        ("/graph?values=x:-2,y:5&step=-1&expand=1", True),
        ("/graph?values=x=-2", False),
        ("/graph?expand=yes", False),
        ("/descent?start=1,2&opt=sgd,adam&rho=0.9", True),
        ("/descent?start=1,b", False),
        ("/train?classes=11", False),
        ("/train?classes=3&ds=spiral", True),
        ("/network?step=4&nw=0:1,2&nlo=1e-4&nhi=0.5", True),  # the step shown and the nudge
        ("/network?step=-2", False),
        ("/network?nlo=-1", False),
        ("/derivative#x", False),
        ("//evil.example/derivative", False),
        ("derivative?x0=1", False),
    ],
)
def test_links(link, ok):
    assert (check_link(link, pages()) is None) is ok, check_link(link, pages())


def _site(tmp_path, module: str, extra: dict[str, str]):
    (tmp_path / "js/pages/net").mkdir(parents=True)
    (tmp_path / "js/pages/net/index.js").write_text(module)
    for name, text in extra.items():
        (tmp_path / "js/pages/net" / name).write_text(text)
    template = tmp_path / "net.html"
    template.write_text('{% set module = "js/pages/net/index.js" %}')
    return [("/net", template)]


def test_an_object_spread_in_from_another_module_is_followed(tmp_path):
    from app.lessons.pages import load_page_states

    module = """import { EXERCISE_STATE } from "./exercise.js";
const LOCAL = { sel: str("0") };
const STATE = new UrlState({ data: str("notebook"), ...LOCAL, ...EXERCISE_STATE });"""
    exercise = (
        'export const EXERCISE_STATE = {\n  bw: str(""), // "2:W"\n  bwfix: bool(false),\n};\n'
    )
    ps = load_page_states(_site(tmp_path, module, {"exercise.js": exercise}), tmp_path, [])
    assert list(ps["/net"].params) == ["data", "sel", "bw", "bwfix"]
    assert check_link("/net?bw=2:W&bwfix=1&sel=1", ps) is None
    assert check_link("/net?bwfix=maybe", ps) is not None


def test_an_unreadable_declaration_is_logged_and_its_page_left_open(tmp_path, caplog):
    from app.lessons.pages import load_page_states

    with caplog.at_level("ERROR", logger="app.lessons"):
        ps = load_page_states(_site(tmp_path, "new UrlState({ a: mystery(1) })", {}), tmp_path, [])
    assert ps["/net"].open and check_link("/net?anything=1", ps) is None
    assert "the URL state of /net cannot be read" in caplog.text


def test_no_shipped_page_is_left_open():
    assert not [p for p, s in pages().items() if s.open]


def test_no_page_reads_the_lesson_views_own_parameters():
    """The lesson view's URL holds its step (`at`), presenter mode and the page's own state: a
    page declaring `at` or `present` would take the lesson's value for its own."""
    from app.api.pages import LESSON_PARAMS

    for path, state in pages().items():
        assert not set(LESSON_PARAMS) & set(state.params), path
