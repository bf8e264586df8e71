"""Apply an act to a registry (or to single records): load, check, decide, write, account for every row."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from clemency import __version__
from clemency.act.load import load_act
from clemency.act.model import Act
from clemency.compile.plan import Plan, compile_act
from clemency.engines import get_engine
from clemency.engines.duckdb import sql_path
from clemency.engines.lookup import register_lookup
from clemency.errors import ClemencyError
from clemency.law import CriminalCode
from clemency.registry.schema import FIELDS

# Columns every decision carries from its input row (besides the decision itself).
PASSTHROUGH = ["person_id", "case_id", "_row", "sex", "status", "punishment", "crime_category",
               "sentence_end", "notes"]
SYNTHETIC_NOTE = ("This registry is synthetic. Its proportions are assumptions calibrated to the published "
                  "figures, so any agreement with the published totals follows from that calibration, "
                  "not from observation.")


@dataclass
class Context:
    """An act compiled under readings, with the Criminal Code table, ready to decide."""

    act: Act
    plan: Plan
    code: CriminalCode
    on: dt.date

    @classmethod
    def make(cls, act, readings=None, on=None, code: CriminalCode | None = None) -> Context:
        act = act if isinstance(act, Act) else load_act(act)
        plan = compile_act(act, readings)
        if on is not None and not isinstance(on, dt.date):
            on = dt.date.fromisoformat(str(on))
        return cls(act, plan, code or CriminalCode.load(), on or plan.eif)


@dataclass
class ApplyResult:
    out_dir: Path
    manifest: dict
    summary: dict
    timings: dict = field(default_factory=dict)


def connect(memory_limit: str | None = None):
    """A DuckDB connection for a run. Memory is capped (a quarter of the machine, at most 3 GB; the
    setting CLEMENCY_MEMORY_LIMIT overrides it) so that large registries spill to disk instead of growing."""
    import os

    import psutil
    quarter = max(1, min(3, psutil.virtual_memory().total // 4 // 2**30))
    limit = memory_limit or os.environ.get("CLEMENCY_MEMORY_LIMIT") or f"{quarter}GB"
    con = duckdb.connect(config={"memory_limit": limit})
    con.execute("SET enable_progress_bar = false")
    return con


def extra_fields(act: Act) -> list:
    """The act's own fields as registry fields (an enumeration when values are given)."""
    from clemency.registry.schema import Field
    return [Field(f.name, "enum" if f.values else f.type, f.default, tuple(f.values) or None) for f in act.fields]


def _register_lookup(con, ctx: Context, table: str = "registry") -> None:
    register_lookup(con, ctx.plan, ctx.code, table)


def _columns(con, table: str = "registry") -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _passthrough(columns: list[str]) -> list[str]:
    extras = [c for c in columns if c not in FIELDS and not c.startswith("_")]
    return PASSTHROUGH + extras


def apply_act(act, registry, out, *, engine: str = "duckdb", on=None, readings=None, csv: bool = True,
              xlsx: bool = False, progress=None, code: CriminalCode | None = None) -> ApplyResult:
    """Decide every row of a registry file; write decisions, findings, summary and manifest into `out`."""
    from clemency.registry.load import load_registry, write_findings_csv
    t0 = time.perf_counter()
    timings = {}
    step = progress or (lambda name: None)
    ctx = Context.make(act, readings, on, code)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    con = connect()
    step("reading the registry")
    loaded = load_registry(registry, con, extra_fields=extra_fields(ctx.act))
    timings["load_s"] = time.perf_counter() - t0
    step("resolving articles")
    t = time.perf_counter()
    _register_lookup(con, ctx)
    timings["lookup_s"] = time.perf_counter() - t
    step(f"deciding ({engine})")
    t = time.perf_counter()
    columns = _columns(con)
    eng = get_engine(engine)
    decisions = out / "decisions.parquet"
    eng.decide(con, ctx.plan, ctx.on, columns, _passthrough(columns), decisions)
    timings["decide_s"] = time.perf_counter() - t
    t = time.perf_counter()
    step("writing outputs")
    if csv:
        con.execute(f"COPY (SELECT * FROM read_parquet({sql_path(decisions)})) TO {sql_path(out / 'decisions.csv')} "
                    "(HEADER, DELIMITER ',')")
    if xlsx:
        from clemency.report.tables import write_xlsx
        write_xlsx(con, f"SELECT * FROM read_parquet({sql_path(decisions)})", out / "decisions.xlsx")
    write_findings_csv(con, out / "findings.csv")
    summary = summarize(con, decisions)
    timings["write_s"] = time.perf_counter() - t
    decided = summary["rows"]
    if decided + loaded.rows_rejected != loaded.rows_in:
        raise ClemencyError(f"row accounting failed: {loaded.rows_in} in, {decided} decided, "
                            f"{loaded.rows_rejected} rejected")
    timings["total_s"] = time.perf_counter() - t0
    synthetic = _is_synthetic(registry)
    manifest = {
        "clemency_version": __version__,
        "act": ctx.act.id, "act_path": ctx.act.path, "act_hash": ctx.act.sha256,
        "readings": ctx.plan.readings, "on": ctx.on.isoformat(),
        "entry_into_force": ctx.plan.eif.isoformat(), "window_end": ctx.plan.window_end.isoformat(),
        "engine": engine, "code_version": ctx.code.version, "code_overrides": ctx.code.overrides,
        "registry": str(registry), "registry_hash": loaded.registry_hash,
        "rows": {"in": loaded.rows_in, "decided": decided, "rejected": loaded.rows_rejected,
                 "findings": loaded.n_findings},
        "reasons_order": ctx.plan.reason_order,
        "reasons_legend": {"H": "held", "F": "failed", "U": "unknown (data missing)",
                           "-": "content of the clause unknown: listed, never decides"},
        "synthetic": synthetic,
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if synthetic:
        manifest["note"] = SYNTHETIC_NOTE
        summary["note"] = SYNTHETIC_NOTE
    summary["as_of"] = ctx.on.isoformat()
    summary["act"], summary["act_hash"], summary["readings"] = ctx.act.id, ctx.act.sha256, ctx.plan.readings
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    con.close()
    return ApplyResult(out, manifest, summary, timings)


def _is_synthetic(registry) -> bool:
    """Whether the registry was made by `clemency synth`: marked in Parquet metadata and in the XLSX
    creator; a CSV carries no mark, so its name is the only hint."""
    path = Path(registry)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq
        meta = pq.read_schema(path).metadata or {}
        if meta.get(b"clemency.synthetic") == b"true":
            return True
    elif suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            if "synthetic" in (wb.properties.creator or ""):
                return True
        finally:
            wb.close()
    return "synth" in path.name.lower()


def summarize(con, decisions) -> dict:
    """Counts by relief, clause, crime category and sex, in rows and in unique persons."""
    src = f"read_parquet({sql_path(decisions)})"
    rows = con.execute(f"SELECT count(*), count(DISTINCT person_id) FROM {src}").fetchone()
    out: dict = {"rows": rows[0], "persons": rows[1]}
    for dim in ("relief", "clause", "crime_category", "sex"):
        res = con.execute(f"SELECT {dim}, count(*), count(DISTINCT person_id) FROM {src} "
                          f"GROUP BY ALL ORDER BY 2 DESC").fetchall()
        out[f"by_{dim}"] = {str(k): {"rows": n, "persons": p} for k, n, p in res}
    res = con.execute(f"SELECT relief, crime_category, sex, count(*) FROM {src} GROUP BY ALL ORDER BY ALL").fetchall()
    out["by_relief_category_sex"] = [{"relief": r, "crime_category": c, "sex": s, "rows": n} for r, c, s, n in res]
    return out
