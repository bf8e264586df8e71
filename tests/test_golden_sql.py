"""Golden files: the SQL compiled from the 2025 act under its default readings, per dialect, so that any
change to what the engines run is seen in review. Regenerate with CLEMENCY_UPDATE_GOLDEN=1."""

import datetime as dt
import os
from pathlib import Path

import pytest

from clemency.act.load import load_act
from clemency.compile.plan import compile_act
from clemency.engines.sqlgen import SqlGen

GOLDEN = Path(__file__).parent / "golden"
COLUMNS = ["person_id", "case_id", "_row", "sex", "birth_date", "status", "articles", "crime_category", "negligent",
           "offense_date", "punishment", "term_months", "sentence_start", "sentence_end"]


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_compiled_sql_matches_the_golden_file(dialect):
    plan = compile_act(load_act("az-2025"))
    gen = SqlGen(dialect)
    sql = gen.decision_query(plan, gen.source_query(plan, "registry", "_lookup", COLUMNS), dt.date(2025, 12, 19),
                             ["person_id", "case_id"]) + "\n"
    path = GOLDEN / f"az-2025.{dialect}.sql"
    if os.environ.get("CLEMENCY_UPDATE_GOLDEN"):
        path.write_text(sql)
    assert path.exists(), f"{path} missing: run with CLEMENCY_UPDATE_GOLDEN=1"
    assert sql == path.read_text(), f"the compiled SQL changed: review it and regenerate {path.name}"
