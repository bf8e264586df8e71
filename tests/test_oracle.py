"""The engines' article lookup and category resolution against an independent oracle (tests/oracle/), on every
article part of the Criminal Code table and on generated citations: children finer than the table, bare
articles whose parts differ, unknown articles, several articles per case, given categories that conflict.

The category a decision used is in its `crime_category`; its negligence shows in clause B2's reason (in
prison, serving, term up to 5 years: B2 holds iff negligent, is unknown iff negligence is unknown)."""

from __future__ import annotations

import random

import pytest
from oracle import covered_by, load_code, split_citation
from oracle.engines import decide

from clemency.law import CriminalCode

ORACLE = load_code()
ARTICLES = sorted(ORACLE.rows)
BASE = {"sex": "M", "birth_date": "1980-05-05", "status": "convicted", "punishment": "imprisonment",
        "offense_date": "2023-03-01", "sentence_start": "2024-01-10", "sentence_end": "2027-01-10",
        "term_months": 36}
B2 = {"H": True, "F": False, "U": None}


def records(citations, given=None):
    out = []
    for i, c in enumerate(citations):
        rec = dict(BASE, person_id=f"P{i}", case_id=f"C{i}", articles=c)
        if given:
            rec["crime_category"] = given[i]
        out.append(rec)
    return out


def check(decisions, citations, given=None):
    wrong = []
    for i, c in enumerate(citations):
        want = ORACLE.resolve(c, given[i] if given else None)
        d = decisions[f"C{i}"]
        got_neg = B2[d["reason"]["B2"]]
        if d["crime_category"] != want.category or got_neg is not want.negligent:
            wrong.append(f"{c}: engine {d['crime_category']}/{got_neg}, oracle {want.category}/{want.negligent}")
    assert not wrong, f"{len(wrong)} citations resolved differently:\n" + "\n".join(wrong[:20])


def test_the_oracle_reads_the_whole_table():
    assert len(ARTICLES) == 1235
    assert {r["category"] for r in ORACLE.rows.values()} <= {"", "not_great_danger", "less_serious", "grave",
                                                            "especially_grave"}
    # the rules themselves, on the examples of the registry format
    assert covered_by("206.3.2", "206.3") and covered_by("244-1.1", "244-1")
    assert not covered_by("193.1", "193-1") and not covered_by("234.1-1", "234.1")
    assert ORACLE.category("320.1.1") == ORACLE.category("320.1")     # nearest listed ancestor
    assert ORACLE.category("177") is None                             # parts differ
    assert ORACLE.category("999.1") is None


@pytest.mark.parametrize("engine", ["duckdb", "reference"])
def test_every_article_of_the_table(engine):
    check(decide("az-2025", records(ARTICLES), engine=engine), ARTICLES)


def _generated(seed: int, n: int) -> list[str]:
    r = random.Random(seed)
    bare = sorted({split_citation(a)[0] for a in ARTICLES})
    pool = [
        lambda: r.choice(ARTICLES),
        lambda: r.choice(ARTICLES) + "." + str(r.randint(1, 9)),          # finer than the table
        lambda: r.choice([a for a in ARTICLES if "-" not in a.rsplit(".", 1)[-1]]) + "-1",   # a sibling
        lambda: r.choice(bare),                                           # a bare article
        lambda: ".".join(split_citation(r.choice(ARTICLES))[:2]),         # a part of an article with points
        lambda: str(r.choice([99, 400, 999, 1000])) + "." + str(r.randint(1, 3)),   # not in the code
        lambda: r.choice([b for b in bare if "-" not in b]) + "-" + str(r.randint(1, 3)),   # 193-1 style
    ]
    out = []
    for _ in range(n):
        k = r.choices([1, 2, 3], [0.6, 0.3, 0.1])[0]
        parts = [r.choice(pool)() for _ in range(k)]
        out.append(";".join(dict.fromkeys(parts)))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_citations(seed):
    cites = _generated(seed, 1500)
    check(decide("az-2025", records(cites)), cites)


def test_generated_citations_with_given_categories():
    """A given category wins over the table, also when it conflicts with it."""
    r = random.Random(3)
    cites = _generated(3, 800)
    given = [r.choice(["not_great_danger", "less_serious", "grave", "especially_grave"]) for _ in cites]
    conflicts = sum(1 for c, g in zip(cites, given) if ORACLE.resolve(c).table_category not in (None, g))
    assert conflicts > 200
    check(decide("az-2025", records(cites, given)), cites, given)


def test_the_library_lookup_agrees_with_the_oracle():
    """clemency.law directly (what every engine's lookup is built from), on every table id and its
    neighbours."""
    code = CriminalCode.load()
    cites = ARTICLES + _generated(4, 3000)
    wrong = []
    for c in cites:
        res, want = code.resolve(c), ORACLE.resolve(c)
        if (res.category, res.negligent, set(res.unknown_articles)) != (want.category, want.negligent,
                                                                         set(want.unknown_parts)):
            wrong.append(c)
    assert not wrong, wrong[:20]
