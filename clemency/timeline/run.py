"""`clemency timeline`: apply the act once, simulate the implementation from the decisions' spans, set the
result beside the ministry's reports, and write series, reconciliation, findings, charts and a page."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from clemency.act.load import load_act
from clemency.act.model import Act
from clemency.compile.plan import compile_act
from clemency.engines.duckdb import sql_path
from clemency.jurisdictions import Jurisdiction, jurisdiction_of
from clemency.timeline import reports as rep_mod
from clemency.timeline.simulate import (
    Body,
    Simulation,
    Window,
    _entry_on_working_day,
    cells_query,
    configure,
    lane_body,
    rows_query,
    simulate,
    unplaced_query,
)


def measure_cells(jur: Jurisdiction, act_id: str) -> tuple[dict, dict]:
    """Each measure of the official reports -> the fine cells it counts (None: cannot be simulated), and a
    note per measure; from the jurisdiction's figure columns (clause columns only for the acts they name)."""
    fig = jur.figures
    cells: dict = {"total": {}}
    notes: dict = {}
    for col, lanes in (fig.get("lane_columns") or {}).items():
        cells[col] = {"lane": list(lanes)}
    for cat, col in (fig.get("category_columns") or {}).items():
        cells[col] = {"crime_category": cat}
    for sex, col in (fig.get("sex_columns") or {}).items():
        cells[col] = {"sex": sex}
    for col, spec in (fig.get("clause_columns") or {}).items():
        clauses = (spec.get("clauses") or {}).get(act_id)
        cells[col] = {"clause": list(clauses)} if clauses else None
        notes[col] = spec.get("note", "") if clauses else f"not simulated: no clause of {act_id} is mapped to it"
    for col, note in (fig.get("not_simulated") or {}).items():
        cells[col], notes[col] = None, note
    male = (fig.get("sex_columns") or {}).get("M")
    if male:
        notes.setdefault(male, "simulated men include minors")
    return cells, notes


@dataclass
class TimelineResult:
    out_dir: Path
    manifest: dict
    sim: Simulation
    totals: list = field(default_factory=list)          # per body and relief
    reconciliation: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    drift: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def run_timeline(act, registry, out, *, reports=None, readings=None, capacity=None, lead=None, start=None,
                 bodies_table=None, calendar: str = "working", engine: str = "duckdb", progress=None,
                 decisions=None) -> TimelineResult:
    """The whole command. `decisions` may name an existing apply output directory to reuse."""
    from clemency.apply import SYNTHETIC_NOTE, apply_act
    step = progress or (lambda name: None)
    t0 = time.perf_counter()
    out = Path(out)
    act_obj = act if isinstance(act, Act) else load_act(act)
    jur = jurisdiction_of(act_obj)
    plan_eif = compile_act(act_obj, readings).eif
    bodies = configure(jur, plan_eif, capacity, lead, start, bodies_table)   # bad usage before the long part
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    if decisions is None:
        applied = apply_act(act_obj, registry, out / "decisions", engine=engine, readings=readings, csv=False,
                            progress=step)
        manifest = applied.manifest
        dec_dir = out / "decisions"
    else:
        dec_dir = Path(decisions)
        manifest = json.loads((dec_dir / "manifest.json").read_text())
    timings["apply_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    step("simulating the implementation")
    eif = dt.date.fromisoformat(manifest["entry_into_force"])
    if eif != plan_eif:   # decisions reused from a run with another entry into force
        bodies = configure(jur, eif, capacity, lead, start, bodies_table)
    window = Window.of(jur, eif, dt.date.fromisoformat(manifest["window_end"]), calendar)
    src = f"read_parquet({sql_path(dec_dir / 'decisions.parquet')})"
    con = duckdb.connect()
    cells = con.execute(cells_query(src, window, bodies, jur.lanes)).fetchnumpy()
    cells = {k: np.asarray(v) for k, v in cells.items()}
    sim = simulate(cells, window, bodies, jur.lanes)
    warnings = placement_warnings(con, src, sim, jur, calendar)
    timings["simulate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    step("writing the series")
    series = _series(sim)
    _write_table(series, out / "series")
    overdue_n = _write_overdue(con, sim, src, out / "overdue.csv")
    totals = _totals(sim)
    for row in totals:
        row["label"] = jur.short(row["relief"])      # in the words of the act's jurisdiction
    recon, findings, drift_rows = [], [], []
    reps = []
    if reports:
        reps, findings = rep_mod.load_reports(reports, jur)
        drift_rows = rep_mod.drift(reps)
        recon = reconcile(sim, reps, *measure_cells(jur, act_obj.id))
        _write_csv(out / "reconciliation.csv", recon,
                   ["report", "cut_off", "measure", "reported", "simulated", "gap", "gap_pct", "kind", "bodies", "note"])
        _write_csv(out / "findings.csv", findings, ["report", "problem"])
        _write_csv(out / "drift.csv", drift_rows, ["report", "previous", "change"])
    timings["write_s"] = time.perf_counter() - t
    synthetic = bool(manifest.get("synthetic"))
    tl_manifest = {
        "act": manifest["act"], "act_hash": manifest["act_hash"], "readings": manifest["readings"],
        "as_of": manifest["on"], "entry_into_force": eif.isoformat(), "window_end": window.end.isoformat(),
        "registry": manifest.get("registry"), "registry_hash": manifest.get("registry_hash"),
        "synthetic": synthetic, "calendar": calendar, "jurisdiction": jur.id, "warnings": warnings,
        "holidays": sorted(d.isoformat() for d in window.holidays) if calendar == "working" else [],
        "bodies": {k: _body_json(b) for k, b in bodies.items()},
        "assumption": "capacities, ramps, lead times and shares are calibrated assumptions, not observations",
        "reports": str(reports) if reports else None,
        "persons_overdue": overdue_n,
        "totals": totals,
        "decisions": "decisions" if decisions is None else str(dec_dir),
        "timings_s": {},
    }
    if synthetic:
        tl_manifest["note"] = SYNTHETIC_NOTE
    step("drawing the charts")
    from clemency.timeline.page import write_page
    write_page(out, sim, tl_manifest, totals, reps, recon, findings, drift_rows)
    timings["total_s"] = time.perf_counter() - t0
    tl_manifest["timings_s"] = {k: round(v, 4) for k, v in timings.items()}
    (out / "timeline.json").write_text(json.dumps(tl_manifest, indent=2, default=str))
    con.close()
    return TimelineResult(out, tl_manifest, sim, totals, recon, findings, drift_rows, timings, warnings)


def placement_warnings(con, src: str, sim: Simulation, jur: Jurisdiction, calendar: str) -> list[str]:
    """What the simulation could not place, in plain words: reliefs no body of the jurisdiction applies,
    bodies that start after the window ends (or before it opens), and a missing holiday calendar."""
    out = []
    for relief, persons in con.execute(unplaced_query(src, sim.window, jur.lanes)).fetchall():
        out.append(f"{persons:,} person(s) with {jur.words(relief)} cannot be placed: no body of {jur.name} "
                   "applies it; they are left out of the series")
    lanes_in_use = set(sim.g_lane.tolist())
    for b in sim.bodies.values():
        persons = int(sim.g_count[np.isin(sim.g_lane, list(b.lanes))].sum()) if lanes_in_use else 0
        if b.start > sim.window.end:
            out.append(f"{b.label} starts on {b.start.isoformat()}, after the window ends on "
                       f"{sim.window.end.isoformat()}: none of its {persons:,} person(s) is reached in the window")
        elif b.start < sim.window.eif:
            out.append(f"{b.label} starts on {b.start.isoformat()}, before the entry into force on "
                       f"{sim.window.eif.isoformat()}: it is taken to start on the entry into force")
    if calendar == "working" and not jur.holidays_country and not jur.holiday_overrides():
        out.append(f"no public holidays are known for {jur.name}: only Saturdays and Sundays are days off")
    return out


def _body_json(b: Body) -> dict:
    d = asdict(b)
    d["start"] = b.start.isoformat()
    return d


def relief_of(lane: str) -> str:
    return lane.split(":", 1)[0]


def _series(sim: Simulation) -> dict[str, list]:
    """One row per day, body and lane: applied (cumulative), applied_on_day, eligible_not_applied (those
    eligible by that day whose relief still holds and who were not yet applied), lapsed (cumulative)."""
    cols: dict[str, list] = {k: [] for k in ("date", "body", "relief", "lane", "applied", "applied_on_day",
                                             "eligible_not_applied", "lapsed", "eligible")}
    n = sim.n_days
    for lane in sorted(set(sim.g_lane.tolist())):
        m = sim.g_lane == lane
        served = sim.g_served[m].sum(axis=0)
        lapsed = np.cumsum(sim.g_lapsed[m].sum(axis=0))
        elig = np.zeros(n, np.int64)
        np.add.at(elig, np.clip(sim.g_elig[m], 0, n - 1), sim.g_count[m])
        elig = np.cumsum(elig)
        applied = np.cumsum(served)
        backlog = elig - applied - lapsed
        cols["date"] += sim.days
        cols["body"] += [lane_body(sim.bodies).get(lane, "?")] * n
        cols["relief"] += [relief_of(lane)] * n
        cols["lane"] += [lane] * n
        cols["applied"] += applied.tolist()
        cols["applied_on_day"] += served.tolist()
        cols["eligible_not_applied"] += backlog.tolist()
        cols["lapsed"] += lapsed.tolist()
        cols["eligible"] += elig.tolist()
    return cols


def _write_table(cols: dict[str, list], stem: Path) -> None:
    table = pa.table(cols)
    pq.write_table(table, stem.with_suffix(".parquet"))
    keys = list(cols)
    with open(stem.with_suffix(".csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(keys)
        for row in zip(*(cols[k] for k in keys)):
            w.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])


def _write_csv(path: Path, rows: list[dict], header: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in header})


def _totals(sim: Simulation) -> list[dict]:
    out = []
    rem = sim.remaining()
    for lane in sorted(set(sim.g_lane.tolist())):
        m = sim.g_lane == lane
        served = sim.g_served[m].sum(axis=0)
        out.append({"body": lane_body(sim.bodies).get(lane, "?"), "relief": relief_of(lane), "lane": lane,
                    "eligible": int(sim.g_count[m].sum()), "applied": int(served.sum()),
                    "lapsed": int(sim.g_lapsed[m].sum()), "overdue": int(rem[m].sum()),
                    "last_applied": (sim.days[int(np.flatnonzero(served)[-1])].isoformat()
                                     if served.any() else None)})
    return out


def _write_overdue(con, sim: Simulation, src: str, path: Path) -> int:
    """Everyone whose relief still holds on the last day of the window and whom no body reached by then.
    Which persons of a group were not reached is decided by a stable hash of case_id (random order)."""
    rem = sim.remaining()
    header = "person_id,case_id,body,relief,clause,eligible_from,queue_entry\n"
    groups = np.flatnonzero(rem > 0)
    if not len(groups):
        path.write_text(header)
        return 0
    # (lane, raw entry, until) -> working-day entry: the groups hold the adjusted entry, so map raw -> adj
    raw = np.arange(0, max(int(sim.cells['entry'].max()), sim.n_days) + 1)
    adj = _entry_on_working_day(raw, sim.window.working())
    con.register("_entry_map", pa.table({"raw": raw, "adj": adj}))
    keys = np.unique(np.stack([sim.gid, sim.cells["entry"], sim.cells["until"]], axis=1), axis=0)
    g_adj = {}
    for g, e, u in keys:
        g_adj[int(g)] = (int(adj[int(e)]), int(u))
    og = {"lane": [], "adj": [], "until": [], "remaining": []}
    for g in groups:
        e, u = g_adj[int(g)]
        og["lane"].append(str(sim.g_lane[g]))
        og["adj"].append(e)
        og["until"].append(u)
        og["remaining"].append(int(rem[g]))
    con.register("_overdue_groups", pa.table(og))
    eif = sim.window.eif.isoformat()
    con.execute(f"""
        COPY (
          WITH r AS ({rows_query(src, sim.window, sim.bodies, sim.routes)}),
          a AS (SELECT r.*, m.adj FROM r JOIN _entry_map m ON r.entry = m.raw),
          k AS (SELECT a.*, g.remaining,
                       row_number() OVER (PARTITION BY a.lane, a.adj, a.until
                                          ORDER BY hash(coalesce(a.case_id, a.person_id)) DESC) AS rn
                FROM a JOIN _overdue_groups g ON a.lane = g.lane AND a.adj = g.adj AND a.until = g.until)
          SELECT person_id, case_id,
                 CASE {" ".join(f"WHEN lane = '{ln}' THEN '{b}'" for ln, b in lane_body(sim.bodies).items())} END AS body,
                 relief, clause, eligible_from,
                 CASE WHEN adj >= {sim.n_days} THEN NULL ELSE DATE '{eif}' + adj::INTEGER END AS queue_entry
          FROM k WHERE rn <= remaining ORDER BY body, eligible_from, person_id
        ) TO {sql_path(path)} (HEADER, DELIMITER ',')""")
    return int(rem.sum())


def reconcile(sim: Simulation, reports: list, cells_of: dict, notes: dict) -> list[dict]:
    """Each reported figure beside the simulated one at the report's cut-off, for the bodies it covers.
    An announced projection is set beside everyone eligible in the window. gap = reported - simulated.
    `cells_of` and `notes` are from `measure_cells`."""
    rows = []
    lanes = lane_body(sim.bodies)
    body_of = np.array([lanes.get(ln, "?") for ln in sim.cells["lane"]])
    for r in reports:
        if r.cut_off is None:
            continue
        if r.projection:
            day, kind = sim.n_days - 1, "projection vs eligible in the window"
        else:
            kind = "cut-off vs applied"
            day = (r.cut_off - sim.window.eif).days
        scope = np.isin(body_of, list(r.bodies)) if (r.bodies and not r.projection) else np.ones(len(body_of), bool)
        for measure, spec in cells_of.items():
            if measure not in r.values:
                continue
            reported = r.values[measure]
            note = notes.get(measure, "")
            if spec and spec.get("sex") == "M" and r.minors_in_men is False:
                note = "reported men exclude minors; simulated men include them"
            if spec is None:
                simulated = None
            elif day < 0:
                simulated = 0
            else:
                mask = scope & sim.cell_mask(**spec)
                d = min(day, sim.n_days - 1)
                series = sim.eligible_by(mask) if r.projection else sim.applied_by(mask)
                simulated = round(float(series[d]))
            gap = None if simulated is None else reported - simulated
            rows.append({"report": r.name, "cut_off": r.cut_off.isoformat(), "measure": measure,
                         "reported": reported, "simulated": simulated, "gap": gap,
                         "gap_pct": (None if gap is None or not simulated else round(100 * gap / simulated, 1)),
                         "kind": kind, "bodies": ";".join(r.bodies) if not r.projection else "all",
                         "note": note})
    return rows
