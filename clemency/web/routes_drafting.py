"""Drafting in the browser: two readings, an overlay or another act compared person by person (the flips
with the clauses behind each side); the range of each relief's count over every combination of readings;
how many people each exclusion keeps out.

Each runs the library function the CLI runs (`clemency.compare.compare`, `clemency.compare.bounds.bounds`,
`clemency.compare.attribution.attribution`) in a background thread, one at a time per process; the page
polls (a `Refresh` header) until the result is there. A result lives in a folder that every server process
reads: under the run's own folder when the registry is a run's upload (so deleting the run deletes it), under
`<data>/drafting/` for a synthetic registry (public: made by `clemency synth`, calibrated by construction).

Who may do what: anyone may compare on a synthetic registry; on a run's registry (personal data) starting
needs an operator, and seeing the result, its flips person by person and its exports needs a viewer, as the
run's own pages do. Acts, readings, overlays and runs are named by id and checked against fixed lists:
nothing from a request names a path.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.locale import N_, number
from clemency.report import charts
from clemency.store import RANK
from clemency.web.common import (
    ApiError,
    access,
    audit,
    config,
    render,
    require_csrf,
    require_role,
    role_of,
    wants_json,
)
from clemency.web.drafting import (
    KINDS,
    PAGE,
    STEPS,
    SYNTH_DEFAULT,
    SYNTH_ID,
    SYNTH_SIZES,
    SYNTHETIC_WORDS,
    TOOLS,
    WHEN,
    Words,
    cached_chart,
    choices,
    describe,
    export_bytes,
    flip_page,
    flip_rows,
    flip_view,
    job_folder,
    job_state,
    parse_alternative,
    parse_base_readings,
    parse_on,
    parse_rows,
    prune,
    read_json,
    same_scale,
    start,
    synthetic_registry,
)
from clemency.web.routes_act import acts_list, get_act, newest_act, window_of

# ---- routes -----------------------------------------------------------------------------------------------

TOOL_WORDS = {"compare": N_("Compare, person by person"), "bounds": N_("Bounds over every reading"),
              "attribution": N_("Who each exclusion keeps out")}
RECENT = 20


def recent(request: Request, lang: str) -> list[dict]:
    """The latest results: on synthetic registries for anyone, on runs' registries for viewers and above."""
    found = []
    root = config(request).data_dir / "drafting"
    if root.is_dir():
        found += [(p, p.parent.name) for p in root.glob("s-*/meta.json") if SYNTH_ID.fullmatch(p.parent.name)]
    if RANK[role_of(request)] >= RANK["viewer"]:
        for run in request.app.state.jobs.all():
            found += [(p, f"r-{run.id}-{p.parent.name}") for p in (run.root / "drafting").glob("*/meta.json")]
    found.sort(key=lambda pair: pair[0].stat().st_mtime, reverse=True)
    out = []
    for path, job_id in found[:RECENT]:
        meta = read_json(path)
        try:
            info, w = describe(meta, lang)
        except (ApiError, ClemencyError, KeyError):
            continue
        out.append({"id": job_id, "tool": w.g(TOOL_WORDS[meta["tool"]]), "info": info, "state": meta.get("state"),
                    "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(meta.get("created") or 0))})
    return out


def _finished_runs(request: Request) -> list[dict]:
    jobs = request.app.state.jobs
    return [j.status() for j in jobs.all() if j.meta.get("state") == "done" and j.input_path.is_file()][:50]


@access("anonymous")
async def drafting_page(request: Request):
    act_id = request.query_params.get("act") or newest_act()
    if act_id not in acts_list():
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    act = get_act(act_id)
    lang = getattr(request.state, "lang", "en")
    w = Words(lang, act)
    ch = choices(act)
    runs = await run_in_threadpool(_finished_runs, request) if RANK[role_of(request)] >= RANK["operator"] else []
    alternatives = {
        "readings": [(f"reading:{n}={v}", w.reading(n, v)) for n, vals in ch["readings"].items()
                     for v in vals if v != act.readings[n].default],
        "overlays": [(f"overlay:{o}", w.title(get_act(o, overlays=True))) for o in ch["overlays"]],
        "acts": [(f"act:{a}", w.title(get_act(a))) for a in ch["acts"]],
    }
    window = await run_in_threadpool(window_of, act_id, {}, None)
    latest = await run_in_threadpool(recent, request, lang)
    return render(request, "drafting.html", recent=latest, act=act, acts=[(a, w.title(get_act(a))) for a in acts_list()],
                  readings=[(n, w.g(act.readings[n].says) if act.readings[n].says else n,
                             [(v, w.g(act.readings[n].values[v]) or v, v == act.readings[n].default) for v in vals])
                            for n, vals in ch["readings"].items()],
                  alternatives=alternatives, runs=runs, window=window, synth_default=SYNTH_DEFAULT,
                  synth_sizes=SYNTH_SIZES, act_title=w.title(act))


@access("anonymous")
async def start_drafting(request: Request):
    form = await request.form(max_files=0, max_fields=60)
    require_csrf(request, form)
    tool = str(form.get("tool") or "")
    if tool not in TOOLS:
        raise ApiError(400, "choose what to compute", ["compare, bounds over readings, or exclusion attribution"])
    act_id = str(form.get("act") or newest_act())
    if act_id not in acts_list():
        raise ApiError(400, "an act that is not shipped", [f"shipped acts: {', '.join(acts_list())}"])
    act = get_act(act_id)
    readings = parse_base_readings(form, act)
    on = parse_on(form.get("on"))
    alt, alt_readings, alt_kind = (parse_alternative(str(form.get("alternative") or ""), act, readings)
                                   if tool == "compare" else (None, {}, None))
    params = {"act": act_id, "readings": readings, "on": on, "alt": alt, "alt_readings": alt_readings,
              "alt_kind": alt_kind}
    if tool == "bounds":          # every combination of readings: the baseline and date do not enter
        params.update(readings={}, on=None)
    scope = "day" if form.get("scope") == "day" else "window"
    source = str(form.get("registry") or "synthetic")
    data_dir = config(request).data_dir
    if source == "synthetic":
        rows = parse_rows(form.get("rows"))
        key = json.dumps({"tool": tool, "rows": rows, **params}, sort_keys=True)
        job_id = "s-" + hashlib.sha256(key.encode()).hexdigest()[:20]
        folder = data_dir / "drafting" / job_id
        meta = {"tool": tool, "params": params, "registry": {"synthetic": True, "rows": rows}}
        current = read_json(folder / "meta.json")
        if not current or job_state(folder)["state"] == "failed":
            start(folder, meta, lambda: synthetic_registry(data_dir, rows))
            await run_in_threadpool(prune, data_dir / "drafting")
    elif source.startswith("run:"):
        require_role(request, "operator")      # a run's registry is personal data
        run = request.app.state.jobs.get(source[4:])
        if run.meta.get("state") != "done" or not run.input_path.is_file():
            raise ApiError(409, "that run has not finished, or its upload is no longer kept", [])
        token = secrets.token_hex(6)
        job_id = f"r-{run.id}-{token}"
        folder = run.root / "drafting" / token
        meta = {"tool": tool, "params": params, "registry": {"synthetic": False, "run": run.id,
                                                             "file": run.meta.get("file") or ""}}
        start(folder, meta, run.input_path)
        await audit(request, "drafting", "run:" + run.id, tool=tool, act=act_id)
    else:
        raise ApiError(400, "choose a registry", ["a synthetic registry, or a finished run"])
    suffix = "?scope=day" if scope == "day" and tool == "compare" else ""
    return RedirectResponse(f"/drafting/{job_id}{suffix}", status_code=303)


def job_json(meta: dict, info: dict, result: dict) -> dict:
    """A drafting result as JSON (`Accept: application/json`): the question, the state, and the aggregate
    result as the library returned it (for a comparison, the flips by kind too; never a person)."""
    out = {"tool": meta["tool"], "state": meta["state"], "progress": meta.get("progress"), "error": meta.get("error"),
           "question": {k: v for k, v in meta["params"].items()}, "registry": info["registry"],
           "synthetic": bool(meta["registry"].get("synthetic"))}
    if result:
        out["result"] = result
    return out


def _page_number(request: Request) -> int:
    try:
        page = int(request.query_params.get("page") or 1)
    except ValueError:
        raise ApiError(400, "bad page number", ["page is a whole number from 1"]) from None
    if page < 1:
        raise ApiError(400, "bad page number", ["page is a whole number from 1"])
    return page


@access("anonymous")
async def job_page(request: Request):
    job_id = request.path_params["job_id"]
    folder = job_folder(request, job_id)
    meta = job_state(folder)
    lang = getattr(request.state, "lang", "en")
    info, w = describe(meta, lang)
    ctx = {"job_id": job_id, "meta": meta, "info": info, "w": w, "kinds": KINDS, "when_words": WHEN,
           "step_words": STEPS, "synthetic_note": SYNTHETIC_WORDS if meta["registry"].get("synthetic") else None}
    if wants_json(request):
        return JSONResponse(job_json(meta, info, read_json(folder / "result.json") if meta["state"] == "done" else {}))
    if meta["state"] != "done":
        response = render(request, "drafting_wait.html", **ctx)
        if meta["state"] in ("queued", "running"):
            response.headers["refresh"] = "2"
        return response
    result = read_json(folder / "result.json")
    num = lambda v: number(v, lang)  # noqa: E731
    if meta["tool"] == "compare":
        scope = "day" if request.query_params.get("scope") == "day" else "window"
        kind = request.query_params.get("kind")
        kind = kind if kind in KINDS else None
        page = _page_number(request)
        path = folder / "compare" / "flips.csv"
        rows, total = await run_in_threadpool(flip_page, path, scope, kind, page)
        counts = result["flip_counts"][scope]
        chart = await run_in_threadpool(
            cached_chart, folder, f"kinds-{scope}-{lang}", charts.grouped_bars, w.g(N_("Flips by kind")), [w.g(KINDS[k]) for k in KINDS],
            {w.g(N_("persons")): [counts["kinds"][k]["persons"] for k in KINDS]}, 720)
        if not meta["registry"].get("synthetic"):
            await audit(request, "view_flips", "run:" + meta["registry"]["run"], job=job_id)
        window = None
        try:
            window = await run_in_threadpool(window_of, meta["params"]["act"], meta["params"]["readings"],
                                             meta["params"]["on"])
        except (ClemencyError, ValueError):
            pass
        rows = [flip_view(r, w) for r in rows]
        return render(request, "drafting_compare.html", result=result, counts=counts, rows=rows, total=total,
                      page=page, pages=max(1, -(-total // PAGE)), scope=scope, kind=kind, chart=chart, num=num,
                      window=window, by_relief=result.get("by_relief", {}), **ctx)
    if meta["tool"] == "bounds":
        reliefs = [r for r in result["reliefs"] if r != "total"]
        labels = [w.relief(r) for r in reliefs]
        marks = {w.g(N_("the default readings")): [result["reliefs"][r]["default"] for r in reliefs]}
        scaled = same_scale(result)
        for rep in result.get("reports", []) if scaled else []:
            marks[w.report(rep)] = [result["reliefs"][r]["official"].get(rep) for r in reliefs]
        chart = await run_in_threadpool(cached_chart, folder, f"bounds-{lang}", charts.range_bars, w.g(N_("Persons with each relief, lowest to highest over every reading")),
                                        labels, [result["reliefs"][r]["min"] for r in reliefs],
                                        [result["reliefs"][r]["max"] for r in reliefs], marks,
                                        w.g(N_("range over the readings")), 760)
        return render(request, "drafting_bounds.html", result=result, reliefs=reliefs + ["total"], chart=chart,
                      num=num, scaled=scaled, **ctx)
    exclusions = list(result.get("exclusions", {}))
    chart = await run_in_threadpool(
        cached_chart, folder, f"attribution-{lang}", charts.grouped_bars, w.g(N_("People kept out by each exclusion")), [_clause_label(w, x) for x in exclusions],
        {w.g(N_("alone")): [result["exclusions"][x]["sole"]["persons"] for x in exclusions],
         w.g(N_("together with others")): [result["exclusions"][x]["together"]["persons"] for x in exclusions]}, 760)
    if not meta["registry"].get("synthetic"):
        await audit(request, "view_attribution", "run:" + meta["registry"]["run"], job=job_id)
    return render(request, "drafting_attribution.html", result=result, exclusions=exclusions, chart=chart, num=num,
                  **ctx)


def _clause_label(w: Words, clause_id: str) -> str:
    c = w.clause(clause_id)
    text = c["text"] if c else ""
    return f"{clause_id}: {text[:60]}{'…' if len(text) > 60 else ''}" if text else clause_id


@access("anonymous")
async def flips_export(request: Request):
    job_id, fmt = request.path_params["job_id"], request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise ApiError(404, "no such download", ["flips.csv, flips.xlsx"])
    folder = job_folder(request, job_id)
    meta = job_state(folder)
    if meta["state"] != "done" or meta["tool"] != "compare":
        raise ApiError(409, "no flips here: the comparison has not finished", [])
    scope = "day" if request.query_params.get("scope") == "day" else "window"
    kind = request.query_params.get("kind")
    names, rows = await run_in_threadpool(flip_rows, folder / "compare" / "flips.csv", scope,
                                          kind if kind in KINDS else None)
    if not meta["registry"].get("synthetic"):
        await audit(request, "export", "run:" + meta["registry"]["run"], file=f"flips.{fmt}", job=job_id)
    body, media = await run_in_threadpool(export_bytes, names, rows, fmt)
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{job_id}-flips.{fmt}"'})


routes = [
    Route("/drafting", drafting_page, methods=["GET"]),
    Route("/drafting", start_drafting, methods=["POST"]),
    Route("/drafting/{job_id}", job_page, methods=["GET"]),
    Route("/drafting/{job_id}/flips.{fmt}", flips_export, methods=["GET"]),
]
