"""The monitor: lists and their versions, matches to review from the keyboard (into the review ledger),
why each person is still in (when clemency.monitor has it), and past amnesties and pardons.

Data directory layout: <data>/monitor/lists/<list>/<YYYY-MM-DD>.csv (versions of a list),
<data>/monitor/review/left.csv and right.csv (the pair of lists to match), <data>/monitor/ledger.jsonl."""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.monitor.files import read_table
from clemency.monitor.ledger import JUDGEMENTS
from clemency.monitor.match import Index, explain, match_people, person_from_row
from clemency.monitor.past_acts import comparison_table, load_past_acts
from clemency.web.common import (
    ApiError,
    access,
    audit,
    config,
    log,
    public_text,
    render,
    require_csrf,
    store,
    user_name,
)
from clemency.web.routes_act import acts_list

LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
VERSION = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def monitor_dir(request: Request) -> Path:
    return config(request).data_dir / "monitor"


def offered_versions(root: Path) -> dict[tuple[str, str], Path]:
    """Every list version the monitor offers, by (list name, date): regular files only, named by the
    layout; a request names one of these and nothing else."""
    out: dict[tuple[str, str], Path] = {}
    base = root / "lists"
    if not base.is_dir():
        return out
    for d in sorted(base.iterdir()):
        if d.is_symlink() or not d.is_dir() or not LIST_NAME.fullmatch(d.name):
            continue
        for f in sorted(d.iterdir()):
            if (f.suffix in (".csv", ".xlsx") and VERSION.fullmatch(f.stem) and not f.is_symlink()
                    and f.is_file()):
                out.setdefault((d.name, f.stem), f)
    return out


def list_versions(root: Path) -> list[dict]:
    from clemency.monitor.lists import load_list
    by_list: dict[str, list] = {}
    for (name, date), f in offered_versions(root).items():
        try:
            v = load_list(f, f.stem, source=name)
            entry = {"date": date, "counts": v.count()}
        except (ClemencyError, ValueError) as exc:
            entry = {"date": date, "error": public_text(str(exc).splitlines()[0] if str(exc) else "unreadable")}
        by_list.setdefault(name, []).append(entry)
    return [{"name": k, "versions": v} for k, v in by_list.items()]


def review_pairs(root: Path, judgements) -> list[dict]:
    left_p, right_p = root / "review" / "left.csv", root / "review" / "right.csv"
    if not (left_p.exists() and right_p.exists()):
        return []
    left_rows = read_table(left_p, required=("id", "full_name"))
    right_rows = read_table(right_p, required=("id", "full_name"))
    names_l = {r["id"]: r for r in left_rows}
    names_r = {r["id"]: r for r in right_rows}
    latest = judgements.latest()
    index = Index([person_from_row(r) for r in right_rows])
    pairs = [c for c in match_people([person_from_row(r) for r in left_rows], index) if c.band == "review"]
    pairs.sort(key=lambda c: -c.score)
    out = []
    for c in pairs:
        j = latest.get(frozenset((c.left_id, c.right_id)))
        out.append({"left_id": c.left_id, "right_id": c.right_id, "score": round(c.score, 3), "band": c.band,
                    "left": names_l.get(c.left_id, {}), "right": names_r.get(c.right_id, {}),
                    "why": explain(c), "judgement": j})
    return out


_WHY_CACHE: OrderedDict[tuple, object] = OrderedDict()


def _monitor(root: Path, judgements):
    return list_versions(root), review_pairs(root, judgements), comparison_table(load_past_acts())


@access("viewer")
async def monitor_page(request: Request):
    lists, pairs, past = await run_in_threadpool(_monitor, monitor_dir(request), store(request).judgements)
    return render(request, "monitor.html", lists=lists, pairs=pairs, past=past)


def _version_file(root: Path, name: str, date: str) -> Path:
    path = offered_versions(root).get((name, date))
    if path is None:
        raise ApiError(404, "no such list version", [])
    return path


def _why(path: Path, act: str):
    from clemency.monitor.why import decide_rows, read_list
    key = (str(path), path.stat().st_mtime_ns, act)
    if key not in _WHY_CACHE:
        _WHY_CACHE[key] = decide_rows(read_list(path), act)
        while len(_WHY_CACHE) > 16:
            _WHY_CACHE.popitem(last=False)
    return _WHY_CACHE[key]


@access("viewer")
async def why_page(request: Request):
    """Why each person on a list version is still in, or which clause should release them (the act's
    default readings, decided on the entry into force), with what other readings would change."""
    name, date = request.path_params["name"], request.path_params["date"]
    act = request.query_params.get("act", "az-2025")
    if act not in acts_list():   # an act is named by id only: never a path
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    path = _version_file(monitor_dir(request), name, date)
    try:
        result = await run_in_threadpool(_why, path, act)
    except ClemencyError as exc:
        raise ApiError(422, "the list cannot be decided", str(exc).splitlines()[:20]) from None
    rows = sorted((r.csv_row() | {"other": "; ".join(r.other)} for r in result.rows),
                  key=lambda r: (r["group"], r["relief"], r["id"]))
    return render(request, "why.html", list_name=name, date=date, rows=rows, act=result.act,
                  act_hash=result.act_hash, readings=result.readings, on=result.on)


@access("viewer")
async def review_page(request: Request):
    pairs = await run_in_threadpool(review_pairs, monitor_dir(request), store(request).judgements)
    return render(request, "review.html", pairs=pairs)


@access("operator")
async def judge(request: Request):
    ctype = request.headers.get("content-type", "")
    if "application/json" in ctype:
        require_csrf(request)
        from clemency.web.api import parse_record
        body = parse_record(await request.body())
    else:
        body = dict(await request.form(max_files=0, max_fields=10))
        require_csrf(request, body)
    if not isinstance(body, dict):
        raise ApiError(400, "expected a JSON object", ["{left_id, right_id, judgement}"])
    left, right, judgement = (str(body.get(k) or "") for k in ("left_id", "right_id", "judgement"))
    if judgement not in JUDGEMENTS or not left or not right:
        raise ApiError(400, "bad judgement", [f"judgement one of {', '.join(JUDGEMENTS)}; left_id and right_id needed"])
    st = store(request)
    pairs = {(p["left_id"], p["right_id"]) for p in await run_in_threadpool(review_pairs, monitor_dir(request),
                                                                            st.judgements)}
    if (left, right) not in pairs:
        raise ApiError(404, "no such pair to review", [])
    note = str(body.get("note") or "")[:2000]
    await run_in_threadpool(st.judgements.record, left, right, judgement, user_name(request), note)
    await run_in_threadpool(_ledger_append, monitor_dir(request), left, right, judgement, user_name(request), note)
    await audit(request, "judgement", f"pair:{left[:90]}~{right[:90]}", judgement=judgement)
    log.info("judgement recorded (%s)", judgement)
    return JSONResponse({"left_id": left, "right_id": right, "judgement": judgement})


def _ledger_append(root: Path, left, right, judgement, user, note) -> None:
    """Also append to the review ledger file, which `clemency match --ledger` reads (owner-only)."""
    from clemency.monitor.ledger import Ledger
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / "ledger.jsonl"
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    Ledger(path).record(left, right, judgement, reviewer=user, note=note)


routes = [Route("/monitor", monitor_page), Route("/monitor/why/{name}/{date}", why_page),
          Route("/monitor/review", review_page, methods=["GET"]),
          Route("/monitor/review", judge, methods=["POST"])]
