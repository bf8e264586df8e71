"""Runs: an act applied to an uploaded registry in a background thread, with a status the page polls.

Each run is a directory under <data>/runs/<id>/: the upload, `run.json` (act, readings, on, state), and
`out/` with what `apply_act` writes. The raw input is also kept as `input.parquet` (every column as text)
so that any person's decision can be explained later."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from pathlib import Path

import duckdb

from clemency.errors import ClemencyError
from clemency.web.common import ApiError, log

STEPS = ["reading the registry", "resolving articles", "deciding (duckdb)", "writing outputs", "done"]


class Job:
    def __init__(self, root: Path, run_id: str, meta: dict):
        self.root, self.id, self.meta = root, run_id, meta
        self._lock = threading.Lock()

    @property
    def out(self) -> Path:
        return self.root / "out"

    def save(self) -> None:
        with self._lock:
            (self.root / "run.json").write_text(json.dumps(self.meta, indent=2, default=str))

    def update(self, **kw) -> None:
        self.meta.update(kw)
        self.save()

    def status(self) -> dict:
        m = self.meta
        step = m.get("step")
        index = STEPS.index(step) if step in STEPS else 0
        return {"id": self.id, "state": m["state"], "step": step, "progress": index / (len(STEPS) - 1),
                "error": m.get("error"), "rows": m.get("rows"), "act": m["act"], "readings": m["readings"],
                "on": m.get("on"), "created": m["created"]}

    def manifest(self) -> dict:
        p = self.out / "manifest.json"
        return json.loads(p.read_text()) if p.exists() else {}

    def summary(self) -> dict:
        p = self.out / "summary.json"
        return json.loads(p.read_text()) if p.exists() else {}

    @property
    def input_path(self) -> Path:
        return self.root / self.meta["file"]


def safe_name(name: str) -> str:
    base = Path(name or "registry").name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "registry"
    return base[:100]


class Jobs:
    def __init__(self, root: Path, audit):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.audit = audit
        self.jobs: dict[str, Job] = {}
        for d in sorted(self.root.iterdir()):
            p = d / "run.json"
            if p.exists():
                meta = json.loads(p.read_text())
                if meta.get("state") in ("queued", "running"):
                    meta["state"], meta["error"] = "failed", "the server stopped during the run"
                self.jobs[d.name] = Job(d, d.name, meta)

    def get(self, run_id: str) -> Job:
        job = self.jobs.get(run_id)
        if job is None:
            raise ApiError(404, f"no run {run_id!r}", ["the runs are listed at /runs"])
        return job

    def all(self) -> list[Job]:
        return sorted(self.jobs.values(), key=lambda j: j.meta["created"], reverse=True)

    def new(self, filename: str, act: str, readings: dict, on: str | None) -> Job:
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        root = self.root / run_id
        root.mkdir(parents=True)
        suffix = Path(filename).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".parquet", ".pq"):
            raise ApiError(400, "the registry must be a CSV, XLSX or Parquet file",
                           [f"found {suffix or 'no extension'} in the file name"])
        meta = {"id": run_id, "file": safe_name(filename), "act": act, "readings": readings, "on": on,
                "state": "queued", "step": None, "created": time.time()}
        job = Job(root, run_id, meta)
        self.jobs[run_id] = job
        return job

    def start(self, job: Job) -> None:
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"run-{job.id}").start()

    def _run(self, job: Job) -> None:
        from clemency.apply import apply_act
        from clemency.registry.read import stage_file
        t0 = time.perf_counter()
        job.update(state="running", step=STEPS[0])
        try:
            result = apply_act(job.meta["act"], job.input_path, job.out, readings=job.meta["readings"],
                               on=job.meta.get("on"), progress=lambda s: job.update(step=s))
            con = duckdb.connect()
            try:
                stage_file(job.input_path, con, "_raw_input")
                con.execute(f"COPY (SELECT * FROM _raw_input) TO '{job.root / 'input.parquet'}' (FORMAT PARQUET)")
            finally:
                con.close()
            job.update(state="done", step="done", rows=result.manifest["rows"],
                       seconds=round(time.perf_counter() - t0, 2))
            log.info("run %s done: %s rows decided", job.id, result.manifest["rows"]["decided"])
        except ClemencyError as exc:
            job.update(state="failed", error=str(exc))
            log.info("run %s failed: %s", job.id, exc.__class__.__name__)
        except Exception as exc:  # noqa: BLE001 - a background job must record, not crash
            job.update(state="failed", error=f"internal error ({exc.__class__.__name__})")
            log.error("run %s failed: %s", job.id, exc.__class__.__name__)
