"""Eligibility spans at the boundaries, as the engine computes them (docs/registry-format.md, calendar conventions): b3=application, month
ends, leap days, the last day of the window, sentences ending on the last day or the day after.

All records of one (readings, decision date) are decided in one batch."""

from __future__ import annotations

import functools

import pytest

from clemency.apply import Context
from clemency.explain import decide_records

APP = (("b3", "application"),)
LEAP = (("b3", "application"), ("eif", "2027-12-19"))


def record(end, start="2024-07-19", offense="2023-06-01", **kw):
    r = {"person_id": f"P{end}", "case_id": f"C{end}", "sex": "M", "birth_date": "1980-05-05", "status": "convicted",
             "articles": "177.2", "punishment": "imprisonment", "term_months": 28, "offense_date": offense,
             "sentence_start": start, "sentence_end": end}
    r.update(kw)
    return r


ENDS = ["2026-07-19", "2026-10-19", "2026-10-20", "2026-08-31", "2026-08-30", "2026-08-28", "2026-04-19",
        "2026-04-20", "2025-12-20", "2026-06-19", "2026-06-20"]
LEAP_ENDS = ["2028-08-31", "2028-08-30", "2028-08-29", "2028-08-28"]


@functools.cache
def decided(readings: tuple, on: str | None) -> dict:
    if readings == LEAP:
        recs = [record(e, start="2026-06-01", offense="2026-01-01") for e in LEAP_ENDS]
    else:
        recs = [record(e) for e in ENDS]
    ctx = Context.make("az-2025", dict(readings) or None, on)
    return {d["case_id"][1:]: d for d in decide_records(ctx, recs)}


def upcoming_from(d):
    return (d.get("upcoming") or {}).get("eligible_from")


def test_acceptance_seven_months_left_released_first_day_with_six_left():
    """b3=application: a less serious crime with 7 months left at the entry into force (sentence ends
    2026-07-19) is released on the first day with 6 months left, 2026-01-19, inside the window."""
    at_eif = decided(APP, None)["2026-07-19"]
    assert at_eif["relief"] == "none"
    assert at_eif["upcoming"] == {"relief": "release_from_imprisonment", "clause": "B3",
                                  "eligible_from": "2026-01-19"}
    day_before = decided(APP, "2026-01-18")["2026-07-19"]
    assert day_before["relief"] == "none" and upcoming_from(day_before) == "2026-01-19"
    on_day = decided(APP, "2026-01-19")["2026-07-19"]
    assert (on_day["relief"], on_day["clause"], on_day["eligible_from"]) == (
        "release_from_imprisonment", "B3", "2026-01-19")
    assert on_day["eligible_until"] == "2026-04-19"


def test_acceptance_default_reading_does_not_release():
    """Under the default b3=eif, 7 months left at the entry into force never gives B3."""
    for on in (None, "2026-01-19", "2026-04-19"):
        d = decided((), on)["2026-07-19"]
        assert d["relief"] == "none" and d["upcoming"] is None


def test_first_day_with_six_months_left_on_the_last_day_of_the_window():
    # add_months(2026-04-19, 6) = 2026-10-19: the last day of the window is the first day with 6 months left
    d = decided(APP, None)["2026-10-19"]
    assert upcoming_from(d) == "2026-04-19"
    d = decided(APP, "2026-04-19")["2026-10-19"]
    assert (d["relief"], d["eligible_from"], d["eligible_until"]) == ("release_from_imprisonment",
                                                                       "2026-04-19", "2026-04-19")


def test_first_day_after_the_window_is_outside():
    # 6 months left only from 2026-04-20, the day after the window: no relief, nothing upcoming
    for on in (None, "2026-04-19"):
        d = decided(APP, on)["2026-10-20"]
        assert d["relief"] == "none" and d["upcoming"] is None


@pytest.mark.parametrize("end,first", [
    ("2026-08-31", "2026-03-01"),   # 28 Feb + 6 months = 28 Aug < 31 Aug: not simply end - 6 months
    ("2026-08-30", "2026-03-01"),
    ("2026-08-28", "2026-02-28"),
])
def test_month_ends(end, first):
    assert upcoming_from(decided(APP, None)[end]) == first
    d = decided(APP, "2026-04-19")[end]
    assert d["relief"] == "release_from_imprisonment" and d["eligible_from"] == first


@pytest.mark.parametrize("end,first", [
    ("2028-08-31", "2028-03-01"),   # 29 Feb 2028 + 6 months = 29 Aug < 31 Aug
    ("2028-08-30", "2028-03-01"),
    ("2028-08-29", "2028-02-29"),   # the leap day itself
    ("2028-08-28", "2028-02-28"),
])
def test_leap_day(end, first):
    d = decided(LEAP, None)[end]
    assert d["relief"] == "none" and upcoming_from(d) == first


def test_sentence_ending_on_the_last_day_of_the_window():
    # the relief holds while the sentence runs: the last day it holds is the day before release
    d = decided(APP, None)["2026-04-19"]
    assert (d["relief"], d["eligible_from"], d["eligible_until"]) == ("release_from_imprisonment",
                                                                       "2025-12-19", "2026-04-18")
    assert decided(APP, "2026-04-19")["2026-04-19"]["relief"] == "none"   # already served


def test_sentence_ending_the_day_after_the_window():
    for readings in ((), APP):
        d = decided(readings, None)["2026-04-20"]
        assert (d["relief"], d["eligible_from"], d["eligible_until"]) == ("release_from_imprisonment",
                                                                           "2025-12-19", "2026-04-19")


def test_sentence_ending_the_day_after_entry_into_force():
    d = decided(APP, None)["2025-12-20"]
    assert (d["eligible_from"], d["eligible_until"]) == ("2025-12-19", "2025-12-19")


def test_exactly_six_months_and_one_day():
    # 2026-06-19 = EIF + 6 months: released at once; one day more: from the next day
    assert decided(APP, None)["2026-06-19"]["eligible_from"] == "2025-12-19"
    assert upcoming_from(decided(APP, None)["2026-06-20"]) == "2025-12-20"
    assert decided((), None)["2026-06-20"]["relief"] == "none"
