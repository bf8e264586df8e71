"""Run records through the whole pipeline (CSV → import → article lookup → decision → Parquet) on an engine.

This is the harness, not the oracle: it calls the project's `apply_act` exactly as `clemency apply` does,
so what the tests observe is what a user gets."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import duckdb

from clemency.apply import apply_act


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write_csv(path: Path, records: list[dict]) -> None:
    names: list[str] = []
    for r in records:
        names += [k for k in r if k not in names]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in records:
            w.writerow({k: _cell(r.get(k)) for k in names})


def decide(act, records: list[dict], readings: dict | None = None, on=None, engine: str = "duckdb",
           ) -> dict[str, dict]:
    """Decisions by case_id. Every record must carry a unique case_id; a rejected record is an error."""
    with tempfile.TemporaryDirectory() as tmp:
        reg = Path(tmp) / "registry.csv"
        write_csv(reg, records)
        res = apply_act(act, reg, Path(tmp) / "out", engine=engine, readings=readings, on=on, csv=False)
        rejected = res.manifest["rows"]["rejected"]
        if rejected:
            findings = (Path(tmp) / "out" / "findings.csv").read_text(encoding="utf-8")
            raise AssertionError(f"{rejected} generated record(s) rejected:\n{findings[:2000]}")
        con = duckdb.connect()
        cur = con.execute(f"SELECT * FROM read_parquet('{Path(tmp) / 'out' / 'decisions.parquet'}')")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        order = res.manifest["reasons_order"]
    out = {}
    for r in rows:
        r["reason"] = dict(zip(order, r["reasons"] or ""))
        r["excluded"] = [x for x in (r["excluded_by"] or "").split(";") if x]
        out[r["case_id"]] = r
    return out
