"""Implementation: the timeline and reconciliation charts of a finished run, from clemency.timeline
(`run_timeline` reusing the run's decisions, with the shipped official figures of the act when there are
some). The page it writes is self-contained and served as it is."""

from __future__ import annotations

import threading

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.timeline import run_timeline
from clemency.timeline.page import page_name
from clemency.web.common import ApiError, access, audit, render
from clemency.web.middleware import CSP_REPORT
from clemency.web.routes_runs import finished_job

_lock = threading.Lock()


@access("viewer")
async def timeline_page(request: Request):
    jobs = await run_in_threadpool(request.app.state.jobs.all)
    runs = [j.status() for j in jobs if j.status()["state"] == "done"]
    return render(request, "timeline.html", runs=runs)


def _make(run, job, out, page) -> None:
    from clemency.report.figures import FIGURES_DIR
    figures = FIGURES_DIR / f"{job.meta['act']}.csv"
    with _lock:
        if page.exists():
            return
        try:
            run(job.meta["act"], job.input_path, out, readings=job.meta["readings"], decisions=job.out,
                reports=figures if figures.exists() else None)
        except ClemencyError as exc:
            raise ApiError(400, "the timeline could not be made", str(exc).splitlines()[:20]) from None


@access("viewer")
async def run_timeline_page(request: Request):
    run = run_timeline
    job = finished_job(request)
    out = job.root / "timeline"
    page = out / page_name(getattr(request.state, "lang", "en"))     # the page in the request's language
    if not page.exists():
        await run_in_threadpool(_make, run, job, out, page)
    await audit(request, "export", "run:" + job.id, file=page.name)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers={"content-security-policy": CSP_REPORT})


routes = [Route("/timeline", timeline_page), Route("/timeline/{run_id}", run_timeline_page)]
