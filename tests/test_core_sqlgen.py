"""The SQL generator against what it must mean (mutation benchmark, issue 16: clemency/engines/sqlgen.py).

Nothing here reads the SQL text. Every generated piece is run on DuckDB and its *result* compared with the
pure-Python meaning: a condition with the row-at-a-time evaluator the reference engine uses (three-valued
logic, the calendar functions), literals with the values they stand for, and whole decision queries with
the reference engine, field by field, on acts built to exercise each stage of the query (several reliefs in
order, unknown values, exclusions bound by a reading, readings whose default differs, inferred boundaries,
upcoming reliefs) and on the 2025 act with a synthetic registry. A wrong operator, a dropped NOT, a bound
moved by one day or a clause picked out of order changes some row's result."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import duckdb
import pytest

from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or, parse
from clemency.compile.evaluate import evaluate
from clemency.engines.sqlgen import SqlGen

D = dt.date
SEED = 16

# ---- conditions and values: DuckDB against the evaluator ---------------------------------------------------

# dates at the edges the calendar functions care about: month ends, 29 February, the turn of a year
EDGE_DAYS = [D(2024, 2, 29), D(2023, 2, 28), D(2023, 3, 1), D(2025, 8, 31), D(2026, 2, 28), D(2025, 12, 31),
             D(2026, 1, 1), D(2025, 12, 19), D(2026, 4, 19), D(2026, 6, 19), D(1980, 5, 5), D(2004, 2, 29),
             D(2026, 8, 31), D(2026, 3, 1), D(2025, 10, 30)]
NUMBERS = [-13, -6, -1, 0, 1, 2, 3, 4, 6, 12, 18, 36, 60]
COLUMNS = {"d1": "DATE", "d2": "DATE", "n": "INTEGER", "x": "DOUBLE", "s": "VARCHAR", "b": "BOOLEAN",
           "c": "BOOLEAN"}


def _rows(count: int = 160) -> list[dict]:
    rng = random.Random(SEED)

    def maybe(values):      # one value in eight unknown
        return None if rng.random() < 0.125 else rng.choice(values)

    rows = []
    for k in range(count):
        rows.append({"k": k, "d1": maybe(EDGE_DAYS), "d2": maybe(EDGE_DAYS), "n": maybe(NUMBERS),
                     "x": maybe([0.5, 2.5, 3.0, -1.25]), "s": maybe(["a", "b", "O'Brien", "", "a\\b"]),
                     "b": maybe([True, False]), "c": maybe([True, False])})
    # every pair of truth values of b and c, with known values elsewhere
    for i, (b, c) in enumerate((b, c) for b in (True, False, None) for c in (True, False, None)):
        rows.append({"k": count + i, "d1": D(2025, 8, 31), "d2": D(2026, 2, 28), "n": 6, "x": 2.5, "s": "a",
                     "b": b, "c": c})
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k INTEGER, " + ", ".join(f"{n} {t}" for n, t in COLUMNS.items()) + ")")
    con.executemany(f"INSERT INTO t VALUES (?, {', '.join('?' for _ in COLUMNS)})",
                    [[r["k"], *(r[n] for n in COLUMNS)] for r in ROWS])
    yield con
    con.close()


def _on_duckdb(con, tree) -> list:
    sql = SqlGen("duckdb").expr(tree)
    return [v for (v,) in con.execute(f"SELECT {sql} FROM t ORDER BY k").fetchall()]


def _expected(tree) -> list:
    return [evaluate(tree, r) for r in ROWS]


CONDITIONS = [
    # every comparison, each way round, on numbers, dates and text
    "n == 3", "n != 3", "n < 3", "n <= 3", "n > 3", "n >= 3", "3 < n", "3 >= n", "x >= 2.5", "x < 2.5",
    "d1 < d2", "d1 <= d2", "d1 == d2", "d1 != d2", "d1 > d2", "d1 >= d2", "d1 >= 2025-12-19",
    "d1 < 2026-03-01", "s == 'a'", "s != 'O\\'Brien'", "s < 'b'",
    # membership
    "s in ['a', 'O\\'Brien']", "s not in ['a', 'O\\'Brien']", "n in [0, 6, 12]", "n not in [0, 6, 12]",
    "d1 in [2024-02-29, 2025-08-31]",
    # three-valued logic
    "b", "not b", "b and c", "b or c", "not (b and c)", "not (b or c)", "b and c and n > 2",
    "b or c or n > 2", "b and (c or n > 2)", "b or unknown", "b and unknown", "not unknown or c", "b == true",
    "b != false", "true and b", "false or c",
    # the calendar, at month ends and on 29 February
    "known(d1)", "known(n)", "not known(s)", "first_known(d1, d2)", "first_known(d1, d2, 2026-01-01)",
    "age_on(d1, d2)", "age_on(d1, d2) >= 18", "add_months(d1, n)", "add_days(d1, n)", "nth_birthday(d1, n)",
    "first_day_left_at_most(d1, n)", "left_at_most(d1, d2, n)", "left_more_than(d1, d2, n)",
    "left_at_most(d1, 2025-12-19, 6)", "left_more_than(d1, 2025-12-19, 6)",
]


@pytest.mark.parametrize("text", CONDITIONS)
def test_a_condition_means_on_duckdb_what_it_means_to_the_evaluator(con, text):
    tree = parse(text)
    got, want = _on_duckdb(con, tree), _expected(tree)
    assert got == want, [(r, g, w) for r, g, w in zip(ROWS, got, want) if g != w][:3]
    assert len({repr(v) for v in want}) > 1, "the rows must give the condition more than one value"


# the two functions the compiler adds for date spans (clemency/compile/intervals.py)
INTERNAL = [
    Call("within", (Name("b"), Name("c"))),
    Call("within", (Cmp("<=", Name("d1"), Name("d2")), Cmp(">", Name("n"), Lit(2, "int")))),
    Call("if_true", (Name("b"), Name("d1"))),
    Call("add_months", (Name("d1"), Lit(-6, "int"))),
    Call("if_true", (Cmp("<", Name("n"), Lit(6, "int")), Call("add_months", (Name("d2"), Name("n"))))),
    And((Name("b"), Or((Name("c"), Not(Name("b")))), In(Name("s"), (Lit("a", "string"),), negated=True))),
]


@pytest.mark.parametrize("tree", INTERNAL, ids=[f"internal{i}" for i in range(len(INTERNAL))])
def test_the_compilers_own_functions_mean_the_same_on_duckdb(con, tree):
    got, want = _on_duckdb(con, tree), _expected(tree)
    assert got == want, [(r, g, w) for r, g, w in zip(ROWS, got, want) if g != w][:3]
    assert len({repr(v) for v in want}) > 1


LITERALS = [Lit(None, "null"), Lit(None, "int"), Lit(None, "date"), Lit(None, "string"), Lit(None, "bool"),
            Lit(True, "bool"), Lit(False, "bool"), Lit(D(2024, 2, 29), "date"), Lit(D(1999, 12, 31), "date"),
            Lit(0, "int"), Lit(-7, "int"), Lit(123456, "int"), Lit(2.5, "number"), Lit(-0.125, "number"),
            Lit("O'Brien", "string"), Lit("a\\b", "string"), Lit("", "string"), Lit("''", "string"),
            Lit("x'); DROP TABLE t; --", "string"), Lit("true", "string"), Lit("NULL", "string")]


@pytest.mark.parametrize("lit", LITERALS, ids=[f"{x.type}-{x.value!r}" for x in LITERALS])
def test_a_literal_is_the_value_it_stands_for(con, lit):
    gen = SqlGen("duckdb")
    (got,) = con.execute(f"SELECT {gen.lit(lit)}").fetchone()
    assert got == lit.value
    if lit.type == "number":    # DuckDB reads 2.5 as an exact decimal
        assert not isinstance(got, (str, bool, int))
    else:
        assert type(got) is type(lit.value)
    assert con.execute(f"SELECT {gen.expr(lit)} IS NULL").fetchone()[0] is (lit.value is None)
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == len(ROWS)


def test_a_date_is_a_date_value(con):
    for day in (D(2024, 2, 29), D(2026, 4, 19), D(1, 1, 1)):
        assert con.execute(f"SELECT {SqlGen('duckdb').date(day)}").fetchone()[0] == day


def test_names_that_are_plain_identifiers_reach_their_column():
    con = duckdb.connect()
    names = ["select", "_row", "a_b", "x1", "Order", "a_1_"]
    con.execute("CREATE TABLE w (" + ", ".join(f'"{n}" INTEGER' for n in names) + ")")
    con.execute("INSERT INTO w VALUES (" + ", ".join(str(i) for i in range(len(names))) + ")")
    gen = SqlGen("duckdb")
    got = con.execute(f"SELECT {', '.join(gen.ident(n) for n in names)} FROM w").fetchone()
    assert list(got) == list(range(len(names)))
    assert con.execute(f"SELECT {gen.expr(Name('select'))} FROM w").fetchone()[0] == 0


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize("name", ["a b", 'x"y', "x`y", "a-b", "", "a;b", "a.b", "é'"])
def test_anything_but_a_plain_identifier_is_refused(dialect, name):
    with pytest.raises(ValueError) as info:
        SqlGen(dialect).ident(name)
    assert str(info.value) == f"not an identifier: {name!r}"


@pytest.mark.parametrize("dialect", ["postgres", "DuckDB", "", "sparksql"])
def test_an_unknown_dialect_is_refused_by_name(dialect):
    with pytest.raises(ValueError) as info:
        SqlGen(dialect)
    assert str(info.value) == dialect


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_the_dialect_is_the_one_asked_for(dialect):
    assert SqlGen(dialect).dialect == dialect


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_a_function_the_dialect_cannot_express_is_named(dialect):
    with pytest.raises(ValueError) as info:
        SqlGen(dialect).call("years_between", ["a", "b"])
    assert str(info.value) == f"the {dialect} dialect cannot express the function 'years_between'"
    with pytest.raises(TypeError):
        SqlGen(dialect).expr(object())


DAYS3 = [None, D(2026, 1, 1), D(2026, 1, 2), D(2025, 12, 31)]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_greatest_and_least_are_unknown_when_any_date_is(size):
    gen, con = SqlGen("duckdb"), duckdb.connect()

    def sql(v):
        return "CAST(NULL AS DATE)" if v is None else gen.date(v)

    for combo in itertools.product(DAYS3, repeat=size):
        items = [sql(v) for v in combo]
        hi, lo = con.execute(f"SELECT {gen.greatest(items)}, {gen.least(items)}").fetchone()
        unknown = None in combo
        assert (hi, lo) == ((None, None) if unknown else (max(combo), min(combo))), combo
