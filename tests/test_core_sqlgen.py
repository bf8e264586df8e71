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
from clemency.calendar import add_months
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


# ---- whole decision queries: DuckDB against the reference engine --------------------------------------------

STAGES_ACT = """\
id: stages
title: every stage of the decision query
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
readings:
  cut: {default: long, values: {long: more than twelve months left, short: more than six months left}}
  bar: {default: firm, values: {firm: the bar holds, lifted: no bar}}
clauses:
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: a less serious crime with six months or less left
    status: reported
    when:
      - punishment == 'imprisonment'
      - crime_category == 'less_serious'
      - left_at_most(sentence_end, on, 6)
  - id: R5
    kind: relief
    relief: release_from_imprisonment
    text: aged 60 or over on the day, with a known term
    status: reported
    when:
      - punishment == 'imprisonment'
      - age_on(birth_date, on) >= 60
      - term_months <= 48
  - id: U1
    kind: relief
    relief: release_from_criminal_liability
    text: a clause of unknown content
    status: unknown
    when: ["status == 'suspect'"]
  - id: R2
    kind: relief
    relief: term_reduction
    reduction_months: 6
    text: more than the cut left on the day of entry into force
    status: reported
    when:
      - punishment == 'imprisonment'
      - test: (reading('cut') == 'long' and left_more_than(sentence_end, eif, 12)) or (reading('cut') == 'short' and left_more_than(sentence_end, eif, 6))
        says: more than the cut is left
        status: inferred
        status_when: term_months == 60
  - id: R3
    kind: relief
    relief: term_reduction
    reduction_months: 3
    text: a term of two years or more
    status: inferred
    when:
      - punishment == 'imprisonment'
      - term_months >= 24
  - id: R4
    kind: relief
    relief: release_from_punishment
    text: a non-custodial punishment until the first of March
    status: reported
    when:
      - punishment != 'imprisonment'
      - on < 2026-03-01
  - id: P1
    kind: provision
    text: a provision that decides nothing
    status: reported
    when: ["sex == 'F'"]
  - id: X1
    kind: exclusion
    text: a crime of negligence
    status: reported
    when: [negligent]
    applies_to: [R1, R2]
  - id: X2
    kind: exclusion
    text: an offence before 2023, under the reading bar
    status: inferred
    when:
      - test: offense_date < 2023-01-01
        says: the offence was before 2023
        status: unknown
        status_when: offense_date < 2021-01-01
    applies_to: [R4, {clauses: [R3, R5], when: "reading('bar') == 'firm'"}]
  - id: X3
    kind: exclusion
    text: a war participant
    status: reported
    when: [war_participant]
    applies_to: [R3]
"""

FIELDS = ["relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from", "eligible_until",
          "upcoming_relief", "upcoming_clause", "upcoming_from", "reasons", "excluded_by", "rests_on_readings",
          "crime_category", "notes"]


def _records(count: int) -> list[dict]:
    rng = random.Random(SEED)
    eif = D(2025, 12, 19)
    out = []
    for i in range(count):
        punishment = rng.choice(["imprisonment"] * 5 + ["fine", "restriction_of_liberty", "conditional"])
        end = rng.choice([dt.timedelta(days=rng.randint(-20, 560)) + eif, D(2026, 6, 19), D(2026, 6, 20),
                          D(2026, 8, 31), D(2026, 12, 19), D(2026, 12, 20), D(2027, 2, 28)])
        rec = {"person_id": f"P{i}", "case_id": f"K{i}", "sex": rng.choice("MF"),
               "birth_date": rng.choice([None, "1966-01-15", "1966-04-19", "1966-04-20", "1965-12-19",
                                         "1964-02-29", "1980-05-05"]),
               "status": rng.choice(["convicted"] * 6 + ["suspect"]),
               "articles": rng.choice(["177.2", "177.2", "177", "234.1"]),
               "crime_category": rng.choice([None, None, "less_serious", "grave"]),
               "negligent": rng.choice([None, True, False, False, "unknown"]),
               "war_participant": rng.choice([False, False, True, "unknown"]),
               "punishment": punishment, "term_months": rng.choice([12, 24, 36, 48, 60, 60, None]),
               "sentence_end": end.isoformat()}
        term = rec["term_months"]
        start = add_months(end, -term) if term else D(2024, 1, 10)
        rec["sentence_start"] = start.isoformat()
        lag = rng.choice([None, 20, 200, 400, 900, 1500])
        rec["offense_date"] = None if lag is None else (start - dt.timedelta(days=lag)).isoformat()
        if rec["articles"] == "177" and rec["crime_category"] == "grave":
            rec["crime_category"] = None        # the bare article: category unknown
        out.append(rec)
    return out + [dict(UPCOMING, person_id=f"U{i}", case_id=f"U{i}", birth_date=b) for i, b in enumerate(BIRTHS)]


# a man of 59 with nine months left on a one-year term: nothing on the day of entry into force; R5 on his
# 60th birthday, R1 once six months are left (30 March 2026), whichever comes first
UPCOMING = {"sex": "M", "status": "convicted", "articles": "177.2", "crime_category": "less_serious",
            "negligent": False, "war_participant": False, "punishment": "imprisonment", "term_months": 12,
            "sentence_start": "2025-09-30", "sentence_end": "2026-09-30", "offense_date": "2025-09-10"}
BIRTHS = ["1966-01-15", "1966-04-20", "1966-03-30", "1966-03-31", "1966-03-29"]


def _both(act, records, on, readings=None, carry=None) -> list[dict]:
    from clemency.pipeline import Context, decide_records
    ctx = Context.make(act, readings, on)
    duck = decide_records(ctx, records, engine="duckdb", carry=carry)
    ref = decide_records(ctx, records, engine="reference", carry=carry)
    wrong = [(r["case_id"], f, d[f], r[f]) for d, r in zip(duck, ref) for f in FIELDS if d[f] != r[f]]
    assert not wrong, f"{len(wrong)} fields differ (case, field, duckdb, reference): {wrong[:6]}"
    return duck


@pytest.fixture(scope="module")
def stages_act(tmp_path_factory):
    from clemency.act.load import load_act
    path = tmp_path_factory.mktemp("act") / "stages.yaml"
    path.write_text(STAGES_ACT)
    return load_act(path)


STAGE_RUNS: list = [("2025-12-19", None), ("2026-03-01", None), ("2026-02-28", {"cut": "short", "bar": "lifted"}),
              ("2026-04-19", {"cut": "short"}), ("2026-01-15", {"bar": "lifted"})]


@pytest.mark.parametrize("on, readings", STAGE_RUNS, ids=[f"{d}-{r}" for d, r in STAGE_RUNS])
def test_every_stage_of_the_query_decides_as_the_reference_engine(stages_act, on, readings):
    got = _both(stages_act, _records(150), on, readings)
    seen = {f: {d[f] for d in got} for f in FIELDS}
    # the records reach every kind of outcome, so the comparison is not vacuous
    assert {"none", "indeterminate", "release_from_imprisonment", "term_reduction"} <= seen["relief"]
    assert any("U" in r for r in seen["reasons"]) and all(r[2] == "-" for r in seen["reasons"])
    assert len(seen["eligible_until"]) > 1 and len(seen["excluded_by"]) > 3


@pytest.mark.parametrize("birth, want", [
    ("1966-01-15", ("release_from_imprisonment", "R5", D(2026, 1, 15))),
    ("1966-04-20", ("release_from_imprisonment", "R1", D(2026, 3, 30))),     # 60 only after the window
    ("1966-03-30", ("release_from_imprisonment", "R1", D(2026, 3, 30))),     # the same day: the first clause
    ("1966-03-31", ("release_from_imprisonment", "R1", D(2026, 3, 30))),
    ("1966-03-29", ("release_from_imprisonment", "R5", D(2026, 3, 29))),
])
def test_the_first_relief_to_come_is_named_with_its_day(stages_act, birth, want):
    (d,) = _both(stages_act, [dict(UPCOMING, person_id="U", case_id="U", birth_date=birth)], "2025-12-19")
    assert (d["relief"], d["clause"]) == ("none", None)
    assert (d["upcoming_relief"], d["upcoming_clause"], d["upcoming_from"]) == want
    day = want[2]
    (before,) = _both(stages_act, [dict(UPCOMING, person_id="U", case_id="U", birth_date=birth)],
                      (day - dt.timedelta(days=1)).isoformat())
    assert (before["relief"], before["upcoming_from"]) == ("none", day)
    (on,) = _both(stages_act, [dict(UPCOMING, person_id="U", case_id="U", birth_date=birth)], day.isoformat())
    assert (on["relief"], on["clause"], on["upcoming_from"]) == (want[0], want[1], None)
    # released from the first day either clause gives it, until the window's last day
    assert (on["eligible_from"], on["eligible_until"]) == (day, D(2026, 4, 19))
    assert on["basis"] == "reported" and on["excluded_by"] == "" and on["rests_on_readings"] == ""


NOTHING_ACT = """\
id: nothing
title: an act that gives no relief to anyone
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
clauses:
  - id: U1
    kind: relief
    relief: release_from_imprisonment
    text: a clause of unknown content
    status: unknown
    when: ["sex == 'M'"]
  - id: P1
    kind: provision
    text: a provision
    status: reported
    when: ["sex == 'F'"]
"""


def test_an_act_without_a_deciding_clause_decides_none_for_everyone(tmp_path):
    from clemency.act.load import load_act
    path = tmp_path / "nothing.yaml"
    path.write_text(NOTHING_ACT)
    got = _both(load_act(path), _records(20), "2026-01-10")
    assert {d["relief"] for d in got} == {"none"}
    for d in got:
        assert [d[f] for f in FIELDS[1:10]] == [None] * 9
        assert (d["excluded_by"], d["rests_on_readings"]) == ("", "")
        assert d["reasons"] in ("-H", "-F")


# one relief clause; an exclusion of unknown content bars it; a reading chosen otherwise than its default
UNKNOWN_BAR_ACT = """\
id: unknown-bar
title: an exclusion of unknown content
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
readings:
  cut: {default: long, values: {long: twelve months, short: six months}}
clauses:
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: the months left, by the reading
    status: reported
    when:
      - (reading('cut') == 'long' and left_at_most(sentence_end, on, 12)) or (reading('cut') == 'short' and left_at_most(sentence_end, on, 6))
  - id: X1
    kind: exclusion
    text: an exclusion whose content is not known
    status: unknown
    when: ["sex == 'M'"]
    applies_to: [R1]
"""


@pytest.mark.parametrize("readings", [None, {"cut": "short"}])
def test_an_exclusion_of_unknown_content_leaves_the_relief_it_bars_undecided(tmp_path, readings):
    from clemency.act.load import load_act
    path = tmp_path / "act.yaml"
    path.write_text(UNKNOWN_BAR_ACT)
    got = _both(load_act(path), _records(40), "2026-01-20", readings)
    assert {d["relief"] for d in got} == {"none", "indeterminate"}
    assert {d["upcoming_clause"] for d in got} == {None}


def test_what_each_decision_carries_through_and_notes(stages_act):
    records = _records(6)
    records[0].update(crime_category="grave", articles="177.2")
    records[1].update(crime_category=None, articles="177.2;999.9")
    records[2].update(negligent=True, articles="177.2", crime_category=None, punishment="imprisonment",
                      sentence_end="2026-03-01", term_months=24, sentence_start="2024-03-01")
    got = _both(stages_act, records, "2025-12-19", carry=["case_id", "sex", "crime_category", "notes", "_row"])
    assert [(d["case_id"], d["sex"], d["_row"]) for d in got] == [(r["case_id"], r["sex"], k + 1)
                                                                  for k, r in enumerate(records)]
    assert "person_id" not in got[0]
    assert got[0]["notes"] == "crime_category given as grave, the Criminal Code table says less_serious"
    assert got[0]["crime_category"] == "grave"
    assert got[1]["notes"] == "articles not in the Criminal Code table: 999.9"
    assert "X1" in got[2]["excluded_by"].split(";")     # a negligence given wins over the table


AZ_RUNS = [("2025-12-19", None, 3),
           ("2026-02-10", {"b3": "application", "f2": "abcde", "b2": "exclusive", "e1": "also-a"}, 4)]


@pytest.mark.parametrize("on, readings, seed", AZ_RUNS, ids=["default", "other-readings"])
def test_the_2025_act_decides_a_synthetic_registry_as_the_reference_engine(on, readings, seed):
    from clemency.registry.synth import chunks
    records = next(chunks(180, seed=seed)).to_pylist()
    got = _both("az-2025", records, on, readings)
    seen = {f: {d[f] for d in got} for f in FIELDS}
    assert len(seen["relief"]) >= 4 and len(seen["clause"]) >= 5 and len(seen["excluded_by"]) >= 3


# ---- the Spark dialect, read by Spark's own rules (Spark itself runs in tests/test_conformance.py) ----------

def _spark_string(sql: str) -> str:
    """A single-quoted Spark SQL string literal as Spark reads it: a backslash escapes the next character,
    two quotes stand for one."""
    assert sql[0] == sql[-1] == "'", sql
    body, out, i = sql[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            out.append(body[i + 1])
            i += 2
        elif body[i] == "'":
            assert body[i + 1] == "'", f"an unescaped quote ends the literal early: {sql}"
            out.append("'")
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("text", ["a\\b", "O'Brien", "\\'", "a\\\\b", "x'); DROP TABLE t; --", "", "end\\"])
def test_a_spark_string_literal_is_read_back_as_the_value(text):
    assert _spark_string(SqlGen("spark").lit(Lit(text, "string"))) == text


def test_a_spark_name_is_read_as_an_identifier():
    for name in ("select", "_row", "a_b"):
        sql = SqlGen("spark").ident(name)
        assert sql[0] == sql[-1] == "`" and sql[1:-1] == name    # backquotes: a name; double quotes: a string


def _calls(sql: str, fn: str) -> list[int]:
    """The number of arguments of each call of `fn` in `sql`."""
    counts, start = [], 0
    while (at := sql.find(fn + "(", start)) >= 0:
        depth, args, i = 0, 1, at + len(fn)
        while True:
            ch = sql[i]
            depth += (ch == "(") - (ch == ")")
            if depth == 1 and ch == ",":
                args += 1
            if depth == 0:
                break
            i += 1
        counts.append(args)
        start = at + 1
    return counts


@pytest.mark.parametrize("act", ["az-2025", "stages", "nothing", "unknown-bar"])
def test_the_spark_query_uses_only_what_spark_accepts(act, stages_act, tmp_path):
    """Spark's LEAST and GREATEST take two arguments or more; its VARCHAR needs a length (STRING has none)."""
    from clemency.act.load import load_act
    from clemency.compile.plan import compile_act
    if act in ("nothing", "unknown-bar"):
        path = tmp_path / "act.yaml"
        path.write_text(NOTHING_ACT if act == "nothing" else UNKNOWN_BAR_ACT)
        act = load_act(path)
    plan = compile_act(stages_act if act == "stages" else load_act(act) if isinstance(act, str) else act)
    gen = SqlGen("spark")
    cols = ["person_id", "case_id", "_row", "sex", "birth_date", "status", "articles", "crime_category",
            "negligent", "offense_date", "punishment", "term_months", "sentence_start", "sentence_end"]
    sql = gen.decision_query(plan, gen.source_query(plan, "registry", "_lookup", cols), D(2025, 12, 19),
                             ["person_id"])
    for fn in ("LEAST", "GREATEST"):
        assert all(n >= 2 for n in _calls(sql, fn)), fn
    assert "VARCHAR" not in sql.upper().replace("VARCHAR(", "")
