"""The calendar conventions of `clemency.calendar` as SQL text, for DuckDB and Spark SQL.

Every function takes SQL expression strings (column names, literals or any expression,
including for the month/year counts) and returns an SQL expression string. The results are
DATE typed (ages are integers), propagate NULL (NULL in → NULL out) and equal the Python
functions day for day (tests/test_calendar_sql.py checks every day of 2019–2029).

Engine notes (checked on DuckDB 2.0 and Spark 4.3):
- DuckDB `date + to_months(n)` clamps to the month end but yields a TIMESTAMP: cast to DATE.
- Spark `add_months` clamps and, since Spark 3.0, no longer sticks to the month end
  (2026-02-28 + 6 months = 2026-08-28, as we need; Spark 2.x gave 08-31).
- `date_diff('year', ...)` counts year boundaries, not completed years, so ages are computed
  from year, month and day instead.
"""

from __future__ import annotations

from clemency.errors import ClemencyError

__all__ = [
    "DIALECTS",
    "add_days_sql",
    "add_months_sql",
    "age_on_sql",
    "first_day_left_at_most_sql",
    "left_at_most_sql",
    "left_more_than_sql",
    "nth_birthday_sql",
    "window_end_sql",
]

DIALECTS = ("duckdb", "spark")


class DialectError(ClemencyError):
    """An SQL dialect that the calendar functions do not support."""


def _check(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise DialectError(f"unknown SQL dialect {dialect!r}", hint=f"use one of: {', '.join(DIALECTS)}")
    return dialect


def _date(d: str) -> str:
    return f"CAST(({d}) AS DATE)"


def _int(n: str) -> str:
    return f"CAST(({n}) AS INT)"


def _day(dialect: str, d: str) -> str:
    return f"day({d})" if dialect == "duckdb" else f"dayofmonth({d})"


def add_days_sql(dialect: str, d: str, n: str) -> str:
    """`d` plus `n` days, as a DATE."""
    if _check(dialect) == "duckdb":
        return f"({_date(d)} + {_int(n)})"
    return f"date_add({_date(d)}, {_int(n)})"


def add_months_sql(dialect: str, d: str, n: str) -> str:
    """`d` shifted by `n` months, the day clamped to the last day of the target month
    (2025-08-31 + 6 = 2026-02-28; 2026-02-28 + 6 = 2026-08-28)."""
    if _check(dialect) == "duckdb":
        return f"CAST(({_date(d)} + to_months({_int(n)})) AS DATE)"
    return f"add_months({_date(d)}, {_int(n)})"


def age_on_sql(dialect: str, birth: str, d: str) -> str:
    """Age on `d` in completed years: birthdays reached on or before `d`. Comparing
    month*100+day makes a 29 Feb birthday fall on 1 Mar in non-leap years (no such day exists
    between 02-28 and 03-01 there)."""
    _check(dialect)
    b, x = _date(birth), _date(d)
    mmdd_b = f"(month({b}) * 100 + {_day(dialect, b)})"
    mmdd_x = f"(month({x}) * 100 + {_day(dialect, x)})"
    return f"(year({x}) - year({b}) - CASE WHEN {mmdd_x} < {mmdd_b} THEN 1 ELSE 0 END)"


def nth_birthday_sql(dialect: str, birth: str, years: str) -> str:
    """The day someone born on `birth` turns `years` old (first day with age >= years).
    29 Feb births: 28 Feb of the target year plus one day, i.e. 29 Feb in leap years and
    1 Mar otherwise."""
    _check(dialect)
    b = _date(birth)
    year = f"CAST(year({b}) + ({years}) AS INT)"
    feb29 = f"(month({b}) = 2 AND {_day(dialect, b)} = 29)"
    leap_fix = add_days_sql(dialect, f"make_date({year}, 2, 28)", "1")
    plain = f"make_date({year}, month({b}), {_day(dialect, b)})"
    return f"(CASE WHEN {feb29} THEN {leap_fix} ELSE {plain} END)"


def first_day_left_at_most_sql(dialect: str, end: str, n: str) -> str:
    """The first day D with `end <= add_months(D, n)` ("n months or less left on D").
    With c = add_months(end, -n): if the clamp cut the day (day(c) < day(end)) it is c + 1,
    else c (end 2026-08-31, n 6 → 2026-03-01)."""
    _check(dialect)
    c = add_months_sql(dialect, end, f"-({n})")
    return f"(CASE WHEN {_day(dialect, c)} < {_day(dialect, _date(end))} THEN {add_days_sql(dialect, c, '1')} ELSE {c} END)"


def left_at_most_sql(dialect: str, end: str, d: str, n: str) -> str:
    """"`n` months or less left on `d`": `end <= add_months(d, n)` (NULL if any input is NULL)."""
    return f"({_date(end)} <= {add_months_sql(dialect, d, n)})"


def left_more_than_sql(dialect: str, end: str, d: str, n: str) -> str:
    """"More than `n` months left on `d`": `end > add_months(d, n)` (NULL if any input is NULL)."""
    return f"({_date(end)} > {add_months_sql(dialect, d, n)})"


def window_end_sql(dialect: str, eif: str, months: str) -> str:
    """Last day of the implementation window (both ends included): add_months(eif, months)."""
    return add_months_sql(dialect, eif, months)
