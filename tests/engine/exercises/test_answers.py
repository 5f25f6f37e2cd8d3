"""Typed answers: numbers, fractions, small arithmetic; the precision typed; the allow-list."""

import pytest

from app.engine.errors import EngineError
from app.engine.exercises.answers import MAX_CHARS, parse_answer


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("-0.39", -0.39),
        ("-2/3", -2 / 3),
        ("3*-4 + 1", -11.0),
        ("(1 + 2)**2", 9.0),
        ("−4", -4.0),
        ("2 × 3", 6.0),
        ("1.5e-3", 1.5e-3),
        (" 7 ", 7.0),
        ("+2", 2.0),
    ],
)
def test_reads_what_a_careful_person_types(typed, value):
    assert parse_answer(typed).value == pytest.approx(value, rel=1e-15)


def test_precision_typed_two_significant_digits():
    assert parse_answer("-0.39").matches(-0.3932)
    assert parse_answer("-0.39").matches(-0.385)
    assert not parse_answer("-0.39").matches(-0.3951)
    assert parse_answer("1.5e-3").matches(1.54e-3)
    # one significant digit or a whole number is taken as exact
    assert not parse_answer("0.4").matches(0.3932)
    assert not parse_answer("-12").matches(-12.3)
    assert parse_answer("-12").matches(-12.0000001)


def test_json_numbers_and_expressions_are_exact_to_1e6_relative():
    assert parse_answer(-0.6666667).matches(-2 / 3)
    assert not parse_answer(-0.6667).matches(-2 / 3)
    assert parse_answer("-2/3").matches(-2 / 3)
    assert parse_answer(0.0).matches(1e-10)  # the absolute floor where the truth is 0
    assert not parse_answer(0.0).matches(1e-8)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("x + 1", "name 'x'"),
        ("__import__('os')", "not a number"),
        ("sin(1)", "function call"),
        ("1/0", "divides by zero"),
        ("2**1000", "exponent too large"),
        ("1e300**2", "overflows"),
        ("1e300*1e300", "not finite"),
        ("", "empty"),
        ("1 +", "not a number"),
        ("1_000", "not a number"),
        ("'a'", "not a number"),
        ("(-8)**(1/3)", "fractional power"),
        ("1e309", "not finite"),
        ("0**-1", "negative power"),
        ("1" * (MAX_CHARS + 1), "longer than"),
        ("[1]", "not allowed"),
        ("True", "not a number"),
        ("abs", "name 'abs'"),
    ],
)
def test_refuses_anything_else_in_words_with_loc(typed, words):
    with pytest.raises(EngineError) as e:
        parse_answer(typed)
    assert words in e.value.msg
    assert e.value.loc == ("answer",)
    assert len(e.value.msg) < 200


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), None, [1.0]])
def test_refuses_non_numbers(bad):
    with pytest.raises(EngineError):
        parse_answer(bad)
