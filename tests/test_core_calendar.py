"""The calendar conventions at every boundary, against references written another way (mutation benchmark,
issue 16: clemency/calendar.py and clemency/calendar_sql.py).

Each Python function is checked against a reference that counts months one by one, tries days until one
exists, or scans day by day; each SQL twin is checked against the Python function by running it on DuckDB
(both dialects: the Spark text runs on DuckDB given Spark's documented `add_months`, the only Spark
function DuckDB lacks). Then the days a drafter or a lawyer reads in a decision (the first day with six
months or less left, the day an age is reached) are checked on both local engines."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pytest

from clemency.act.load import load_act
from clemency.calendar import (
    add_days,
    add_months,
    age_on,
    first_day_left_at_most,
    left_at_most,
    left_more_than,
    nth_birthday,
    window_end,
)
from clemency.calendar_sql import (
    DialectError,
    add_days_sql,
    add_months_sql,
    age_on_sql,
    first_day_left_at_most_sql,
    left_at_most_sql,
    left_more_than_sql,
    nth_birthday_sql,
    window_end_sql,
)
from clemency.pipeline import Context, decide_records

EIF = date(2025, 12, 19)

# ---- references written another way ------------------------------------------------------------------------


def ref_add_months(d: date, n: int) -> date:
    """Step one month at a time, then take the day of the month, or the last day that exists."""
    y, m = d.year, d.month
    for _ in range(abs(n)):
        m += 1 if n > 0 else -1
        if m == 13:
            y, m = y + 1, 1
        elif m == 0:
            y, m = y - 1, 12
    day = d.day
    while True:
        try:
            return date(y, m, day)
        except ValueError:
            day -= 1


def ref_birthday(birth: date, k: int) -> date:
    """The k-th birthday: the same day and month k years later, 1 March when that day does not exist."""
    try:
        return date(birth.year + k, birth.month, birth.day)
    except ValueError:
        return date(birth.year + k, 3, 1)


def ref_age(birth: date, d: date) -> int:
    """The number of birthdays reached on or before d (negative before the birth)."""
    k = d.year - birth.year + 1
    while ref_birthday(birth, k) > d:
        k -= 1
    return k


def ref_first_day(end: date, n: int) -> date:
    """The first day D with end <= add_months(D, n), by scanning days upwards."""
    d = ref_add_months(end, -n) - timedelta(days=5)
    assert end > ref_add_months(d, n)
    while end > ref_add_months(d, n):
        d += timedelta(days=1)
    return d


def _days(start: date, end: date, step: int = 1) -> list[date]:
    return [start + timedelta(days=i) for i in range(0, (end - start).days + 1, step)]


# every day that can sit on a boundary: month ends and their neighbours, leap days, century years, year turns
EDGES = sorted({d for y in (1900, 2000, 2023, 2024, 2025, 2026, 2100) for m in range(1, 13)
                for d in (date(y, m, 1), date(y, m, 15), ref_add_months(date(y, m, 1), 1) - timedelta(days=1))
                } | {date(y, m, day) for y in (2023, 2024, 2026) for m in (1, 2, 3, 4, 12) for day in (27, 28, 29)
                     if not (m == 2 and day == 29 and y != 2024)} | {date(2024, 2, 29), date(2000, 2, 29)})
NS = (-25, -13, -12, -11, -6, -1, 0, 1, 2, 6, 11, 12, 13, 25, 48)
BIRTHS = [date(2004, 2, 29), date(2000, 2, 29), date(2003, 2, 28), date(2004, 2, 28), date(2004, 3, 1),
          date(2003, 1, 29), date(2004, 1, 29), date(2003, 12, 31), date(2004, 1, 1), date(2005, 6, 30),
          date(2004, 10, 29), date(2001, 3, 29)]


# ---- Python ------------------------------------------------------------------------------------------------


def test_add_months_counts_months_one_by_one_and_keeps_the_day_or_the_month_end():
    wrong = [(d, n, add_months(d, n)) for d in EDGES for n in NS if add_months(d, n) != ref_add_months(d, n)]
    assert not wrong, wrong[:5]
    # the end of February is not sticky, and a month end is clamped, in both directions
    assert add_months(date(2026, 2, 28), 6) == date(2026, 8, 28)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 31), 1) == date(2026, 1, 31)
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 31)


def test_add_days_crosses_months_leap_days_and_years_both_ways():
    for d in EDGES:
        for n in (-400, -366, -31, -1, 0, 1, 28, 29, 365, 366):
            assert add_days(d, n) == d + timedelta(days=n)
            assert (add_days(d, n) - d).days == n
    assert add_days(date(2024, 2, 28), 1) == date(2024, 2, 29)
    assert add_days(date(2025, 1, 1), -1) == date(2024, 12, 31)


def test_age_on_counts_the_birthdays_reached():
    wrong = [(b, d) for b in BIRTHS for d in _days(b - timedelta(days=40), date(2026, 12, 31), 3)
             if age_on(b, d) != ref_age(b, d)]
    assert not wrong, wrong[:5]
    for b in BIRTHS:     # the day before each birthday, the day itself, the day after
        for k in (1, 14, 18, 20):
            day = ref_birthday(b, k)
            assert (age_on(b, day - timedelta(days=1)), age_on(b, day), age_on(b, day + timedelta(days=1))) == \
                (k - 1, k, k), (b, k)
    assert age_on(date(2000, 1, 1), date(1999, 12, 31)) == -1


def test_nth_birthday_is_the_first_day_of_that_age():
    years = (0, 1, 2, 3, 4, 14, 16, 18, 20, 60, 96)
    for birth in _days(date(2003, 1, 1), date(2004, 12, 31)):
        for k in years:
            day = nth_birthday(birth, k)
            assert day == ref_birthday(birth, k), (birth, k)
            assert ref_age(birth, day) == k and ref_age(birth, day - timedelta(days=1)) == k - 1
    # born on 29 February: 1 March in a common year, 29 February in a leap year
    assert [nth_birthday(date(2004, 2, 29), k) for k in (1, 4, 18, 20, 96)] == [
        date(2005, 3, 1), date(2008, 2, 29), date(2022, 3, 1), date(2024, 2, 29), date(2100, 3, 1)]
    # born on another 29th, or in February on another day: the day itself
    assert nth_birthday(date(2004, 1, 29), 18) == date(2022, 1, 29)
    assert nth_birthday(date(2003, 3, 29), 1) == date(2004, 3, 29)
    assert nth_birthday(date(2004, 2, 28), 1) == date(2005, 2, 28)


@pytest.mark.parametrize("n", NS)
def test_left_at_most_and_left_more_than_at_the_boundary(n):
    for d in EDGES:
        limit = ref_add_months(d, n)
        for shift in (-2, -1, 0, 1, 2):
            end = limit + timedelta(days=shift)
            assert left_at_most(end, d, n) is (shift <= 0), (end, d, n)
            assert left_more_than(end, d, n) is (shift > 0), (end, d, n)


def test_exactly_six_months_left_on_the_entry_into_force():
    assert left_at_most(date(2026, 6, 19), EIF, 6) and not left_more_than(date(2026, 6, 19), EIF, 6)
    assert left_more_than(date(2026, 6, 20), EIF, 6) and not left_at_most(date(2026, 6, 20), EIF, 6)
    assert left_at_most(date(2026, 6, 18), EIF, 6)


def test_first_day_left_at_most_is_the_first_such_day():
    wrong = [(end, n) for end in EDGES for n in NS if first_day_left_at_most(end, n) != ref_first_day(end, n)]
    assert not wrong, wrong[:5]
    assert first_day_left_at_most(date(2026, 8, 31), 6) == date(2026, 3, 1)
    assert first_day_left_at_most(date(2026, 8, 28), 6) == date(2026, 2, 28)
    assert first_day_left_at_most(date(2026, 6, 19), 6) == date(2025, 12, 19)


def test_window_end_is_the_last_day_of_the_window():
    assert window_end(EIF, 4) == date(2026, 4, 19)
    assert window_end(date(2025, 10, 31), 4) == date(2026, 2, 28)
    assert window_end(date(2023, 10, 31), 4) == date(2024, 2, 29)
    assert window_end(date(2025, 3, 20), 12) == date(2026, 3, 20)
    assert window_end(EIF, 0) == EIF
    for d in EDGES:
        for m in (1, 3, 4, 6, 13):
            assert window_end(d, m) == ref_add_months(d, m)


# ---- SQL, run on DuckDB -------------------------------------------------------------------------------------

# Spark SQL's add_months (Spark >= 3.0): the day kept, clamped to the end of the target month, not sticky
SPARK_ADD_MONTHS = "CREATE MACRO add_months(d, n) AS CAST(d + to_months(n) AS DATE)"


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    con.execute(SPARK_ADD_MONTHS)
    rows = [(d, n) for d in EDGES for n in NS]
    con.register("m_arrow", pa.table({"d": [r[0] for r in rows], "n": [r[1] for r in rows]}))
    con.execute("CREATE TABLE m AS SELECT * FROM m_arrow")
    days = _days(date(2016, 1, 1), date(2026, 12, 31), 5) + [ref_birthday(b, k) + timedelta(days=s)
                                                              for b in BIRTHS for k in (1, 12, 18, 20)
                                                              for s in (-1, 0, 1)]
    ages = [(b, d) for b in BIRTHS for d in days]
    con.register("a_arrow", pa.table({"b": [r[0] for r in ages], "d": [r[1] for r in ages]}))
    con.execute("CREATE TABLE a AS SELECT * FROM a_arrow")
    births = _days(date(2003, 1, 1), date(2004, 12, 31))
    yrs = [(b, k) for b in births for k in (0, 1, 3, 4, 18, 20)]
    con.register("nb_arrow", pa.table({"b": [r[0] for r in yrs], "y": [r[1] for r in yrs]}))
    con.execute("CREATE TABLE nb AS SELECT * FROM nb_arrow")
    yield con
    con.close()


DIALECTS = ("duckdb", "spark")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_add_months_add_days_and_first_day_equal_python(duck, dialect):
    got = duck.execute(f"SELECT d, n, {add_months_sql(dialect, 'd', 'n')}, {add_days_sql(dialect, 'd', 'n')}, "
                       f"{first_day_left_at_most_sql(dialect, 'd', 'n')}, {window_end_sql(dialect, 'd', 'n')}, "
                       f"typeof({add_months_sql(dialect, 'd', 'n')}), typeof({add_days_sql(dialect, 'd', 'n')}) "
                       "FROM m").fetchall()
    assert len(got) == len(EDGES) * len(NS)
    wrong = [r for r in got if r[2:] != (add_months(r[0], r[1]), add_days(r[0], r[1]),
                                         first_day_left_at_most(r[0], r[1]), add_months(r[0], r[1]), "DATE", "DATE")]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_left_at_most_and_left_more_than_at_the_boundary(duck, dialect):
    q = (f"SELECT d, n, s, {left_at_most_sql(dialect, 'e', 'd', 'n')}, {left_more_than_sql(dialect, 'e', 'd', 'n')} "
         f"FROM (SELECT d, n, s, {add_days_sql(dialect, add_months_sql(dialect, 'd', 'n'), 's')} AS e "
         "FROM m, (SELECT unnest([-1, 0, 1]) AS s))")
    got = duck.execute(q).fetchall()
    assert len(got) == 3 * len(EDGES) * len(NS)
    wrong = [r for r in got if (r[3], r[4]) != (r[2] <= 0, r[2] > 0)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_age_and_nth_birthday_equal_python(duck, dialect):
    got = duck.execute(f"SELECT b, d, {age_on_sql(dialect, 'b', 'd')} FROM a").fetchall()
    wrong = [r for r in got if r[2] != age_on(r[0], r[1])]
    assert not wrong and len(got) > 10000, wrong[:5]
    got = duck.execute(f"SELECT b, y, {nth_birthday_sql(dialect, 'b', 'y')}, "
                       f"typeof({nth_birthday_sql(dialect, 'b', 'y')}) FROM nb").fetchall()
    wrong = [r for r in got if r[2:] != (nth_birthday(r[0], r[1]), "DATE")]
    assert not wrong and len(got) == 731 * 6, wrong[:5]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_takes_expressions_for_dates_and_counts(duck, dialect):
    """Every argument may be any SQL expression, not only a column or a literal."""
    d, b = "(DATE '2025-08-30' + 1)", "(DATE '2004-02-28' + 1)"
    got = duck.execute(
        f"SELECT {add_months_sql(dialect, d, '3 + 3')}, {add_days_sql(dialect, d, '2 - 1')}, "
        f"{first_day_left_at_most_sql(dialect, d, '3 * 2')}, {age_on_sql(dialect, b, 'DATE ' + repr('2022-03-01'))},"
        f" {nth_birthday_sql(dialect, b, '9 + 9')}, {window_end_sql(dialect, d, '2 + 2')},"
        f" {left_at_most_sql(dialect, 'DATE ' + repr('2026-02-28'), d, '3 + 3')},"
        f" {left_more_than_sql(dialect, 'DATE ' + repr('2026-03-01'), d, '3 + 3')}").fetchone()
    assert got == (date(2026, 2, 28), date(2025, 9, 1), date(2025, 3, 1), 18, date(2022, 3, 1),
                   date(2025, 12, 31), True, True)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_unknown_in_unknown_out(duck, dialect):
    nd, ni, d = "CAST(NULL AS DATE)", "CAST(NULL AS INT)", "DATE '2024-02-29'"
    exprs = [add_months_sql(dialect, nd, "6"), add_months_sql(dialect, d, ni), add_days_sql(dialect, nd, "1"),
             add_days_sql(dialect, d, ni), age_on_sql(dialect, nd, d), age_on_sql(dialect, d, nd),
             nth_birthday_sql(dialect, nd, "18"), nth_birthday_sql(dialect, d, ni),
             first_day_left_at_most_sql(dialect, nd, "6"), first_day_left_at_most_sql(dialect, d, ni),
             left_at_most_sql(dialect, nd, d, "6"), left_at_most_sql(dialect, d, nd, "6"),
             left_at_most_sql(dialect, d, d, ni), left_more_than_sql(dialect, nd, d, "6"),
             left_more_than_sql(dialect, d, nd, "6"), left_more_than_sql(dialect, d, d, ni),
             window_end_sql(dialect, nd, "4"), window_end_sql(dialect, d, ni)]
    assert duck.execute("SELECT " + ", ".join(exprs)).fetchone() == (None,) * len(exprs)


CALLS = {
    "add_days_sql": lambda x: add_days_sql(x, "d", "1"),
    "add_months_sql": lambda x: add_months_sql(x, "d", "1"),
    "age_on_sql": lambda x: age_on_sql(x, "b", "d"),
    "nth_birthday_sql": lambda x: nth_birthday_sql(x, "b", "18"),
    "first_day_left_at_most_sql": lambda x: first_day_left_at_most_sql(x, "e", "6"),
    "left_at_most_sql": lambda x: left_at_most_sql(x, "e", "d", "6"),
    "left_more_than_sql": lambda x: left_more_than_sql(x, "e", "d", "6"),
    "window_end_sql": lambda x: window_end_sql(x, "d", "4"),
}


@pytest.mark.parametrize("fn", list(CALLS))
@pytest.mark.parametrize("dialect", ["postgres", "DuckDB", "", "sqlite"])
def test_an_unknown_dialect_is_refused_in_plain_words(fn, dialect):
    with pytest.raises(DialectError) as info:
        CALLS[fn](dialect)
    assert info.value.message == f"unknown SQL dialect {dialect!r}"
    assert info.value.hint == "use one of: duckdb, spark"


# ---- the days a decision reads, on both local engines -------------------------------------------------------

ACT = """\
id: calendar-days
title: the days of the calendar a relief reads
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
clauses:
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: one date test
    status: reported
    when: ["WHEN"]
"""
RECORD = {"person_id": "P1", "case_id": "K1", "sex": "M", "birth_date": "1990-05-05", "status": "convicted",
          "articles": "177.2", "punishment": "imprisonment", "term_months": 60, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2026-05-31"}


def decide_all(tmp_path, when, records, on=None):
    """Decisions on the DuckDB and the reference engine, which must agree; one batch per engine."""
    path = tmp_path / "act.yaml"
    path.write_text(ACT.replace("WHEN", when))
    ctx = Context.make(load_act(path), None, on)
    recs = [{**RECORD, **r, "person_id": f"P{i}", "case_id": f"K{i}"} for i, r in enumerate(records)]
    out = {}
    for engine in ("duckdb", "reference"):
        out[engine] = [(d["relief"], d["eligible_from"], d["eligible_until"], d["upcoming_from"])
                       for d in decide_records(ctx, recs, engine=engine)]
    assert out["duckdb"] == out["reference"], "the DuckDB and reference engines disagree"
    return out["duckdb"]


WINDOW_END = date(2026, 4, 19)


def expected_on_eif(first: date) -> tuple:
    """What a decision on the entry into force says of a relief that holds from `first` on: held until the end
    of the window, to come on `first`, or neither when `first` is after the window."""
    if first <= EIF:
        return ("release_from_imprisonment", EIF, WINDOW_END, None)
    return ("none", None, None, first if first <= WINDOW_END else None)


@pytest.mark.parametrize("n", [1, 4, 6, 12])
def test_the_first_day_with_n_months_or_less_left(tmp_path, n):
    """A release day at every end of a month and next to one: the relief holds from the first day with n months
    or less left (from the entry into force if that day is earlier) to the end of the window; a later first
    day is announced as to come."""
    ends = sorted({ref_add_months(base, m) + timedelta(days=s) for m in range(1, 18) for s in (-1, 0, 1)
                   for base in (EIF, date(2025, 12, 31), date(2025, 11, 30))} | {date(2026, 6, 30)})
    got = decide_all(tmp_path, f"left_at_most(sentence_end, on, {n})",
                     [{"sentence_end": e.isoformat()} for e in ends])
    assert len(ends) > 100
    for end, got_one in zip(ends, got):
        assert got_one == expected_on_eif(ref_first_day(end, n)), (end, n)


def test_the_day_a_person_is_older_than_a_limit_on_the_decision_day(tmp_path):
    """`age_on(birth_date, on) >= 66`: relief from the 66th birthday (1 March for a 29 February birthday in a
    common year), announced as to come before it."""
    births = [date(1960, 2, 29), date(1960, 3, 1), date(1960, 2, 28), date(1959, 12, 19), date(1959, 12, 20),
              date(1960, 4, 19), date(1960, 4, 20), date(1960, 1, 31), date(1959, 12, 18)]
    got = decide_all(tmp_path, "age_on(birth_date, on) >= 66", [{"birth_date": b.isoformat()} for b in births])
    for b, got_one in zip(births, got):
        assert got_one == expected_on_eif(ref_birthday(b, 66)), b
    for on in (date(2026, 2, 28), date(2026, 3, 1)):
        (relief, _, _, upcoming), = decide_all(tmp_path, "age_on(birth_date, on) >= 66",
                                               [{"birth_date": "1960-02-29"}], on=on)
        assert (relief, upcoming) == (("none", date(2026, 3, 1)) if on < date(2026, 3, 1) else
                                      ("release_from_imprisonment", None))


@pytest.mark.parametrize("k", [16, 18])
def test_the_age_at_the_offence_on_the_birthday_and_the_day_before(tmp_path, k):
    births = [date(2004, 2, 29), date(2004, 3, 1), date(2004, 2, 28), date(2003, 12, 31), date(2004, 1, 29)]
    records, expected = [], []
    for b in births:
        day = ref_birthday(b, k)
        for offence, minor in ((day - timedelta(days=1), True), (day, False), (day + timedelta(days=1), False)):
            records.append({"birth_date": b.isoformat(), "offense_date": offence.isoformat(),
                            "sentence_start": max(offence, dt.date(2023, 1, 1)).isoformat()})
            expected.append("release_from_imprisonment" if minor else "none")
    got = decide_all(tmp_path, f"age_on(birth_date, offense_date) < {k}", records)
    assert [g[0] for g in got] == expected
