"""Runs: an act applied to an uploaded registry in a background thread, with a status the page polls.

The run's row (act, readings, state, step, error, counts, owner) lives in the store, so every server
process sees it and it survives a restart; a run interrupted by a restart is marked failed with that reason
and can be run again. Its files live in <data>/runs/<id>/ (owner-only permissions): the upload, `out/` with
what `apply_act` writes, and `input.parquet` (every column as text) to explain any person later."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
import time
from pathlib import Path

from clemency.errors import ClemencyError
from clemency.web.common import ApiError, log, public_text

STEPS = ["reading the registry", "resolving articles", "deciding (duckdb)", "writing outputs", "done"]
RUN_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")
SUFFIXES = (".csv", ".xlsx", ".parquet", ".pq")
BEAT = 5
MAX_RUNS = int(os.environ.get("CLEMENCY_MAX_RUNS") or 2)   # runs deciding at once in one process; others queue
_SLOTS = threading.BoundedSemaphore(MAX_RUNS)


class Job:
    def __init__(self, root: Path, run: dict, runs):
        self.root, self.id, self.meta, self._runs = root, run["id"], run, runs

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def input_path(self) -> Path:
        return self.root / self.meta["file"]

    def update(self, **kw) -> None:
        self.meta.update(kw)
        self._runs.update(self.id, **kw)

    def status(self) -> dict:
        m = self.meta
        step = m.get("step")
        index = STEPS.index(step) if step in STEPS else 0
        return {"id": self.id, "state": m["state"], "step": step, "progress": index / (len(STEPS) - 1),
                "error": m.get("error"), "rows": m.get("rows"), "act": m["act"], "readings": m["readings"],
                "on": m.get("on"), "created": m["created"], "published": m.get("published", False),
                "file": m.get("file") or "", "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(m["created"]))}

    def _json(self, name: str) -> dict:
        import json
        p = self.out / name
        return json.loads(p.read_text()) if p.exists() else {}

    def manifest(self) -> dict:
        return self._json("manifest.json")

    def summary(self) -> dict:
        return self._json("summary.json")


def safe_name(name: str) -> str:
    base = Path(str(name or "registry").replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "registry"
    return base[-100:]


_PRESENT = re.compile(r"columns present: (.*?); required: ")


def _known_columns(m: re.Match) -> str:
    """The columns a registry is missing fields beside, named only when they are registry fields: a file
    without a header has a person's record in its first line, which no message may repeat."""
    from clemency.registry.schema import FIELDS
    cols = [c.strip() for c in m.group(1).split(",")]
    known = [c for c in cols if c.lower() in FIELDS]
    if not known:
        return "none of the columns is a registry field (does the first line name the columns?); required: "
    others = len(cols) - len(known)
    return (f"registry fields present: {', '.join(known)}"
            + (f" (and {others} other column(s))" if others else "") + "; required: ")


_TWICE = re.compile(r"the header names the column (['\"])(.*?)\1 twice")


def _twice(m: re.Match) -> str:
    from clemency.registry.schema import FIELDS
    name = m.group(2)
    return f"the header names the column '{name}' twice" if name.strip().lower() in FIELDS else \
        "the header names a column twice"


def run_error(exc: BaseException, root: Path) -> str:
    """What a failed run says to its viewers: our own message, paths cut to file names, a few lines; never
    the values of a record (the columns of a file without a header are its first record)."""
    if not isinstance(exc, ClemencyError):
        return "internal error: the run stopped unexpectedly (the server log has the kind of error)"
    text = str(exc).replace(str(root) + os.sep, "").replace(str(root), "")
    text = _PRESENT.sub(_known_columns, text)
    text = _TWICE.sub(_twice, text)
    lines = [public_text(x) for x in text.splitlines()[:20]]
    return "\n".join(x[:300] for x in lines)


class Jobs:
    def __init__(self, root: Path, store):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.runs = store.runs

    def get(self, run_id: str) -> Job:
        run = self.runs.get(run_id) if RUN_ID.fullmatch(run_id or "") else None
        if run is None or not (self.root / run_id).is_dir():
            raise ApiError(404, "no such run", ["the runs are listed at /runs"])
        return Job(self.root / run_id, run, self.runs)

    def all(self) -> list[Job]:
        return [Job(self.root / r["id"], r, self.runs) for r in self.runs.all()]

    def new(self, filename: str, act: str, readings: dict, on: str | None, owner: str) -> Job:
        suffix = Path(safe_name(filename)).suffix.lower()
        if suffix not in SUFFIXES:
            raise ApiError(400, "the registry must be a CSV, XLSX or Parquet file",
                           ["the file name must end in .csv, .xlsx or .parquet"])
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        root = self.root / run_id
        root.mkdir(mode=0o700)
        run = self.runs.create(run_id, safe_name(filename), act, readings, on, owner)
        return Job(root, run, self.runs)

    def again(self, job: Job, owner: str) -> Job:
        """A new run of the same upload, act, readings and date."""
        new = self.new(job.meta["file"], job.meta["act"], job.meta["readings"], job.meta.get("on"), owner)
        shutil.copyfile(job.input_path, new.input_path)
        os.chmod(new.input_path, 0o600)
        new.update(bytes=job.meta.get("bytes"))
        return new

    def delete(self, run_id: str) -> bool:
        """Delete a run's files and row (its personal data). True when there was one. The files go first: a
        deletion cut off by a kill leaves the row listed, to be deleted again, never files no row names."""
        root = self.root / run_id if RUN_ID.fullmatch(run_id or "") else None
        found = False
        if root is not None and root.is_dir():
            shutil.rmtree(root)
            found = True
        return self.runs.delete(run_id) or found

    def start(self, job: Job) -> None:
        threading.Thread(target=self.run, args=(job,), daemon=True, name=f"run-{job.id}").start()

    def run(self, job: Job) -> None:
        stop = threading.Event()

        def beat():
            while not stop.wait(BEAT):
                try:
                    self.runs.beat(job.id)
                except Exception:  # noqa: BLE001 - a missed beat is not fatal
                    log.warning("run %s: heartbeat not recorded", job.id)
        threading.Thread(target=beat, daemon=True, name=f"beat-{job.id}").start()
        try:
            with _SLOTS:      # queued (and beating) until a slot is free: memory stays bounded
                self._run(job)
        finally:
            stop.set()

    def _run(self, job: Job) -> None:
        import duckdb

        from clemency.apply import apply_act
        from clemency.registry.read import stage_file
        t0 = time.perf_counter()
        job.update(state="running", step=STEPS[0], heartbeat=time.time())
        try:
            result = apply_act(job.meta["act"], job.input_path, job.out, readings=job.meta["readings"],
                               on=job.meta.get("on"), progress=lambda s: job.update(step=str(s)[:64]))
            con = duckdb.connect()
            try:
                stage_file(job.input_path, con, "_raw_input")
                tmp = job.root / f".input-{secrets.token_hex(4)}.parquet"
                con.table("_raw_input").write_parquet(str(tmp))
                os.chmod(tmp, 0o600)
                os.replace(tmp, job.root / "input.parquet")
            finally:
                con.close()
            for p in job.out.rglob("*"):
                os.chmod(p, 0o700 if p.is_dir() else 0o600)
            os.chmod(job.out, 0o700)
            job.update(state="done", step="done", rows=result.manifest["rows"],
                       seconds=round(time.perf_counter() - t0, 2))
            log.info("run %s done: %s rows decided", job.id, result.manifest["rows"]["decided"])
        except ClemencyError as exc:
            job.update(state="failed", error=run_error(exc, job.root))
            log.info("run %s failed: %s", job.id, exc.__class__.__name__)
        except Exception as exc:  # noqa: BLE001 - a background job must record, not crash
            job.update(state="failed", error=run_error(exc, job.root))
            log.error("run %s failed: %s", job.id, exc.__class__.__name__)
