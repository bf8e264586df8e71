"""The JSON API of a run's decisions (paged, filtered, sorted like the run page) and the batch check.

`POST /api/check/batch` decides a JSON array of records (at most MAX_BATCH) under one act, readings and date;
like `POST /api/check` it stores nothing. A record that is not valid gets its error in its place; the others
are decided. At most MAX_EXACT records of a batch are decided the exact (DuckDB) way, about a second each
(extra fields, unusual spellings, invalid values): a small batch of such records would otherwise hold the
server for minutes. The others of them get an error in their place; records in canonical form are all decided."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.web.api import check_record, parse_check_query, parse_record
from clemency.web.browse import browse
from clemency.web.common import ApiError, access
from clemency.web.decider import decider
from clemency.web.routes_runs import finished_job, query_of

MAX_BATCH = 100
MAX_EXACT = 10
MAX_SIZE = 1000


def _json(v):
    return v.isoformat() if hasattr(v, "isoformat") else v


@access("viewer")
async def api_decisions(request: Request):
    job = finished_job(request)
    raw = request.query_params.get("size") or "50"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SIZE:
        raise ApiError(400, "bad page size", [f"size is a whole number from 1 to {MAX_SIZE}"])
    query = query_of(request, size=int(raw))
    facets = request.query_params.get("facets") in ("1", "true", "yes")
    view = await run_in_threadpool(browse, job.out, job.root, query, facets)
    body = {"run": job.id, "act": job.meta["act"], "query": query.params(page=None), "page": query.page,
            "size": query.size, "pages": view.pages, "total": view.total,
            "rows": [{k: _json(v) for k, v in zip(view.names, r)} for r in view.rows]}
    if facets:
        body["facets"] = {k: [{"value": v, "rows": n} for v, n in counts] for k, counts in view.facets.items()}
    return JSONResponse(body)


def _one(act_id, readings, on, i, record):
    try:
        return check_record(act_id, readings, on, record)
    except ApiError as exc:
        if exc.status >= 500 or exc.error.startswith(("unknown reading", "bad reading")):
            raise
        return {"index": i, "error": exc.error, "details": exc.details}


def _exact(act_id, readings, on, record) -> bool:
    try:
        return decider(act_id, readings, on).needs_exact(record)
    except (ClemencyError, ValueError, OverflowError, ArithmeticError):
        return False      # a bad reading or date: check_record says so, and no record is decided


def check_many(act_id, readings, on, records) -> list:
    out, exact = [], 0
    for i, r in enumerate(records):
        if isinstance(r, dict) and _exact(act_id, readings, on, r):
            exact += 1
            if exact > MAX_EXACT:
                out.append({"index": i, "error": "not decided: too many records of this batch need the exact way",
                            "details": [f"at most {MAX_EXACT} records of a batch may have extra fields, unusual "
                                        "spellings or invalid values (each takes about a second); send this record "
                                        "on its own or in a later batch, or in canonical form"]})
                continue
        out.append(_one(act_id, readings, on, i, r))
    return out


@access("anonymous")
async def api_check_batch(request: Request):
    act_id, readings, on = parse_check_query(request)
    records = parse_record(await request.body())
    if not isinstance(records, list):
        raise ApiError(400, "the body must be a JSON array of records in the registry format",
                       ["for one record, POST it to /api/check"])
    if len(records) > MAX_BATCH:
        raise ApiError(413, "too many records in one batch", [f"{len(records)} records; at most {MAX_BATCH}"])
    decisions = await run_in_threadpool(check_many, act_id, readings, on, records)
    return JSONResponse({"count": len(decisions), "decisions": decisions})


routes = [
    Route("/api/check/batch", api_check_batch, methods=["POST"]),
    Route("/api/runs/{run_id}/decisions", api_decisions),
]
