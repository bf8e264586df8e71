"""The monitor's pages: lists and their versions (operators upload new versions), why each person is still in
(filters, counts, pages, exports), and the review of matches (buttons and keys, the field-by-field comparison
of each pair, progress, undo), into the append-only review ledger.

Data directory layout: <data>/monitor/lists/<list>/<YYYY-MM-DD>.csv|.xlsx (versions of a list),
<data>/monitor/review/left.csv and right.csv (the pair of lists to match), <data>/monitor/ledger.jsonl.
Nothing here opens a path taken from a request: a list version is named by its list name and date (both
checked, then looked up among the files present), an uploaded file by the name the server gives it."""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.jurisdictions import jurisdiction_of
from clemency.locale import N_, gettext_for
from clemency.monitor.files import read_table
from clemency.monitor.intake import import_version
from clemency.monitor.ledger import JUDGEMENTS, Ledger
from clemency.monitor.match import Index, compare, match_people, person_from_row
from clemency.monitor.names import romanise
from clemency.monitor.past_acts import comparison_table, load_past_acts
from clemency.report.cells import neutralise
from clemency.web.browse import page_numbers
from clemency.web.common import (
    ApiError,
    access,
    audit,
    config,
    log,
    public_text,
    render,
    require_csrf,
    sheet_cell,
    store,
    user_name,
)
from clemency.web.routes_act import acts_list, get_act
from clemency.web.uploads import check_list_upload

LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
VERSION = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PAGE_SIZE = 25
FINDINGS_SHOWN = 200
#: fields of a pair shown beside the scored ones, when either side has them (not scored)
SHOWN_FIELDS = ("sex", "group", "status", "punishment", "term_months", "sentence_end", "institution", "date",
                "kind", "source", "notes")


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
        except (ClemencyError, ValueError):
            entry = {"date": date, "error": True}
        by_list.setdefault(name, []).append(entry)
    return [{"name": k, "versions": v} for k, v in by_list.items()]


# --- the review ---------------------------------------------------------------------------------------

def ledger_path(root: Path) -> Path:
    return root / "ledger.jsonl"


def _ledger(root: Path) -> Ledger:
    path = ledger_path(root)
    if path.is_symlink():
        raise ApiError(422, "the review ledger cannot be read", [])
    try:
        return Ledger(path)
    except ClemencyError:
        raise ApiError(422, "the review ledger cannot be read", ["a line of the ledger file is damaged"]) from None


def _value(row: dict, *names: str) -> str:
    for n in names:
        if (row.get(n) or "").strip():
            return row[n].strip()
    return ""


def _articles(row: dict) -> str:
    return "; ".join(a.strip() for a in re.split(r"[;,]", _value(row, "articles")) if a.strip())


def comparison_rows(lrow: dict, rrow: dict, c) -> list[dict]:
    """Field by field: what each side says, and what the field earned of its weight (the explained comparison
    of `clemency match --explain`); then the fields shown but not scored."""
    pa, pb = person_from_row(lrow), person_from_row(rrow)
    got = {k.field: k for k in c.contributions}
    scored = [
        ("surname", "surname", pa.name.surname or "", pb.name.surname or ""),
        ("given", "given name", pa.name.given or "", pb.name.given or ""),
        ("patronymic", "patronymic", pa.name.patronymic or "", pb.name.patronymic or ""),
        ("birth_year", "birth date", _value(lrow, "birth_date", "birth_year"), _value(rrow, "birth_date", "birth_year")),
        ("articles", "articles", _articles(lrow), _articles(rrow)),
        ("dates", "arrest date", _value(lrow, "arrest_date"), _value(rrow, "arrest_date")),
    ]
    out = []
    for key, label, a, b in scored:
        k = got.get(key)
        out.append({"field": key, "label": label, "left": a, "right": b, "scored": True,
                    "points": round(k.points, 3) if k else 0.0, "weight": k.weight if k else 0.0,
                    "missing": k is None or k.similarity is None,
                    "share": max(0.0, min(1.0, k.points / k.weight)) if k and k.weight else 0.0,
                    "conflict": bool(k and k.points < 0)})
    for key in SHOWN_FIELDS:
        a, b = _value(lrow, key), _value(rrow, key)
        if a or b:
            out.append({"field": key, "label": key.replace("_", " "), "left": a, "right": b, "scored": False})
    return out


#: why a pair is not an automatic match (clemency.monitor.match's caps), as messages to translate
CAPS = [
    (re.compile(r"surnames differ$"), N_("the surnames differ")),
    (re.compile(r"surname suffix differs \((?P<a>[^ ]+) vs (?P<b>[^)]+)\)"),
     N_("the surname ending differs ({a} / {b}): a change of surname form is weak evidence and needs a human")),
    (re.compile(r"one side's surname (?P<a>.+) is the other's patronymic"),
     N_("one side's surname ({a}) is the other side's patronymic: weak evidence")),
    (re.compile(r"given names differ \((?P<a>.*) vs (?P<b>.*)\)$"), N_("the given names differ ({a} / {b})")),
    (re.compile(r"patronymics differ \((?P<a>.*) vs (?P<b>.*)\)$"), N_("the patronymics differ ({a} / {b})")),
    (re.compile(r"given name not known on both sides"), N_("the given name is not known on both sides")),
    (re.compile(r"given name known only by its initial \((?P<a>.*) / (?P<b>.*)\)$"),
     N_("the given name is known only by its initial ({a} / {b})")),
    (re.compile(r"patronymic known only by its initial \((?P<a>.*) / (?P<b>.*)\)$"),
     N_("the patronymic is known only by its initial ({a} / {b})")),
    (re.compile(r"patronymic not known on both sides"), N_("the patronymic is not known on both sides")),
    (re.compile(r"birth years conflict \((?P<a>\d+) vs (?P<b>\d+)\)"), N_("the birth years differ ({a} / {b})")),
    (re.compile(r"birth year not known on both sides"), N_("the birth year is not known on both sides")),
    (re.compile(r"sex differs"), N_("the sexes differ")),
]


def cap_words(cap: str, lang: str) -> tuple[str, bool]:
    """A cap in the page's language; (text, translated). A cap this table does not know is shown as it is."""
    g = gettext_for(lang)
    for pattern, message in CAPS:
        m = pattern.search(cap)
        if m:
            return g(message).format(**m.groupdict()), True
    return cap, False


def review_pairs(root: Path, ledger: Ledger | None = None) -> list[dict]:
    """The pairs in the review band, best first, each with its field-by-field comparison and the judgement in
    force in the ledger."""
    left_p, right_p = root / "review" / "left.csv", root / "review" / "right.csv"
    if not (left_p.exists() and right_p.exists()):
        return []
    ledger = ledger if ledger is not None else _ledger(root)
    left_rows = read_table(left_p, required=("id", "full_name"))
    right_rows = read_table(right_p, required=("id", "full_name"))
    rows_l = {r["id"]: r for r in left_rows}
    rows_r = {r["id"]: r for r in right_rows}
    people_l = {r["id"]: person_from_row(r) for r in left_rows}
    people_r = {r["id"]: person_from_row(r) for r in right_rows}
    latest = ledger.latest()
    index = Index(list(people_r.values()))
    pairs = [c for c in match_people(list(people_l.values()), index) if c.band == "review"]
    pairs.sort(key=lambda c: (-c.score, c.left_id, c.right_id))
    out = []
    for n, c in enumerate(pairs):
        full = compare(people_l[c.left_id], people_r[c.right_id])
        j = latest.get(frozenset((c.left_id, c.right_id)))
        lrow, rrow = rows_l.get(c.left_id, {}), rows_r.get(c.right_id, {})
        out.append({"n": n, "left_id": c.left_id, "right_id": c.right_id, "score": round(c.score, 2),
                    "left": lrow, "right": rrow,
                    "left_latin": romanise(lrow.get("full_name", "")), "right_latin": romanise(rrow.get("full_name", "")),
                    "fields": comparison_rows(lrow, rrow, full), "caps": full.caps,
                    "judgement": j.judgement if j else None, "judged_by": j.reviewer if j else None})
    return out


def progress(pairs: list[dict]) -> dict:
    judged = sum(1 for p in pairs if p["judgement"])
    return {"judged": judged, "total": len(pairs)}


def _monitor(root: Path):
    try:
        pairs = review_pairs(root)
    except (ApiError, ClemencyError):
        pairs = []
    return list_versions(root), progress(pairs), comparison_table(load_past_acts())


@access("viewer")
async def monitor_page(request: Request):
    lists, prog, past = await run_in_threadpool(_monitor, monitor_dir(request))
    return render(request, "monitor.html", lists=lists, progress=prog, past=past,
                  max_mb=config(request).max_upload // (1024 * 1024))


@access("viewer")
async def review_page(request: Request):
    try:
        pairs = await run_in_threadpool(review_pairs, monitor_dir(request))
    except ClemencyError as exc:
        raise ApiError(422, "the lists to review cannot be read", [str(exc).splitlines()[0]]) from None
    at = request.query_params.get("at", "")
    if at.isdigit() and int(at) < len(pairs):
        current = int(at)
    else:
        current = next((p["n"] for p in pairs if not p["judgement"]), 0)
    lang = getattr(request.state, "lang", "en")
    return render(request, "review.html", pairs=pairs, current=current, progress=progress(pairs),
                  caps=lambda p: [cap_words(c, lang) for c in p["caps"]])


async def _body(request: Request) -> tuple[dict, bool]:
    """The request's fields and whether it came from a form of the page (then answered by a redirect)."""
    if "application/json" in request.headers.get("content-type", ""):
        require_csrf(request)
        from clemency.web.api import parse_record
        body = parse_record(await request.body())
        if not isinstance(body, dict):
            raise ApiError(400, "expected a JSON object", ["{left_id, right_id, judgement}"])
        return body, False
    body = dict(await request.form(max_files=0, max_fields=10))
    require_csrf(request, body)
    return body, True


def _find_pair(pairs: list[dict], left: str, right: str) -> dict:
    for p in pairs:
        if (p["left_id"], p["right_id"]) == (left, right):
            return p
    raise ApiError(404, "no such pair to review", [])


def _after(form: bool, pairs: list[dict], n: int, answer: dict):
    if form:
        return RedirectResponse(f"/monitor/review?at={n}#pair-{n}", status_code=303)
    return JSONResponse(answer | progress(pairs))


@access("operator")
async def judge(request: Request):
    body, form = await _body(request)
    left, right, judgement = (str(body.get(k) or "") for k in ("left_id", "right_id", "judgement"))
    if judgement not in JUDGEMENTS or not left or not right:
        raise ApiError(400, "bad judgement", [f"judgement one of {', '.join(JUDGEMENTS)}; left_id and right_id needed"])
    root = monitor_dir(request)
    pairs = await run_in_threadpool(review_pairs, root)
    pair = _find_pair(pairs, left, right)
    note = str(body.get("note") or "")[:2000]
    await run_in_threadpool(store(request).judgements.record, left, right, judgement, user_name(request), note)
    await run_in_threadpool(_ledger_append, root, left, right, judgement, user_name(request), note)
    await audit(request, "judgement", f"pair:{left[:90]}~{right[:90]}", judgement=judgement)
    log.info("judgement recorded (%s)", judgement)
    pair["judgement"] = judgement
    nxt = next((p["n"] for p in pairs[pair["n"] + 1:] + pairs[:pair["n"]] if not p["judgement"]), pair["n"])
    return _after(form, pairs, nxt, {"left_id": left, "right_id": right, "judgement": judgement,
                                     "reviewer": user_name(request)})


@access("operator")
async def undo(request: Request):
    """Withdraw a judgement: the pair named, or else the signed-in user's last judgement still in force. The
    ledger only grows: an `undo` line is appended; the judgement before it, if any, holds again."""
    body, form = await _body(request)
    root = monitor_dir(request)
    pairs = await run_in_threadpool(review_pairs, root)
    left, right = str(body.get("left_id") or ""), str(body.get("right_id") or "")
    ledger = await run_in_threadpool(_ledger, root)
    if not (left and right):
        found = last_in_force(ledger, user_name(request), {(p["left_id"], p["right_id"]) for p in pairs})
        if found is None:
            raise ApiError(409, "nothing to undo", ["none of your judgements on these pairs is in force"])
        left, right = found
    pair = _find_pair(pairs, left, right)
    if not pair["judgement"]:
        raise ApiError(409, "nothing to undo", ["this pair has no judgement in force"])
    await run_in_threadpool(_ledger_undo, root, left, right, user_name(request))
    await run_in_threadpool(store(request).judgements.record, left, right, "undo", user_name(request), "")
    await audit(request, "judgement_undo", f"pair:{left[:90]}~{right[:90]}")
    log.info("judgement withdrawn")
    now = Ledger(ledger_path(root)).latest().get(frozenset((left, right)))
    pair["judgement"] = now.judgement if now else None
    return _after(form, pairs, pair["n"], {"left_id": left, "right_id": right, "judgement": pair["judgement"],
                                           "reviewer": now.reviewer if now else None})


def last_in_force(ledger: Ledger, user: str, pairs: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The pair of `user`'s most recent judgement that is still the one in force, among `pairs`."""
    latest = ledger.latest()
    for j in sorted(ledger.entries, key=lambda e: e.at, reverse=True):
        if j.reviewer != user or j.judgement not in JUDGEMENTS:
            continue
        if latest.get(j.pair) is j:
            for a, b in ((j.left_id, j.right_id), (j.right_id, j.left_id)):
                if (a, b) in pairs:
                    return a, b
    return None


def _ensure_ledger(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = ledger_path(root)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return path


def _ledger_append(root: Path, left, right, judgement, user, note) -> None:
    """Append to the review ledger file, which `clemency match --ledger` reads (owner-only)."""
    Ledger(_ensure_ledger(root)).record(left, right, judgement, reviewer=user, note=note)


def _ledger_undo(root: Path, left, right, user) -> None:
    Ledger(_ensure_ledger(root)).undo(left, right, reviewer=user)


# --- list versions: upload -----------------------------------------------------------------------------

@access("operator")
async def upload_list(request: Request):
    """A new version of a list (CSV or XLSX), checked row by row; stored under the list's name and date unless a
    finding blocks it. The uploaded file's own name is never used."""
    form = await request.form(max_files=1, max_fields=10)
    require_csrf(request, form)
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ApiError(400, "no list file in the upload", ["choose a CSV or XLSX file"])
    name, date = str(form.get("list") or "").strip(), str(form.get("date") or "").strip()
    replace = str(form.get("replace") or "") in ("1", "on", "yes")
    if not LIST_NAME.fullmatch(name):
        raise ApiError(400, "bad list name", ["letters, digits, '.', '_' or '-', starting with a letter or digit"])
    root = monitor_dir(request)
    incoming = root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = incoming / ("upload-" + secrets.token_hex(8))
    size = 0
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            fh.write(chunk)
    try:
        await run_in_threadpool(check_list_upload, tmp)
    except ApiError:
        tmp.unlink(missing_ok=True)
        raise
    try:
        intake = await run_in_threadpool(import_version, tmp, root, name, date, replace)
    except ClemencyError as exc:
        tmp.unlink(missing_ok=True)
        status = 409 if "exists already" in str(exc) else 400
        raise ApiError(status, str(exc).splitlines()[0], []) from None
    await audit(request, "list_upload", f"list:{name}/{date}", bytes=size, rows=intake.rows,
                findings=len(intake.findings), stored=intake.stored)
    log.info("list version upload: %d bytes, %d rows, %d findings, stored=%s", size, intake.rows,
             len(intake.findings), intake.stored)
    if intake.stored and config(request).extra.get("warm_why", True):
        warm_why(root, name, date)
    return render(request, "monitor_upload.html", status_code=200 if intake.stored else 422, intake=intake,
                  findings=intake.findings[:FINDINGS_SHOWN], list_name=name, date=date)


# --- why each person is still in ----------------------------------------------------------------------

_WHY_CACHE: OrderedDict[tuple, object] = OrderedDict()
_WHY_LOCK = threading.Lock()


def _version_file(root: Path, name: str, date: str) -> Path:
    path = offered_versions(root).get((name, date))
    if path is None:
        raise ApiError(404, "no such list version", [])
    return path


def _why(path: Path, act: str):
    """A list version decided under an act (every reading's alternative too), kept for the next request; one
    decision at a time, so that a page and the warm-up after an upload do not decide the same list twice."""
    from clemency.monitor.why import decide_rows, read_list
    key = (str(path), path.stat().st_mtime_ns, act)
    with _WHY_LOCK:
        if key not in _WHY_CACHE:
            _WHY_CACHE[key] = decide_rows(read_list(path), act)
            while len(_WHY_CACHE) > 16:
                _WHY_CACHE.popitem(last=False)
        return _WHY_CACHE[key]


def warm_why(root: Path, name: str, date: str, act: str = "az-2025") -> None:
    """Decide a new version in the background, so that its why page opens at once (deciding a list under every
    reading takes seconds); a failure is left for the page to report."""
    def run():
        try:
            _why(_version_file(root, name, date), act)
        except (ApiError, ClemencyError, ValueError, OSError):
            pass
        except Exception as exc:  # noqa: BLE001 - a thread's traceback would reach the log with its message
            log.error("deciding a new list version failed: %s", exc.__class__.__name__)
    threading.Thread(target=run, name="why-warm", daemon=True).start()


def because(row) -> list[str]:
    """What a person's outcome rests on, for the reason filter: the clause that releases or reduces, the
    exclusions that keep the person in, `none` (no clause applies) or `unknown` (cannot be decided)."""
    if row.relief == "indeterminate":
        return ["unknown"]
    if row.clause:
        return [row.clause]
    return list(row.excluded_by) or ["none"]


def why_rows(result, act) -> list[dict]:
    alternatives: dict[str, list[dict]] = {}
    for ch in result.changes:
        rd = act.readings.get(ch["reading"])
        alternatives.setdefault(ch["id"], []).append({
            **ch, "meaning": (rd.values.get(ch["value"]) if rd and isinstance(rd.values, dict) else "") or ""})
    out = []
    for r in result.rows:
        d = r.csv_row()
        clauses = [c for c in [r.clause, *r.excluded_by] if c]
        d.update(because=because(r), other=alternatives.get(r.id, []), derived_list=list(r.mapped.derived),
                 decision=r.decision if r.relief != "indeterminate" else None,
                 clauses=[{"id": c, "text": act.clause(c).text, "status": act.clause(c).status,
                           "kind": act.clause(c).kind} for c in dict.fromkeys(clauses)])
        out.append(d)
    out.sort(key=lambda r: (r["group"], r["relief"], r["id"]))
    return out


def why_filters(request: Request) -> dict:
    q = request.query_params
    page = q.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise ApiError(400, "bad page number", ["page is a whole number from 1"])
    return {"group": q.get("group", ""), "relief": q.get("relief", ""), "reason": q.get("reason", ""),
            "page": int(page)}


def filter_rows(rows: list[dict], f: dict, skip: str = "") -> list[dict]:
    keep = []
    for r in rows:
        if skip != "group" and f["group"] and r["group"] != f["group"]:
            continue
        if skip != "relief" and f["relief"] and r["relief"] != f["relief"]:
            continue
        if skip != "reason" and f["reason"] and f["reason"] not in r["because"]:
            continue
        keep.append(r)
    return keep


def facets(rows: list[dict], f: dict) -> dict[str, list[tuple[str, int]]]:
    """Counts of each group, relief and reason among the rows that the other two filters keep."""
    out = {}
    for facet in ("group", "relief", "reason"):
        counts: dict[str, int] = {}
        for r in filter_rows(rows, f, skip=facet):
            for v in (r["because"] if facet == "reason" else [r[facet]]):
                counts[v] = counts.get(v, 0) + 1
        out[facet] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return out


async def _why_view(request: Request):
    name, date = request.path_params["name"], request.path_params["date"]
    act = request.query_params.get("act", "az-2025")
    if act not in acts_list():   # an act is named by id only: never a path
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    path = _version_file(monitor_dir(request), name, date)
    try:
        result = await run_in_threadpool(_why, path, act)
    except ClemencyError as exc:
        raise ApiError(422, "the list cannot be decided", [public_text(x) for x in str(exc).splitlines()[:20]]) from None
    return name, date, act, result, why_rows(result, get_act(act))


@access("viewer")
async def why_page(request: Request):
    """Why each person on a list version is still in, or which clause should release them (the act's
    default readings, decided on the entry into force), with what other readings would change."""
    f = why_filters(request)
    name, date, act, result, rows = await _why_view(request)
    shown = filter_rows(rows, f)
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(f["page"], pages)
    shown_rows = shown[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    lang = getattr(request.state, "lang", "en")
    jur = jurisdiction_of(get_act(act))
    if lang != "en":
        await run_in_threadpool(localise_reasons, shown_rows, act, result, lang)
    base = {**{k: v for k, v in f.items() if k != "page"}, "page": page if page > 1 else None,
            "act": act if act != "az-2025" else None}

    def link(**changes) -> str:
        """This view's address with some filters changed (None drops one)."""
        q = {k: v for k, v in {**base, **changes}.items() if v not in (None, "") and not (k == "page" and v == 1)}
        return "?" + urlencode(q) if q else "?"
    return render(request, "why.html", list_name=name, date=date, act=result.act, act_id=act,
                  act_hash=result.act_hash, readings=result.readings, on=result.on, total=len(rows),
                  shown=len(shown), rows=shown_rows, page=page, pages=pages,
                  numbers=page_numbers(page, pages), facets=facets(rows, f), filters=f,
                  link=link, rword=lambda r: (jur.words(r, lang) if lang != "en" else jur.words(r)) if r else "—",
                  groups=sorted({r["group"] for r in rows}),
                  reason_text={c: get_act(act).clause(c).text for r in rows for c in r["because"]
                               if c not in ("none", "unknown")})


def localise_reasons(rows: list[dict], act: str, result, lang: str) -> None:
    """Each decided row's reason in `lang` (the plain-words explanation of the decision, through gettext) as
    `reason_local`; the monitor's own English reason stays beside it."""
    from clemency.explain import plain_words
    from clemency.pipeline import Context
    ctx = Context.make(act, result.readings, result.on)
    for r in rows:
        if r.get("decision"):
            r["reason_local"] = plain_words(ctx, r["decision"], lang)


@access("viewer")
async def why_export(request: Request):
    """The filtered view as CSV or XLSX: the columns of `clemency monitor why`'s why.csv; every text cell
    neutralised (no formula from data)."""
    from clemency.monitor.why import WHY_COLUMNS
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise ApiError(404, "no such download", ["export.csv or export.xlsx"])
    f = why_filters(request)
    name, date, act, _result, rows = await _why_view(request)
    shown = filter_rows(rows, f)
    await audit(request, "export", f"why:{name}/{date}", format=fmt, rows=len(shown))
    data = await run_in_threadpool(why_file, fmt, WHY_COLUMNS, shown)
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="why-{name}-{date}.{fmt}"'})


def why_file(fmt: str, columns: list[str], rows: list[dict]) -> bytes:
    cells = [[(neutralise if fmt == "csv" else sheet_cell)(str(r.get(c) or "")) for c in columns] for r in rows]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows(cells)
        return buf.getvalue().encode("utf-8")
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("why")
    ws.append(columns)
    for row in cells:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


routes = [Route("/monitor", monitor_page),
          Route("/monitor/lists", upload_list, methods=["POST"]),
          Route("/monitor/why/{name}/{date}", why_page),
          Route("/monitor/why/{name}/{date}/export.{fmt}", why_export),
          Route("/monitor/review", review_page, methods=["GET"]),
          Route("/monitor/review", judge, methods=["POST"]),
          Route("/monitor/review/undo", undo, methods=["POST"])]

__all__ = ["LIST_NAME", "monitor_dir", "offered_versions", "review_pairs", "routes"]
