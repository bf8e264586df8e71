"""The demo on a small registry: its breakdown counts what the decisions say, beside the published figures."""

import json

import duckdb

from clemency.report.demo import run_demo


def test_demo_breakdown_counts_the_decisions(tmp_path):
    run_demo(tmp_path, rows=3000, seed=2)
    rows = json.loads((tmp_path / "breakdown.json").read_text())
    synthetic = {(r["section"], r["label"]): r["values"]["synthetic, eligible on EIF"] for r in rows}
    decisions = f"read_parquet('{tmp_path / 'decisions.parquet'}')"
    released = duckdb.sql(f"SELECT count(DISTINCT person_id) FROM {decisions} "
                          "WHERE relief = 'release_from_imprisonment'").fetchall()[0][0]
    women = duckdb.sql(f"SELECT count(DISTINCT person_id) FROM {decisions} "
                       "WHERE sex = 'F' AND relief NOT IN ('none', 'indeterminate')").fetchall()[0][0]
    assert synthetic[("relief", "released from prison")] == released > 0
    assert synthetic[("sex", "women")] == women
    moj = {(r["section"], r["label"]): r["values"]["moj-2026-02-08"] for r in rows}
    assert moj[("total", "persons relieved")] == 15119
    page = (tmp_path / "report.html").read_text()
    assert "This registry is synthetic" in page and "az-2025" in page
