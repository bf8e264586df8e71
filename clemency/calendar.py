"""Calendar conventions shared by every engine (docs/registry-format.md, calendar conventions), in pure Python.

All dates are `datetime.date`. The SQL twins of these functions live in
`clemency.calendar_sql` and must give identical results.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

__all__ = [
    "add_days",
    "add_months",
    "age_on",
    "first_day_left_at_most",
    "left_at_most",
    "left_more_than",
    "nth_birthday",
    "window_end",
]


def add_months(d: date, n: int) -> date:
    """Shift `d` by `n` calendar months (n may be negative), keeping the day of the month
    but clamping it to the last day of the target month.

    31 Aug 2025 + 6 months = 28 Feb 2026; 31 Aug 2023 + 6 months = 29 Feb 2024;
    28 Feb 2026 + 6 months = 28 Aug 2026 (the end of February is *not* sticky).
    """
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def add_days(d: date, n: int) -> date:
    """`d` plus `n` days (n may be negative)."""
    return d + timedelta(days=n)


def age_on(birth: date, d: date) -> int:
    """Age on day `d` in completed years: the number of birthdays reached on or before `d`.

    Someone born on 29 February has the birthday on 1 March in non-leap years (on 28 Feb
    2023 they have not yet had it; on 1 Mar 2023 they have).
    """
    return d.year - birth.year - (1 if (d.month, d.day) < (birth.month, birth.day) else 0)


def nth_birthday(birth: date, years: int) -> date:
    """The day on which someone born on `birth` turns `years` old: the first day D with
    `age_on(birth, D) >= years`. A 29 February birthday falls on 1 March in non-leap years
    (born 2004-02-29 → 18th birthday 2022-03-01).
    """
    year = birth.year + years
    if birth.month == 2 and birth.day == 29 and not _cal.isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)


def left_at_most(end: date, d: date, n: int) -> bool:
    """"`n` months or less left on `d`" for a release day `end`: `end <= add_months(d, n)`."""
    return end <= add_months(d, n)


def left_more_than(end: date, d: date, n: int) -> bool:
    """"More than `n` months left on `d`" for a release day `end`: `end > add_months(d, n)`."""
    return end > add_months(d, n)


def first_day_left_at_most(end: date, n: int) -> date:
    """The first day D on which `n` months or less are left before `end`, i.e. the smallest D
    with `end <= add_months(D, n)`.

    Because `add_months` clamps, this is not always `add_months(end, -n)`: with end 31 Aug
    2026 and n = 6, add_months(end, -6) = 28 Feb 2026, but 28 Feb + 6 months = 28 Aug < end,
    so the answer is 1 Mar 2026. In general: c = add_months(end, -n); if the clamp cut the
    day (c's day < end's day) the answer is the day after c, else c.
    """
    c = add_months(end, -n)
    return c + timedelta(days=1) if c.day < end.day else c


def window_end(eif: date, months: int) -> date:
    """Last day of an implementation window that starts on `eif` and lasts `months` months,
    both ends included: add_months(eif, months) (2025-12-19 + 4 = 2026-04-19)."""
    return add_months(eif, months)
