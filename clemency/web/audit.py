"""The audit log: one JSON line per upload, judgement, export and sign-in, in the data directory.

Entries carry ids and counts, never personal data (no names, no record contents)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

_lock = threading.Lock()


class Audit:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, action: str, actor: str, **details) -> None:
        entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "action": action,
                 "actor": actor, **details}
        line = json.dumps(entry, ensure_ascii=False, default=str)
        with _lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(x) for x in self.path.read_text(encoding="utf-8").splitlines() if x.strip()]
