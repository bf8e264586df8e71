"""Run an act on a registry: upload, progress, browse and filter decisions, explanations, downloads,
published reports."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from clemency.web import report
from clemency.web.common import ApiError, actor, config, log, render, require_csrf, require_operator
from clemency.web.jobs import Job, Jobs
from clemency.web.routes_act import acts_list

PAGE = 50
FILTERS = ("relief", "clause", "crime_category", "sex")


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def query_decisions(job: Job, filters: dict, page: int) -> tuple[list[str], list[tuple], int, dict]:
    src = f"read_parquet({_lit(job.out / 'decisions.parquet')})"
    where, params = [], []
    for k in FILTERS:
        v = filters.get(k)
        if v == "(none)":
            where.append(f"{k} IS NULL")
        elif v:
            where.append(f"{k} = ?")
            params.append(v)
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    con = duckdb.connect()
    try:
        total = con.execute(f"SELECT count(*) FROM {src}{cond}", params).fetchone()[0]
        cur = con.execute(f"SELECT person_id, case_id, sex, status, punishment, crime_category, relief, clause, "
                          f"basis, reduction_months, new_sentence_end, eligible_from, excluded_by FROM {src}{cond} "
                          f"ORDER BY _row LIMIT {PAGE} OFFSET {max(page - 1, 0) * PAGE}", params)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        options = {k: [r[0] if r[0] is not None else "(none)" for r in
                       con.execute(f"SELECT DISTINCT {k} FROM {src} ORDER BY 1 NULLS LAST").fetchall()]
                   for k in FILTERS}
    finally:
        con.close()
    return names, rows, total, options


async def runs_page(request: Request):
    jobs: Jobs = request.app.state.jobs
    return render(request, "runs.html", runs=[j.status() for j in jobs.all()], acts=acts_list(),
                  max_mb=config(request).max_upload // (1024 * 1024))


async def start_run(request: Request):
    require_operator(request)
    form = await request.form(max_files=1, max_fields=50)
    require_csrf(request, form)
    upload = form.get("registry")
    if upload is None or not hasattr(upload, "read"):
        raise ApiError(400, "no registry file in the upload", ["choose a CSV, XLSX or Parquet file"])
    act = str(form.get("act") or "az-2025")
    if act not in acts_list():
        raise ApiError(404, f"unknown act {act!r}", [f"shipped acts: {', '.join(acts_list())}"])
    readings = {}
    for item in str(form.get("readings") or "").split():
        if "=" not in item:
            raise ApiError(400, "bad reading", [f"{item!r}: expected NAME=VALUE"])
        k, v = item.split("=", 1)
        readings[k] = v
    from clemency.web.decider import decider
    on = str(form.get("on") or "").strip() or None
    try:
        decider(act, readings, on)
    except ValueError as exc:
        raise ApiError(400, "bad decision date", [str(exc)]) from None
    jobs: Jobs = request.app.state.jobs
    job = jobs.new(upload.filename or "registry.csv", act, readings, on)
    size = 0
    with job.input_path.open("wb") as fh:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            fh.write(chunk)
    job.meta["bytes"] = size
    job.save()
    request.app.state.audit.record("upload", actor(request), run=job.id, bytes=size, act=act, readings=readings)
    log.info("run %s: upload of %d bytes", job.id, size)
    jobs.start(job)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


async def run_page(request: Request):
    job = request.app.state.jobs.get(request.path_params["run_id"])
    status = job.status()
    ctx = {"run": status, "manifest": {}, "summary": {}, "rows": [], "names": [], "total": 0, "pages": 0,
           "page": 1, "filters": {}, "options": {}, "note": None}
    if status["state"] == "done":
        filters = {k: request.query_params.get(k) or "" for k in FILTERS}
        try:
            page = max(int(request.query_params.get("page") or 1), 1)
        except ValueError:
            raise ApiError(400, "bad page number", ["page is a whole number from 1"]) from None
        names, rows, total, options = query_decisions(job, filters, page)
        manifest = job.manifest()
        ctx.update(manifest=manifest, summary=job.summary(), rows=rows, names=names, total=total,
                   pages=max(math.ceil(total / PAGE), 1), page=page, filters=filters, options=options,
                   stamp=report.stamp(manifest), note=report.note(manifest))
    return render(request, "run.html", **ctx)


def _record_for(job: Job, case_id: str) -> dict:
    src = f"read_parquet({_lit(job.root / 'input.parquet')})"
    con = duckdb.connect()
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        lower = {c.lower(): c for c in cols}
        pid = '"' + lower.get("person_id", "person_id") + '"'
        cid = lower.get("case_id")
        key = f"coalesce(nullif(trim(\"{cid}\"), ''), trim({pid}))" if cid else f"trim({pid})"
        cur = con.execute(f"SELECT * FROM {src} WHERE {key} = ? LIMIT 1", [case_id])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
    finally:
        con.close()
    if row is None:
        raise ApiError(404, f"no row with case_id {case_id!r} in this run", [])
    return {k: v for k, v in zip(names, row) if k != "_row" and v is not None and str(v).strip() != ""}


async def person_page(request: Request):
    from clemency.act.load import load_act
    from clemency.web.routes_check import explain_record
    job = request.app.state.jobs.get(request.path_params["run_id"])
    if job.status()["state"] != "done":
        raise ApiError(409, "the run has not finished", [])
    case_id = request.path_params["case_id"]
    record = _record_for(job, case_id)
    decision, alts = explain_record(job.meta["act"], record, job.meta["readings"], job.meta.get("on"))
    return render(request, "person.html", run=job.status(), d=decision, alts=alts,
                  sources=load_act(job.meta["act"]).sources, case_id=case_id)


async def download(request: Request):
    job = request.app.state.jobs.get(request.path_params["run_id"])
    if job.status()["state"] != "done":
        raise ApiError(409, "the run has not finished", [])
    what = request.path_params["name"]
    audit = request.app.state.audit
    manifest, summary = job.manifest(), job.summary()
    if what == "decisions.parquet":
        path = job.out / "decisions.parquet"
    elif what == "decisions.csv":
        path = job.out / "decisions.csv"
        if not path.exists():
            con = duckdb.connect()
            con.execute(f"COPY (SELECT * FROM read_parquet({_lit(job.out / 'decisions.parquet')})) TO {_lit(path)} "
                        "(HEADER, DELIMITER ',')")
            con.close()
    elif what == "decisions.xlsx":
        path = job.out / "decisions.xlsx"
        if not path.exists():
            _decisions_xlsx(job, path)
    elif what in ("findings.csv", "manifest.json", "summary.json"):
        path = job.out / what
    elif what == "figures.csv":
        audit.record("export", actor(request), run=job.id, file=what)
        return Response(report.figures_csv(summary, manifest), media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="{job.id}-figures.csv"'})
    elif what == "figures.xlsx":
        path = job.out / "figures.xlsx"
        report.figures_xlsx(summary, manifest, path)
    elif what == "report.html":
        audit.record("export", actor(request), run=job.id, file=what)
        return HTMLResponse(report.report_html(summary, manifest),
                            headers={"content-disposition": f'inline; filename="{job.id}-report.html"'})
    else:
        raise ApiError(404, f"no download {what!r}", [("decisions.csv, decisions.xlsx, decisions.parquet, "
                                                      "findings.csv, figures.csv, figures.xlsx, report.html")])
    audit.record("export", actor(request), run=job.id, file=what)
    return FileResponse(path, filename=f"{job.id}-{what}")


def _decisions_xlsx(job: Job, path: Path) -> None:
    import openpyxl
    con = duckdb.connect()
    try:
        n = con.execute(f"SELECT count(*) FROM read_parquet({_lit(job.out / 'decisions.parquet')})").fetchone()[0]
        if n > 1_048_575:
            raise ApiError(413, "too many rows for XLSX", [f"{n:,} rows; XLSX holds 1,048,575; use CSV or Parquet"])
        cur = con.execute(f"SELECT * FROM read_parquet({_lit(job.out / 'decisions.parquet')}) ORDER BY _row")
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("decisions")
        ws.append([d[0] for d in cur.description])
        while batch := cur.fetchmany(10_000):
            for r in batch:
                ws.append(list(r))
        tmp = path.with_suffix(".tmp")
        wb.save(tmp)
        tmp.replace(path)
    finally:
        con.close()


routes = [
    Route("/runs", runs_page, methods=["GET"]),
    Route("/runs", start_run, methods=["POST"]),
    Route("/runs/{run_id}", run_page),
    Route("/runs/{run_id}/person/{case_id:path}", person_page),
    Route("/runs/{run_id}/files/{name}", download),
]
