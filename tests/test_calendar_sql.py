"""The SQL calendar functions equal the Python ones, day for day, in DuckDB and Spark."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pytest

from clemency.calendar import add_days, add_months, age_on, first_day_left_at_most, nth_birthday
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

NS = (-12, -6, -1, 1, 4, 6, 12, 60)
BIRTHS = [
    date(2004, 2, 29), date(1960, 2, 29), date(1965, 12, 19), date(1965, 12, 20), date(2000, 1, 31),
    date(1999, 12, 31), date(2007, 3, 1), date(1980, 2, 28), date(2008, 8, 31),
]
YEARS = (0, 14, 16, 18, 60, 65)


def _lit(iso: str) -> str:
    return f"DATE '{iso}'"


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _month_rows(days: list[date], ns=NS) -> pa.Table:
    rows = [(d, n, add_months(d, n), first_day_left_at_most(d, n), add_days(d, n)) for n in ns for d in days]
    cols = list(zip(*rows))
    return pa.table({"d": cols[0], "n": cols[1], "am": cols[2], "fd": cols[3], "ad": cols[4]})


def _age_rows(births: list[date], days: list[date]) -> pa.Table:
    rows = [(b, d, age_on(b, d)) for b in births for d in days]
    cols = list(zip(*rows))
    return pa.table({"b": cols[0], "d": cols[1], "age": pa.array(cols[2], pa.int64())})


def _birthday_rows(births: list[date]) -> pa.Table:
    rows = [(b, y, nth_birthday(b, y)) for y in YEARS for b in births]
    cols = list(zip(*rows))
    return pa.table({"b": cols[0], "y": cols[1], "nb": cols[2]})


def _mismatch_queries(dialect: str) -> dict[str, str]:
    """One query per function: the number of rows where SQL and Python disagree (must be 0)."""
    def diff(a: str, b: str) -> str:
        return f"({a}) IS DISTINCT FROM ({b})" if dialect == "duckdb" else f"NOT (({a}) <=> ({b}))"

    return {
        "add_months": f"SELECT count(*) FROM m WHERE {diff(add_months_sql(dialect, 'd', 'n'), 'am')}",
        "first_day": f"SELECT count(*) FROM m WHERE {diff(first_day_left_at_most_sql(dialect, 'd', 'n'), 'fd')}",
        "add_days": f"SELECT count(*) FROM m WHERE {diff(add_days_sql(dialect, 'd', 'n'), 'ad')}",
        # the first day really is the first day: it satisfies the predicate, the day before does not
        "first_day_minimal": (
            f"SELECT count(*) FROM m WHERE NOT {left_at_most_sql(dialect, 'd', 'fd', 'n')}"
            f" OR {left_at_most_sql(dialect, 'd', add_days_sql(dialect, 'fd', '-1'), 'n')}"
            f" OR {left_more_than_sql(dialect, 'd', 'fd', 'n')}"
        ),
        "age_on": f"SELECT count(*) FROM a WHERE {diff(age_on_sql(dialect, 'b', 'd'), 'age')}",
        "nth_birthday": f"SELECT count(*) FROM nb WHERE {diff(nth_birthday_sql(dialect, 'b', 'y'), 'nb')}",
    }


def _null_query(dialect: str) -> str:
    nd = "CAST(NULL AS DATE)"
    ni = "CAST(NULL AS INT)"
    d = "DATE '2024-02-29'"
    exprs = [
        add_months_sql(dialect, nd, "6"), add_months_sql(dialect, d, ni),
        add_days_sql(dialect, nd, "1"), add_days_sql(dialect, d, ni),
        age_on_sql(dialect, nd, d), age_on_sql(dialect, d, nd),
        nth_birthday_sql(dialect, nd, "18"), nth_birthday_sql(dialect, d, ni),
        first_day_left_at_most_sql(dialect, nd, "6"), first_day_left_at_most_sql(dialect, d, ni),
        left_at_most_sql(dialect, nd, d, "6"), left_more_than_sql(dialect, d, nd, "6"),
    ]
    return "SELECT " + ", ".join(f"({e}) AS c{i}" for i, e in enumerate(exprs))


def _type_query(dialect: str) -> str:
    d = "DATE '2026-08-31'"
    exprs = [
        add_months_sql(dialect, d, "6"), add_days_sql(dialect, d, "1"),
        nth_birthday_sql(dialect, d, "18"), first_day_left_at_most_sql(dialect, d, "6"),
    ]
    return "SELECT " + ", ".join(f"typeof({e})" for e in exprs)


# ---------------------------------------------------------------- DuckDB


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    days = _days(date(2019, 1, 1), date(2029, 12, 31))
    m, a = _month_rows(days), _age_rows(BIRTHS, days)
    nb = _birthday_rows(_days(date(1956, 1, 1), date(2011, 12, 31)))
    con.register("m_arrow", m)
    con.register("a_arrow", a)
    con.register("nb_arrow", nb)
    for t in ("m", "a", "nb"):
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM {t}_arrow")
    yield con
    con.close()


@pytest.mark.parametrize("name", list(_mismatch_queries("duckdb")))
def test_duckdb_matches_python_every_day(duck, name):
    assert duck.execute("SELECT count(*) FROM m").fetchone()[0] == 4018 * len(NS)
    assert duck.execute(_mismatch_queries("duckdb")[name]).fetchone()[0] == 0


def test_duckdb_examples(duck):
    q = (
        f"SELECT {add_months_sql('duckdb', _lit('2025-08-31'), '6')},"
        f" {add_months_sql('duckdb', _lit('2026-02-28'), '3 + 3')},"
        f" {first_day_left_at_most_sql('duckdb', _lit('2026-08-31'), '6')},"
        f" {nth_birthday_sql('duckdb', _lit('2004-02-29'), '18')},"
        f" {age_on_sql('duckdb', _lit('1965-12-20'), _lit('2025-12-19'))}"
    )
    assert duck.execute(q).fetchone() == (
        date(2026, 2, 28), date(2026, 8, 28), date(2026, 3, 1), date(2022, 3, 1), 59)


def test_duckdb_nulls_and_types(duck):
    assert all(v is None for v in duck.execute(_null_query("duckdb")).fetchone())
    assert set(duck.execute(_type_query("duckdb")).fetchone()) == {"DATE"}


def test_unknown_dialect():
    with pytest.raises(DialectError):
        add_months_sql("postgres", "d", "1")


# ---------------------------------------------------------------- Spark


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'clemency[spark]')"
    if not shutil.which("java"):
        import os

        if not os.environ.get("JAVA_HOME"):
            return "Java is not installed (Spark needs a JVM, e.g. openjdk-17)"
    return None


@pytest.fixture(scope="module")
def spark():
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    # Modest data: every day of 2023–2026 (leap year, month ends) and a few births.
    days = _days(date(2023, 1, 1), date(2026, 12, 31))
    tables = {
        "m": _month_rows(days),
        "a": _age_rows(BIRTHS, _days(date(2023, 1, 1), date(2025, 12, 31))),
        "nb": _birthday_rows(_days(date(1999, 1, 1), date(2004, 12, 31))),
    }
    for name, table in tables.items():
        session.createDataFrame(table.to_pylist()).createOrReplaceTempView(name)
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_matches_python(spark):
    bad = {name: spark.sql(q).collect()[0][0] for name, q in _mismatch_queries("spark").items()}
    assert bad == {name: 0 for name in bad}


@pytest.mark.spark
def test_spark_nulls_types_and_add_months_semantics(spark):
    assert all(v is None for v in spark.sql(_null_query("spark")).collect()[0])
    assert set(spark.sql(_type_query("spark")).collect()[0]) == {"date"}
    row = spark.sql(
        f"SELECT {add_months_sql('spark', _lit('2026-02-28'), '6')},"
        f" {first_day_left_at_most_sql('spark', _lit('2026-08-31'), '6')}"
    ).collect()[0]
    assert tuple(row) == (date(2026, 8, 28), date(2026, 3, 1))


def test_duckdb_window_end_and_the_unknown_dialect_message(duck):
    q = f"SELECT {window_end_sql('duckdb', _lit('2025-12-19'), '4')}, {window_end_sql('duckdb', _lit('2025-10-31'), '4')}"
    assert duck.execute(q).fetchone() == (date(2026, 4, 19), date(2026, 2, 28))
    assert "add_months(" in window_end_sql("spark", "eif", "4")
    with pytest.raises(DialectError) as info:
        window_end_sql("postgres", "eif", "4")
    assert info.value.message == "unknown SQL dialect 'postgres'" and info.value.hint == "use one of: duckdb, spark"
