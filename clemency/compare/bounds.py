"""Bounds: the count of each relief under every combination of an act's two-valued readings (README, readings,
"Every combination of readings": for the 2025 act chapeau, b2, b3, f2, f2-drugs, f3, d, e1 -> 2^8 = 256, with
eif fixed), shown as a range (min-max, and which combination gives each end) beside the official figures.

Fast: the registry is loaded once; the source relation (registry joined with the article lookup) is
materialised once per distinct set of article columns; each plan then runs as an aggregate-only query (no
per-row output), several plans per query (UNION ALL).

Two measures per relief, in persons: `on_eif`, the relief that holds on the entry into force; `window`, the
relief that holds on the entry into force or, failing that, the first one that will hold later in the window
(the official figures are cumulative counts over the window, so `window` is the headline).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clemency import __version__, pipeline
from clemency.act.lang import render
from clemency.compare.report import bounds_page
from clemency.compare.session import Session, check_rows, resolve_act
from clemency.compile.plan import compile_act
from clemency.engines.sqlgen import SqlGen
from clemency.errors import UsageError
from clemency.jurisdictions import jurisdiction_of
from clemency.pipeline import SYNTHETIC_NOTE, Context, is_synthetic
from clemency.report.figures import figure, load_figures, relief_columns

MEASURES = ("window", "on_eif")
ENGINES = ("vectorised", "sql")   # the vectorised decisions, and the aggregate SQL queries they are tested against
BATCH = 16


def two_valued(act) -> list[str]:
    """The readings with exactly two values (date readings such as eif are fixed)."""
    return [n for n, r in act.readings.items() if not r.is_date and len(r.values) == 2]


def combinations(act, names=None, fixed=None) -> list[dict]:
    names = list(names or two_valued(act))
    values = [list(act.readings[n].values) for n in names]
    out = []
    for combo in itertools.product(*values):
        readings = dict(fixed or {})
        readings.update(dict(zip(names, combo)))
        out.append(readings)
    return out


def _aggregate_sql(gen: SqlGen, plans, source: str, on_days) -> str:
    parts = []
    for i, plan, on in plans:
        q = gen.decision_query(plan, source, on, ["person_id"])
        parts.append(f"""SELECT {i} AS k, relief, w, count(DISTINCT person_id) AS persons, count(*) AS n FROM (
            SELECT person_id, relief, CASE WHEN relief = 'none' AND upcoming_relief IS NOT NULL
                                           THEN upcoming_relief ELSE relief END AS w FROM ({q}))
            GROUP BY GROUPING SETS ((relief), (w))""")
    return "\nUNION ALL\n".join(parts)


class _TV:
    """A three-valued column: `t` definitely true, `f` definitely false, neither = unknown."""

    __slots__ = ("t", "f")

    def __init__(self, t, f):
        self.t, self.f = t, f

    @property
    def u(self):
        return ~(self.t | self.f)

    def __and__(self, o):
        return _TV(self.t & o.t, self.f | o.f)

    def __or__(self, o):
        return _TV(self.t | o.t, self.f & o.f)

    def __invert__(self):
        return _TV(self.f, self.t)


def _variant_key(c):
    return (c.id, render(c.static), tuple(render(u) for u in c.ups), tuple(render(d) for d in c.downs))


def _columns_sql(gen: SqlGen, variants: dict, source: str, on) -> str:
    """Each distinct clause variant once: s (date-free part), h (holds on the day), lo/hi (its span)."""
    D = gen.date(on)
    cols = ["_row", "person_id"]
    for k, c in variants.values():
        ups = [gen.expr(u) for u in c.ups]
        downs = [gen.expr(d) for d in c.downs]
        parts = [f"({gen.expr(c.static)})"] + [f"({u} <= {D})" for u in ups] + [f"({D} < {d})" for d in downs]
        cols.append(f"({gen.expr(c.static)}) AS s{k}")
        cols.append(f"({' AND '.join(parts)}) AS h{k}")
        if c.kind == "relief":
            cols.append(f"{gen.greatest(ups)} AS lo{k}" if ups else f"CAST(NULL AS DATE) AS lo{k}")
            cols.append(f"{gen.least(downs)} AS hi{k}" if downs else f"CAST(NULL AS DATE) AS hi{k}")
    return f"SELECT {', '.join(cols)} FROM {source}"


def _tv(col):
    if not pa.types.is_boolean(col.type):
        col = pc.cast(col, pa.bool_())
    valid = np.asarray(pc.is_valid(col))
    vals = np.asarray(pc.fill_null(col, False))
    return _TV(vals & valid, ~vals & valid)


def _days(col):
    ints = pc.cast(pc.cast(col, pa.date32()), pa.int32())
    valid = np.asarray(pc.is_valid(ints))
    return np.asarray(pc.fill_null(ints, 0)).astype(np.int64), valid


def decide_vectorised(plan, data: dict, index: dict, day_num: int, cache: dict | None = None):
    """The decision of `SqlGen.decision_query` (relief on the day, and the first upcoming relief when none),
    computed in numpy from the clause columns: codes into `relief_codes(plan)`."""
    n = len(data["_row"])
    codes = relief_codes(plan)
    cands = plan.candidates
    h = {c.id: data[f"h{index[c.id]}"] for c in plan.clauses if c.decides or c.kind != "relief"}
    cache = {} if cache is None else cache
    e, ok_lo, unknown = [], [], []
    for c in cands:
        k = index[c.id]
        memo = (k, tuple(sorted(index[x] for x in c.exclusions)))
        if memo not in cache:
            blocked = _TV(np.zeros(n, bool), np.ones(n, bool))
            for x in c.exclusions:
                blocked = blocked | h[x]
            t = data[f"s{k}"] & ~blocked
            held = h[c.id] & t
            lo, lo_ok = data[f"lo{k}"]
            hi, hi_ok = data[f"hi{k}"]
            ok = t.t & lo_ok & hi_ok & (lo < hi)
            cache[memo] = (held, held.u, (ok & (lo > day_num), lo))
        held, u, up = cache[memo]
        e.append(held)
        unknown.append(u)
        ok_lo.append(up)
    relief = np.full(n, codes.index("none"), np.int8)
    decided = np.zeros(n, bool)
    seen_u: dict = {}           # (relief, months) -> some earlier candidate of that kind was unknown
    for i, c in enumerate(cands):
        key = (c.relief, c.reduction_months)
        differ = np.zeros(n, bool)
        for k, u in seen_u.items():
            if k != key:
                differ |= u
        hit = ~decided & e[i].t
        relief[hit & ~differ] = codes.index(c.relief)
        relief[hit & differ] = codes.index("indeterminate")
        decided |= hit
        seen_u[key] = seen_u[key] | unknown[i] if key in seen_u else unknown[i]
    any_u = np.zeros(n, bool)
    for u in unknown:
        any_u |= u
    relief[~decided & any_u] = codes.index("indeterminate")
    # the first upcoming relief: the earliest `lo` among candidates that become eligible later (ties: order)
    big = np.iinfo(np.int64).max
    first = np.full(n, big, np.int64)
    for up, lo in ok_lo:
        first = np.where(up & (lo < first), lo, first)
    upcoming = np.full(n, -1, np.int8)
    for i, (up, lo) in enumerate(ok_lo):
        upcoming = np.where((upcoming < 0) & up & (lo == first), codes.index(cands[i].relief), upcoming)
    window = np.where((relief == codes.index("none")) & (upcoming >= 0), upcoming, relief)
    return relief, window


def relief_codes(plan) -> list[str]:
    """The decision codes of a plan: its jurisdiction's reliefs, then indeterminate and none."""
    return list(plan.act.relief_ranks) + ["indeterminate", "none"]


def _distinct_counts(codes, person, names):
    """Persons (not rows) per relief code: a person with several rows counts once per relief."""
    out = {}
    n_persons = int(person.max()) + 1 if len(person) else 0
    for i, name in enumerate(names):
        mask = codes == i
        if mask.any():
            out[name] = int(np.count_nonzero(np.bincount(person[mask], minlength=n_persons)))
    return out


def bounds(registry, act="az-2025", out=None, *, names=None, readings=None, on=None, figures=None, code=None,
           progress=None, engine: str = "vectorised") -> dict:
    """Counts by relief under every combination; returns (and with `out` writes) the result.

    `readings` fixes readings outside the combination (e.g. eif); `progress(done, total)` is called as plans
    are decided. `engine`: "vectorised" (each distinct clause variant evaluated once in DuckDB, the 256
    decisions in numpy) or "sql" (one aggregate query per plan, the reference for the vectorised one)."""
    if engine not in ENGINES:
        raise UsageError(f"bounds has no engine called {engine!r}; expected one of {', '.join(ENGINES)}")
    t0 = time.perf_counter()
    act_obj = resolve_act(act)
    jur = jurisdiction_of(act_obj)
    reliefs = list(jur.reliefs)
    columns = relief_columns(jur)
    names = list(names or two_valued(act_obj))
    combos = combinations(act_obj, names, readings)
    defaults = compile_act(act_obj, readings).readings
    plans = [compile_act(act_obj, r) for r in combos]
    session = Session.open(registry, [act_obj], code)
    gen = SqlGen("duckdb")
    counts = [{m: {} for m in MEASURES} for _ in plans]
    try:
        check_rows(session)
        con = session.con
        con.execute("SET enable_progress_bar = false")
        sources: dict = {}
        for plan in plans:
            key = plan.article_sets
            if key not in sources:
                k = len(sources)
                pipeline.register_lookup(con, Context(act_obj, plan, session.code, plan.eif), "registry",
                                         f"_lookup_b{k}")
                src = gen.source_query(plan, "registry", f"_lookup_b{k}", session.columns)
                con.execute(f"CREATE OR REPLACE TEMP TABLE _bsrc{k} AS SELECT * FROM {src}")
                sources[key] = f"_bsrc{k}"
        total = len(plans)
        done = 0
        if engine == "vectorised":
            _run_vectorised(con, gen, plans, sources, on, counts, progress)
        for start in range(0, total if engine == "sql" else 0, BATCH):
            batch = list(range(start, min(start + BATCH, total)))
            by_source: dict = {}
            for i in batch:
                by_source.setdefault(sources[plans[i].article_sets], []).append(i)
            for src, idx in by_source.items():
                ctx_on = {i: (Context(act_obj, plans[i], session.code, on or plans[i].eif).on) for i in idx}
                sql = _aggregate_sql(gen, [(i, plans[i], ctx_on[i]) for i in idx], src, None)
                for k, relief, w, persons, _n in con.execute(sql).fetchall():
                    if relief is not None:
                        counts[k]["on_eif"][relief] = persons
                    else:
                        counts[k]["window"][w] = persons
            done += len(batch)
            if progress:
                progress(done, total)
        rows_decided = session.loaded.rows_ok
    finally:
        session.close()

    act_figures = figures if figures is not None else load_figures(act_obj.id)
    reports = [r["report"] for r in act_figures]
    default_index = next(i for i, r in enumerate(combos) if all(r[n] == defaults[n] for n in names))
    result_reliefs = {measure: _ranges(counts, measure, reliefs, act_figures, columns, combos, names, defaults,
                                       default_index) for measure in MEASURES}
    result = {
        "act": act_obj.id, "act_hash": act_obj.sha256, "readings": names, "defaults": {n: defaults[n] for n in names},
        "fixed": {k: v for k, v in defaults.items() if k not in names},
        "entry_into_force": plans[0].eif.isoformat(), "combinations": len(combos), "rows": rows_decided,
        "measure": "window", "measure_words": "with a relief on the entry into force or later in the window",
        "reliefs": result_reliefs["window"], "reliefs_on_eif": result_reliefs["on_eif"], "reports": reports,
        "per_combination": [{"readings": {n: c[n] for n in names}, "window": counts[i]["window"],
                             "on_eif": counts[i]["on_eif"]} for i, c in enumerate(combos)],
        "seconds": time.perf_counter() - t0, "clemency_version": __version__,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if not isinstance(registry, (list, dict)) and is_synthetic(registry):
        result["note"] = SYNTHETIC_NOTE
    if out is not None:
        write(result, out)
    return result


def _ranges(counts, measure, reliefs, act_figures, columns, combos, names, defaults, default_index) -> dict:
    """For each relief (and the total): its count under the default readings, its min and max over the
    combinations and where they are reached, and the official figures beside them."""
    block = {}
    for relief in reliefs + ["total"]:
        vals = [sum(c[measure].get(r, 0) for r in reliefs) if relief == "total" else c[measure].get(relief, 0)
                for c in counts]
        lo, hi = min(vals), max(vals)
        i_lo, i_hi = vals.index(lo), vals.index(hi)
        official = {}
        for r in act_figures:
            official[r["report"]] = (r.get("total") if relief == "total"
                                     else figure(r, columns.get(relief, [])))
        block[relief] = {
            "default": vals[default_index], "min": lo, "max": hi,
            "min_at": {n: combos[i_lo][n] for n in names if combos[i_lo][n] != defaults[n]},
            "max_at": {n: combos[i_hi][n] for n in names if combos[i_hi][n] != defaults[n]},
            "combinations_at_min": vals.count(lo), "combinations_at_max": vals.count(hi),
            "official": official}
    return block


def _run_vectorised(con, gen, plans, sources, on, counts, progress):
    by_source: dict = {}
    for i, p in enumerate(plans):
        by_source.setdefault(sources[p.article_sets], []).append(i)
    done, total = 0, len(plans)
    for src, idx in by_source.items():
        days = {on or plans[i].eif for i in idx}
        for day in sorted(days):
            group = [i for i in idx if (on or plans[i].eif) == day]
            variants: dict = {}
            for i in group:
                for c in plans[i].clauses:
                    key = _variant_key(c)
                    if key not in variants:
                        variants[key] = (len(variants), c)
            keyed = {key: k for key, (k, _c) in variants.items()}
            table = con.sql(_columns_sql(gen, variants, src, day)).to_arrow_table()
            data = {"_row": np.asarray(table.column("_row"))}
            person = table.column("person_id").dictionary_encode().combine_chunks()
            person_idx = np.asarray(person.indices).astype(np.int64)
            for name in table.column_names:
                if name[0] in "sh" and name[1:].isdigit():
                    data[name] = _tv(table.column(name))
                elif name.startswith(("lo", "hi")) and name[2:].isdigit():
                    data[name] = _days(table.column(name))
            day_num = (day - dt.date(1970, 1, 1)).days
            cache: dict = {}
            for i in group:
                index = {c.id: keyed[_variant_key(c)] for c in plans[i].clauses}
                relief, window = decide_vectorised(plans[i], data, index, day_num, cache)
                names = relief_codes(plans[i])
                counts[i]["on_eif"] = _distinct_counts(relief, person_idx, names)
                counts[i]["window"] = _distinct_counts(window, person_idx, names)
                done += 1
                if progress:
                    progress(done, total)


def write(result: dict, out) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bounds.json").write_text(json.dumps({k: v for k, v in result.items() if k != "per_combination"},
                                                indent=2, default=str))
    names = result["readings"]
    reliefs = [r for r in result["reliefs"] if r != "total"]
    with open(out / "combinations.csv", "w", encoding="utf-8") as f:
        f.write(",".join(names + [f"{m}_{r}" for m in MEASURES for r in reliefs]) + "\n")
        for c in result["per_combination"]:
            f.write(",".join([c["readings"][n] for n in names]
                             + [str(c[m].get(r, 0)) for m in MEASURES for r in reliefs]) + "\n")
    (out / "bounds.html").write_text(bounds_page(result), encoding="utf-8")
