"""The condition language: parsing, positions of mistakes, rendering back."""

import datetime as dt

import pytest

from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or, ParseError, parse, render


def test_precedence_not_and_or():
    tree = parse("not a and b or c")
    assert tree == Or((And((Not(Name("a", 4)), Name("b", 10))), Name("c", 15)))


def test_literals_and_calls():
    tree = parse("age_on(birth_date, 2025-12-19) >= 60")
    assert isinstance(tree, Cmp) and tree.op == ">="
    assert tree.left == Call("age_on", (Name("birth_date", 7), Lit(dt.date(2025, 12, 19), "date")), 0)
    assert tree.right == Lit(60, "int")


def test_in_and_not_in():
    assert parse("sex in ['F']") == In(Name("sex", 0), (Lit("F", "string"),))
    assert parse("sex not in ['F', 'M']").negated is True


def test_article_like_numbers_are_not_dates_or_numbers():
    # strings hold article numbers; a date literal must be a real date
    with pytest.raises(ParseError, match="not a valid date"):
        parse("on >= 2025-02-30")


@pytest.mark.parametrize("source, column, message", [
    ("sex = 'F'", 4, "use =="),
    ("sex == 'F' and", 14, "expected a value"),
    ("(sex == 'F'", 11, "expected ')'"),
    ("sex == 'F' war_participant", 11, "missing 'and'"),
    ("", 0, "empty condition"),
])
def test_errors_point_at_the_column(source, column, message):
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.column == column
    assert message in str(info.value)


def test_render_round_trips():
    for source in ["a and (b or c)", "not x", "sex in ['F', 'M']", "age_on(birth_date, eif) >= 60",
                   "reading('b3') == 'eif' and left_at_most(sentence_end, on, 6)"]:
        assert parse(render(parse(source))) == parse(source)
