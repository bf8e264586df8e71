"""The article lookup every engine joins (clemency/engines/lookup.py): for each distinct `articles` value of a
registry, the category, negligence, unknown parts and article sets a decision reads. Checked on DuckDB's
result against the Criminal Code's own case resolution (`CriminalCode.resolve`) and an independent
segment-wise matcher, on hand-made Code tables where every combination rule can be told apart, and through
the decisions a user sees (mutation benchmark, issue 16)."""

from __future__ import annotations

import dataclasses
import random

import duckdb
import pytest

from clemency.compile.plan import compile_act
from clemency.engines.lookup import is_foreign, part_table, register_lookup
from clemency.law import CATEGORIES, CriminalCode, Entry, default_code
from clemency.pipeline import Context
from clemency.pipeline import decide_records as decide
from clemency.registry.schema import FOREIGN_MARK

CODE = default_code()
PLAN = compile_act(Context.make("az-2025").act)


def _entry(article: str, category: str | None, negligent: str | None = "") -> Entry:
    return Entry(article, f"article {article}", negligent, "", "", category, "test", "S")


# a small Code where each rule gives a different answer: one part per category and per negligence value
SMALL = CriminalCode({
    "10.1": _entry("10.1", "not_great_danger", "yes"),
    "10.2": _entry("10.2", "less_serious", "yes"),
    "11.1": _entry("11.1", "less_serious", ""),
    "12.1": _entry("12.1", "grave", "consequence"),
    "12.2": _entry("12.2", "grave", "yes"),
    "13.1": _entry("13.1", "especially_grave", ""),
    "13.2": _entry("13.2", "especially_grave", "yes"),
    "14.1": _entry("14.1", None, "yes"),            # a listed part whose category is unknown
    "7": _entry("7", "less_serious", "yes"),         # a one-digit article (foreign marks are cut before it)
    "193-1.1": _entry("193-1.1", "grave", ""),
}, "small")
SETS = (("10",), ("12.1", "13"), ("193-1",), ("7",))
SMALL_PLAN = dataclasses.replace(PLAN, article_sets=SETS)


def lookup(values, plan=PLAN, code=CODE, table="registry", name="_lookup", con=None):
    """The lookup table `register_lookup` builds for a registry holding `values` in `articles`, by value."""
    con = con or duckdb.connect()
    con.execute(f"CREATE TABLE {table} (articles VARCHAR)")
    if values:
        con.executemany(f"INSERT INTO {table} VALUES (?)", [[v] for v in values])
    register_lookup(con, plan, code, table, name)
    cur = con.execute(f"SELECT * FROM {name}")
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == len({r[0] for r in rows}), "one row per distinct articles value"
    return {r[0]: dict(zip(cols, r)) for r in rows}


def segment_covered(parts, refs) -> bool:
    """Independent of clemency.law.articles: a reference covers a part iff it is the part or a dotted prefix."""
    return any(p == r or p.startswith(r + ".") for p in parts for r in refs)


# --------------------------------------------------------------------------------------------------------
# the combination rules, on a Code where every rule gives a different answer

@pytest.mark.parametrize("articles, category, negligent, unknown", [
    ("10.1", "not_great_danger", True, ""),
    ("10.2", "less_serious", True, ""),
    ("11.1", "less_serious", False, ""),
    ("12.1", "grave", None, ""),
    ("13.1", "especially_grave", False, ""),
    # the gravest part wins, whatever its place in the list
    ("10.1;10.2", "less_serious", True, ""),
    ("10.2;10.1", "less_serious", True, ""),
    ("12.2;10.1", "grave", True, ""),
    ("10.1;12.2;10.2", "grave", True, ""),
    ("10.1;13.2", "especially_grave", True, ""),
    ("13.2;12.2;10.1;10.2", "especially_grave", True, ""),
    # one unknown part makes the category unknown, unless a part is especially grave
    ("10.1;999.9", None, None, "999.9"),
    ("999.9;12.2", None, None, "999.9"),
    ("14.1", None, True, "14.1"),
    ("10.2;14.1", None, True, "14.1"),
    ("999.9;13.2", "especially_grave", None, "999.9"),
    ("14.1;13.1", "especially_grave", False, "14.1"),
    # negligent only if every part is: one non-negligent part makes it false, else an unknown one unknown
    ("10.1;11.1", "less_serious", False, ""),
    ("11.1;12.1", "grave", False, ""),
    ("12.1;10.1", "grave", None, ""),
    ("10.2;12.1;13.1", "especially_grave", False, ""),
    ("10.2;999.9;11.1", None, False, "999.9"),
    # the unknown parts, sorted
    ("999.9;14.1;998.1", None, None, "14.1;998.1;999.9"),
    ("998.1;10.1;14.1", None, None, "14.1;998.1"),
])
def test_each_combination_rule(articles, category, negligent, unknown):
    row = lookup([articles], SMALL_PLAN, SMALL)[articles]
    assert row["_table_category"] == category
    assert row["_table_negligent"] is negligent
    assert row["_unknown_articles"] == unknown
    res = SMALL.resolve(articles)    # the Code's own resolution agrees
    assert (res.table_category, res.negligent, ";".join(sorted(set(res.unknown_articles)))) == \
        (category, negligent, unknown)


@pytest.mark.parametrize("articles, sets", [
    ("10.1", [True, False, False, False]),
    ("10", [True, False, False, False]),        # a bare article: its listed parts
    ("100.1", [False, False, False, False]),    # never by string prefix
    ("12.1", [False, True, False, False]),
    ("12.2", [False, False, False, False]),
    ("12", [False, False, False, False]),       # a reference to 12.1 does not cover the whole article
    ("13.2;11.1", [False, True, False, False]),
    ("11.1;193-1.1", [False, False, True, False]),
    ("193.1", [False, False, False, False]),
    ("7", [False, False, False, True]),
    ("70", [False, False, False, False]),
    ("10.2;12.1;193-1.1;7", [True, True, True, True]),
])
def test_each_article_set_is_any_part_covered(articles, sets):
    row = lookup([articles], SMALL_PLAN, SMALL)[articles]
    assert [row[c] for c in SMALL_PLAN.article_columns] == sets
    assert sets == [segment_covered(articles.split(";"), refs) for refs in SETS]


def test_the_lookup_agrees_with_the_code_on_a_seeded_sample_of_real_citations():
    """One to four parts drawn from the shipped table, their bare articles and unlisted parts."""
    rng = random.Random(16)
    listed = sorted(CODE.rows)
    pool = listed + sorted({a.split(".")[0] for a in listed}) + ["999.9", "177.9", "1.1.1", "320.1.1"]
    values = {";".join(rng.choice(pool) for _ in range(rng.randint(1, 4))) for _ in range(400)}
    yes = [a for a in listed if CODE.rows[a].negligent == "yes"]
    values = sorted(values | set(yes) | {";".join(yes[:3])})
    got = lookup(values)
    assert set(got) == set(values)
    categories = set()
    for v in values:
        res = CODE.resolve(v)
        row = got[v]
        assert row["_table_category"] == res.table_category, v
        assert row["_table_negligent"] is res.negligent, v
        assert row["_unknown_articles"] == ";".join(sorted(set(res.unknown_articles))), v
        parts = v.split(";")
        for col, refs in zip(PLAN.article_columns, PLAN.article_sets):
            assert row[col] is segment_covered(parts, refs), (v, col)
        categories.add(row["_table_category"])
    assert categories == {*CATEGORIES, None}       # the sample reaches every outcome
    assert {r["_table_negligent"] for r in got.values()} == {True, False, None}
    assert any(any(r[c] for c in PLAN.article_columns) for r in got.values())


# --------------------------------------------------------------------------------------------------------
# what goes into the lookup: distinct values, no nulls, no junk, foreign parts

def test_each_distinct_value_once_nulls_and_junk_left_out():
    values = ["10.1", "10.1", None, "x.1", "10.1;x", "12.2;", "13.1;13.1", "999.9;10.1", "999.9;10.1", "999.9;10.1"]
    got = lookup(values, SMALL_PLAN, SMALL)
    assert set(got) == {"10.1", "10.1;x", "12.2;", "13.1;13.1", "999.9;10.1"}
    # a value on many rows is read once: its unknown part is named once
    assert got["999.9;10.1"]["_unknown_articles"] == "999.9"
    assert got["10.1;x"]["_table_category"] == "not_great_danger"   # the junk part is not a part
    assert got["10.1;x"]["_unknown_articles"] == ""
    assert got["12.2;"]["_table_category"] == "grave"
    assert got["13.1;13.1"]["_table_category"] == "especially_grave"


def test_a_foreign_part_is_never_looked_up():
    f = FOREIGN_MARK
    values = [f"{f}10.1", f"{f}7", f"{f}13.2", f"{f}7;10.2", f"{f}13.2;12.2", f"{f}x", f"{f}", f"{f}:7", "7"]
    got = lookup(values, SMALL_PLAN, SMALL)
    assert set(got) == {f"{f}10.1", f"{f}7", f"{f}13.2", f"{f}7;10.2", f"{f}13.2;12.2", "7"}
    for v in (f"{f}10.1", f"{f}7", f"{f}13.2"):
        assert got[v]["_table_category"] is None and got[v]["_table_negligent"] is None
        assert got[v]["_unknown_articles"] == v
        assert [got[v][c] for c in SMALL_PLAN.article_columns] == [False] * len(SETS)
    mixed = got[f"{f}7;10.2"]
    assert (mixed["_table_category"], mixed["_table_negligent"], mixed["_unknown_articles"]) == \
        (None, None, f"{f}7")
    assert [mixed[c] for c in SMALL_PLAN.article_columns] == [True, False, False, False]
    assert got[f"{f}13.2;12.2"]["_table_category"] is None    # the foreign 13.2 is not especially grave here
    assert got["7"]["_table_category"] == "less_serious" and got["7"]["_art3"] is True
    assert is_foreign(f"{f}7") and not is_foreign("7") and not is_foreign(f"7;{f}7")


def test_part_table_one_row_per_part():
    t = part_table(SMALL_PLAN, SMALL, ["10.1", "13.2", "14.1", "999.9", f"{FOREIGN_MARK}10.1"]).to_pylist()
    assert [r["part"] for r in t] == ["10.1", "13.2", "14.1", "999.9", f"{FOREIGN_MARK}10.1"]
    assert [r["rank"] for r in t] == [0, 3, None, None, None]
    assert [r["neg"] for r in t] == [True, True, True, None, None]
    assert [r["_art0"] for r in t] == [True, False, False, False, False]
    assert [r["_art1"] for r in t] == [False, True, False, False, False]
    assert part_table(SMALL_PLAN, SMALL, []).num_rows == 0


@pytest.mark.parametrize("values, parts", [
    ([], []), ([None, "x.1"], []), ([f"{FOREIGN_MARK}7"], [f"{FOREIGN_MARK}7"]), (["999.9;998.1"], ["998.1", "999.9"]),
    (["10.1"], ["10.1"]),
])
def test_the_columns_have_fixed_types_whatever_the_registry_holds(values, parts):
    """An empty registry, one with only junk or foreign or unknown parts: the same types as any other, so the
    decision query that joins the lookup binds the same way (no column typed by what the rows happen to be)."""
    table = part_table(SMALL_PLAN, SMALL, parts)
    assert [str(t) for t in table.schema.types] == ["string", "int8", "bool"] + ["bool"] * len(SETS)
    con = duckdb.connect()
    lookup(values, SMALL_PLAN, SMALL, con=con)
    types = dict((r[0], r[1]) for r in con.execute("DESCRIBE _lookup").fetchall())
    assert types == {"articles": "VARCHAR", "_table_category": "VARCHAR", "_table_negligent": "BOOLEAN",
                     "_unknown_articles": "VARCHAR", **{c: "BOOLEAN" for c in SMALL_PLAN.article_columns}}


# --------------------------------------------------------------------------------------------------------
# the connection it works in

def test_another_table_and_name_and_nothing_left_behind():
    con = duckdb.connect()
    first = lookup(["10.1;12.2"], SMALL_PLAN, SMALL, table="people", name="lk", con=con)
    assert first["10.1;12.2"]["_table_category"] == "grave"
    # a second lookup on the same connection (as a drafting session does), over another table
    second = lookup(["13.1"], SMALL_PLAN, SMALL, table="other", name="lk2", con=con)
    assert set(second) == {"13.1"} and second["13.1"]["_table_category"] == "especially_grave"
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    names |= {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert names == {"people", "other", "lk", "lk2"}


def test_by_default_the_registry_table_into_lookup():
    con = duckdb.connect()
    con.execute("CREATE TABLE registry AS SELECT * FROM (VALUES ('12.2;10.1'), ('13.1')) t(articles)")
    register_lookup(con, SMALL_PLAN, SMALL)
    got = dict(con.execute("SELECT articles, _table_category FROM _lookup").fetchall())
    assert got == {"12.2;10.1": "grave", "13.1": "especially_grave"}
    assert {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} == {"registry", "_lookup"}


# --------------------------------------------------------------------------------------------------------
# what a user sees: the decision and its note, the same on both local engines

RECORD = {"person_id": "P1", "case_id": "K1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted",
          "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2027-01-10"}


@pytest.mark.parametrize("engine", ["duckdb", "reference"])
def test_decisions_read_the_lookup(engine):
    """B2 (negligent crimes) holds only if every part is negligent; F2 bars it when any part is listed."""
    ctx = Context.make("az-2025")
    cases = {
        "K1": {"articles": "124.1"},                         # negligent, listed in F2
        "K2": {"articles": "187.4;124.1"},                   # both negligent, F2 by the second part
        "K3": {"articles": "187.4"},                         # negligent, not listed
        "K4": {"articles": "177.1;187.4"},                   # one part not negligent: B2 fails
        "K5": {"articles": "187.4;999.9"},                   # one part unknown
        "K6": {"articles": "187.4", "convicted_abroad": True, "crime_category": "less_serious"},
        "K7": {"articles": "999.9;187.4;999.9;888.8"},       # an unknown part named once, in order
    }
    records = [{**RECORD, "person_id": f"P{k}", "case_id": k, **v} for k, v in cases.items()]
    got = {d["case_id"]: (d["relief"], d["clause"], d["excluded_by"], d["notes"])
           for d in decide(ctx, records, engine=engine)}
    note = "articles not in the Criminal Code table: 999.9"
    assert got == {
        "K1": ("term_reduction", "C1", "F2", None),
        "K2": ("term_reduction", "C1", "F2", None),
        "K3": ("release_from_imprisonment", "B2", "", None),
        "K4": ("term_reduction", "C1", "", None),
        "K5": ("indeterminate", None, "", note),
        "K6": ("indeterminate", None, "", None),     # a foreign 187.4 is not known to be negligent
        "K7": ("indeterminate", None, "", "articles not in the Criminal Code table: 888.8;999.9"),
    }
