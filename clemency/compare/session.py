"""One registry loaded once into DuckDB, decided under several acts or readings over the same table.

Every comparison (compare, attribution, bounds) goes through a `Session`: the registry is read and validated
once (with the extra fields of every act involved), each act's article lookup is registered under its own
name (the lookup's `_art*` columns depend on the plan's article sets), and each decision query runs over the
same `registry` table; decisions are joined on `_row`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clemency import pipeline
from clemency.act.load import ACTS_DIR, load_act
from clemency.act.model import Act
from clemency.act.overlay import OVERLAYS_DIR
from clemency.engines.duckdb import DuckDBEngine
from clemency.errors import ClemencyError
from clemency.jurisdictions import code_for
from clemency.law import CriminalCode
from clemency.monitor.why import map_row
from clemency.pipeline import Context

BENEFIT = "relief NOT IN ('none', 'indeterminate')"


def resolve_act(ref) -> Act:
    """An Act, a shipped act id, a shipped overlay id (clemency/data/overlays), or a path."""
    if isinstance(ref, Act):
        return ref
    shipped_overlay = OVERLAYS_DIR / f"{ref}.yaml"
    if not (ACTS_DIR / f"{ref}.yaml").exists() and not Path(str(ref)).exists() and shipped_overlay.exists():
        return load_act(shipped_overlay)
    return load_act(ref)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(name)
    return f'"{name}"'


@dataclass
class Session:
    con: duckdb.DuckDBPyConnection
    loaded: object
    code: CriminalCode
    columns: list[str]

    @classmethod
    def open(cls, registry, acts, code: CriminalCode | None = None) -> Session:
        """Load `registry` (a file, or a list of records in the registry format) once, with every act's fields."""
        con = duckdb.connect()
        if isinstance(registry, (list, tuple, dict)):
            registry = registry_records(registry, acts[0].entry_into_force if acts else None)
        loaded, _ = pipeline.load(con, list(acts), registry)
        return cls(con, loaded, code or (code_for(acts[0]) if acts else CriminalCode.load()), pipeline.columns(con))

    def close(self):
        self.con.close()

    def passthrough(self, extra=()) -> list[str]:
        base = ["person_id", "case_id", "_row", "sex", "crime_category"]
        return base + [c for c in extra if c in self.columns and c not in base]

    def decide(self, ctx: Context, name: str, extra=()) -> str:
        """Decide every row under `ctx` into the temp table `dec_<name>`; returns the table name."""
        lookup = f"_lookup_{name}"
        pipeline.register_lookup(self.con, Context(ctx.act, ctx.plan, self.code, ctx.on), "registry", lookup)
        query = DuckDBEngine().query(ctx.plan, ctx.on, self.columns, self.passthrough(extra), "registry", lookup)
        table = f"dec_{name}"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_ident(table)} AS {query}")
        return table


def registry_records(records, eif=None) -> list[dict]:
    """Records in the registry format; rows of a political-prisoner list (docs/monitor.md) are mapped to it
    by the monitor's mapping (sentence end from arrest and term, sex from the patronymic, ...); other
    list columns (group, notes) are passed through."""
    if isinstance(records, dict):
        records = [records]
    records = list(records)
    if records and "person_id" not in records[0] and "id" in records[0]:
        out = []
        for n, row in enumerate(records, start=1):
            row = {k: str(v) for k, v in row.items() if v not in (None, "")}   # as read from a list file
            rec = dict(map_row(row, n, eif).record)   # what cannot be derived stays unknown
            rec["person_id"] = rec["case_id"] = str(row["id"])
            out.append({**{k: v for k, v in row.items() if k not in rec and k != "id"}, **rec})
        return out
    return records


def contexts(base, alt, base_readings=None, alt_readings=None, on=None, same_day=True):
    """The two sides of a comparison. With `same_day`, an alternative act with an `eif` reading is put in force
    on the base's entry into force (so an earlier act is asked about today's registry), unless its eif is given."""
    base_act, alt_act = resolve_act(base), resolve_act(alt)
    bctx = Context.make(base_act, base_readings, on)
    alt_readings = dict(alt_readings or {})
    shifted = None
    if (same_day and alt_act.id != base_act.id and "eif" in alt_act.readings and alt_act.readings["eif"].is_date
            and "eif" not in alt_readings and alt_act.entry_into_force != bctx.plan.eif):
        shifted = {"from": alt_act.entry_into_force.isoformat(), "to": bctx.plan.eif.isoformat()}
        alt_readings["eif"] = bctx.plan.eif.isoformat()
    actx = Context.make(alt_act, alt_readings, on)
    return bctx, actx, shifted


def as_date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def check_rows(session: Session):
    if session.loaded.rows_ok == 0:
        raise ClemencyError("no valid rows in the registry (see the findings)")
