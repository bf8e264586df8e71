"""The audit log: who (user and address) did what to which object, never record contents.

Tamper-evident: each entry carries the hash of the previous one, and its own hash covers every field and
that previous hash (SHA-256 over canonical JSON). `verify` recomputes the chain and compares its end with
the head row, so an edited, inserted, reordered or deleted entry (at the end too) is found. Appends are
serialised by updating the head row first, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from clemency.store.schema import audit, audit_head

GENESIS = "0" * 64
FIELDS = ("seq", "at", "user_name", "address", "action", "object", "details")


def entry_hash(prev: str, entry: dict) -> str:
    body = json.dumps({k: entry[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "\n" + body).encode("utf-8")).hexdigest()


@dataclass
class Verdict:
    ok: bool
    entries: int
    problem: str | None = None
    seq: int | None = None


class Audit:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, action: str, user: str, address: str = "-", obj: str = "-", **details) -> int:
        """Append one entry; its sequence number."""
        with self.engine.begin() as conn:
            conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq + 1))
            head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
            entry = {"seq": head.seq, "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                     "user_name": str(user)[:64], "address": str(address or "-")[:64], "action": str(action)[:64],
                     "object": str(obj or "-")[:200],
                     "details": json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)}
            h = entry_hash(head.hash, entry)
            conn.execute(insert(audit).values(**entry, prev_hash=head.hash, hash=h))
            conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=h))
        return entry["seq"]

    def entries(self, limit: int | None = None) -> list[dict]:
        q = select(audit).order_by(audit.c.seq.desc() if limit else audit.c.seq)
        if limit:
            q = q.limit(limit)
        with self.engine.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        for r in rows:
            r["details"] = json.loads(r["details"])
        return rows

    def verify(self) -> Verdict:
        prev, n, expected = GENESIS, 0, 1
        with self.engine.connect() as conn:
            head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
            for row in conn.execute(select(audit).order_by(audit.c.seq)).yield_per(1000):
                e = dict(row._mapping)
                if e["seq"] != expected:
                    return Verdict(False, n, f"entry {expected} is missing (found {e['seq']} next)", expected)
                if e["prev_hash"] != prev:
                    return Verdict(False, n, f"entry {e['seq']} does not follow the entry before it", e["seq"])
                if entry_hash(prev, e) != e["hash"]:
                    return Verdict(False, n, f"entry {e['seq']} was changed after it was written", e["seq"])
                prev, n, expected = e["hash"], n + 1, expected + 1
        if head.seq != n or head.hash != prev:
            return Verdict(False, n, f"the log ends at entry {n} but {head.seq} were written", n + 1)
        return Verdict(True, n)
