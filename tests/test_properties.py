"""Properties of decisions on generated registries, under drawn readings and decision dates.

The generator (`registries`) draws plausible, consistent records (birth < offence <= sentence start <=
sentence end <= start + term + 3 days; one sex and birth date per person, several rows per person): every
enumeration value (status, punishment, recidivism incl. especially_dangerous, given categories, also ones
that conflict with the Criminal Code table), every status flag possibly `unknown`, births weighted to
29 February and to the 18th and 60th birthdays around the entry into force and the offence, missing offence
dates, offences on the sentence day, offences on or after the entry into force, missing sentence starts.

Each example decides one batch through the whole pipeline. Properties:
- the DuckDB engine and the reference engine agree on every field of every row;
- deciding twice gives the same result;
- an exclusion's fact (a listed article, graver recidivism, a malicious regime violation, a reoffence
  after amnesty) never improves a decision; a group's fact (war participant, ...) never worsens one;
- less time left never loses a release, from prison or from a non-custodial punishment.
Seeds are fixed (tests/conftest.py, profile `ci`); CLEMENCY_EXAMPLES=10 runs ten times the examples."""

from __future__ import annotations

import datetime as dt

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle.engines import decide

from clemency import calendar as cal

EIF = dt.date(2025, 12, 19)
WINDOW_END = dt.date(2026, 4, 19)
ARTICLES = ["177.1", "177.2", "177.3", "178.2", "320.1", "234.1", "234.4", "206.3.2", "192.3.2", "187.4",
            "225.3", "263.2", "120.1", "126.1", "126.3", "221.3", "213.2.1", "999.1", "177", "124.1", "131.1",
            "187.1", "320.1.1", "193.1"]
EXCLUDED = ["122.1", "186.2", "244-1.1", "151", "193-1.1", "335.2", "124.2", "133.1", "150.1"]
CATEGORIES = ["not_great_danger", "less_serious", "grave", "especially_grave"]
PUNISHMENTS = ["imprisonment", "life_imprisonment", "restriction_of_liberty", "conditional", "corrective_work",
               "public_works", "fine", "disciplinary_military_unit", "other"]
RECIDIVISM = ["none", "repeat", "dangerous", "especially_dangerous"]
GROUP_FLAGS = ["war_participant", "relative_of_fallen", "state_award", "provocation_disabled", "khojaly_victim",
               "january_1990_disabled", "idp", "repression_victim", "carer_of_child"]
EXCLUSION_FLAGS = ["malicious_regime_violator", "reoffended_after_amnesty"]
OTHER_FLAGS = ["award_stripped", "convicted_abroad"]
RANK = {"release_from_imprisonment": 3, "release_from_criminal_liability": 3, "release_from_punishment": 2,
        "term_reduction": 1, "none": 0, "indeterminate": None}
COMPARED = ["relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from",
            "eligible_until", "upcoming_relief", "upcoming_clause", "upcoming_from", "reasons", "excluded_by",
            "crime_category"]

readings = st.fixed_dictionaries({
    "chapeau": st.sampled_from(["all", "a1-a6"]), "b2": st.sampled_from(["inclusive", "exclusive"]),
    "b3": st.sampled_from(["eif", "application"]), "f2": st.sampled_from(["abde", "abcde"]),
    "f2-drugs": st.sampled_from(["none", "all-234"]), "f3": st.sampled_from(["inferred", "none"]),
    "d": st.sampled_from(["except-especially-grave", "not-grave"]), "e1": st.sampled_from(["categories", "also-a"]),
})
days_in_window = st.integers(0, (WINDOW_END - EIF).days).map(lambda n: EIF + dt.timedelta(days=n))
decision_day = st.one_of(st.none(), st.sampled_from([EIF, WINDOW_END, dt.date(2026, 2, 28), dt.date(2026, 3, 31)]),
                         days_in_window)


def _near(draw, d: dt.date, spread: int = 2) -> dt.date:
    return d + dt.timedelta(days=draw(st.integers(-spread, spread)))


@st.composite
def births(draw, offense: dt.date | None):
    kind = draw(st.sampled_from(["60", "60", "18", "18", "feb29", "plain", "plain", "none"]))
    if kind == "60":
        return _near(draw, cal.add_months(draw(st.sampled_from([EIF, WINDOW_END])), -720))
    if kind == "18" and offense is not None:
        return _near(draw, cal.add_months(offense, -216))
    if kind == "18":
        return _near(draw, cal.add_months(EIF, -216))
    if kind == "feb29":
        return draw(st.sampled_from([dt.date(1964, 2, 29), dt.date(1965, 2, 28), dt.date(1965, 3, 1),
                                     dt.date(1960, 2, 29), dt.date(2004, 2, 29), dt.date(2008, 2, 29),
                                     dt.date(2007, 3, 1), dt.date(1966, 2, 28)]))
    if kind == "none":
        return None
    return dt.date(1945, 1, 1) + dt.timedelta(days=draw(st.integers(0, 20_000)))


@st.composite
def person(draw):
    """Personal facts shared by all rows of one person: sex, birth date, the groups."""
    return {"sex": draw(st.sampled_from("MMMF")),
            **{f: draw(st.sampled_from(["", "", "", "false", "true", "unknown"])) for f in GROUP_FLAGS},
            "disability_percent": draw(st.sampled_from(["", 0, 40, 60, 61, 100]))}


@st.composite
def row(draw):
    status = draw(st.sampled_from(["convicted"] * 5 + ["suspect", "accused"]))
    anchor = draw(st.sampled_from([EIF, WINDOW_END, EIF + dt.timedelta(days=draw(st.integers(-60, 1500)))]))
    end = _near(draw, cal.add_months(anchor, draw(st.sampled_from([0, 1, 4, 6, 12, 13, 24]))), 2)
    term = draw(st.sampled_from([6, 12, 24, 36, 59, 60, 61, 72, 120]))
    start = cal.add_months(end, -term) + dt.timedelta(days=draw(st.integers(0, min(120, term * 10))))
    start = min(start, end)
    if start > EIF + dt.timedelta(days=60):        # sentenced well after the entry into force: not plausible here
        start = EIF + dt.timedelta(days=draw(st.integers(-30, 60)))
        end = min(max(end, start), cal.add_months(start, term))
    offense_kind = draw(st.sampled_from(["before", "before", "same", "missing", "after-eif"]))
    if offense_kind == "before":
        offense = start - dt.timedelta(days=draw(st.integers(1, 900)))
    elif offense_kind == "same":
        offense = start
    elif offense_kind == "after-eif" and start >= EIF:
        offense = EIF + dt.timedelta(days=draw(st.integers(0, (start - EIF).days)))
    else:
        offense = None
    rec = {
        "status": status,
        "articles": ";".join(draw(st.lists(st.sampled_from(ARTICLES + EXCLUDED[:2]), min_size=1, max_size=3,
                                           unique=True))),
        "crime_category": draw(st.sampled_from([""] * 4 + CATEGORIES)),
        "negligent": draw(st.sampled_from(["", "", "", "true", "false", "unknown"])),
        "offense_date": offense,
        "recidivism": draw(st.sampled_from([""] + RECIDIVISM)),
        **{f: draw(st.sampled_from(["", "", "false", "true", "unknown"])) for f in EXCLUSION_FLAGS + OTHER_FLAGS},
    }
    if rec["convicted_abroad"] == "true" and not rec["crime_category"]:   # a foreign article has no category here
        rec["crime_category"] = draw(st.sampled_from(CATEGORIES))
    if status == "convicted":
        rec.update(punishment=draw(st.sampled_from(PUNISHMENTS)), term_months=term,
                   sentence_start=draw(st.sampled_from([start, start, start, None])), sentence_end=end)
        if rec["punishment"] not in ("imprisonment", "restriction_of_liberty") and draw(st.booleans()):
            rec["sentence_end"] = None
    return rec


@st.composite
def registries(draw, max_persons: int = 30):
    """Rows of several persons; one person's rows share sex, birth date and groups."""
    out = []
    for p in range(draw(st.integers(1, max_persons))):
        facts = draw(person())
        rows = [draw(row()) for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3])))]
        offences = [r["offense_date"] or r.get("sentence_start") for r in rows]
        earliest = min((d for d in offences if d), default=None)
        birth = draw(births(earliest))
        if birth is not None and earliest is not None and cal.add_months(birth, 14 * 12) > earliest:
            birth = cal.add_months(earliest, -draw(st.sampled_from([14 * 12, 17 * 12, 18 * 12, 30 * 12])))
        for k, r in enumerate(rows):
            out.append({"person_id": f"P{p}", "case_id": f"P{p}-{k}", "sex": facts["sex"], "birth_date": birth,
                        **{f: facts[f] for f in GROUP_FLAGS}, "disability_percent": facts["disability_percent"],
                        **r})
    return out


SETTINGS = settings(max_examples=examples(12), deadline=None)


def _decide(recs, rd, on, engine="duckdb"):
    return decide("az-2025", recs, rd, on, engine)


@SETTINGS
@given(registries(), readings, decision_day)
def test_engines_agree_and_deciding_twice_is_the_same(recs, rd, on):
    a, b = _decide(recs, rd, on), _decide(recs, rd, on, "reference")
    assert a == _decide(recs, rd, on)
    for cid, x in a.items():
        diff = {k: (x[k], b[cid][k]) for k in COMPARED if x[k] != b[cid][k]}
        assert not diff, (cid, diff, rd, on)


def _never_better(before, after):
    for cid, b in before.items():
        a = after[cid]
        if RANK[b["relief"]] is None or RANK[a["relief"]] is None:
            continue
        assert RANK[a["relief"]] <= RANK[b["relief"]], (cid, b["relief"], a["relief"])


@SETTINGS
@given(registries(), readings, decision_day, st.sampled_from(EXCLUDED))
def test_adding_an_excluded_article_never_improves_a_decision(recs, rd, on, extra):
    worse = [dict(r, articles=r["articles"] + ";" + extra) for r in recs]
    _never_better(_decide(recs, rd, on), _decide(worse, rd, on))


@SETTINGS
@given(registries(), readings, decision_day, st.sampled_from(["recidivism"] + EXCLUSION_FLAGS))
def test_an_exclusion_fact_never_improves_a_decision(recs, rd, on, fact):
    value = "especially_dangerous" if fact == "recidivism" else "true"
    worse = [dict(r, **{fact: value}) for r in recs]
    _never_better(_decide(recs, rd, on), _decide(worse, rd, on))


@SETTINGS
@given(registries(), readings, decision_day, st.sampled_from(GROUP_FLAGS))
def test_a_group_fact_never_worsens_a_decision(recs, rd, on, fact):
    better = [dict(r, **{fact: "true"}) for r in recs]
    before, after = _decide(recs, rd, on), _decide(better, rd, on)
    for cid, b in before.items():
        a = after[cid]
        if RANK[b["relief"]] is None or RANK[a["relief"]] is None:
            continue
        assert RANK[a["relief"]] >= RANK[b["relief"]], (cid, fact, b["relief"], a["relief"])


@SETTINGS
@given(registries(), readings, decision_day, st.integers(1, 400))
def test_less_time_left_never_loses_a_release(recs, rd, on, days):
    """Whoever is released (from prison, or from a non-custodial punishment) with T left is also released
    with less than T left, as long as the punishment has not ended on the decision day."""
    day = on or EIF
    keep, sooner = [], []
    for r in recs:
        if r.get("sentence_end") is None or r.get("punishment") is None:
            continue
        end = r["sentence_end"] - dt.timedelta(days=days)
        if end > day and (r.get("sentence_start") is None or end >= r["sentence_start"]):
            keep.append(r)
            sooner.append(dict(r, sentence_end=end))
    if not keep:
        return
    before, after = _decide(keep, rd, on), _decide(sooner, rd, on)
    for cid, b in before.items():
        if b["relief"] in ("release_from_imprisonment", "release_from_punishment"):
            assert after[cid]["relief"] == b["relief"], (cid, b["clause"], after[cid]["relief"], rd, on)


def test_the_exit_date_is_not_monotone_in_time_left():
    """12 months left gets nothing; 12 months and a day gets the cut of C1 (release 6 months earlier)."""
    base = {"sex": "M", "birth_date": "1980-01-01", "status": "convicted", "articles": "177.2",
            "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-01-01",
            "sentence_start": "2024-01-01"}
    twelve = dict(base, case_id="a", person_id="a", sentence_end=cal.add_months(EIF, 12).isoformat())
    more = dict(base, case_id="b", person_id="b", sentence_end=cal.add_days(cal.add_months(EIF, 12), 1).isoformat())
    d = _decide([twelve, more], {}, None)
    assert d["a"]["relief"] == "none"
    assert d["b"]["relief"] == "term_reduction" and d["b"]["new_sentence_end"].isoformat() < twelve["sentence_end"]


def test_the_generator_reaches_every_value():
    """The generator does draw what the module docstring promises (checked on a fixed sample)."""
    seen = {"recidivism": set(), "punishment": set(), "status": set(), "crime_category": set()}
    flags_unknown, feb29, multi, same_day, after_eif, missing_offence = set(), 0, 0, 0, 0, 0
    implausible: list = []

    @settings(max_examples=60, deadline=None)
    @given(registries())
    def collect(recs):
        nonlocal feb29, multi, same_day, after_eif, missing_offence
        persons = {}
        for r in recs:
            for k in seen:
                if r.get(k):
                    seen[k].add(r[k])
            flags_unknown.update(f for f in GROUP_FLAGS + EXCLUSION_FLAGS + OTHER_FLAGS if r.get(f) == "unknown")
            b = r["birth_date"]
            feb29 += bool(b and (b.month, b.day) == (2, 29))
            same_day += bool(r["offense_date"] and r["offense_date"] == r.get("sentence_start"))
            after_eif += bool(r["offense_date"] and r["offense_date"] >= EIF)
            missing_offence += r["offense_date"] is None
            persons.setdefault(r["person_id"], []).append(r)
            # plausible and consistent
            if r["offense_date"] and r.get("sentence_start") and r["offense_date"] > r["sentence_start"]:
                implausible.append(("offence after the sentence start", r))
            if r.get("sentence_start") and r.get("sentence_end") and not (
                    r["sentence_start"] <= r["sentence_end"]
                    <= cal.add_days(cal.add_months(r["sentence_start"], r["term_months"]), 3)):
                implausible.append(("sentence end outside start..start + term", r))
        for rows in persons.values():
            multi += len(rows) > 1
            if len({(r["sex"], r["birth_date"]) for r in rows}) != 1:
                implausible.append(("one person, several sexes or births", rows))

    collect()
    assert not implausible, implausible[:3]
    assert seen["recidivism"] == set(RECIDIVISM)
    assert seen["punishment"] == set(PUNISHMENTS)
    assert seen["status"] == {"convicted", "suspect", "accused"}
    assert seen["crime_category"] == set(CATEGORIES)
    assert flags_unknown == set(GROUP_FLAGS + EXCLUSION_FLAGS + OTHER_FLAGS)
    assert min(feb29, multi, same_day, after_eif, missing_offence) > 0
