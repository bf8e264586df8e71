"""Calendar conventions (docs/registry-format.md, calendar conventions): boundaries and brute-force properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

EIF = date(2025, 12, 19)


@pytest.mark.parametrize(
    "d, n, expected",
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 2, 28), 6, date(2026, 8, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 8, 31), -6, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 31), -13, date(2024, 12, 31)),
        (date(2025, 12, 19), 0, date(2025, 12, 19)),
        (date(2025, 10, 31), 2, date(2025, 12, 31)),
    ],
)
def test_add_months(d, n, expected):
    assert add_months(d, n) == expected


def test_add_days_and_window():
    assert add_days(date(2024, 2, 28), 1) == date(2024, 2, 29)
    assert add_days(date(2026, 3, 1), -1) == date(2026, 2, 28)
    assert window_end(EIF, 4) == date(2026, 4, 19)


@pytest.mark.parametrize(
    "birth, d, expected",
    [
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
        (date(2000, 1, 1), date(1999, 12, 31), -1),
        (date(2000, 1, 1), date(2000, 1, 1), 0),
        # turning 60 the day before / of / after the entry into force
        (date(1965, 12, 18), EIF, 60),
        (date(1965, 12, 19), EIF, 60),
        (date(1965, 12, 20), EIF, 59),
    ],
)
def test_age_on(birth, d, expected):
    assert age_on(birth, d) == expected


def test_nth_birthday():
    assert nth_birthday(date(2004, 2, 29), 18) == date(2022, 3, 1)
    assert nth_birthday(date(2004, 2, 29), 20) == date(2024, 2, 29)
    assert nth_birthday(date(1965, 12, 20), 60) == date(2025, 12, 20)
    assert nth_birthday(date(2000, 5, 5), 0) == date(2000, 5, 5)


@pytest.mark.parametrize(
    "end, n, expected",
    [
        (date(2026, 8, 31), 6, date(2026, 3, 1)),  # not add_months(end, -6) = 2026-02-28
        (date(2026, 8, 28), 6, date(2026, 2, 28)),
        (date(2026, 8, 29), 6, date(2026, 3, 1)),
        (date(2024, 8, 30), 6, date(2024, 3, 1)),
        (date(2024, 8, 29), 6, date(2024, 2, 29)),
        (date(2026, 6, 19), 6, date(2025, 12, 19)),
        (date(2026, 12, 19), 12, date(2025, 12, 19)),
        (date(2026, 3, 31), 1, date(2026, 3, 1)),
        (date(2026, 2, 28), -6, date(2026, 8, 28)),
    ],
)
def test_first_day_left_at_most(end, n, expected):
    assert first_day_left_at_most(end, n) == expected


def test_exactly_six_and_twelve_months_left():
    # Exactly 6 months left on the EIF is "6 months or less", not "more than 6".
    assert left_at_most(date(2026, 6, 19), EIF, 6)
    assert not left_more_than(date(2026, 6, 19), EIF, 6)
    assert left_more_than(date(2026, 6, 20), EIF, 6)
    assert not left_at_most(date(2026, 6, 20), EIF, 6)
    assert left_at_most(date(2026, 12, 19), EIF, 12)
    assert left_more_than(date(2026, 12, 20), EIF, 12)


def _brute_first_day(end: date, n: int) -> date:
    """Smallest D with end <= add_months(D, n), found by scanning days."""
    d = add_months(end, -n) - timedelta(days=40)
    assert not left_at_most(end, d, n)
    while not left_at_most(end, d, n):
        d += timedelta(days=1)
    return d


def _brute_birthday(birth: date, years: int) -> date:
    d = date(birth.year + years, 1, 1) - timedelta(days=1)
    assert age_on(birth, d) < years
    while age_on(birth, d) < years:
        d += timedelta(days=1)
    return d


def test_first_day_left_at_most_exhaustive():
    """Every end date 2019–2029 and several n: the closed form equals the brute-force minimum."""
    for n in (-12, -6, -1, 0, 1, 4, 6, 12, 60):
        end = date(2019, 1, 1)
        while end <= date(2029, 12, 31):
            first = first_day_left_at_most(end, n)
            assert left_at_most(end, first, n), (end, n)
            assert not left_at_most(end, first - timedelta(days=1), n), (end, n)
            end += timedelta(days=1)


def test_nth_birthday_exhaustive_leap_cycle():
    birth = date(1996, 1, 1)
    while birth <= date(2000, 12, 31):
        for years in (14, 16, 18, 60, 65):
            b = nth_birthday(birth, years)
            assert age_on(birth, b) >= years and age_on(birth, b - timedelta(days=1)) < years
        birth += timedelta(days=1)


dates = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 10, 1))


@settings(max_examples=400, deadline=None)
@given(end=dates, n=st.integers(min_value=-120, max_value=120))
def test_first_day_left_at_most_is_minimal(end, n):
    assert first_day_left_at_most(end, n) == _brute_first_day(end, n)


@settings(max_examples=400, deadline=None)
@given(birth=dates, years=st.integers(min_value=0, max_value=99))
def test_nth_birthday_is_minimal(birth, years):
    assert nth_birthday(birth, years) == _brute_birthday(birth, years)


@settings(max_examples=300, deadline=None)
@given(birth=dates, d=dates)
def test_age_counts_birthdays(birth, d):
    """age_on(b, d) >= k  ⇔  d >= nth_birthday(b, k)."""
    k = age_on(birth, d)
    if k >= 0:
        assert d >= nth_birthday(birth, k)
        assert d < nth_birthday(birth, k + 1)


@settings(max_examples=300, deadline=None)
@given(d=dates, n=st.integers(min_value=-120, max_value=120))
def test_add_months_clamps(d, n):
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).day == 1)
