"""The condition language, as a drafter meets it: every kind of value, every operator, the exact words and
column of every mistake, and conditions written back as text (written for the mutation benchmark, issue 16:
each test fails if one small thing in clemency/act/lang.py changes)."""

import datetime as dt

import pytest

from clemency.act.lang import (
    FALSE,
    TRUE,
    UNKNOWN,
    And,
    Call,
    Cmp,
    In,
    Lit,
    Name,
    Not,
    Or,
    ParseError,
    names_in,
    parse,
    render,
    tokenize,
)


@pytest.mark.parametrize("source, value, kind", [
    ("7", 7, "int"),
    ("0", 0, "int"),
    ("1.5", 1.5, "number"),
    ("2025-12-19", dt.date(2025, 12, 19), "date"),
    ("'234.1'", "234.1", "string"),
    ('"a b"', "a b", "string"),
    ("''", "", "string"),
    ("true", True, "bool"),
    ("false", False, "bool"),
    ("unknown", None, "null"),
])
def test_each_kind_of_literal(source, value, kind):
    lit = parse(source)
    assert lit == Lit(value, kind)
    assert type(lit.value) is type(value)


def test_true_false_unknown_are_the_shared_constants():
    assert parse("true") is TRUE and parse("false") is FALSE and parse("unknown") is UNKNOWN
    assert TRUE == Lit(True, "bool") and FALSE == Lit(False, "bool") and UNKNOWN == Lit(None, "null")


def test_a_string_with_an_escaped_quote_or_code():
    assert parse(r"'O\'Brien'") == Lit("O'Brien", "string")
    assert parse(r'"F\u0041"') == Lit("FA", "string")
    assert parse(r"'a\\b'") == Lit("a\\b", "string")


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_each_comparison(op):
    assert parse(f"age {op} 18") == Cmp(op, Name("age", 0), Lit(18, "int"))


def test_names_keep_their_column_and_calls_their_arguments():
    tree = parse("  f(x, 1 or y)")
    assert tree == Call("f", (Name("x"), Or((Lit(1, "int"), Name("y")))))
    assert tree.column == 2 and tree.args[0].column == 4 and tree.args[1].args[1].column == 12
    assert parse("f()") == Call("f", ())
    assert parse("f(a, b, c)").args == (Name("a"), Name("b"), Name("c"))


def test_in_lists_of_every_length_and_negated():
    assert parse("x in [1]") == In(Name("x"), (Lit(1, "int"),), False)
    assert parse("x in [1, 2, 3]").items == (Lit(1, "int"), Lit(2, "int"), Lit(3, "int"))
    assert parse("x not in ['a', 'b']") == In(Name("x"), (Lit("a", "string"), Lit("b", "string")), True)
    assert parse("not x in [1]") == Not(In(Name("x"), (Lit(1, "int"),)))


def test_and_or_not_chains_and_parentheses():
    assert parse("a and b and c") == And((Name("a"), Name("b"), Name("c")))
    assert parse("a or b or c") == Or((Name("a"), Name("b"), Name("c")))
    assert parse("a or b and c") == Or((Name("a"), And((Name("b"), Name("c")))))
    assert parse("(a or b) and c") == And((Or((Name("a"), Name("b"))), Name("c")))
    assert parse("not not a") == Not(Not(Name("a")))
    assert parse("((a))") == Name("a")


def test_keywords_are_not_names():
    kinds = [t[0] for t in tokenize("a and b or not c in [true, false, unknown]")]
    assert kinds == ["name", "and", "name", "or", "not", "name", "in", "op", "true", "op", "false", "op",
                     "unknown", "op", "end"]
    assert tokenize("android order notary inside") [:4] == [("name", "android", 0), ("name", "order", 8),
                                                           ("name", "notary", 14), ("name", "inside", 21)]


def test_tokens_carry_their_column_and_the_end_its_length():
    assert tokenize("x >= 2025-01-01") == [("name", "x", 0), ("op", ">=", 2), ("date", "2025-01-01", 5),
                                           ("end", "", 15)]
    assert tokenize("a<=1")[1] == ("op", "<=", 1)


@pytest.mark.parametrize("source, short, column", [
    ("a b", "unexpected 'b' (missing 'and' / 'or'?) at column 3", 2),
    ("x not y", "unexpected 'not' (missing 'and' / 'or'?) at column 3", 2),
    ("x in [y]", "a list may hold only literal values at column 1", 0),
    ("x in [1", "expected ']', found 'the end of the condition' at column 8", 7),
    ("x in 1", "expected '[', found '1' at column 6", 5),
    ("f(", "expected a value, a name or '(', found 'the end of the condition' at column 3", 2),
    (")", "expected a value, a name or '(', found ')' at column 1", 0),
    ("not in [1]", "expected a value, a name or '(', found 'in' at column 5", 4),
    ("2025-13-01 > on", "'2025-13-01' is not a valid date at column 1", 0),
    ("x ! 1", "unexpected character '!' at column 3", 2),
    ("sex = 'F'", "unexpected character '=' (use == to compare) at column 5", 4),
    ("f(a b)", "expected ')', found 'b' at column 5", 4),
    ("   ", "empty condition at column 1", 0),
])
def test_every_mistake_is_named_with_its_column(source, short, column):
    with pytest.raises(ParseError) as info:
        parse(source)
    err = info.value
    assert err.short == short
    assert err.column == column and err.source == source
    assert str(err) == f"{short}:\n      {source}\n      {' ' * column}^"


def test_a_condition_that_is_not_text_is_an_empty_condition():
    with pytest.raises(ParseError, match="^empty condition at column 1"):
        parse(None)


def test_names_in_finds_every_variable_but_no_function():
    tree = parse("f(a, not b) and (c < d or e in [1]) and g(h(i)) == 2025-01-01")
    assert names_in(tree) == {"a", "b", "c", "d", "e", "i"}
    assert names_in(parse("1 < 2")) == set()


@pytest.mark.parametrize("source, text", [
    ("'F'", "'F'"),
    ("2025-12-19", "2025-12-19"),
    ("true", "true"),
    ("false", "false"),
    ("unknown", "unknown"),
    ("1.5", "1.5"),
    ("42", "42"),
    ("x", "x"),
    ("f(a, 1)", "f(a, 1)"),
    ("g()", "g()"),
    ("not x", "not x"),
    ("a and b", "a and b"),
    ("a or b", "a or b"),
    ("(a or b) and c", "(a or b) and c"),
    ("a and (b and c)", "a and b and c"),
    ("a or b and c", "a or b and c"),
    ("x >= 3", "x >= 3"),
    ("x in ['a', 'b']", "x in ['a', 'b']"),
    ("x not in [1]", "x not in [1]"),
])
def test_render_writes_each_construct_back(source, text):
    assert render(parse(source)) == text


def test_render_refuses_what_is_not_a_condition():
    with pytest.raises(TypeError):
        render(object())


@pytest.mark.parametrize("source", [
    "not (a and b)",
    "not (a or b)",
    "not (a and b) or c",
    "(a or b) == c",
    "(a and b) != c",
    "(not a) == b",
    "(a == b) == c",
    "c == (a or b)",
    "(x in [1]) == b",
    "(a or b) in [true]",
    "not (not a and b)",
    "f(a or b, not (c and d))",
])
def test_render_keeps_the_grouping_it_needs(source):
    # the text written back must read as the same condition (the act pages, the bounds' variant keys and
    # the plan's messages use it): a lost parenthesis turns "not (a and b)" into "(not a) and b"
    tree = parse(source)
    assert parse(render(tree)) == tree


def test_render_adds_no_parenthesis_it_does_not_need():
    assert render(parse("not a and b")) == "not a and b"
    assert render(parse("a == 1 and not b == 2")) == "a == 1 and not b == 2"
    assert render(parse("not (a and b)")) == "not (a and b)"


@pytest.mark.parametrize("source, value", [
    (r"'Əli\'s'", "Əli's"),
    (r"'şərti\\'", "şərti\\"),
    ("'Gəncə'", "Gəncə"),
    (r'"Ü\"x"', 'Ü"x'),
])
def test_an_escaped_string_keeps_its_letters(source, value):
    # a backslash in a string with Azerbaijani or other non-ASCII letters must not garble them
    assert parse(source) == Lit(value, "string")
    assert parse(render(parse(source))) == Lit(value, "string")


def test_a_tree_built_in_code_starts_at_column_zero():
    # the compiler builds names and calls of its own (substitutions, folded readings)
    assert Name("x").column == 0 and Call("f", ()).column == 0
    assert In(Name("x"), (Lit(1, "int"),)).negated is False


def test_render_names_what_it_cannot_write():
    with pytest.raises(TypeError) as info:
        render(42)
    assert str(info.value) == "42"


@pytest.mark.parametrize("source, tokens", [
    ("1.5", [("number", "1.5", 0)]),
    ("a1 _b", [("name", "a1", 0), ("name", "_b", 3)]),
    ("\"it's\"", [("string", "\"it's\"", 0)]),
    ("'a' 'b'", [("string", "'a'", 0), ("string", "'b'", 4)]),
    ("x<=1>=2<3>4==5!=6", [("name", "x", 0), ("op", "<=", 1), ("number", "1", 3), ("op", ">=", 4),
                            ("number", "2", 6), ("op", "<", 7), ("number", "3", 8), ("op", ">", 9),
                            ("number", "4", 10), ("op", "==", 11), ("number", "5", 13), ("op", "!=", 14),
                            ("number", "6", 16)]),
    ("f([1],2)", [("name", "f", 0), ("op", "(", 1), ("op", "[", 2), ("number", "1", 3), ("op", "]", 4),
                  ("op", ",", 5), ("number", "2", 6), ("op", ")", 7)]),
    ("\t2025-01-31\n", [("date", "2025-01-31", 1)]),
])
def test_each_token_and_where_it_starts(source, tokens):
    assert tokenize(source) == tokens + [("end", "", len(source))]


@pytest.mark.parametrize("source, short", [
    ("18abc", "unexpected character '1' at column 1"),
    ("2025-12-191", "unexpected character '2' at column 1"),
    ("122-1", "unexpected character '1' at column 1"),
    ("1.", "unexpected character '.' at column 2"),
    ("'open", "unexpected character \"'\" at column 1"),
    ("a & b", "unexpected character '&' at column 3"),
    ("(a]", "expected ')', found ']' at column 3"),
    ("x in [1)", "expected ']', found ')' at column 8"),
    ("f(a,)", "expected a value, a name or '(', found ')' at column 5"),
    ("x in []", "expected a value, a name or '(', found ']' at column 7"),
    ("a and", "expected a value, a name or '(', found 'the end of the condition' at column 6"),
    ("a or or b", "expected a value, a name or '(', found 'or' at column 6"),
    ("x not", "unexpected 'not' (missing 'and' / 'or'?) at column 3"),
    ("a == b == c", "unexpected '==' (missing 'and' / 'or'?) at column 8"),
])
def test_more_mistakes_with_their_column(source, short):
    # numbers glued to letters or dashes are article numbers: they must be quoted, never read as numbers
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.short == short
