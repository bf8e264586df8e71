"""The review ledger: people's judgements on pairs, append-only JSON lines.

Each line: {"left_id", "right_id", "judgement": same|different|unsure|undo, "reviewer", "at", "note"}.
Nothing is ever rewritten: reversing a judgement is appending a new one, and `undo` withdraws the pair's
judgement in force (the one before it, if any, holds again). The latest judgement per pair wins (by
``at``, then by position in the file); a pair is unordered (a~b is b~a).
Honoured on every run: `different` pairs are dropped, `same` pairs become `match` (a judged pair never
returns to review), `unsure` pairs stay in `review` whatever their score. `same` judgements chain:
people judged the same across list versions and sources form one identity (``identities``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from clemency.errors import ClemencyError

JUDGEMENTS = ("same", "different", "unsure")
UNDO = "undo"


class LedgerError(ClemencyError):
    """A ledger line that cannot be read, or a bad judgement."""


@dataclass(frozen=True, slots=True)
class Judgement:
    left_id: str
    right_id: str
    judgement: str
    reviewer: str
    at: str  # ISO 8601 timestamp, UTC
    note: str = ""

    @property
    def pair(self) -> frozenset[str]:
        return pair_key(self.left_id, self.right_id)


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((str(a), str(b)))


class Ledger:
    """A ledger file; reads all judgements on open, appends on ``record``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.entries: list[Judgement] = []
        self.torn: int | None = None      # where a last line cut off by a kill starts (never a judgement)
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        at = 0
        for n, raw in enumerate(lines, 1):
            start, at = at, at + len(raw) + 1
            line = raw.decode("utf-8", errors="replace")
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                j = Judgement(str(d["left_id"]), str(d["right_id"]), d["judgement"],
                              d.get("reviewer", ""), d.get("at", ""), d.get("note", ""))
            except (ValueError, KeyError, TypeError) as exc:
                if n == len(lines):        # the last line, without its line end: a write cut off by a kill
                    self.torn = start
                    continue
                raise LedgerError(f"unreadable ledger line ({exc.__class__.__name__})", where=f"{self.path.name}:{n}",
                                  hint="each line is a JSON object with left_id, right_id, judgement") from exc
            if j.judgement not in (*JUDGEMENTS, UNDO):
                raise LedgerError(f"judgement {j.judgement!r}, expected one of {', '.join(JUDGEMENTS)} or undo",
                                  where=f"{self.path.name}:{n}")
            self.entries.append(j)

    def _append(self, j: Judgement) -> None:
        """One line, in one write, flushed to disk. The part of a line a killed process left at the end (never
        a judgement: `_load` skipped it) is cut away first, so that the new line starts on a line of its own."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(j), ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            if self.torn is not None and self.torn < size:
                os.ftruncate(fd, self.torn)
            elif size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.torn = None
        self.entries.append(j)

    def record(self, left_id: str, right_id: str, judgement: str, reviewer: str, note: str = "",
               at: datetime | None = None) -> Judgement:
        """Append one judgement (reversing an earlier one is recording its opposite)."""
        if judgement not in JUDGEMENTS:
            raise LedgerError(f"judgement {judgement!r}, expected one of {', '.join(JUDGEMENTS)}")
        if not reviewer:
            raise LedgerError("a judgement needs a reviewer", hint="who made the judgement")
        stamp = (at or datetime.now(UTC)).isoformat(timespec="microseconds")
        j = Judgement(str(left_id), str(right_id), judgement, reviewer, stamp, note)
        self._append(j)
        return j

    def undo(self, left_id: str, right_id: str, reviewer: str, note: str = "",
             at: datetime | None = None) -> Judgement | None:
        """Withdraw the judgement in force on a pair (appended as an `undo` line); returns the judgement that
        holds again, if any."""
        if not reviewer:
            raise LedgerError("an undo needs a reviewer", hint="who withdraws the judgement")
        if pair_key(left_id, right_id) not in self.latest():
            raise LedgerError("no judgement on this pair to undo")
        stamp = (at or datetime.now(UTC)).isoformat(timespec="microseconds")
        j = Judgement(str(left_id), str(right_id), UNDO, reviewer, stamp, note)
        self._append(j)
        return self.latest().get(j.pair)

    def latest(self) -> dict[frozenset[str], Judgement]:
        """The judgement in force for every pair (an `undo` withdraws the one before it)."""
        stacks: dict[frozenset[str], list[Judgement]] = {}
        for _pos, j in sorted(enumerate(self.entries), key=lambda t: (t[1].at, t[0])):
            st = stacks.setdefault(j.pair, [])
            if j.judgement == UNDO:
                if st:
                    st.pop()
            else:
                st.append(j)
        return {k: st[-1] for k, st in stacks.items() if st}

    def identities(self) -> dict[str, str]:
        """Every id in a `same` judgement -> its identity: the ids judged the same, directly or through
        others (across list versions and sources), share one identity, named by the member that entered
        the ledger first, so that it does not change as later versions join the cluster."""
        parent: dict[str, str] = {}
        first: dict[str, int] = {}
        for n, j in enumerate(self.entries):
            for x in (j.left_id, j.right_id):
                first.setdefault(x, n)

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for j in self.latest().values():
            if j.judgement == "same":
                a, b = find(j.left_id), find(j.right_id)
                if a != b:
                    keep, drop = (a, b) if (first[a], a) <= (first[b], b) else (b, a)
                    parent[drop] = keep
        return {x: find(x) for x in list(parent)}

    def different(self) -> set[frozenset[str]]:
        """Pairs of identities that a `different` judgement keeps apart."""
        ident = self.identities()
        return {frozenset((ident.get(j.left_id, j.left_id), ident.get(j.right_id, j.right_id)))
                for j in self.latest().values() if j.judgement == "different"}

    def judgement(self, a: str, b: str) -> str | None:
        j = self.latest().get(pair_key(a, b))
        return j.judgement if j else None

    def history(self, a: str, b: str) -> list[Judgement]:
        key = pair_key(a, b)
        return [j for j in self.entries if j.pair == key]
