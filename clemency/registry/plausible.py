"""Plausibility checks: a record whose dates or numbers cannot all be true is a finding, never decided.

Each check names the field it reports, the other field it contradicts, and what was expected. They run
on the typed values (an empty or invalid value is unknown and never contradicts anything), once as SQL (DuckDB
or Spark) over the whole registry (`sql_checks`, `sql_structs`, vectorised) and once in Python for a single record
(`check_record`, for callers that type a record themselves). docs/registry-format.md lists them with
their tolerances and the reasons for them.

The as-of date of a registry is the day its facts are true as of: dates of birth, offences and sentence
starts cannot lie after it. It defaults to the day of the run.
"""

from __future__ import annotations

import datetime as dt
import math

from clemency.calendar import add_days, add_months, age_on
from clemency.calendar_sql import add_days_sql, add_months_sql, age_on_sql
from clemency.registry.schema import MAX_AGE, MIN_AGE_CRIMINAL_RESPONSIBILITY
from clemency.registry.sql import DUCKDB, Dialect, integral_text

END_TOLERANCE_DAYS = 3      # sentence_end may exceed sentence_start + term_months by this much (calendar rounding)
MAX_TERM_MONTHS = 1200      # a term of more than 100 years cannot be served


def sql_checks(as_of: dt.date, d: Dialect = DUCKDB) -> list[tuple[str, str, str, str]]:
    """[(condition, field, value as text, expected)] over the typed registry columns, each condition
    FALSE (never NULL) when the check holds or cannot be made."""
    q, lit = d.q, d.lit
    B, OFF, S, E, T = (q(n) for n in ("birth_date", "offense_date", "sentence_start", "sentence_end", "term_months"))
    A = f"DATE {lit(as_of.isoformat())}"
    asof = lit(as_of.isoformat())

    def text(name: str) -> str:
        return d.text(q(name))
    when = f"coalesce({OFF}, {S})"
    # LEAST keeps the month count castable on rows that the `term_ok` condition leaves out
    limit = add_days_sql(d.name, add_months_sql(d.name, S, f"ceil(LEAST({T}, {MAX_TERM_MONTHS}))"),
                         str(END_TOLERANCE_DAYS))
    term_text = integral_text(T, d)
    term_ok = f"{T} <= {MAX_TERM_MONTHS}"
    m = MIN_AGE_CRIMINAL_RESPONSIBILITY
    checks = [
        (f"{B} > {OFF}", "birth_date", B,
         f"'a date on or before offense_date (' || {text('offense_date')} || '): no one offends before being born'"),
        (f"{B} > {S}", "birth_date", B,
         f"'a date on or before sentence_start (' || {text('sentence_start')} || ')'"),
        (f"{OFF} > {S}", "offense_date", OFF,
         f"'a date on or before sentence_start (' || {text('sentence_start')} || '): a sentence follows the offence'"),
        (f"{E} < {S}", "sentence_end", E,
         f"'a date on or after sentence_start (' || {text('sentence_start')} || ')'"),
        (f"{term_ok} AND {E} > {limit}", "sentence_end", E,
         f"'a date on or before sentence_start + term_months + {END_TOLERANCE_DAYS} days (' || {text('sentence_start')} "
         f"|| ' + ' || {term_text} || ' months = ' || {d.text(limit)} || '): credit for time "
         "already served can make the end earlier, never later'"),
        (f"{T} > {MAX_TERM_MONTHS}", "term_months", T,
         f"'at most {MAX_TERM_MONTHS} months (100 years)'"),
        (f"{B} <= {when} AND {age_on_sql(d.name, B, when)} < {m}", "birth_date", B,
         f"'a person at least {m} years old (the minimum age of criminal "
         f"responsibility) on ' || CASE WHEN {OFF} IS NOT NULL THEN 'offense_date (' || {text('offense_date')} || ')' "
         f"ELSE 'sentence_start (' || {text('sentence_start')} || '), which the offence preceded' END"),
        (f"{B} <= DATE {lit(_last_birth_over(MAX_AGE, as_of).isoformat())}", "birth_date", B,
         f"'a person at most {MAX_AGE} years old on the as-of date (' || {asof} || ')'"),
        (f"{B} > {A}", "birth_date", B, f"'a date not after the as-of date (' || {asof} || ')'"),
        (f"{OFF} > {A}", "offense_date", OFF, f"'a date not after the as-of date (' || {asof} || ')'"),
        (f"{S} > {A}", "sentence_start", S, f"'a date not after the as-of date (' || {asof} || ')'"),
    ]
    return [(f"coalesce({cond}, FALSE)", fld, term_text if fld == "term_months" else d.text(value), expected)
            for cond, fld, value, expected in checks]


def sql_structs(as_of: dt.date, d: Dialect = DUCKDB) -> tuple[str, str]:
    """(a list of finding structs {field, value, expected, bad} over the typed registry columns, a
    prefilter condition that is TRUE when any of them may be bad)."""
    checks = sql_checks(as_of, d)
    structs = [d.struct(d.lit(fld), f"coalesce({text}, '')", expected, cond) for cond, fld, text, expected in checks]
    return d.array(structs), " OR ".join(cond for cond, *_ in checks)


def _last_birth_over(years: int, as_of: dt.date) -> dt.date:
    """The latest birth date of someone older than `years` on `as_of` (age is monotone in the birth date,
    so "older than" is one date comparison instead of an age computed on every row)."""
    b = dt.date(as_of.year - years - 1, 1, 1) + dt.timedelta(days=400)
    while age_on(b, as_of) <= years:
        b -= dt.timedelta(days=1)
    return b


def _term_text(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else str(t)


def check_record(row: dict, as_of: dt.date | None = None) -> list[tuple[str, str, str]]:
    """The same checks on one typed record (dates as `datetime.date`, term_months a number or None):
    a list of (field, value, expected), empty when the record is plausible."""
    as_of = as_of or dt.date.today()
    B, OFF, S, E, T = (row.get(n) for n in ("birth_date", "offense_date", "sentence_start", "sentence_end",
                                            "term_months"))
    out: list[tuple[str, str, str]] = []

    def add(fld, value, expected):
        out.append((fld, "" if value is None else (_term_text(value) if fld == "term_months" else str(value)),
                    expected))

    if B and OFF and B > OFF:
        add("birth_date", B, f"a date on or before offense_date ({OFF}): no one offends before being born")
    if B and S and B > S:
        add("birth_date", B, f"a date on or before sentence_start ({S})")
    if OFF and S and OFF > S:
        add("offense_date", OFF, f"a date on or before sentence_start ({S}): a sentence follows the offence")
    if E and S and E < S:
        add("sentence_end", E, f"a date on or after sentence_start ({S})")
    if E and S and T is not None and T <= MAX_TERM_MONTHS:
        limit = add_days(add_months(S, math.ceil(T)), END_TOLERANCE_DAYS)
        if E > limit:
            add("sentence_end", E, f"a date on or before sentence_start + term_months + {END_TOLERANCE_DAYS} days "
                f"({S} + {_term_text(T)} months = {limit}): credit for time already served can make the end earlier, "
                "never later")
    if T is not None and T > MAX_TERM_MONTHS:
        add("term_months", T, f"at most {MAX_TERM_MONTHS} months (100 years)")
    when = OFF or S
    if B and when and B <= when and age_on(B, when) < MIN_AGE_CRIMINAL_RESPONSIBILITY:
        on = f"offense_date ({OFF})" if OFF else f"sentence_start ({S}), which the offence preceded"
        add("birth_date", B, f"a person at least {MIN_AGE_CRIMINAL_RESPONSIBILITY} years old (the minimum age of "
            f"criminal responsibility) on {on}")
    if B and age_on(B, as_of) > MAX_AGE:
        add("birth_date", B, f"a person at most {MAX_AGE} years old on the as-of date ({as_of})")
    for fld, value in (("birth_date", B), ("offense_date", OFF), ("sentence_start", S)):
        if value and value > as_of:
            add(fld, value, f"a date not after the as-of date ({as_of})")
    return out
