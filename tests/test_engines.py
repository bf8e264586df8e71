"""The engine interface: one final template method, the decision schema declared once, and input columns
named like a decision or an internal column renamed on the way in so they never change a decision."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pyarrow.parquet as pq
import pytest

from clemency import pipeline
from clemency.apply import apply_act
from clemency.compile.plan import article_column, article_index
from clemency.engines import ENGINES, get_engine
from clemency.engines.base import Engine
from clemency.engines.duckdb import DuckDBEngine
from clemency.engines.reference import lookup_row, lookup_rows
from clemency.engines.schema import DECISION_FIELDS, PASSTHROUGH, reserved
from clemency.errors import ClemencyError

LOCAL = [e for e in ENGINES if e != "spark"]   # Spark: tests/test_conformance.py (marked spark)

BASE = {"birth_date": "1970-05-01", "sex": "M", "status": "convicted", "punishment": "imprisonment",
        "term_months": "48", "sentence_start": "2023-01-10", "sentence_end": "2027-01-10",
        "offense_date": "2022-03-01"}
ARTICLES = ["177.1", "178.2", "234.1", "120.1", "126.1", "186.1"]


def _records(extra: dict | None = None) -> list[dict]:
    out = []
    for i, art in enumerate(ARTICLES):
        for women in (False, True):
            rec = {**BASE, "person_id": f"P{i}{int(women)}", "case_id": f"C{i}{int(women)}", "articles": art}
            if women:
                rec["sex"], rec["birth_date"] = "F", "1958-02-03"
            out.append({**rec, **(extra or {})})
    return out


# every decision field, the engines' notes, internal names of the stages and of the lookup
HOSTILE = {**{name: "x" for name in DECISION_FIELDS}, "relief": "release", "clause": "A1", "notes": "n",
           "_row": "7", article_column(0): "true", article_column(1): "false", "_eu": "2020-01-01",
           "_upf": "2020-01-01", "_table_category": "grave"}


def test_reserved_names():
    for name in [*DECISION_FIELDS, "notes", "_row", article_column(3), "_anything"]:
        assert reserved(name), name
    for name in ["person_id", "group", "relief_note", "my_clause"]:
        assert not reserved(name), name


def test_article_columns_are_named_in_one_place():
    assert article_index(article_column(12)) == 12
    assert article_index("_row") is None and article_index("_artx") is None
    ctx = pipeline.Context.make("az-2025")
    assert ctx.plan.article_columns == [article_column(k) for k in range(len(ctx.plan.article_sets))]
    tested = [c.id for c in ctx.plan.clauses if ctx.plan.articles_tested_by(c.id)]
    assert tested, "some clause of the 2025 act tests articles"
    for cid in tested:
        refs = ctx.plan.articles_tested_by(cid)
        assert all(any(r in s for s in ctx.plan.article_sets) for r in refs)


def _decisions(records, engine: str) -> dict[str, dict]:
    ctx = pipeline.Context.make("az-2025", on="2025-12-19")
    rows = pipeline.decide_records(ctx, records, engine=engine)
    return {r["person_id"]: {k: r[k] for k in DECISION_FIELDS} for r in rows}


@pytest.mark.parametrize("engine", LOCAL)
def test_hostile_extra_columns_never_change_a_decision_in_memory(engine):
    plain = _decisions(_records(), engine)
    hostile = _decisions(_records(HOSTILE), engine)
    assert plain == hostile
    assert {d["relief"] for d in plain.values()} - {"none"}, "the records must give some relief"


def _write_csv(path, records):
    cols = list(dict.fromkeys(k for r in records for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(records)


@pytest.mark.parametrize("engine", LOCAL)
def test_hostile_extra_columns_never_change_a_decision_in_apply(tmp_path, engine):
    hostile = {k: v for k, v in HOSTILE.items() if k != "_row"}   # `_row` in a file: see the registry import
    _write_csv(tmp_path / "plain.csv", _records())
    _write_csv(tmp_path / "hostile.csv", _records(hostile))
    warned: list[str] = []
    apply_act("az-2025", tmp_path / "plain.csv", tmp_path / "p", engine=engine, on="2025-12-19", csv=False)
    res = apply_act("az-2025", tmp_path / "hostile.csv", tmp_path / "h", engine=engine, on="2025-12-19",
                    csv=False, warn=warned.append)
    plain = pq.read_table(tmp_path / "p" / "decisions.parquet").to_pylist()
    got = pq.read_table(tmp_path / "h" / "decisions.parquet").to_pylist()
    assert [{k: r[k] for k in DECISION_FIELDS} for r in plain] == [{k: r[k] for k in DECISION_FIELDS} for r in got]
    assert [r["notes"] for r in plain] == [r["notes"] for r in got]
    assert set(res.manifest["renamed_columns"]) == set(hostile)
    assert all(new.startswith("input_") for new in res.manifest["renamed_columns"].values())
    assert got[0]["input_relief"] == "release"   # the input value is kept, under its new name
    assert len(warned) == len(hostile) and not any(str(tmp_path) in w for w in warned)


def test_safe_name_avoids_taken_names():
    taken = {"relief", "input_relief"}
    assert pipeline.safe_name("relief", taken) == "input_relief_2"
    assert pipeline.safe_name("plain_name", taken) is None
    assert pipeline.safe_name("a b", set()) == "a_b"
    assert pipeline.safe_name("1 st", set()) == "c_1_st"


def test_engine_methods_are_final():
    with pytest.raises(TypeError):
        class Bad(DuckDBEngine):   # noqa: F841
            def decide(self, *args, **kwargs):
                pass


def test_an_engine_that_breaks_the_schema_is_refused(tmp_path):
    class Short(Engine):
        name = "short"

        def _write(self, con, plan, on, columns, passthrough, out_path, metadata):
            query = DuckDBEngine().query(plan, on, columns, passthrough)
            con.execute(f"COPY (SELECT * EXCLUDE (basis) FROM ({query})) TO '{out_path}' (FORMAT PARQUET)")
            return True

    ctx = pipeline.Context.make("az-2025")
    con = duckdb.connect()
    pipeline.load(con, ctx.act, _records())
    pipeline.register_lookup(con, ctx)
    cols = pipeline.columns(con)
    with pytest.raises(ClemencyError, match="expected"):
        Short().decide(con, ctx.plan, ctx.on, cols, pipeline.passthrough(cols), tmp_path / "d.parquet")
    with pytest.raises(ClemencyError, match="expected"):
        Short().decide_rows(con, ctx.plan, ctx.on, cols, pipeline.passthrough(cols))


@pytest.mark.parametrize("engine", LOCAL)
def test_every_engine_writes_the_declared_schema_and_metadata(tmp_path, engine):
    ctx = pipeline.Context.make("az-2025", on=dt.date(2026, 3, 1))
    con = duckdb.connect()
    pipeline.load(con, ctx.act, _records({"group": "g"}))
    pipeline.register_lookup(con, ctx)
    carried = pipeline.decide_table(con, ctx, tmp_path / "d.parquet", engine=engine, metadata={"k": "v"})
    assert carried == [*PASSTHROUGH, "group"]
    assert pq.read_schema(tmp_path / "d.parquet").names == carried + list(DECISION_FIELDS)
    assert pq.read_metadata(tmp_path / "d.parquet").metadata[b"k"] == b"v"
    memory = get_engine(engine).decide_rows(con, ctx.plan, ctx.on, pipeline.columns(con), carried)
    written = pq.read_table(tmp_path / "d.parquet").to_pylist()
    assert [{k: r[k] for k in DECISION_FIELDS} for r in memory] == [{k: r[k] for k in DECISION_FIELDS}
                                                                    for r in written]


def test_reference_lookup_row_agrees_with_the_registered_lookup():
    """The article lookup's combination of parts: the SQL of `register_lookup` and the reference engine's
    `lookup_row` (used by the web's single-record path) give the same row for every articles value."""
    ctx = pipeline.Context.make("az-2025")
    singles = ["177.1", "178.2", "234.1", "120.1", "126.1", "186.1", "999.9", "120.2.4", "127.1", "311.3"]
    values = singles + [f"{a};{b}" for a in singles[:6] for b in singles[4:]] + ["999.9;998.1", "177.1;177.1"]
    con = duckdb.connect()
    pipeline.load(con, ctx.act, [{**BASE, "person_id": f"P{i}", "case_id": f"C{i}", "articles": v,
                                  "crime_category": "grave"} for i, v in enumerate(values)])
    pipeline.register_lookup(con, ctx)
    registered = lookup_rows(con)
    assert set(registered) == set(values)
    for v in values:
        sql = {k: val for k, val in registered[v].items() if k != "articles"}
        assert lookup_row(ctx.plan, ctx.code, v) == sql, v


def test_bounds_unknown_engine_raises():
    from clemency.compare.bounds import bounds
    from clemency.errors import UsageError
    with pytest.raises(UsageError, match="no engine"):
        bounds(_records(), "az-2025", engine="vectorized")


@pytest.mark.parametrize("act", ["az-2025", "az-2021", "az-2009"])
def test_bounds_vectorised_agrees_with_sql_over_every_reading(tmp_path, act):
    """Every two-valued reading of the act, every combination: the vectorised counts equal the counts of the
    aggregate SQL queries (the decision rule as generated SQL)."""
    from clemency.compare.bounds import bounds, two_valued
    from clemency.registry.synth import synth
    path = tmp_path / "synth.parquet"
    synth(600, path, seed=11)
    names = two_valued(pipeline.Context.make(act).act)
    a = bounds(path, act, names=names, figures=[])
    b = bounds(path, act, names=names, figures=[], engine="sql")
    assert a["combinations"] == 2 ** len(names)
    assert a["per_combination"] == b["per_combination"]
    assert any(sum(c["window"].values()) for c in a["per_combination"]), "some relief is counted"
