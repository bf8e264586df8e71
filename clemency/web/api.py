"""The JSON API and its OpenAPI description.

`POST /api/check` is read-only (it decides, it stores nothing) and is therefore exempt from CSRF; every
other POST of the application changes state and needs the session's CSRF token."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clemency.compile.plan import parse_reading_args
from clemency.errors import ClemencyError, InputError, UsageError
from clemency.registry.schema import FIELDS
from clemency.web.common import ApiError, access, render
from clemency.web.decider import decider
from clemency.web.routes_act import act_json, acts_list, get_act


def parse_check_query(request: Request) -> tuple[str, dict, str | None]:
    act_id = request.query_params.get("act")
    if not act_id:
        raise ApiError(400, "the query parameter 'act' is required", [f"shipped acts: {', '.join(acts_list())}"])
    get_act(act_id)
    try:
        readings = parse_reading_args(request.query_params.getlist("reading"))
    except UsageError as exc:
        raise ApiError(400, "bad reading", [exc.message, "use reading=NAME=VALUE"]) from None
    on = request.query_params.get("on") or None
    if on:
        try:
            dt.date.fromisoformat(on)
        except ValueError:
            raise ApiError(400, "bad decision date 'on'", ["expected a date YYYY-MM-DD"]) from None
    return act_id, readings, on


MAX_DEPTH = 4          # an object of values; `articles` may be a list
MAX_NUMBER_CHARS = 40  # no registry number needs more
MAX_FIELDS = 200
MAX_TEXT = 2000


class _Refused(ValueError):
    pass


def _number(kind):
    def parse(text: str):
        if len(text) > MAX_NUMBER_CHARS:
            raise _Refused(f"a number of {len(text)} characters is not a registry value")
        value = kind(text)
        if kind is float and not math.isfinite(value):
            raise _Refused("a number too large for a registry value")
        return value
    return parse


def _constant(name: str):
    raise _Refused(f"{name} is not a registry value")


def depth_of(body: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in body:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_record(body: bytes):
    """The JSON body, refused (400) when malformed, nested too deep, or with numbers too large to be values."""
    try:
        text = body.decode("utf-8") if body else ""
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON", ["the body is not UTF-8"]) from None
    if depth_of(text) > MAX_DEPTH:
        raise ApiError(400, "the JSON is nested too deeply", [f"at most {MAX_DEPTH} levels: one object of values"])
    try:
        return json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except _Refused as exc:
        raise ApiError(400, "malformed JSON", [str(exc)]) from None
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else \
            "not a JSON value"
        raise ApiError(400, "malformed JSON", [where]) from None


FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
DECISION_FIELDS = ("relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from",
                   "eligible_until", "upcoming", "upcoming_relief", "upcoming_clause", "upcoming_from",
                   "excluded_by", "rests_on_readings", "notes", "on", "act", "act_hash", "readings", "code_version",
                   "reasons_code", "reasons", "explanation")


def field_name_problems(record: dict) -> list[str]:
    """Extra fields are passed through, but a name must be a plain identifier, appear once whatever its case,
    and not be one of the decision's own fields (which it would shadow)."""
    out, seen = [], set()
    for k in record:
        shown = repr(str(k)[:40])
        if not isinstance(k, str) or not FIELD_NAME.fullmatch(k):
            out.append(f"field {shown}: a field name is a letter, then letters, digits or '_' (64 at most)")
        elif k.lower() in seen:
            out.append(f"field {shown}: given twice (names are case-insensitive)")
        elif k.lower() in DECISION_FIELDS and k.lower() not in FIELDS:
            out.append(f"field {shown}: this name is a field of the decision, not of the record")
        seen.add(str(k).lower())
    return out


def check_record(act_id: str, readings: dict, on: str | None, record) -> dict:
    if not isinstance(record, dict):
        raise ApiError(400, "the body must be one JSON object in the registry format",
                       [f"found a JSON {type(record).__name__}"])
    if len(record) > MAX_FIELDS:
        raise ApiError(422, "the record is not valid", [f"{len(record)} fields; at most {MAX_FIELDS}"])
    wrong = [f"field '{str(k)[:64]}': a JSON {type(v).__name__} is not a registry value" for k, v in record.items()
             if isinstance(v, dict) or (isinstance(v, list) and k != "articles")
             or (isinstance(v, list) and not all(isinstance(x, (str, int)) for x in v))]
    wrong += [f"field '{str(k)[:64]}': longer than {MAX_TEXT} characters" for k, v in record.items()
              if len(str(k)) > 200 or (isinstance(v, str) and len(v) > MAX_TEXT)
              or (isinstance(v, list) and len(";".join(map(str, v))) > MAX_TEXT)]
    wrong += field_name_problems(record)
    if wrong:
        raise ApiError(422, "the record is not valid", wrong[:50])
    try:
        d = decider(act_id, readings, on)
    except UsageError as exc:
        raise ApiError(400, "unknown reading" if "unknown reading" in exc.message else "bad reading",
                       [exc.message]) from None
    except (ClemencyError, ValueError, OverflowError, ArithmeticError):
        raise ApiError(400, "bad reading or decision date", ["see /api/acts/{id} for the readings"]) from None
    try:
        return d.decide(record)
    except InputError as exc:
        lines = [x.strip() for x in exc.message.splitlines()]
        raise ApiError(422, lines[0].rstrip(":"), lines[1:]) from None
    except (ValueError, OverflowError, ArithmeticError, duckdb.Error):
        raise ApiError(422, "the record is not valid", ["a value is out of range for its field"]) from None


@access("anonymous")
async def api_check(request: Request):
    act_id, readings, on = parse_check_query(request)
    record = parse_record(await request.body())
    return JSONResponse(await run_in_threadpool(check_record, act_id, readings, on, record))


@access("anonymous")
async def api_acts(request: Request):
    out = []
    for a in acts_list():
        act = get_act(a)
        out.append({"id": act.id, "title": act.title, "sha256": act.sha256,
                    "entry_into_force": act.entry_into_force.isoformat(), "url": f"/api/acts/{act.id}"})
    return JSONResponse(out)


@access("anonymous")
async def api_act(request: Request):
    return JSONResponse(act_json(get_act(request.path_params["act_id"])))


@access("viewer")
async def api_run_status(request: Request):
    job = request.app.state.jobs.get(request.path_params["run_id"])
    return JSONResponse(job.status())


def openapi() -> dict:
    record_props = {}
    for f in FIELDS.values():
        if f.type == "enum":
            record_props[f.name] = {"type": "string", "enum": list(f.values or ())}
        elif f.type == "date":
            record_props[f.name] = {"type": "string", "format": "date"}
        elif f.type == "bool":
            record_props[f.name] = {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["unknown"]}]}
        elif f.type in ("int", "number"):
            record_props[f.name] = {"type": "integer" if f.type == "int" else "number"}
        elif f.name == "articles":
            record_props[f.name] = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                                    "example": "206.3.2;193-1.3.1"}
        else:
            record_props[f.name] = {"type": "string"}
        if f.meaning:
            record_props[f.name]["description"] = f.meaning
    error = {"type": "object", "required": ["error", "details"],
             "properties": {"error": {"type": "string"}, "details": {"type": "array", "items": {"type": "string"}}}}
    err = {"description": "bad request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Clemency API", "version": "1",
                 "description": "Amnesty acts as data. Decisions are exactly what `clemency check` prints. "
                                "POST /api/check is read-only and exempt from CSRF. Its body is at most 64 KiB, "
                                "one JSON object of values nested at most 4 deep, numbers of at most 40 characters."},
        "paths": {
            "/api/check": {"post": {
                "summary": "Decide one record under an act",
                "parameters": [
                    {"name": "act", "in": "query", "required": True, "schema": {"type": "string", "enum": acts_list()}},
                    {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"},
                     "description": "decision date (default: the entry into force)"},
                    {"name": "reading", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                     "style": "form", "explode": True, "description": "NAME=VALUE, repeatable"}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Record"}}}},
                "responses": {"200": {"description": "the decision (docs/decisions.md) with reasons clause by clause "
                                      "and a plain-words explanation",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}}},
                              "400": err, "404": err, "408": err, "413": err, "422": err}}},
            "/api/acts": {"get": {"summary": "The shipped acts", "responses": {"200": {"description": "list of acts"}}}},
            "/api/acts/{id}": {"get": {"summary": "One act: clauses, conditions, readings, sources",
                                       "parameters": [{"name": "id", "in": "path", "required": True,
                                                       "schema": {"type": "string"}}],
                                       "responses": {"200": {"description": "the act"}, "404": err}}},
            "/api/runs/{id}/status": {"get": {"summary": "Progress of a run (an act applied to an uploaded registry)",
                                              "parameters": [{"name": "id", "in": "path", "required": True,
                                                              "schema": {"type": "string"}}],
                                              "description": "Needs a signed-in viewer, operator or admin (the session "
                                                             "cookie from /login).",
                                              "responses": {"200": {"description": "state, step, counts"}, "403": err,
                                                            "404": err}}},
        },
        "components": {"schemas": {
            "Error": error,
            "Record": {"type": "object", "required": ["person_id", "sex", "status", "articles"],
                       "properties": record_props, "additionalProperties": True},
            "Decision": {"type": "object", "properties": {
                k: {} for k in ("person_id", "case_id", "relief", "clause", "basis", "reduction_months",
                                "new_sentence_end", "eligible_from", "eligible_until", "upcoming", "excluded_by",
                                "crime_category", "notes", "on", "act", "act_hash", "readings", "code_version",
                                "reasons_code", "reasons", "explanation")}},
        }},
    }


@access("anonymous")
async def api_openapi(request: Request):
    return JSONResponse(openapi())


@access("anonymous")
async def api_docs(request: Request):
    return render(request, "api_docs.html", spec=openapi())


routes = [
    Route("/api/check", api_check, methods=["POST"]),
    Route("/api/acts", api_acts), Route("/api/acts/{act_id}", api_act),
    Route("/api/runs/{run_id}/status", api_run_status),
    Route("/api/openapi.json", api_openapi), Route("/api/docs", api_docs),
]
