"""The drafting pages' library side: what a flip is (its kind, from the library's flips.csv), the choices a
drafting form may make (checked against the act: readings, overlays, other acts, synthetic sizes), the jobs (a
folder with meta.json and the result of `clemency.compare.compare`, `bounds.bounds` or `attribution.attribution`,
computed in a background thread one at a time), and the words a page shows (reliefs, clauses, readings, reports).
The routes are in routes_drafting.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import secrets
import threading
import time
from functools import lru_cache
from pathlib import Path

import duckdb
import yaml
from starlette.requests import Request

from clemency.act.refs import OVERLAYS_DIR
from clemency.errors import ClemencyError
from clemency.jurisdictions import jurisdiction_of
from clemency.locale import N_, gettext_for
from clemency.locale import date as date_words
from clemency.report.cells import neutralise
from clemency.web.common import (
    ApiError,
    config,
    log,
    public_text,
    require_role,
    sheet_cell,
)
from clemency.web.routes_act import acts_list, get_act, overlays_list

TOOLS = ("compare", "bounds", "attribution")
SYNTH_SIZES = (1_000, 5_000, 20_000, 40_000, 100_000)   # a fixed list: each size is made once and kept
SYNTH_DEFAULT = 20_000
KEEP_SYNTHETIC = 200             # results on synthetic registries kept; older finished ones are deleted
MAX_WAITING = 4                  # jobs queued or running in this process; more are refused until one ends
PAGE = 50
STALE = 900                      # seconds without news from a running job: it was interrupted
SYNTH_ID = re.compile(r"s-[0-9a-f]{20}")
RUN_JOB_ID = re.compile(r"r-([0-9]{8}-[0-9]{6}-[0-9a-f]{6})-([0-9a-f]{12})")
_SLOT = threading.Semaphore(1)   # one drafting job at a time per process: the machine stays responsive
_SYNTH = threading.Lock()
_WAITING = threading.BoundedSemaphore(MAX_WAITING)

KINDS = {"gains": N_("gains relief"), "loses": N_("loses relief"), "other_relief": N_("another relief"),
         "other_clause": N_("the same relief under another clause"), "other_date": N_("the same relief, other dates")}
WHEN = {"on the day": N_("on the decision date"), "later in the window": N_("later in the window")}
RESULT = {"H": N_("held"), "F": N_("failed"), "U": N_("unknown"), "-": N_("not decided (content unknown)"),
          "x": N_("not in that act")}
STEPS = {"compare": N_("comparing the two sides"), "bounds": N_("deciding under every combination of readings"),
         "attribution": N_("deciding without each exclusion"), "synthetic": N_("making the synthetic registry"),
         "queued": N_("waiting for another job to finish")}
SYNTHETIC_WORDS = N_("This registry is synthetic. Its proportions are assumptions calibrated to the published "
                     "figures, so any agreement with the published totals follows from that calibration, "
                     "not from observation.")
FLIP_EXPORT = ["person_id", "case_id", "flip_when", "kind", "base_relief", "base_clause", "base_eligible_from",
               "base_new_sentence_end", "alt_relief", "alt_clause", "alt_eligible_from", "alt_new_sentence_end",
               "base_upcoming_relief", "base_upcoming_clause", "base_upcoming_from", "alt_upcoming_relief",
               "alt_upcoming_clause", "alt_upcoming_from", "clause_changes", "exclusion_changes",
               "base_excluded_by", "alt_excluded_by"]


# ---- what a flip is ---------------------------------------------------------------------------------------

def _side(s: str) -> tuple[str, str, str]:
    """SQL for one side's relief, clause and first day as the flip is judged: on the decision date for a flip
    on that day; for a flip later in the window, the relief that holds later (or the day's, when none does)."""
    later = f"{s}_upcoming_relief IS NOT NULL AND flip_when <> 'on the day'"
    return (f"CASE WHEN {later} THEN {s}_upcoming_relief ELSE {s}_relief END",
            f"CASE WHEN {later} THEN {s}_upcoming_clause ELSE {s}_clause END",
            f"CASE WHEN {later} THEN {s}_upcoming_from ELSE {s}_eligible_from END")


def _benefit(expr: str) -> str:
    return f"(coalesce({expr}, 'none') NOT IN ('none', 'indeterminate'))"


def kind_sql() -> str:
    """The kind of a flip of `flips.csv`: gains relief, loses relief, another relief, the same relief under
    another clause, or the same relief and clause with other dates."""
    (br, bc, _), (ar, ac, _) = _side("base"), _side("alt")
    return (f"CASE WHEN NOT {_benefit(br)} AND {_benefit(ar)} THEN 'gains' "
            f"WHEN {_benefit(br)} AND NOT {_benefit(ar)} THEN 'loses' "
            f"WHEN ({br}) IS DISTINCT FROM ({ar}) THEN 'other_relief' "
            f"WHEN ({bc}) IS DISTINCT FROM ({ac}) THEN 'other_clause' ELSE 'other_date' END")


def _flips(con, path: Path, scope: str) -> None:
    """The view `f`: the library's flips.csv with each flip's kind and its row number; `scope` 'day' keeps
    the flips on the decision date only."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM read_csv('{_sql_path(path)}', header=true, "
                "all_varchar=true, auto_detect=true)")
    where = "WHERE flip_when = 'on the day'" if scope == "day" else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW f AS SELECT *, {kind_sql()} AS kind, row_number() OVER () AS n "
                f"FROM raw {where}")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def flip_counts(path: Path, scope: str = "window") -> dict:
    """Flips by kind (rows and persons), in KINDS order, and the total."""
    con = duckdb.connect()
    try:
        _flips(con, path, scope)
        got = {k: (n, p) for k, n, p in con.execute(
            "SELECT kind, count(*), count(DISTINCT person_id) FROM f GROUP BY 1").fetchall()}
        total = con.execute("SELECT count(*), count(DISTINCT person_id) FROM f").fetchone()
    finally:
        con.close()
    return {"kinds": {k: {"rows": got.get(k, (0, 0))[0], "persons": got.get(k, (0, 0))[1]} for k in KINDS},
            "rows": total[0], "persons": total[1]}


def flip_page(path: Path, scope: str, kind: str | None, page: int, size: int = PAGE) -> tuple[list[dict], int]:
    con = duckdb.connect()
    try:
        _flips(con, path, scope)
        where, args = ("WHERE kind = ?", [kind]) if kind in KINDS else ("", [])
        total = con.execute(f"SELECT count(*) FROM f {where}", args).fetchone()[0]
        cur = con.execute(f"SELECT * FROM f {where} ORDER BY n LIMIT ? OFFSET ?", args + [size, (page - 1) * size])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    return rows, total


def flip_rows(path: Path, scope: str, kind: str | None) -> tuple[list[str], list[list]]:
    con = duckdb.connect()
    try:
        _flips(con, path, scope)
        where, args = ("WHERE kind = ?", [kind]) if kind in KINDS else ("", [])
        cols = ", ".join(f'"{c}"' for c in FLIP_EXPORT)
        rows = con.execute(f"SELECT {cols} FROM f {where} ORDER BY n", args).fetchall()
    finally:
        con.close()
    return FLIP_EXPORT, [list(r) for r in rows]


# ---- the choices of the form, checked ---------------------------------------------------------------------

def _overlay_base(overlay_id: str, depth: int = 0) -> str | None:
    """The shipped act an overlay patches (through overlays of overlays)."""
    doc = yaml.safe_load((OVERLAYS_DIR / f"{overlay_id}.yaml").read_text(encoding="utf-8")) or {}
    base = str(doc.get("overlay") or "")
    if base in overlays_list() and depth < 5:
        return _overlay_base(base, depth + 1)
    return base or None


@lru_cache(maxsize=8)
def overlays_of(act_id: str) -> tuple[str, ...]:
    return tuple(o for o in overlays_list() if _overlay_base(o) == act_id)


def choices(act) -> dict:
    """The readings that may be set (name -> values) and the alternatives: a reading switched, an overlay of
    the act, another shipped act."""
    readings = {n: list(r.values) for n, r in act.readings.items() if not r.is_date and r.values}
    return {"readings": readings, "overlays": list(overlays_of(act.id)),
            "acts": [a for a in acts_list() if a != act.id]}


def parse_base_readings(form, act) -> dict:
    """`reading.NAME` fields: each must be one of the act's readings, with one of its values."""
    allowed = choices(act)["readings"]
    out = {}
    for key in form.keys():
        if not key.startswith("reading."):
            continue
        name, value = key[len("reading."):], str(form.get(key) or "")
        if name not in allowed:
            raise ApiError(400, "a reading that is not one of this act's",
                           [f"the readings of {act.id}: {', '.join(allowed)}"])
        if value not in allowed[name]:
            raise ApiError(400, f"a value that the reading {name} does not have",
                           [f"its values: {', '.join(allowed[name])}"])
        out[name] = value
    return out


def parse_alternative(text: str, act, base: dict) -> tuple[str, dict, str]:
    """(alternative act or overlay id, its readings, kind) from `reading:NAME=VALUE`, `overlay:ID`, `act:ID`."""
    ch = choices(act)
    kind, _, rest = str(text or "").partition(":")
    if kind == "reading" and "=" in rest:
        name, value = rest.split("=", 1)
        if name in ch["readings"] and value in ch["readings"][name]:
            if value == base.get(name, act.readings[name].default):
                raise ApiError(400, "the alternative is the baseline itself",
                               ["choose another value of the reading, or another baseline"])
            return act.id, {**base, name: value}, "reading"
    elif kind == "overlay" and rest in ch["overlays"]:
        return rest, dict(base), "overlay"
    elif kind == "act" and rest in ch["acts"]:
        return rest, {}, "act"
    raise ApiError(400, "an alternative that is not one of this act's readings, overlays or the shipped acts",
                   [f"readings of {act.id}: {', '.join(ch['readings']) or '(none)'}",
                    f"overlays of {act.id}: {', '.join(ch['overlays']) or '(none)'}",
                    f"other acts: {', '.join(ch['acts']) or '(none)'}"])


def parse_on(text) -> str | None:
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ApiError(400, "bad decision date", ["expected a date YYYY-MM-DD, or none for the entry into force"]) from None


def parse_rows(text) -> int:
    try:
        rows = int(str(text or SYNTH_DEFAULT).replace(",", "").strip())
    except ValueError:
        rows = -1
    if rows not in SYNTH_SIZES:
        raise ApiError(400, "bad number of rows", [f"one of {', '.join(f'{n:,}' for n in SYNTH_SIZES)}"])
    return rows


# ---- jobs: a folder with meta.json and the library's result ------------------------------------------------

def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def job_folder(request: Request, job_id: str) -> Path:
    """The folder of a job named by id (checked against fixed patterns; a run's job lives in the run's folder)."""
    if SYNTH_ID.fullmatch(job_id or ""):
        return config(request).data_dir / "drafting" / job_id
    m = RUN_JOB_ID.fullmatch(job_id or "")
    if m:
        require_role(request, "viewer")
        run = request.app.state.jobs.get(m.group(1))
        return run.root / "drafting" / m.group(2)
    raise ApiError(404, "no such drafting result", ["start one at /drafting"])


def job_state(folder: Path) -> dict:
    meta = read_json(folder / "meta.json")
    if not meta:
        raise ApiError(404, "no such drafting result", ["start one at /drafting"])
    beat = meta.get("beat", 0)
    if meta.get("state") in ("queued", "running") and (time.time() - beat > STALE or beat < _server_started()):
        meta.update(state="failed", error=N_("interrupted: the server stopped while this was being computed; start it again"))
    return meta


def _server_started() -> float:
    """When `clemency serve` started, before its workers: a job last heard of earlier was cut off by a stop."""
    try:
        return float(os.environ.get("CLEMENCY_STARTED") or 0)
    except ValueError:
        return 0.0


def synthetic_registry(data_dir: Path, rows: int) -> Path:
    """The synthetic registry of `rows` rows (seed 0), made once and shared by every synthetic job."""
    from clemency.registry.synth import synth
    folder = data_dir / "drafting"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"synthetic-{rows}.parquet"
    with _SYNTH:
        if not path.is_file():
            tmp = folder / f".synthetic-{rows}-{secrets.token_hex(4)}.parquet"
            synth(rows, tmp, seed=0)
            os.replace(tmp, path)
    return path


def run_job(folder: Path, meta: dict, registry) -> None:
    """Compute a job (in a background thread): the library's function, its result in the folder."""
    def update(**kw):
        meta.update(kw, beat=time.time())
        _write_json(folder / "meta.json", meta)

    try:
        update(state="queued", step="queued", progress=0.0)
        with _SLOT:
            _compute(folder, meta, registry, update)
    finally:
        _WAITING.release()


def _compute(folder: Path, meta: dict, registry, update) -> None:
    """The library function of the job's tool; its result (or its failure, in words) in the folder."""
    try:
        update(state="running")
        if callable(registry):
            update(step="synthetic")
            registry = registry()
        p = meta["params"]
        update(step=meta["tool"])
        if meta["tool"] == "compare":
            from clemency.compare import compare
            order = ["reading the registry", "deciding under the base", "deciding under the alternative",
                     "comparing"]
            res = compare(registry, p["act"], p["alt"], folder / "compare", p["readings"], p["alt_readings"],
                          on=p["on"], html=False,
                          progress=lambda s: update(progress=(order.index(s) + 1) / 5 if s in order else 0.5))
            result = res.summary
            result["flip_counts"] = {s: flip_counts(folder / "compare" / "flips.csv", s) for s in ("window", "day")}
        elif meta["tool"] == "bounds":
            from clemency.compare.bounds import bounds
            result = bounds(registry, p["act"], progress=lambda d, t: update(progress=d / max(t, 1)))
            result.pop("per_combination", None)
        else:
            from clemency.compare.attribution import attribution
            n = len([c for c in get_act(p["act"]).clauses if c.kind == "exclusion"]) + 2
            seen = []
            result = attribution(registry, p["act"], p["readings"], None, on=p["on"],
                                 progress=lambda s: (seen.append(s), update(progress=len(seen) / n)))
        result.pop("registry", None)                # a machine path: never shown
        for side in ("base", "alt"):
            if isinstance(result.get(side), dict):
                result[side].pop("act_path", None)
        _write_json(folder / "result.json", result)
        update(state="done", step="done", progress=1.0)
        log.info("drafting %s (%s) done", folder.name, meta["tool"])
    except ClemencyError as exc:
        lines = [public_text(x)[:300] for x in str(exc).splitlines()[:8]]
        update(state="failed", error="\n".join(lines) or N_("the registry could not be decided"))
        log.info("drafting %s failed: %s", folder.name, exc.__class__.__name__)
    except Exception as exc:  # noqa: BLE001 - a background job records, never crashes the server
        update(state="failed", error=N_("internal error: the computation stopped (the server log has the kind of error)"))
        log.error("drafting %s failed: %s", folder.name, exc.__class__.__name__)


def prune(root: Path, keep: int | None = None) -> int:
    """Delete the oldest finished results on synthetic registries beyond `keep` (anyone may ask for one, so
    their number is bounded); returns how many were deleted."""
    import shutil
    keep = KEEP_SYNTHETIC if keep is None else keep
    jobs = sorted((p for p in root.glob("s-*") if SYNTH_ID.fullmatch(p.name) and (p / "meta.json").is_file()),
                  key=lambda p: (p / "meta.json").stat().st_mtime, reverse=True)
    gone = 0
    for p in jobs[keep:]:
        if read_json(p / "meta.json").get("state") in ("done", "failed"):
            shutil.rmtree(p, ignore_errors=True)
            gone += 1
    return gone


def start(folder: Path, meta: dict, registry) -> None:
    if not _WAITING.acquire(blocking=False):
        raise ApiError(503, "the server is busy with other drafting computations", ["try again in a minute"],
                       headers={"retry-after": "60"})
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    meta.update(state="queued", beat=time.time(), created=time.time())
    _write_json(folder / "meta.json", meta)
    threading.Thread(target=run_job, args=(folder, meta, registry), daemon=True,
                     name=f"drafting-{folder.name}").start()


# ---- words for the pages ----------------------------------------------------------------------------------

class Words:
    """Acts, readings, reliefs and clauses in the page's language (no internal codes on the page)."""

    def __init__(self, lang: str, act, alt=None):
        self.lang, self.g, self.act, self.alt = lang, gettext_for(lang), act, alt or act
        self.jur = jurisdiction_of(act)

    def relief(self, relief) -> str:
        return self.jur.label(relief, self.lang) if relief else self.g(N_("none"))

    def reading(self, name: str, value: str, act=None) -> str:
        r = (act or self.act).readings.get(name)
        if r is None:
            return self.g(N_("another reading"))
        meaning = r.values.get(value) or value
        return f"{self.g(r.says) if r.says else name}: {self.g(meaning)}"

    def readings(self, changed: dict, act=None) -> list[str]:
        return [self.reading(n, v, act) for n, v in changed.items()]

    def clause(self, clause_id, side: str = "base") -> dict | None:
        if not clause_id:
            return None
        act = self.act if side == "base" else self.alt
        c = next((c for c in act.clauses if c.id == clause_id), None)
        if c is None:
            return {"id": clause_id, "text": "", "status": ""}
        return {"id": c.id, "text": self.g(c.text), "status": self.g(c.status), "status_code": c.status}

    def changes(self, text) -> list[str]:
        """`F3:H>F;B3:F>H` in words: each clause whose result changed, under the baseline and the alternative."""
        out = []
        for part in str(text or "").split(";"):
            m = re.fullmatch(r"(.+):(.)>(.)", part)
            if m:
                b, a = self.g(RESULT.get(m.group(2), "unknown")), self.g(RESULT.get(m.group(3), "unknown"))
                out.append(self.g(N_("{clause}: {base} under the baseline, {alt} under the alternative")).format(
                    clause=m.group(1), base=b, alt=a))
        return out

    def report(self, report_id: str) -> str:
        """An official figures report by its words (`moj-2026-02-08` -> the Ministry of Justice's of that day)."""
        if report_id == "announced":
            return self.g(N_("announced with the act"))
        m = re.fullmatch(r"moj-(\d{4}-\d{2}-\d{2})", report_id)
        if m:
            return self.g(N_("Ministry of Justice, {date}")).format(date=date_words(m.group(1), self.lang))
        return report_id

    def title(self, act) -> str:
        """The act's title in the page's language: its own `titles`, or the catalogue (an overlay inherits
        its base's `titles`, so its own title goes through the catalogue)."""
        titles = {} if act.id in overlays_list() else getattr(act, "meta", {}).get("titles") or {}
        return titles.get(self.lang) or self.g(act.title)


def flip_view(row: dict, w: Words) -> dict:
    """One flip as the page shows it: each side's relief, clause (text and status) and dates, in words."""
    def side(s: str) -> dict:
        up = row.get(f"{s}_upcoming_relief")
        return {"relief": w.relief(row.get(f"{s}_relief")), "clause": w.clause(row.get(f"{s}_clause"), s),
                "from": row.get(f"{s}_eligible_from"), "new_end": row.get(f"{s}_new_sentence_end"),
                "later": {"relief": w.relief(up), "clause": w.clause(row.get(f"{s}_upcoming_clause"), s),
                          "from": row.get(f"{s}_upcoming_from")} if up else None}
    excl = []
    for part in str(row.get("exclusion_changes") or "").split(";"):
        if part[:1] == "-":
            excl.append(w.g(N_("{clause} no longer excludes")).format(clause=part[1:]))
        elif part[:1] == "+":
            excl.append(w.g(N_("{clause} now excludes")).format(clause=part[1:]))
    return {"person_id": row.get("person_id"), "case_id": row.get("case_id") or row.get("person_id"),
            "when": w.g(WHEN.get(row.get("flip_when"), "on the decision date")), "kind": w.g(KINDS[row["kind"]]),
            "kind_code": row["kind"], "base": side("base"), "alt": side("alt"),
            "changes": w.changes(row.get("clause_changes")), "exclusions": excl}


def describe(meta: dict, lang: str) -> tuple[dict, Words]:
    """The job's question in words: the act, the baseline readings, the alternative, the registry, the date."""
    p = meta["params"]
    act = get_act(p["act"])
    alt = get_act(p["alt"], overlays=True) if p.get("alt") else act
    w = Words(lang, act, alt)
    base_changed = {n: v for n, v in p["readings"].items() if v != act.readings[n].default}
    out = {"act": w.title(act), "act_id": act.id, "baseline": w.readings(base_changed) or [w.g(N_("the default readings"))],
           "on": p["on"], "registry": meta["registry"]}
    if meta["tool"] == "compare":
        if p["alt_kind"] == "reading":
            switched = {n: v for n, v in p["alt_readings"].items() if p["readings"].get(n, act.readings[n].default) != v}
            out["alternative"] = w.readings(switched)
        else:
            out["alternative"] = [w.title(alt)]
            out["alt_id"] = alt.id
    return out, w



def cached_chart(folder: Path, key: str, draw, *args) -> str:
    """A chart of a finished result, drawn once per view and language (a result never changes)."""
    path = folder / "charts" / f"{key}.svg"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    svg = draw(*args)
    path.parent.mkdir(exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(svg, encoding="utf-8")
    os.replace(tmp, path)
    return svg


def same_scale(result: dict) -> bool:
    """Whether the official figures count about as many people as this registry gives relief to (within a
    factor of two of the largest official total): only then are they drawn on the same axis."""
    total = result["reliefs"].get("total", {}).get("default") or 0
    official = [v for v in result["reliefs"].get("total", {}).get("official", {}).values() if v]
    return bool(total and official) and max(official) / 2 <= total <= max(official) * 2


def export_bytes(names: list[str], rows: list[list], fmt: str) -> tuple[bytes, str]:
    if fmt == "csv":
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(names)
        for r in rows:
            out.writerow([neutralise("" if v is None else v) for v in r])
        return buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("flips")
    ws.append(names)
    for r in rows[:1_048_575]:
        ws.append([sheet_cell("" if v is None else v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

