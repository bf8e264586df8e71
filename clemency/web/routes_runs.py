"""Run an act on a registry: upload, progress, browse and filter decisions, explanations, downloads.

Files are named by a fixed list, runs by id; nothing here opens a path taken from a request. Every CSV and
XLSX cell written here goes through clemency.report.cells (no formula from data); files that downloads
serve are written under a temporary name and renamed into place."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import threading
from pathlib import Path
from urllib.parse import urlencode

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.locale import N_, gettext_for, number
from clemency.locale.words import (
    DATE_COLUMNS,
    NONE_WORDS,
    WORD_COLUMNS,
    column_words,
    state_words,
    value_words,
)
from clemency.report import charts
from clemency.report.cells import neutralise, neutralise_sql
from clemency.report.stamp import act_title
from clemency.store import RANK
from clemency.web import report
from clemency.web.browse import NONE, PAGE, Query, browse, export_rows, page_numbers
from clemency.web.common import (
    ApiError,
    access,
    audit,
    config,
    log,
    render,
    require_csrf,
    role_of,
    sheet_cell,
    user_name,
)
from clemency.web.jobs import Job, Jobs
from clemency.web.middleware import CSP_REPORT
from clemency.web.routes_act import acts_list, get_act, newest_act, window_of

EXPORT_LIMIT = 100_000        # rows of a filtered view exported from the page (the full files hold all)
FINDINGS_SHOWN = 100
FILES = ("decisions.csv", "decisions.xlsx", "decisions.parquet", "manifest.json", "summary.json", "figures.csv",
         "figures.xlsx", "report.html")
_MAKE = threading.Lock()


def ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _decisions(con, job: Job, name: str = "d") -> None:
    con.read_parquet(str(job.out / "decisions.parquet")).create_view(name)


@access("viewer")
async def runs_page(request: Request):
    jobs: Jobs = request.app.state.jobs
    runs = await run_in_threadpool(lambda: [j.status() for j in jobs.all()])
    windows = await run_in_threadpool(lambda: {a: window_of(a, {}, None) for a in acts_list()})
    return render(request, "runs.html", runs=runs, acts=acts_list(), windows=windows,
                  max_mb=config(request).max_upload // (1024 * 1024),
                  state_words=state_words(getattr(request.state, "lang", "en")))


def parse_readings(text: str) -> dict:
    readings = {}
    for item in text.split()[:50]:
        if "=" not in item:
            raise ApiError(400, "bad reading", ["expected NAME=VALUE"])
        k, v = item.split("=", 1)
        readings[k] = v
    return readings


@access("operator")
async def start_run(request: Request):
    form = await request.form(max_files=1, max_fields=20)
    require_csrf(request, form)
    upload = form.get("registry")
    if upload is None or not hasattr(upload, "read"):
        raise ApiError(400, "no registry file in the upload", ["choose a CSV, XLSX or Parquet file"])
    act = str(form.get("act") or newest_act())
    if act not in acts_list():
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    readings = parse_readings(str(form.get("readings") or ""))
    from clemency.errors import ClemencyError
    from clemency.web.decider import decider
    on = str(form.get("on") or "").strip() or None
    try:
        await run_in_threadpool(decider, act, readings, on)
    except ClemencyError as exc:
        raise ApiError(400, "bad reading or decision date", str(exc).splitlines()[:5]) from None
    except (ValueError, OverflowError):
        raise ApiError(400, "bad decision date", ["expected a date YYYY-MM-DD"]) from None
    jobs: Jobs = request.app.state.jobs
    job = await run_in_threadpool(jobs.new, upload.filename or "registry.csv", act, readings, on, user_name(request))
    size = 0
    fd = os.open(job.input_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            fh.write(chunk)
    job.update(bytes=size)
    await audit(request, "upload", "run:" + job.id, bytes=size, act=act, readings=readings)
    log.info("run %s: upload of %d bytes", job.id, size)
    return _started(jobs, job)


def _started(jobs: Jobs, job: Job) -> RedirectResponse:
    jobs.start(job)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


async def _small_form(request: Request):
    """A small posted form (no file) whose CSRF token is checked."""
    form = await request.form(max_files=0, max_fields=5)
    require_csrf(request, form)
    return form


@access("operator")
async def run_again(request: Request):
    await _small_form(request)
    jobs: Jobs = request.app.state.jobs
    old = jobs.get(request.path_params["run_id"])
    if old.meta["state"] in ("queued", "running"):
        raise ApiError(409, "the run has not finished", [])
    if not old.input_path.is_file():
        raise ApiError(409, "the upload of this run is no longer kept", [])
    job = await run_in_threadpool(jobs.again, old, user_name(request))
    await audit(request, "run_again", "run:" + job.id, of=old.id)
    return _started(jobs, job)


@access("operator")
async def publish(request: Request):
    form = await _small_form(request)
    job = finished_job(request)
    value = str(form.get("published") or "1") not in ("0", "false", "")
    job.update(published=value)
    await audit(request, "publish" if value else "unpublish", "run:" + job.id)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


def query_of(request: Request, size: int = PAGE) -> Query:
    """The filters, search, sort and page of a request (the run page, its exports and the JSON API)."""
    try:
        return Query.from_params(request.query_params, size=size)
    except ValueError:
        raise ApiError(400, "bad page number", ["page is a whole number from 1"]) from None


def finished_job(request: Request) -> Job:
    """The run named in the path, which must have finished (409 otherwise)."""
    job = request.app.state.jobs.get(request.path_params["run_id"])
    if job.meta["state"] != "done":
        raise ApiError(409, "the run has not finished", [])
    return job


def findings_rows(job: Job, raw: bool, limit: int = FINDINGS_SHOWN) -> tuple[list, int]:
    """The first findings of a run: row, case id, field, what was expected; the raw value only when `raw`
    (operators)."""
    path = job.out / "findings.csv"
    if not path.is_file():
        return [], 0
    con = duckdb.connect()
    try:
        rel = con.read_csv(str(path), header=True, all_varchar=True)
        cols = {c.lower(): c for c in rel.columns}
        pick = [c for c in ("row", "case_id", "field", "value", "expected") if c in cols and (raw or c != "value")]
        con.register("f", rel)
        total = con.execute("SELECT count(*) FROM f").fetchone()[0]
        rows = con.execute(f"SELECT {', '.join(ident(cols[c]) for c in pick)} FROM f LIMIT ?", [limit]).fetchall()
    finally:
        con.close()
    return [dict(zip(pick, r)) for r in rows], total


def relief_chart(job: Job, summary: dict, lang: str) -> str | None:
    """Rows by relief (as the facets count them) as bars that link to the results browser filtered on that
    relief, each with a tooltip (server-rendered SVG: no script, nothing from outside)."""
    data = summary.get("by_relief") or {}
    if not data:
        return None
    g, name = gettext_for(lang), relief_namer(job.meta["act"], lang)
    keys = sorted(data, key=lambda k: -data[k]["rows"])
    words = [name(k) if k not in ("None", "") else g(NONE_WORDS) for k in keys]
    links = [f"/runs/{job.id}?{urlencode({'relief': k if k not in ('None', '') else NONE})}" for k in keys]
    return charts.linked_bars(g(N_("Rows by relief")), words, [data[k]["rows"] for k in keys], links, width=620,
                              number=lambda v: number(v, lang), lang=lang)


@access("viewer")
async def run_page(request: Request):
    job = request.app.state.jobs.get(request.path_params["run_id"])
    status = job.status()
    lang = getattr(request.state, "lang", "en")
    ctx = {"run": status, "manifest": {}, "summary": {}, "view": None, "query": Query(), "note": None,
           "findings": [], "findings_total": 0, "numbers": [], "chart": None}
    if status["state"] == "done":
        query = query_of(request)
        view = await run_in_threadpool(browse, job.out, job.root, query)
        found, found_total = await run_in_threadpool(findings_rows, job, is_operator(request))
        manifest, summary = job.manifest(), job.summary()
        chart = await run_in_threadpool(relief_chart, job, summary, lang)
        ctx.update(manifest=manifest, summary=summary, view=view, query=query,
                   numbers=page_numbers(query.page, view.pages), findings=found, findings_total=found_total,
                   stamp=report.stamp(manifest, lang), note=report.note(manifest), chart=chart)
    try:
        window = await run_in_threadpool(window_of, job.meta["act"], job.meta["readings"], job.meta.get("on"))
    except (ClemencyError, ValueError, OverflowError):
        window = None
    return render(request, "run.html", window=window, words=value_words(lang), num=lambda v: number(v, lang),
                  rword=relief_namer(job.meta["act"], lang), columns=column_words(lang),
                  state_words=state_words(lang), act_title=act_title(job.meta["act"], lang),
                  word_columns=WORD_COLUMNS, date_columns=DATE_COLUMNS, **ctx)


def relief_namer(act_id: str, lang: str):
    """A relief (as stored: `release_from_imprisonment`) in the words of the act's jurisdiction, in `lang`."""
    from clemency.errors import ClemencyError
    from clemency.jurisdictions import jurisdiction_of
    try:
        jur = jurisdiction_of(get_act(act_id))
    except (ApiError, ClemencyError):
        jur = jurisdiction_of(None)
    return lambda relief: jur.words(relief, lang) if relief else ""


def is_operator(request: Request) -> bool:
    return RANK[role_of(request)] >= RANK["operator"]


def _cell(v):
    if v is None:
        return ""
    return v.isoformat() if hasattr(v, "isoformat") else v


def view_bytes(job: Job, query: Query, fmt: str) -> tuple[bytes, str]:
    """The filtered view of a run as CSV, XLSX or JSON (every text cell made inert)."""
    names, rows, total = export_rows(job.out, job.root, query, EXPORT_LIMIT + 1)
    if total > EXPORT_LIMIT:
        raise ApiError(413, "too many rows for an export of the view",
                       [f"{total:,} rows; at most {EXPORT_LIMIT:,}: narrow the filters or download the whole "
                        "decisions file"])
    if fmt == "json":
        body = {"run": job.id, "query": query.params(page=None), "total": total,
                "rows": [{k: _cell(v) for k, v in zip(names, r)} for r in rows]}
        return json.dumps(body, ensure_ascii=False, default=str).encode(), "application/json"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([neutralise(n) for n in names])
        for r in rows:
            w.writerow([neutralise(_cell(v)) for v in r])
        return buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("decisions")
    ws.append([sheet_cell(n) for n in names])
    for r in rows:
        ws.append([sheet_cell(_cell(v)) for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@access("viewer")
async def view_export(request: Request):
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx", "json"):
        request.app.state.jobs.get(request.path_params["run_id"])    # an unknown run is a 404 all the same
        raise ApiError(404, "no such download", ["view.csv, view.xlsx, view.json"])
    job = finished_job(request)
    query = query_of(request)
    body, media = await run_in_threadpool(view_bytes, job, query, fmt)
    await audit(request, "export", "run:" + job.id, file=f"view.{fmt}")
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{job.id}-view.{fmt}"'})


def _record_for(job: Job, case_id: str) -> dict:
    con = duckdb.connect()
    try:
        con.read_parquet(str(job.root / "input.parquet")).create_view("i")
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM i").fetchall()]
        lower = {c.lower(): c for c in cols}
        pid = ident(lower.get("person_id", "person_id"))
        cid = lower.get("case_id")
        key = f"coalesce(nullif(trim({ident(cid)}), ''), trim({pid}))" if cid else f"trim({pid})"
        cur = con.execute(f"SELECT * FROM i WHERE {key} = ? LIMIT 1", [case_id])
        names = [x[0] for x in cur.description]
        row = cur.fetchone()
    finally:
        con.close()
    if row is None:
        raise ApiError(404, "no such row in this run", [])
    return {k: v for k, v in zip(names, row) if k != "_row" and v is not None and str(v).strip() != ""}


def _person(job: Job, case_id: str, lang: str = "en"):
    from clemency.act.load import load_shipped_act
    from clemency.web.routes_check import explain_record
    record = _record_for(job, case_id)
    decision, alts = explain_record(job.meta["act"], record, job.meta["readings"], job.meta.get("on"), lang)
    return decision, alts, load_shipped_act(job.meta["act"]).sources


@access("viewer")
async def person_page(request: Request):
    job = finished_job(request)
    case_id = request.path_params["case_id"][:200]
    decision, alts, sources = await run_in_threadpool(_person, job, case_id, getattr(request.state, "lang", "en"))
    await audit(request, "view_person", "run:" + job.id)
    return render(request, "person.html", run=job.status(), d=decision, alts=alts, sources=sources, case_id=case_id)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _atomic(path: Path, write) -> None:
    """`write(tmp)` to a temporary name beside `path`, owner-only, then renamed into place."""
    tmp = _tmp(path)
    write(tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _inert_csv(job: Job, path: Path, source: str) -> None:
    """decisions.parquet or findings.csv written as CSV with every cell as inert text."""
    con = duckdb.connect()
    try:
        if source == "findings.csv":
            rel = con.read_csv(str(job.out / source), header=True, all_varchar=True)
        else:
            rel = con.read_parquet(str(job.out / source))
        exprs = [neutralise_sql(f"CAST({ident(c)} AS VARCHAR)") + f" AS {ident(c)}" for c in rel.columns]
        _atomic(path, lambda tmp: rel.project(", ".join(exprs)).write_csv(str(tmp), header=True))
    finally:
        con.close()


def _decisions_xlsx(job: Job, path: Path) -> None:
    import openpyxl
    con = duckdb.connect()
    try:
        _decisions(con, job)
        n = con.execute("SELECT count(*) FROM d").fetchone()[0]
        if n > 1_048_575:
            raise ApiError(413, "too many rows for XLSX", [f"{n:,} rows; XLSX holds 1,048,575; use CSV or Parquet"])
        cur = con.execute("SELECT * FROM d ORDER BY _row")
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("decisions")
        ws.append([sheet_cell(x[0]) for x in cur.description])
        while batch := cur.fetchmany(10_000):
            for r in batch:
                ws.append([sheet_cell(v if not isinstance(v, (list, dict)) else str(v)) for v in r])
        _atomic(path, wb.save)
    finally:
        con.close()


def made(job: Job, what: str) -> Path:
    """The file of a download, made (atomically, cells neutralised) in the run's `exports/` folder when it
    does not exist yet; Parquet and JSON are served as `apply` wrote them."""
    if what in ("decisions.parquet", "manifest.json", "summary.json"):
        return job.out / what
    folder = job.root / "exports"
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / what
    with _MAKE:
        if path.exists():
            return path
        if what == "findings.csv":
            _inert_csv(job, path, "findings.csv")
        elif what == "decisions.csv":
            _inert_csv(job, path, "decisions.parquet")
        elif what == "decisions.xlsx":
            _decisions_xlsx(job, path)
        elif what == "figures.xlsx":
            _atomic(path, lambda tmp: report.figures_xlsx(job.summary(), job.manifest(), tmp))
    return path


@access("viewer")
async def download(request: Request):
    what = request.path_params["name"]
    if what not in FILES:
        request.app.state.jobs.get(request.path_params["run_id"])    # an unknown run is a 404 all the same
        raise ApiError(404, "no such download", [", ".join(FILES)])
    job = finished_job(request)
    await audit(request, "export", "run:" + job.id, file=what)
    return await serve_file(job, what, getattr(request.state, "lang", "en"))


async def serve_file(job: Job, what: str, lang: str = "en"):
    manifest, summary = job.manifest(), job.summary()
    if what == "figures.csv":
        return Response(report.figures_csv(summary, manifest), media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="{job.id}-figures.csv"'})
    if what == "report.html":
        return HTMLResponse(report.report_html(summary, manifest, lang),
                            headers={"content-disposition": f'inline; filename="{job.id}-report.html"',
                                     "content-security-policy": CSP_REPORT})
    path = await run_in_threadpool(made, job, what)
    if not path.is_file():
        raise ApiError(404, "no such download", [])
    return FileResponse(path, filename=f"{job.id}-{what}")


@access("operator")
async def findings(request: Request):
    """The rejected rows with their raw values: operators only."""
    job = finished_job(request)
    if not (job.out / "findings.csv").is_file():
        raise ApiError(404, "no such download", [])
    await audit(request, "export", "run:" + job.id, file="findings.csv")
    path = await run_in_threadpool(made, job, "findings.csv")
    return FileResponse(path, filename=f"{job.id}-findings.csv")


routes = [
    Route("/runs", runs_page, methods=["GET"]),
    Route("/runs", start_run, methods=["POST"]),
    Route("/runs/{run_id}", run_page),
    Route("/runs/{run_id}/again", run_again, methods=["POST"]),
    Route("/runs/{run_id}/publish", publish, methods=["POST"]),
    Route("/runs/{run_id}/person/{case_id:path}", person_page),
    Route("/runs/{run_id}/findings.csv", findings),
    Route("/runs/{run_id}/view.{fmt}", view_export),
    Route("/runs/{run_id}/files/{name}", download),
]
