"""A simulation of how an act is applied over its implementation window, from the decisions of one apply.

Nothing here re-decides anything: each decision already carries the span on which its relief holds
(`eligible_from` .. `eligible_until`, or `upcoming_relief` from `upcoming_from`), computed by the engine
in the same vectorised pass as the relief. This module only asks *who applies it and when*:

1. Every decision with a relief in the window is routed to the body that applies that relief (BODIES).
2. It enters that body's queue on its *entry day*: the later of the body's start and
   `eligible_from + lead_days`, moved to the next working day.
3. Each working day a body applies up to its capacity (ramping up over `ramp_days` working days), shared
   between its lanes (reliefs) by `share`; capacity a lane cannot use goes to the other lanes.
   Within a lane the queue is first in, first out by entry day, and among those who entered on the same
   day the one whose relief lapses soonest goes first.
4. A person whose relief stops holding before the body reaches them (a sentence that ends on its own,
   `eligible_until` passed) leaves the queue: *lapsed*. A person whose relief still holds on the last day
   of the window and who was not reached is *overdue*.

The people are never looped over in Python. They are counted into cells
(lane, entry day, last eligible day, crime category, sex, clause) by one DuckDB GROUP BY; the queue is
simulated day by day on the cells with numpy (a window has ~122 days; a lane has at most 122 x 122 cells);
what a cell's served count means for a category or sex is its share of the cell (the order within a cell
is random). Overdue persons are listed with one more query over the cells that were not emptied.

Term reductions in prisons have their own share of the penitentiary's capacity and do not take over the
release lane's capacity when releases are done (spill=False): sentences are recalculated by a different
unit - an assumption that matches the reported pace (250, 734, 1,045 reductions).

THE CAPACITIES, LEAD TIMES, RAMPS AND SHARES BELOW ARE CALIBRATED ASSUMPTIONS, not observations: they were
chosen so that the default synthetic registry (40,000 rows, seed 0) under the default readings roughly
follows the pace of the Ministry of Justice's reports of 7 Jan, 26 Jan and 8 Feb 2026. No body has
published its daily capacity.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from clemency.errors import InputError, UsageError

DAY = dt.timedelta(days=1)


# ---- who applies what ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Body:
    """A body that applies reliefs. `lanes` maps a lane (relief, custodial?) to its share of capacity."""

    name: str
    label: str
    lanes: dict            # lane name -> share of the daily capacity
    start: dt.date         # first day it applies the act
    capacity: int          # persons per working day at full pace
    ramp_days: int = 0     # working days to reach full pace (linear)
    lead_days: int = 0     # calendar days from eligibility to the file being in its queue
    spill: bool = True     # capacity a lane cannot use goes to the body's other lanes
    sources: str = ""
    note: str = ""


# A lane is "<relief>" or "<relief>:<custodial|noncustodial>" for term reductions, and criminal liability
# is split between bodies by CRIMINAL_LIABILITY_SHARE (the decisions do not say which body holds a case).
LANES = {
    "release_from_imprisonment": "penitentiary",
    "term_reduction:custodial": "penitentiary",
    "release_from_punishment": "probation",
    "term_reduction:noncustodial": "probation",
    "release_from_criminal_liability:investigation": "investigation",
    "release_from_criminal_liability:prosecution_courts": "prosecution_courts",
}
CUSTODIAL = ("imprisonment", "life_imprisonment")
# Share of pending cases (release from criminal liability) held by the MoJ Investigation Department; the
# rest are with prosecution bodies and courts. An assumption: the Department investigates only a few kinds
# of crime (offences in penitentiary institutions), and the ministry reported 12 such releases.
CRIMINAL_LIABILITY_SHARE = {"investigation": 0.02}

BODIES: dict[str, Body] = {b.name: b for b in [
    Body("penitentiary", "Penitentiary Service (MoJ)",
         {"release_from_imprisonment": 0.91, "term_reduction:custodial": 0.09},
         dt.date(2025, 12, 22), capacity=430, ramp_days=12, lead_days=3, spill=False,
         sources="az-2025-amnesty.md 'Who applies it'; report.az hadise/azerbaycanda-amnistiya-aktinin-icrasina-"
                 "baslanilib (execution from 22 Dec); official-figures.csv",
         note="prisons and the Baku Investigation Isolator: release from imprisonment and term reductions"),
    Body("probation", "Probation Service (MoJ)",
         {"release_from_punishment": 0.95, "term_reduction:noncustodial": 0.05},
         dt.date(2025, 12, 22), capacity=390, ramp_days=12, lead_days=3,
         sources="az-2025-amnesty.md 'Who applies it'; official-figures.csv (7 Jan: penitentiary and probation only)",
         note="non-custodial punishments; in 2021 probation sent some files to courts"),
    Body("investigation", "Investigation Department (MoJ)",
         {"release_from_criminal_liability:investigation": 1.0},
         dt.date(2025, 12, 22), capacity=1, ramp_days=0, lead_days=21,
         sources="official-figures.csv (26 Jan: 'MoJ Investigation Department', 12 released from liability)",
         note="release from criminal liability in its own cases"),
    Body("prosecution_courts", "Prosecution bodies and courts",
         {"release_from_criminal_liability:prosecution_courts": 1.0},
         dt.date(2026, 2, 2), capacity=40, ramp_days=10, lead_days=0,
         sources="official-figures.csv (8 Feb: 'together with prosecution and court bodies'); az-2025-amnesty.md",
         note="release from criminal liability in pending cases, from February"),
]}

# Non-working days in the window besides Saturdays and Sundays. APPROXIMATE: the holidays of the Labour Code
# (art. 105) with the usual carry-overs; check the Cabinet of Ministers' decree on transfers for the year.
HOLIDAYS = {dt.date.fromisoformat(d) for d in (
    "2025-12-31", "2026-01-01", "2026-01-02",            # Solidarity Day, New Year
    "2026-03-09",                                        # Women's Day (8 Mar is a Sunday), carried over
    "2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24",  # Novruz
    "2026-03-25", "2026-03-26",                          # Ramadan Bayram, carried over (approximate)
)}

CALENDARS = ("working", "weekdays", "every-day")


def body_for_lane(lane: str) -> str:
    return LANES[lane]


def configure(capacity: dict | None = None, lead: dict | None = None, start: dict | None = None,
              table: str | Path | None = None) -> dict[str, Body]:
    """The bodies table with overrides: from a CSV (name, capacity, ramp_days, lead_days, start and any
    lane share columns `share:<lane>`) and from the --capacity / --lead options."""
    bodies = dict(BODIES)
    if table:
        bodies = _read_table(Path(table), bodies)
    for opt, values, conv in (("capacity", capacity, int), ("lead_days", lead, int),
                              ("start", start, dt.date.fromisoformat)):
        for name, v in (values or {}).items():
            if name not in bodies:
                raise UsageError(f"unknown body '{name}' in --{opt.split('_')[0]}; bodies are: "
                                 + ", ".join(bodies))
            try:
                value = conv(v)
            except ValueError:
                raise UsageError(f"bad value '{v}' for {opt} of body '{name}'") from None
            if isinstance(value, int) and value < 0:
                raise UsageError(f"{opt} of body '{name}' must not be negative")
            bodies[name] = replace(bodies[name], **{opt: value})
    return bodies


def _read_table(path: Path, bodies: dict[str, Body]) -> dict[str, Body]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise InputError(f"cannot read the bodies table: {exc}", where=str(path)) from None
    out = dict(bodies)
    for i, row in enumerate(rows, 1):
        name = (row.get("name") or "").strip()
        if name not in out:
            raise InputError(f"row {i}: unknown body '{name}' (bodies are {', '.join(out)})", where=str(path))
        b = out[name]
        kw: dict = {}
        try:
            for k in ("capacity", "ramp_days", "lead_days"):
                if row.get(k):
                    kw[k] = int(row[k])
            if row.get("start"):
                kw["start"] = dt.date.fromisoformat(row["start"])
        except ValueError as exc:
            raise InputError(f"row {i}: {exc}", where=str(path)) from None
        lanes = dict(b.lanes)
        for k, v in row.items():
            if k and k.startswith("share:") and v:
                lane = k.split(":", 1)[1]
                if lane not in lanes:
                    raise InputError(f"row {i}: body '{name}' has no lane '{lane}'", where=str(path))
                lanes[lane] = float(v)
        out[name] = replace(b, lanes=lanes, **kw)
    return out


def parse_pairs(items, what: str) -> dict[str, str]:
    out = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--{what} takes BODY=VALUE, got '{item}'")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


# ---- the calendar --------------------------------------------------------------------------------------

@dataclass
class Window:
    eif: dt.date
    end: dt.date                       # last day, included
    calendar: str = "working"
    holidays: frozenset = field(default_factory=lambda: frozenset(HOLIDAYS))

    @property
    def days(self) -> list[dt.date]:
        return [self.eif + i * DAY for i in range((self.end - self.eif).days + 1)]

    def working(self) -> np.ndarray:
        """A boolean per day of the window: does a body work that day."""
        days = self.days
        if self.calendar == "every-day":
            return np.ones(len(days), bool)
        weekday = np.array([d.weekday() < 5 for d in days])
        if self.calendar == "weekdays":
            return weekday
        return weekday & np.array([d not in self.holidays for d in days])


# ---- the queue -----------------------------------------------------------------------------------------

def rows_query(decisions_sql: str, window: Window, bodies: dict[str, Body]) -> str:
    """SQL giving, per decision with a relief in the window: lane, entry (day number, before the move to a
    working day), until (last day the relief holds, capped at the window's end), elig (first day), and the
    columns the reconciliation splits by. Day numbers count from the entry into force (day 0)."""
    eif = window.eif.isoformat()
    end = window.end.isoformat()
    inv_share = CRIMINAL_LIABILITY_SHARE["investigation"]
    lane = ("CASE WHEN r = 'term_reduction' THEN r || CASE WHEN punishment IN ('imprisonment', 'life_imprisonment') "
            "OR punishment IS NULL THEN ':custodial' ELSE ':noncustodial' END "
            "WHEN r = 'release_from_criminal_liability' THEN r || CASE WHEN "
            f"(hash(coalesce(case_id, person_id)) % 1000000) < {int(inv_share * 1_000_000)} "
            "THEN ':investigation' ELSE ':prosecution_courts' END ELSE r END")
    def per_lane(value):
        return "CASE " + " ".join(f"WHEN lane IN ({', '.join(repr(x) for x in b.lanes)}) THEN {value(b)}"
                                  for b in bodies.values())
    lead_case = per_lane(lambda b: int(b.lead_days)) + " ELSE 0 END"
    start_case = per_lane(lambda b: f"DATE '{b.start.isoformat()}'") + f" ELSE DATE '{eif}' END"
    return f"""
    WITH d AS (
        SELECT CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_relief ELSE relief END AS r,
               CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_clause ELSE clause END AS cl,
               CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_from ELSE eligible_from END AS e_from,
               CASE WHEN relief IN ('none', 'indeterminate') THEN
                    CASE WHEN upcoming_relief = 'release_from_imprisonment' AND sentence_end IS NOT NULL
                         THEN least(DATE '{end}', sentence_end - 1) ELSE DATE '{end}' END
                    ELSE coalesce(eligible_until, DATE '{end}') END AS e_until,
               punishment, case_id, person_id, crime_category, sex
        FROM {decisions_sql}
    ), l AS (
        SELECT *, {lane} AS lane FROM d
        WHERE r IS NOT NULL AND r NOT IN ('none', 'indeterminate') AND e_from IS NOT NULL
          AND e_from <= DATE '{end}'
    )
    SELECT lane, r AS relief, person_id, case_id, e_from AS eligible_from,
           greatest(0, datediff('day', DATE '{eif}', greatest({start_case}, e_from + {lead_case}::INTEGER))) AS entry,
           datediff('day', DATE '{eif}', greatest(e_from, least(e_until, DATE '{end}'))) AS until,
           greatest(0, datediff('day', DATE '{eif}', e_from)) AS elig,
           coalesce(crime_category, 'unknown') AS crime_category, coalesce(sex, 'unknown') AS sex,
           coalesce(cl, '') AS clause
    FROM l
    """


def cells_query(decisions_sql: str, window: Window, bodies: dict[str, Body]) -> str:
    """The decisions counted into fine cells (lane, entry, until, elig, crime_category, sex, clause): n."""
    return (f"SELECT lane, entry, until, elig, crime_category, sex, clause, count(*)::BIGINT AS n "
            f"FROM ({rows_query(decisions_sql, window, bodies)}) GROUP BY ALL")


@dataclass
class Simulation:
    """The queues' outcome. Groups are (lane, entry, until); fine cells add crime category, sex, clause and
    share their group's outcome in proportion to their count (the order within a group is random)."""

    window: Window
    bodies: dict
    days: list                 # dates of the window
    cells: dict                # column -> np.ndarray, one entry per fine cell
    gid: np.ndarray            # [cell] its group
    frac: np.ndarray           # [cell] its share of the group
    g_lane: np.ndarray         # [group] lane
    g_count: np.ndarray        # [group] persons
    g_elig: np.ndarray         # [group] first day eligible (earliest of its cells)
    g_served: np.ndarray       # [group, day] applied that day
    g_lapsed: np.ndarray       # [group, day] relief stopped holding that day before the body reached them

    @property
    def n_days(self) -> int:
        return len(self.days)

    def cell_mask(self, **eq) -> np.ndarray:
        m = np.ones(len(self.gid), bool)
        for k, v in eq.items():
            col = self.cells[k]
            m &= np.isin(col, list(v)) if isinstance(v, (list, tuple, set)) else (col == v)
        return m

    def applied_by(self, mask: np.ndarray) -> np.ndarray:
        """Expected cumulative applied per day for the fine cells in `mask` (float)."""
        cum = np.cumsum(self.g_served, axis=1)
        return (cum[self.gid[mask]] * self.frac[mask, None]).sum(axis=0)

    def eligible_by(self, mask: np.ndarray) -> np.ndarray:
        """Persons eligible at some day up to each day of the window, for the fine cells in `mask`."""
        out = np.zeros(self.n_days)
        np.add.at(out, np.clip(self.cells["elig"][mask], 0, self.n_days - 1), self.cells["n"][mask])
        return np.cumsum(out)

    def remaining(self) -> np.ndarray:
        """[group] persons neither applied nor lapsed by the end of the window: overdue."""
        return self.g_count - self.g_served.sum(axis=1) - self.g_lapsed.sum(axis=1)


def _entry_on_working_day(entry: np.ndarray, working: np.ndarray) -> np.ndarray:
    """Move each entry day to the next working day (beyond the window: len(working))."""
    n = len(working)
    nxt = np.full(n + 1, n, dtype=np.int64)
    for d in range(n - 1, -1, -1):   # over days, not people
        nxt[d] = d if working[d] else nxt[d + 1]
    return nxt[np.clip(entry, 0, n)]


def simulate(cells: dict[str, np.ndarray], window: Window, bodies: dict[str, Body]) -> Simulation:
    """Run every body's queues over the window. `cells` are columns from `cells_query` (as numpy)."""
    days = window.days
    n_days = len(days)
    working = window.working()
    lane_names = np.asarray(cells["lane"]).astype(str)
    lane_ids, lane_code = np.unique(lane_names, return_inverse=True)
    entry_c = _entry_on_working_day(np.asarray(cells["entry"], np.int64), working)
    until_c = np.asarray(cells["until"], np.int64)
    n_c = np.asarray(cells["n"], np.int64)
    if len(n_c):
        keys, gid = np.unique(np.stack([lane_code, entry_c, until_c], axis=1), axis=0, return_inverse=True)
        gid = gid.reshape(-1)
    else:
        keys, gid = np.zeros((0, 3), np.int64), np.zeros(0, np.int64)
    n_groups = len(keys)
    count = np.bincount(gid, weights=n_c, minlength=n_groups).astype(np.int64)
    frac = n_c / np.maximum(count[gid], 1)
    g_lane = lane_ids[keys[:, 0]] if n_groups else np.zeros(0, str)
    entry, until = keys[:, 1], keys[:, 2]
    g_elig = np.full(n_groups, n_days, np.int64)
    np.minimum.at(g_elig, gid, np.asarray(cells["elig"], np.int64))
    served = np.zeros((n_groups, n_days), np.int64)
    lapsed = np.zeros((n_groups, n_days), np.int64)
    for body in bodies.values():
        lanes = [ln for ln in body.lanes if ln in set(g_lane.tolist())]
        if not lanes:
            continue
        # first in, first out within a lane: entry day, then the soonest to lapse
        order = {}
        for ln in lanes:
            ix = np.flatnonzero(g_lane == ln)
            order[ln] = ix[np.lexsort((until[ix], entry[ix]))]
        left = {ln: count[o].copy() for ln, o in order.items()}
        shares = np.array([body.lanes[ln] for ln in lanes], float)
        shares = shares / shares.sum() if shares.sum() > 0 else np.full(len(lanes), 1 / len(lanes))
        start = (body.start - window.eif).days
        k = 0  # working days since the body started
        for d in range(n_days):    # over days; each step is vectorised over the groups
            for ln in lanes:
                o = order[ln]
                # a relief that stopped holding yesterday leaves the queue today (or never entered it)
                gone = (until[o] == d - 1) & (left[ln] > 0)
                lapsed[o[gone], d] = left[ln][gone]
                left[ln][gone] = 0
            if d < start or not working[d]:
                continue
            ramp = min(1.0, (k + 1) / body.ramp_days) if body.ramp_days else 1.0
            k += 1
            cap = round(body.capacity * ramp)
            if cap <= 0:
                continue
            active = {ln: (entry[order[ln]] <= d) & (until[order[ln]] >= d) for ln in lanes}
            waiting = np.array([int(left[ln][active[ln]].sum()) for ln in lanes])
            alloc = _allocate(cap, shares, waiting, body.spill)
            for ln, a in zip(lanes, alloc):
                if a <= 0:
                    continue
                o = order[ln]
                x = np.where(active[ln], left[ln], 0)
                before = np.cumsum(x) - x
                take = np.clip(a - before, 0, x)
                served[o, d] += take
                left[ln] -= take
    fine = {k: np.asarray(v) for k, v in cells.items()}
    fine["lane"] = lane_names
    return Simulation(window, bodies, days, fine, gid, frac, g_lane, count, g_elig, served, lapsed)


def _allocate(cap: int, shares: np.ndarray, waiting: np.ndarray, spill: bool = True) -> np.ndarray:
    """Integer capacity per lane by share; with `spill`, what a lane cannot use goes to the lanes still
    waiting, otherwise it is lost for the day."""
    if not spill:
        give = np.floor(cap * shares).astype(np.int64)
        give[np.argmax(shares)] += cap - give.sum()
        return np.minimum(give, waiting)
    alloc = np.zeros(len(shares), np.int64)
    remaining = cap
    want = waiting.copy()
    for _ in range(len(shares) + 1):
        open_ = want > 0
        if remaining <= 0 or not open_.any():
            break
        s = np.where(open_, shares, 0.0)
        if s.sum() == 0:
            s = open_.astype(float)
        give = np.floor(remaining * s / s.sum()).astype(np.int64)
        give[np.argmax(s)] += remaining - give.sum()
        give = np.minimum(give, want)
        alloc += give
        want -= give
        remaining -= int(give.sum())
    return alloc
