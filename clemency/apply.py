"""Apply an act to a registry (or to single records): load, check, decide, write, account for every row."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
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
from clemency.errors import ClemencyError, UsageError
from clemency.jurisdictions import code_for
from clemency.law import CriminalCode
from clemency.outdir import Run, atomic_output, read_manifest
from clemency.registry.schema import FIELDS

# Columns every decision carries from its input row (besides the decision itself).
PASSTHROUGH = ["person_id", "case_id", "_row", "sex", "status", "punishment", "crime_category",
               "sentence_end", "notes"]
SYNTHETIC_NOTE = ("This registry is synthetic. Its proportions are assumptions calibrated to the published "
                  "figures, so any agreement with the published totals follows from that calibration, "
                  "not from observation.")


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(value, what: str = "date") -> dt.date:
    """A calendar day written YYYY-MM-DD, between 1900 and 2199; anything else is bad usage (exit 2)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        text = str(value).strip()
        m = _ISO_DAY.match(text)
        if not m:
            raise UsageError(f"{what} {text!r} is not a date written YYYY-MM-DD (for example 2025-12-19)")
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise UsageError(f"{what} {text!r} is not a day of the calendar"
                             + _month_hint(int(m[1]), int(m[2]))) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"{what} {day.isoformat()} is outside the years {FIRST_DAY.year}-{LAST_DAY.year} "
                         "that Clemency accepts")
    return day


def _month_hint(year: int, month: int) -> str:
    import calendar
    if 1 <= month <= 12 and year >= 1:
        return f" ({calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days)"
    return " (the month must be 01 to 12)"


def window_warning(plan: Plan, on: dt.date) -> str | None:
    """A warning when the decision date lies outside the act's implementation window."""
    if plan.eif <= on <= plan.window_end:
        return None
    side = "before the entry into force" if on < plan.eif else "after the implementation window closed"
    return (f"the decision date {on.isoformat()} is {side}: the window of this act runs from "
            f"{plan.eif.isoformat()} to {plan.window_end.isoformat()}, both days included. "
            "No relief holds outside it")


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
        for name, value in (readings or {}).items():
            r = act.readings.get(name)
            if r is not None and r.is_date:
                parse_day(value, f"reading {name}")
        plan = compile_act(act, readings)
        if on is not None:
            on = parse_day(on, "decision date (--on)")
        own = code_for(act)   # the Criminal Code table the act names (its jurisdiction's default otherwise)
        if code is not None and code.overrides and not code.version.startswith(own.version + "+"):
            code = code_for(act, code.overrides)   # overrides given on the command line apply to the act's table
        return cls(act, plan, code or own, on or plan.eif)


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


def safe_column_names(con, table: str = "registry") -> dict[str, str]:
    """Rename extra input columns whose names are not plain identifiers (a space, a dash, a formula) to
    identifiers, so that they pass through to the decisions; returns {old: new}."""
    columns = _columns(con, table)
    taken = set(columns)
    renamed = {}
    for c in columns:
        if c.replace("_", "").isalnum():
            continue
        base = re.sub(r"\W+", "_", c).strip("_") or "column"
        if base[0].isdigit():
            base = "c_" + base
        new, i = base, 2
        while new in taken:
            new, i = f"{base}_{i}", i + 1
        taken.add(new)
        con.execute(f'ALTER TABLE {table} RENAME COLUMN "{c.replace(chr(34), chr(34) * 2)}" TO "{new}"')
        renamed[c] = new
    return renamed


def _passthrough(columns: list[str]) -> list[str]:
    extras = [c for c in columns if c not in FIELDS and not c.startswith("_")]
    return PASSTHROUGH + extras


def apply_act(act, registry, out, *, engine: str = "duckdb", on=None, readings=None, csv: bool = True,
              xlsx: bool = False, progress=None, code: CriminalCode | None = None, force: bool = False,
              warn=None, run: Run | None = None, encoding: str | None = None) -> ApplyResult:
    """Decide every row of a registry file; write decisions, findings, summary and manifest into `out`.

    The folder is written whole or not at all (clemency.outdir): a non-empty `out` that is not a finished
    Clemency output is refused, a finished one is replaced only with `force`. A caller that already
    writes a folder through `atomic_output` passes its `run`, and the outputs go into `run.path`."""
    if run is not None:
        return _apply_into(act, registry, run, engine=engine, on=on, readings=readings, csv=csv, xlsx=xlsx,
                           progress=progress, code=code, warn=warn, encoding=encoding)
    with atomic_output(out, command="apply", force=force) as own:
        result = _apply_into(act, registry, own, engine=engine, on=on, readings=readings, csv=csv, xlsx=xlsx,
                             progress=progress, code=code, warn=warn, encoding=encoding)
    result.out_dir = Path(out)
    result.manifest = read_manifest(out) or result.manifest
    return result


def parquet_metadata(ctx: Context, run_id: str) -> dict[str, str]:
    """The key-value metadata every decisions.parquet carries: what decided it, in which run."""
    return {"clemency.act": ctx.act.id, "clemency.act_hash": ctx.act.sha256,
            "clemency.readings": json.dumps(ctx.plan.readings, sort_keys=True),
            "clemency.on": ctx.on.isoformat(), "clemency.code_version": str(ctx.code.version),
            "clemency.version": __version__, "clemency.run_id": run_id}


def _decide(eng, con, ctx: Context, columns: list[str], path: Path, metadata: dict[str, str]) -> None:
    """Decide into Parquet with the run's key-value metadata; an engine that cannot write metadata
    itself has its file rewritten once with it (streamed by DuckDB, row order kept)."""
    import inspect
    passthrough = _passthrough(columns)
    if "metadata" in inspect.signature(eng.decide).parameters:
        eng.decide(con, ctx.plan, ctx.on, columns, passthrough, path, metadata=metadata)
        return
    eng.decide(con, ctx.plan, ctx.on, columns, passthrough, path)
    raw = path.with_name(path.name + ".raw")
    os.replace(path, raw)
    con.execute(f"COPY (SELECT * FROM read_parquet({sql_path(raw)})) TO {sql_path(path)} "
                f"(FORMAT PARQUET, {kv_metadata_sql(metadata)})")
    raw.unlink()


def kv_metadata_sql(metadata: dict[str, str]) -> str:
    """DuckDB's COPY option for Parquet key-value metadata (keys and values as SQL string literals)."""
    def lit(v):
        return "'" + str(v).replace("'", "''") + "'"
    return "KV_METADATA {" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in metadata.items()) + "}"


def _apply_into(act, registry, run: Run, *, engine, on, readings, csv, xlsx, progress, code, warn,
                encoding=None) -> ApplyResult:
    from clemency.registry.load import load_registry
    from clemency.report.tables import copy_csv
    t0 = time.perf_counter()
    timings = {}
    step = progress or (lambda name: None)
    ctx = Context.make(act, readings, on, code)
    warnings = [w for w in [window_warning(ctx.plan, ctx.on)] if w]
    for w in warnings:
        (warn or (lambda text: None))(w)
    out = Path(run.path)
    con = connect()
    try:
        step("reading the registry")
        loaded = load_registry(registry, con, extra_fields=extra_fields(ctx.act), encoding=encoding)
        timings["load_s"] = time.perf_counter() - t0
        renamed = safe_column_names(con)
        for old, new in renamed.items():
            (warn or (lambda text: None))(f"the extra column {old!r} is written as {new!r} (a column name "
                                          "may hold only letters, digits and _)")
        step("resolving articles")
        t = time.perf_counter()
        _register_lookup(con, ctx)
        timings["lookup_s"] = time.perf_counter() - t
        step(f"deciding ({engine})")
        t = time.perf_counter()
        columns = _columns(con)
        eng = get_engine(engine)
        decisions = out / "decisions.parquet"
        _decide(eng, con, ctx, columns, decisions, parquet_metadata(ctx, run.run_id))
        timings["decide_s"] = time.perf_counter() - t
        t = time.perf_counter()
        step("writing outputs")
        summary = summarize(con, decisions)
        decided = summary["rows"]
        run.note("decisions.parquet", decided)
        if csv:
            copy_csv(con, f"SELECT * FROM read_parquet({sql_path(decisions)})", out / "decisions.csv")
            run.note("decisions.csv", decided, inert=True)
        if xlsx:
            from clemency.report.tables import write_xlsx
            write_xlsx(con, f"SELECT * FROM read_parquet({sql_path(decisions)})", out / "decisions.xlsx")
            run.note("decisions.xlsx", decided)
        copy_csv(con, "SELECT * FROM findings ORDER BY row, field", out / "findings.csv")
        run.note("findings.csv", loaded.n_findings, inert=True)
        timings["write_s"] = time.perf_counter() - t
        if decided + loaded.rows_rejected != loaded.rows_in:
            raise ClemencyError(f"row accounting failed: {loaded.rows_in} in, {decided} decided, "
                                f"{loaded.rows_rejected} rejected")
    finally:
        con.close()
    timings["total_s"] = time.perf_counter() - t0
    synthetic = _is_synthetic(registry)
    manifest = {
        "clemency_version": __version__,
        "run_id": run.run_id,
        "act": ctx.act.id, "act_path": ctx.act.path, "act_hash": ctx.act.sha256,
        "readings": ctx.plan.readings, "on": ctx.on.isoformat(),
        "entry_into_force": ctx.plan.eif.isoformat(), "window_end": ctx.plan.window_end.isoformat(),
        "engine": engine, "code_version": ctx.code.version, "code_overrides": ctx.code.overrides,
        "registry": _shown_input(registry, run.path), "registry_hash": loaded.registry_hash,
        "registry_as_of": loaded.as_of.isoformat() if loaded.as_of else None,
        "registry_encoding": loaded.encoding or None,
        "rows": {"in": loaded.rows_in, "decided": decided, "rejected": loaded.rows_rejected,
                 "findings": loaded.n_findings},
        "reasons_order": ctx.plan.reason_order,
        "reasons_legend": {"H": "held", "F": "failed", "U": "unknown (data missing)",
                           "-": "content of the clause unknown: listed, never decides"},
        "synthetic": synthetic,
        "renamed_columns": renamed,
        "warnings": warnings,
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if synthetic:
        manifest["note"] = SYNTHETIC_NOTE
        summary["note"] = SYNTHETIC_NOTE
    summary["as_of"] = ctx.on.isoformat()
    summary["act"], summary["act_hash"], summary["readings"] = ctx.act.id, ctx.act.sha256, ctx.plan.readings
    summary["run_id"] = run.run_id
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return ApplyResult(out, manifest, summary, timings)


def _shown_input(path, folder: Path) -> str:
    """The registry's path for the manifest: relative to the output when it was written there (the demo)."""
    try:
        return Path(path).absolute().relative_to(Path(folder).absolute()).as_posix()
    except ValueError:
        return str(path)


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
