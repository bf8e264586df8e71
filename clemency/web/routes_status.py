"""Every person's status on a list version (the monitor's `status`): released under the amnesty, pardoned,
term reduced, released at the end of the sentence, died in custody, or still in and why. Amnesty and pardon
are shown in separate tables and never added together.

Inputs come from the monitor's data directory only (never from the request): the list version
<data>/monitor/lists/<list>/<YYYY-MM-DD>.csv, its later versions, pardon decrees in <data>/monitor/decrees/
(.txt as published, .csv, .xlsx), release evidence <data>/monitor/events.csv and the review ledger
<data>/monitor/ledger.jsonl. The act is named by id. Viewers and above may read the page."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.web.common import ApiError, access, render
from clemency.web.routes_act import acts_list
from clemency.web.routes_monitor import LIST_NAME, monitor_dir, offered_versions

DECREE_SUFFIXES = (".txt", ".csv", ".xlsx")
_CACHE: OrderedDict[tuple, object] = OrderedDict()


def offered_decrees(root: Path) -> list[Path]:
    """Decree files of the monitor: regular files directly in <data>/monitor/decrees, by name."""
    base = root / "decrees"
    if not base.is_dir():
        return []
    return [f for f in sorted(base.iterdir()) if f.suffix in DECREE_SUFFIXES and f.is_file() and not f.is_symlink()
            and LIST_NAME.fullmatch(f.name)]


def _inputs(root: Path, name: str, date: str):
    versions = offered_versions(root)
    path = versions.get((name, date))
    if path is None:
        raise ApiError(404, "no such list version", [])
    later = [(str(f), dt.date.fromisoformat(d)) for (n, d), f in sorted(versions.items()) if n == name and d > date]
    events = root / "events.csv"
    ledger = root / "ledger.jsonl"
    return (path, later, events if events.is_file() and not events.is_symlink() else None,
            ledger if ledger.is_file() and not ledger.is_symlink() else None, offered_decrees(root))


def _status(root: Path, name: str, date: str, act: str):
    from clemency.monitor.status import STATUS_WORDS, person_statuses, summary_tables
    path, later, events, ledger, decrees = _inputs(root, name, date)
    stamp = tuple(f.stat().st_mtime_ns for f in [path, *(Path(p) for p, _ in later), *decrees,
                                                   *(x for x in (events, ledger) if x)])
    key = (str(root), name, date, act, stamp)
    if key not in _CACHE:
        res = person_statuses(path, act, decrees=decrees, later=later, events=events, ledger=ledger,
                              list_date=dt.date.fromisoformat(date))
        from importlib import resources
        figures = resources.files("clemency") / "data" / "figures" / "az-2025.csv"
        _CACHE[key] = (res, summary_tables(res, figures if act == "az-2025" else None), STATUS_WORDS)
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return _CACHE[key]


@access("viewer")
async def status_page(request: Request):
    """The status of every person on a list version, with the summary tables (amnesty and pardon apart)."""
    name, date = request.path_params["name"], request.path_params["date"]
    act = request.query_params.get("act", "az-2025")
    if act not in acts_list():   # an act is named by id only: never a path
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    try:
        res, tables, words = await run_in_threadpool(_status, monitor_dir(request), name, date, act)
    except ApiError:
        raise
    except ClemencyError as exc:
        raise ApiError(422, "the list cannot be followed", str(exc).splitlines()[:20]) from None
    rows = sorted((p.row() for p in res.persons), key=lambda r: (r["group"], r["status"], r["id"]))
    return render(request, "status.html", list_name=name, date=date, act=res.act, on=res.on, rows=rows,
                  tables=tables, decrees=[{"label": d.label, "source": d.source or d.name, "named": len(d.people),
                                           "findings": len(d.findings)} for d in res.decrees],
                  review=res.review, counts=res.counts(), words=words)


routes = [Route("/monitor/status/{name}/{date}", status_page)]
