"""A simulation of how an act is applied over its implementation window, from the decisions of one apply.

Nothing here re-decides anything: each decision already carries the span on which its relief holds
(`eligible_from` .. `eligible_until`, or `upcoming_relief` from `upcoming_from`), computed by the engine
in the same vectorised pass as the relief. This module only asks *who applies it and when*:

1. Every decision with a relief in the window is routed to a lane of the body that applies that relief, by
   the act's jurisdiction (clemency.jurisdictions: bodies, lanes, starts relative to the entry into force).
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

A body's lanes may keep their own share of its capacity (spill=False), e.g. when a different unit handles
them. Bodies, lanes, starts, capacities, ramps, lead times and shares are the jurisdiction's
(clemency/jurisdictions/<id>/jurisdiction.yaml); the shipped ones are CALIBRATED ASSUMPTIONS, not
observations (the file says against what they were calibrated). No body has published its daily capacity.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from clemency.errors import InputError, UsageError
from clemency.jurisdictions import Jurisdiction

DAY = dt.timedelta(days=1)


# ---- who applies what ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Body:
    """A body that applies reliefs. `lanes` maps a lane (relief, custodial?) to its share of capacity."""

    name: str
    label: str
    lanes: dict            # lane name -> share of the daily capacity
    start: dt.date         # first day it applies the act (the act's entry into force + the body's delay)
    capacity: int          # persons per working day at full pace
    ramp_days: int = 0     # working days to reach full pace (linear)
    lead_days: int = 0     # calendar days from eligibility to the file being in its queue
    spill: bool = True     # capacity a lane cannot use goes to the body's other lanes
    sources: str = ""
    note: str = ""


CALENDARS = ("working", "weekdays", "every-day")


def bodies_for(jur: Jurisdiction, eif: dt.date) -> dict[str, Body]:
    """The jurisdiction's bodies for an act that entered into force on `eif`: each starts its own number of
    days after that day, with the lanes the jurisdiction routes to it."""
    out = {}
    for spec in jur.bodies.values():
        lanes = {ln.lane: ln.share_of_body for ln in jur.lanes if ln.body == spec.name}
        out[spec.name] = Body(spec.name, spec.label, lanes, eif + dt.timedelta(days=spec.start_after_days),
                              spec.capacity, spec.ramp_days, spec.lead_days, spec.spill, spec.sources, spec.note)
    return out


def lane_body(bodies: dict[str, Body]) -> dict[str, str]:
    """lane -> the name of the body that applies it."""
    return {ln: b.name for b in bodies.values() for ln in b.lanes}


def parse_start(value: str, eif: dt.date) -> dt.date:
    """A body's start: a date, or `+N` days after the entry into force."""
    value = value.strip()
    if value.startswith("+") and value[1:].isdigit():
        return eif + dt.timedelta(days=int(value[1:]))
    return dt.date.fromisoformat(value)


def configure(jur: Jurisdiction, eif: dt.date, capacity: dict | None = None, lead: dict | None = None,
              start: dict | None = None, table: str | Path | None = None) -> dict[str, Body]:
    """The jurisdiction's bodies for the act with overrides: from a CSV (name, capacity, ramp_days, lead_days,
    start and any lane share columns `share:<lane>`) and from the --capacity / --lead / --start options."""
    bodies = bodies_for(jur, eif)
    if table:
        bodies = _read_table(Path(table), bodies, eif)
    for opt, values, conv in (("capacity", capacity, int), ("lead_days", lead, int),
                              ("start", start, lambda v: parse_start(v, eif))):
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


def _read_table(path: Path, bodies: dict[str, Body], eif: dt.date) -> dict[str, Body]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise InputError(f"cannot read the bodies table: {exc.strerror}", where=path.name) from None
    out = dict(bodies)
    for i, row in enumerate(rows, 1):
        name = (row.get("name") or "").strip()
        if name not in out:
            raise InputError(f"row {i}: unknown body '{name}' (bodies are {', '.join(out)})", where=path.name)
        b = out[name]
        kw: dict = {}
        try:
            for k in ("capacity", "ramp_days", "lead_days"):
                if row.get(k):
                    kw[k] = int(row[k])
            if row.get("start"):
                kw["start"] = parse_start(row["start"], eif)
        except ValueError as exc:
            raise InputError(f"row {i}: {exc}", where=path.name) from None
        lanes = dict(b.lanes)
        for k, v in row.items():
            if k and k.startswith("share:") and v:
                lane = k.split(":", 1)[1]
                if lane not in lanes:
                    raise InputError(f"row {i}: body '{name}' has no lane '{lane}'", where=path.name)
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
    holidays: frozenset = field(default_factory=frozenset)   # non-working days besides weekends
    jurisdiction: str = ""                                    # whose bodies and holidays (its id)

    @classmethod
    def of(cls, jur: Jurisdiction, eif: dt.date, end: dt.date, calendar: str = "working") -> Window:
        """The window with the jurisdiction's public holidays in it."""
        return cls(eif, end, calendar, jur.holidays(eif, end) if calendar == "working" else frozenset(), jur.id)

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

def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def lane_sql(routes) -> str:
    """SQL choosing the lane of a decision with relief `r` by the jurisdiction's routing (`Lane`s, tried in
    order for each relief: a punishment list, else a share by a stable hash of the case, else the rest).
    NULL: no lane of the jurisdiction takes it (it cannot be placed)."""
    by_relief: dict[str, list] = {}
    for ln in routes:
        by_relief.setdefault(ln.relief, []).append(ln)
    if not by_relief:
        return "CAST(NULL AS VARCHAR)"
    whens = []
    for relief, lanes in by_relief.items():
        inner, cum = [], 0.0
        for ln in lanes:
            if ln.punishments:
                known = [p for p in ln.punishments if p != "unknown"]
                conds = [f"punishment IN ({', '.join(_lit(p) for p in known)})"] if known else []
                conds += ["punishment IS NULL"] if "unknown" in ln.punishments else []
                inner.append(f"WHEN {' OR '.join(conds)} THEN {_lit(ln.lane)}")
            elif ln.share is not None:
                cum += ln.share
                inner.append(f"WHEN (hash(coalesce(case_id, person_id)) % 1000000) < {int(round(cum * 1_000_000))} "
                             f"THEN {_lit(ln.lane)}")
            else:
                inner.append(f"ELSE {_lit(ln.lane)}")
                break
        if not inner[-1].startswith("ELSE"):
            inner.append("ELSE NULL")
        choice = inner[0][5:] if len(inner) == 1 else f"CASE {' '.join(inner)} END"
        whens.append(f"WHEN r = {_lit(relief)} THEN {choice}")
    return f"CASE {' '.join(whens)} END"


def _decisions_sql(decisions_sql: str, end: str) -> str:
    return f"""
        SELECT CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_relief ELSE relief END AS r,
               CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_clause ELSE clause END AS cl,
               CASE WHEN relief IN ('none', 'indeterminate') THEN upcoming_from ELSE eligible_from END AS e_from,
               CASE WHEN relief IN ('none', 'indeterminate') THEN
                    CASE WHEN upcoming_relief = 'release_from_imprisonment' AND sentence_end IS NOT NULL
                         THEN least(DATE '{end}', sentence_end - 1) ELSE DATE '{end}' END
                    ELSE coalesce(eligible_until, DATE '{end}') END AS e_until,
               punishment, case_id, person_id, crime_category, sex
        FROM {decisions_sql}"""


def unplaced_query(decisions_sql: str, window: Window, routes) -> str:
    """Persons with a relief in the window that no lane of the jurisdiction takes: relief, persons."""
    end = window.end.isoformat()
    return f"""
    WITH d AS ({_decisions_sql(decisions_sql, end)})
    SELECT r AS relief, count(DISTINCT person_id)::BIGINT AS persons FROM d
    WHERE r IS NOT NULL AND r NOT IN ('none', 'indeterminate') AND e_from IS NOT NULL
      AND e_from <= DATE '{end}' AND ({lane_sql(routes)}) IS NULL
    GROUP BY r ORDER BY r"""


def rows_query(decisions_sql: str, window: Window, bodies: dict[str, Body], routes) -> str:
    """SQL giving, per decision with a relief in the window that a lane takes: lane, entry (day number, before
    the move to a working day), until (last day the relief holds, capped at the window's end), elig (first
    day), and the columns the reconciliation splits by. Day numbers count from the entry into force (day 0)."""
    eif = window.eif.isoformat()
    end = window.end.isoformat()
    lane = lane_sql(routes)

    def per_lane(value):
        return "CASE WHEN FALSE THEN NULL " + " ".join(f"WHEN lane IN ({', '.join(_lit(x) for x in b.lanes)}) THEN {value(b)}"
                                  for b in bodies.values() if b.lanes)
    lead_case = per_lane(lambda b: int(b.lead_days)) + " ELSE 0 END"
    start_case = per_lane(lambda b: f"DATE '{b.start.isoformat()}'") + f" ELSE DATE '{eif}' END"
    return f"""
    WITH d AS ({_decisions_sql(decisions_sql, end)}
    ), l AS (
        SELECT * FROM (SELECT *, {lane} AS lane FROM d
                       WHERE r IS NOT NULL AND r NOT IN ('none', 'indeterminate') AND e_from IS NOT NULL
                         AND e_from <= DATE '{end}')
        WHERE lane IS NOT NULL
    )
    SELECT lane, r AS relief, person_id, case_id, e_from AS eligible_from,
           greatest(0, datediff('day', DATE '{eif}', greatest({start_case}, e_from + {lead_case}::INTEGER))) AS entry,
           datediff('day', DATE '{eif}', greatest(e_from, least(e_until, DATE '{end}'))) AS until,
           greatest(0, datediff('day', DATE '{eif}', e_from)) AS elig,
           coalesce(crime_category, 'unknown') AS crime_category, coalesce(sex, 'unknown') AS sex,
           coalesce(cl, '') AS clause
    FROM l
    """


def cells_query(decisions_sql: str, window: Window, bodies: dict[str, Body], routes) -> str:
    """The decisions counted into fine cells (lane, entry, until, elig, crime_category, sex, clause): n."""
    return (f"SELECT lane, entry, until, elig, crime_category, sex, clause, count(*)::BIGINT AS n "
            f"FROM ({rows_query(decisions_sql, window, bodies, routes)}) GROUP BY ALL")


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
    routes: tuple = ()         # the jurisdiction's lanes (routing rules)

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


def simulate(cells: dict[str, np.ndarray], window: Window, bodies: dict[str, Body], routes=()) -> Simulation:
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
    return Simulation(window, bodies, days, fine, gid, frac, g_lane, count, g_elig, served, lapsed, tuple(routes))


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
