"""The registry-to-decisions pipeline, once: load the registry, make its column names safe, register the
article lookup, decide with an engine. `apply`, `check` and the explanation, `monitor why`, `compare`,
`bounds` and the web all go through it.

    ctx = Context.make("az-2025", readings, on)          # the act compiled under readings, with its code table
    loaded, renamed = load(con, ctx, "registry.csv")      # the typed `registry` table and its findings
    register_lookup(con, ctx)                             # the article lookup `_lookup`
    get_engine("duckdb").decide(con, ctx.plan, ctx.on, columns(con), passthrough(columns(con)), out)

`decide_records` does all of it for a few records held in memory.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil
import pyarrow.parquet as pq

from clemency.act.load import load_act
from clemency.act.model import Act
from clemency.compile.plan import Plan, compile_act
from clemency.engines import get_engine
from clemency.engines import lookup as article_lookup
from clemency.engines.schema import PASSTHROUGH, reserved
from clemency.errors import InputError, UsageError
from clemency.jurisdictions import code_for
from clemency.law import CriminalCode
from clemency.registry.load import LoadResult, Streamed, load_records, load_registry, open_registry
from clemency.registry.schema import FIELDS, Field

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


MEMORY_CAP_MB = 1024   # DuckDB's default memory limit at most: the streaming pass needs little, sorts spill


def connect(memory_limit: str | None = None):
    """A DuckDB connection for a run. Memory is capped (a quarter of the machine, at most 1 GB; the
    setting CLEMENCY_MEMORY_LIMIT overrides it) so that large registries spill to disk instead of growing:
    the process stays under 2 GB at 10 million rows (bench/RESULTS.md)."""
    quarter = max(256, min(MEMORY_CAP_MB, psutil.virtual_memory().total // 4 // 2**20))
    limit = memory_limit or os.environ.get("CLEMENCY_MEMORY_LIMIT") or f"{quarter}MB"
    # spill files go to the system's temporary folder, not to a `.tmp` folder in the working directory
    spill = os.path.join(tempfile.gettempdir(), "clemency-duckdb")
    con = duckdb.connect(config={"memory_limit": limit, "temp_directory": spill})
    con.execute("SET enable_progress_bar = false")
    return con


def extra_fields(act: Act) -> list[Field]:
    """The act's own fields as registry fields (an enumeration when values are given)."""
    return [Field(f.name, "enum" if f.values else f.type, f.default, tuple(f.values) or None) for f in act.fields]


def fields_of(acts: Iterable[Act]) -> list[Field]:
    """The extra fields of several acts, each name once."""
    out, seen = [], set()
    for act in acts:
        for f in extra_fields(act):
            if f.name not in seen:
                seen.add(f.name)
                out.append(f)
    return out


def columns(con, table: str = "registry") -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def passthrough(cols: list[str]) -> list[str]:
    """What every decision carries from its input row: the fixed columns, then the extra input columns
    (the act's own fields among them)."""
    return list(PASSTHROUGH) + [c for c in cols if c not in FIELDS and not c.startswith("_")]


# --- safe column names: the one rule -------------------------------------------------------------------

def safe_name(name: str, taken: set[str]) -> str | None:
    """The name an extra input column is renamed to, or None when it may stay. A name that is not a plain
    identifier (a space, a dash, a formula) becomes one; a name that would collide with a decision or an
    internal column (`relief`, `clause`, `notes`, `_row`, `_art0`, ...) gets the prefix `input_`."""
    if reserved(name):
        base = "input_" + (re.sub(r"\W+", "_", name).strip("_") or "column")
    elif name.replace("_", "").isalnum():
        return None
    else:
        base = re.sub(r"\W+", "_", name).strip("_") or "column"
        if base[0].isdigit():
            base = "c_" + base
    new, i = base, 2
    while new in taken or reserved(new):
        new, i = f"{base}_{i}", i + 1
    return new


def safe_records(records: list[dict], fields: Iterable[str] = ()) -> tuple[list[dict], dict[str, str]]:
    """Records whose extra keys are renamed by `safe_name` (before the import, which adds `_row`)."""
    known = set(FIELDS) | set(fields)
    keys = list(dict.fromkeys(k for r in records for k in r))
    taken = set(keys)
    renamed = {}
    for k in keys:
        if k in known:
            continue
        new = safe_name(k, taken)
        if new is not None:
            taken.add(new)
            renamed[k] = new
    if not renamed:
        return records, {}
    return [{renamed.get(k, k): v for k, v in r.items()} for r in records], renamed


def safe_renames(cols: list[str], fields: Iterable[str] = ()) -> dict[str, str]:
    """{old: new} for the columns `cols` (of an imported registry) that `safe_name` renames (the import's
    own `_row` and the registry fields stay)."""
    known = set(FIELDS) | set(fields) | {"_row"}
    taken = set(cols) | known
    renamed = {}
    for c in cols:
        if c in known:
            continue
        new = safe_name(c, taken)
        if new is None:
            continue
        taken.add(new)
        renamed[c] = new
    return renamed


def safe_column_names(con, table: str = "registry", fields: Iterable[str] = ()) -> dict[str, str]:
    """Rename the extra columns of the imported `table` by `safe_name`; returns {old: new}."""
    renamed = safe_renames(columns(con, table), fields)
    for c, new in renamed.items():
        con.execute(f'ALTER TABLE {table} RENAME COLUMN "{c.replace(chr(34), chr(34) * 2)}" TO "{new}"')
    return renamed


def is_synthetic(registry) -> bool:
    """Whether the registry was made by `clemency synth`: marked in Parquet metadata and in the XLSX
    creator; a CSV carries no mark, so its name is the only hint."""
    path = Path(registry)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        meta = pq.read_schema(path).metadata or {}
        if meta.get(b"clemency.synthetic") == b"true":
            return True
    elif suffix == ".xlsx":
        import openpyxl  # noqa: PLC0415 (slow to import: only for XLSX registries)
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            if "synthetic" in (wb.properties.creator or ""):
                return True
        finally:
            wb.close()
    return "synth" in path.name.lower()


# --- the pipeline ----------------------------------------------------------------------------------------

def load(con, acts: Act | list[Act], registry, *, encoding: str | None = None,
         stream: bool = False) -> tuple[LoadResult, dict]:
    """Import a registry file (or a list of records) into `registry` with the extra fields of the acts, and
    make its column names safe; returns the import's result and the renamed columns {old: new}.

    `stream` (files only): `registry` is a view that reads, types and checks the file as a query reads it,
    without the rows that have findings (the findings are computed first, from narrow scans); every query
    over it re-reads the file, so a caller that reads the registry once (`apply`) gains, one that queries
    it many times (`compare`, the web) keeps the table."""
    acts = [acts] if isinstance(acts, Act) else list(acts)
    fields = fields_of(acts)
    names = [f.name for f in fields]
    if isinstance(registry, (list, tuple)):
        records, renamed = safe_records(list(registry), names)
        loaded = load_records(records, con, extra_fields=fields)
        return loaded, renamed
    if stream:
        opened, renamed = open_stream(con, acts, registry, encoding=encoding)
        loaded = opened.finish()
        opened.exact()
        return loaded, renamed
    loaded = load_registry(registry, con, extra_fields=fields, encoding=encoding)
    return loaded, safe_column_names(con, fields=names)


def open_stream(con, acts: Act | list[Act], registry, *, encoding: str | None = None) -> tuple[Streamed, dict]:
    """Open a registry file for the single streaming pass: `registry` becomes a view that reads, types and
    checks the file as the decision query reads it (nothing materialised); after deciding, `finish` with
    the decided rows gives the findings (see `clemency.registry.load.Streamed`). Returns it and the renamed
    columns {old: new}."""
    acts = [acts] if isinstance(acts, Act) else list(acts)
    fields = fields_of(acts)
    names = [f.name for f in fields]
    seen: dict[str, str] = {}

    def rename(extra: list[str]) -> dict[str, str]:
        seen.update(safe_renames(extra, names))
        return seen

    return open_registry(registry, con, extra_fields=fields, encoding=encoding, rename=rename), seen


def register_lookup(con, ctx: Context, table: str = "registry", name: str = "_lookup") -> None:
    """The article lookup of the context's plan and Criminal Code table, as the temp table `name`."""
    article_lookup.register_lookup(con, ctx.plan, ctx.code, table, name)


def decide_table(con, ctx: Context, out_path: Path | str, *, engine: str = "duckdb",
                 metadata: dict[str, str] | None = None) -> list[str]:
    """Decide the loaded `registry` table (lookup registered) into Parquet; returns the passthrough."""
    cols = columns(con)
    carried = passthrough(cols)
    get_engine(engine).decide(con, ctx.plan, ctx.on, cols, carried, out_path, metadata=metadata)
    return carried


def decide_records(ctx: Context, records: list[dict], *, engine: str = "duckdb",
                   carry: list[str] | None = None) -> list[dict]:
    """Decisions for a few records held in memory, in their order; a record with findings raises InputError
    listing them all. `carry`: the input columns each decision carries (default: the usual passthrough)."""
    con = duckdb.connect()
    try:
        loaded, _ = load(con, ctx.act, list(records))
        if loaded.rows_rejected:
            rows = con.execute("SELECT row, field, value, expected FROM findings ORDER BY row, field").fetchall()
            lines = [f"record {r}: field '{f}' = {v!r}, expected {e}" for r, f, v, e in rows]
            raise InputError("the record is not valid:\n  " + "\n  ".join(lines))
        register_lookup(con, ctx)
        cols = columns(con)
        return get_engine(engine).decide_rows(con, ctx.plan, ctx.on, cols, carry or passthrough(cols))
    finally:
        con.close()
