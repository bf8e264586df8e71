"""Runs (an act applied to an uploaded registry) and review judgements, as rows of the store.

A running job beats its heartbeat every few seconds; a queued or running run whose heartbeat is older than
STALE seconds belongs to a process that stopped, and is marked failed with that reason (it can be re-run)."""

from __future__ import annotations

import json
import time

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from clemency.store.schema import judgements, runs

STALE = 60
INTERRUPTED = "the server stopped during the run; start it again with 'run again'"
_JSON = ("readings", "rows")


def _row(r) -> dict:
    d = dict(r._mapping)
    for k in _JSON:
        d[k] = json.loads(d[k]) if d.get(k) else ({} if k == "readings" else None)
    d["on"] = d.pop("on_date")
    d["published"] = bool(d["published"])
    return d


def _values(kw: dict) -> dict:
    out = dict(kw)
    if "on" in out:
        out["on_date"] = out.pop("on")
    for k in _JSON:
        if k in out and out[k] is not None:
            out[k] = json.dumps(out[k], sort_keys=True, default=str)
    return out


class Runs:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, run_id: str, file: str, act: str, readings: dict, on: str | None, owner: str) -> dict:
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(insert(runs).values(**_values({
                "id": run_id, "file": file, "act": act, "readings": readings, "on": on, "state": "queued",
                "owner": owner, "published": False, "created": now, "heartbeat": now})))
        return self.get(run_id)

    def get(self, run_id: str) -> dict | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        if row is None:
            return None
        run = _row(row)
        if run["state"] in ("queued", "running") and (run["heartbeat"] or 0) < time.time() - STALE:
            self.update(run_id, state="failed", error=INTERRUPTED)
            run.update(state="failed", error=INTERRUPTED)
        return run

    def all(self) -> list[dict]:
        with self.engine.begin() as conn:
            rows = [_row(r) for r in conn.execute(select(runs).order_by(runs.c.created.desc()))]
        stale = time.time() - STALE
        if any(r["state"] in ("queued", "running") and (r["heartbeat"] or 0) < stale for r in rows):
            self.mark_interrupted(stale_only=True)
            with self.engine.begin() as conn:
                rows = [_row(r) for r in conn.execute(select(runs).order_by(runs.c.created.desc()))]
        return rows

    def update(self, run_id: str, **kw) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(**_values(kw)))

    def beat(self, run_id: str) -> None:
        self.update(run_id, heartbeat=time.time())

    def mark_interrupted(self, stale_only: bool = False) -> int:
        """Mark queued or running runs failed: all of them (at start, before any worker runs) or only those
        whose heartbeat stopped. The number marked."""
        cond = runs.c.state.in_(("queued", "running"))
        if stale_only:
            cond = cond & or_(runs.c.heartbeat.is_(None), runs.c.heartbeat < time.time() - STALE)
        with self.engine.begin() as conn:
            return conn.execute(update(runs).where(cond).values(state="failed", error=INTERRUPTED)).rowcount

    def delete(self, run_id: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(runs).where(runs.c.id == run_id)).rowcount > 0

    def older_than(self, seconds: float) -> list[str]:
        with self.engine.begin() as conn:
            return [r.id for r in conn.execute(select(runs.c.id).where(runs.c.created < time.time() - seconds))]


class Judgements:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, left: str, right: str, judgement: str, user: str, note: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(judgements).values(left_id=left[:200], right_id=right[:200], judgement=judgement,
                                                   user_name=user, at=time.time(), note=note[:2000]))

    def latest(self) -> dict[frozenset, str]:
        """The latest judgement of each (unordered) pair."""
        out: dict[frozenset, str] = {}
        with self.engine.begin() as conn:
            for r in conn.execute(select(judgements).order_by(judgements.c.at, judgements.c.id)):
                out[frozenset((r.left_id, r.right_id))] = r.judgement
        return out
