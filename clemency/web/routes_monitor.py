"""The monitor: lists and their versions, matches to review from the keyboard (into the review ledger),
why each person is still in (when clemency.monitor has it), and past amnesties and pardons.

Data directory layout: <data>/monitor/lists/<list>/<YYYY-MM-DD>.csv (versions of a list),
<data>/monitor/review/left.csv and right.csv (the pair of lists to match), <data>/monitor/ledger.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.monitor.files import read_table
from clemency.monitor.ledger import JUDGEMENTS, Ledger
from clemency.monitor.match import Index, explain, match_people, person_from_row
from clemency.monitor.past_acts import comparison_table, load_past_acts
from clemency.web.common import ApiError, actor, config, log, render, require_csrf, require_operator


def monitor_dir(request: Request) -> Path:
    return config(request).data_dir / "monitor"


def list_versions(root: Path) -> list[dict]:
    from clemency.monitor.lists import load_list
    out = []
    base = root / "lists"
    if not base.is_dir():
        return out
    for d in sorted(p for p in base.iterdir() if p.is_dir()):
        versions = []
        for f in sorted(list(d.glob("*.csv")) + list(d.glob("*.xlsx"))):
            try:
                v = load_list(f, f.stem, source=d.name)
                versions.append({"date": f.stem, "counts": v.count()})
            except (ClemencyError, ValueError) as exc:
                versions.append({"date": f.stem, "error": str(exc).splitlines()[0]})
        out.append({"name": d.name, "versions": versions})
    return out


def review_pairs(root: Path) -> list[dict]:
    left_p, right_p = root / "review" / "left.csv", root / "review" / "right.csv"
    if not (left_p.exists() and right_p.exists()):
        return []
    left_rows = read_table(left_p, required=("id", "full_name"))
    right_rows = read_table(right_p, required=("id", "full_name"))
    names_l = {r["id"]: r for r in left_rows}
    names_r = {r["id"]: r for r in right_rows}
    ledger = Ledger(root / "ledger.jsonl")
    latest = ledger.latest()
    index = Index([person_from_row(r) for r in right_rows])
    pairs = [c for c in match_people([person_from_row(r) for r in left_rows], index) if c.band == "review"]
    pairs.sort(key=lambda c: -c.score)
    out = []
    for c in pairs:
        j = latest.get(frozenset((c.left_id, c.right_id)))
        out.append({"left_id": c.left_id, "right_id": c.right_id, "score": round(c.score, 3), "band": c.band,
                    "left": names_l.get(c.left_id, {}), "right": names_r.get(c.right_id, {}),
                    "why": explain(c), "judgement": j.judgement if j else None})
    return out


_WHY_CACHE: dict[tuple, object] = {}


async def monitor_page(request: Request):
    root = monitor_dir(request)
    past = comparison_table(load_past_acts())
    return render(request, "monitor.html", lists=list_versions(root), pairs=review_pairs(root), past=past)


def _version_file(root: Path, name: str, date: str) -> Path:
    base = (root / "lists").resolve()
    for suffix in (".csv", ".xlsx"):
        path = (base / name / f"{date}{suffix}").resolve()
        if path.parent.parent == base and path.is_file():
            return path
    raise ApiError(404, "no such list version", [f"{name} {date}"])


async def why_page(request: Request):
    """Why each person on a list version is still in, or which clause should release them (the act's
    default readings, decided on the entry into force), with what other readings would change."""
    from clemency.monitor.why import decide_rows, read_list
    name, date = request.path_params["name"], request.path_params["date"]
    act = request.query_params.get("act", "az-2025")
    path = _version_file(monitor_dir(request), name, date)
    key = (str(path), path.stat().st_mtime, act)
    if key not in _WHY_CACHE:
        try:
            _WHY_CACHE[key] = decide_rows(read_list(path), act)
        except ClemencyError as exc:
            raise ApiError(422, "the list cannot be decided", str(exc).splitlines()) from None
    result = _WHY_CACHE[key]
    rows = sorted((r.csv_row() | {"other": "; ".join(r.other)} for r in result.rows),
                  key=lambda r: (r["group"], r["relief"], r["id"]))
    return render(request, "why.html", list_name=name, date=date, rows=rows, act=result.act,
                  act_hash=result.act_hash, readings=result.readings, on=result.on)


async def review_page(request: Request):
    return render(request, "review.html", pairs=review_pairs(monitor_dir(request)))


async def judge(request: Request):
    require_operator(request)
    ctype = request.headers.get("content-type", "")
    if "application/json" in ctype:
        try:
            body = json.loads((await request.body()).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "malformed JSON", [str(exc)]) from None
        require_csrf(request)
    else:
        body = dict(await request.form())
        require_csrf(request, body)
    if not isinstance(body, dict):
        raise ApiError(400, "expected a JSON object", ["{left_id, right_id, judgement}"])
    left, right, judgement = (str(body.get(k) or "") for k in ("left_id", "right_id", "judgement"))
    if judgement not in JUDGEMENTS or not left or not right:
        raise ApiError(400, "bad judgement", [f"judgement one of {', '.join(JUDGEMENTS)}; left_id and right_id needed"])
    pairs = {(p["left_id"], p["right_id"]) for p in review_pairs(monitor_dir(request))}
    if (left, right) not in pairs:
        raise ApiError(404, "no such pair to review", [f"{left} ~ {right}"])
    Ledger(monitor_dir(request) / "ledger.jsonl").record(left, right, judgement, reviewer=actor(request),
                                                          note=str(body.get("note") or ""))
    request.app.state.audit.record("judgement", actor(request), left_id=left, right_id=right, judgement=judgement)
    log.info("judgement recorded (%s)", judgement)
    return JSONResponse({"left_id": left, "right_id": right, "judgement": judgement})


routes = [Route("/monitor", monitor_page), Route("/monitor/why/{name}/{date}", why_page),
          Route("/monitor/review", review_page, methods=["GET"]),
          Route("/monitor/review", judge, methods=["POST"])]
