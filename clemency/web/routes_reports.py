"""Published reports: what an operator publishes of a run (aggregate figures and the self-contained report
page, no person's data) is open to anyone; everything else of a run needs a viewer."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from clemency.web.common import ApiError, access, render
from clemency.web.routes_runs import serve_file

PUBLIC_FILES = ("report.html", "figures.csv", "figures.xlsx")


def _published(request: Request):
    jobs = request.app.state.jobs
    try:
        job = jobs.get(request.path_params["run_id"])
    except ApiError:
        job = None
    if job is None or not job.meta.get("published") or job.meta["state"] != "done":
        raise ApiError(404, "no such published report", ["published reports are listed at /reports"])
    return job


@access("anonymous")
async def reports_page(request: Request):
    jobs = await run_in_threadpool(request.app.state.jobs.all)
    runs = [j.status() for j in jobs if j.meta.get("published") and j.meta["state"] == "done"]
    return render(request, "reports.html", runs=runs)


@access("anonymous")
async def report_file(request: Request):
    what = request.path_params["name"]
    if what not in PUBLIC_FILES:
        raise ApiError(404, "no such published report", [])
    job = await run_in_threadpool(_published, request)
    return await serve_file(job, what, getattr(request.state, "lang", "en"))


routes = [Route("/reports", reports_page), Route("/reports/{run_id}/{name}", report_file)]
