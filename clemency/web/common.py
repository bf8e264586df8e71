"""What every route module shares: configuration, access by role, errors as JSON or pages, templates,
CSRF, the audit, and messages made safe to show."""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

from clemency.report.cells import neutralise
from clemency.store import RANK
from clemency.web.auth import csrf_ok
from clemency.web.i18n import LANGUAGES, UNCHECKED, helpers, translator

log = logging.getLogger("clemency.web")
HERE = Path(__file__).parent
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024
SMALL_BODY = 64 * 1024          # every request body but an upload: the JSON API, sign-in, forms
ROLE_WORDS = {"viewer": "a viewer", "operator": "an operator", "admin": "an administrator"}


@dataclass
class WebConfig:
    data_dir: Path
    max_upload: int = DEFAULT_MAX_UPLOAD
    secure_cookies: bool = False
    extra: dict = field(default_factory=dict)


class ApiError(Exception):
    """A bad request: status, a short error and details; rendered as JSON for /api, as a page otherwise."""

    def __init__(self, status: int, error: str, details: list | None = None, headers: dict | None = None):
        super().__init__(error)
        self.status, self.error, self.details = status, error, list(details or [])
        self.headers = headers or {}


env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, default=str)

# an absolute path: not the middle of a word or of a relative path (docs/registry-format.md), nor a tag's `</`
_PATH = re.compile(r"(?<![\w.~<-])(?:[A-Za-z]:)?(?:[\\/][^\s\\/'\"`:;,()<>|]+)+[\\/]?")
#: the application's own addresses, which messages point users to ("sign in at /login")
OWN_PATHS = frozenset({"/runs", "/login", "/reports", "/drafting", "/check", "/acts", "/monitor", "/api/check",
                       "/api/acts/{id}", "/api/docs"})


def _cut(m: re.Match) -> str:
    found = m.group(0)
    if found.rstrip(".") in OWN_PATHS:
        return found
    return re.split(r"[\\/]", found.rstrip("/\\"))[-1] or "(a path)"


def public_text(text: str) -> str:
    """A message as users may see it: any absolute path is cut to its last part (the file's name); the
    application's own addresses stay."""
    return _PATH.sub(_cut, str(text))


# characters an XLSX workbook cannot hold (openpyxl refuses them): a registry cell may carry them all the same
_NOT_IN_SHEETS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_cell(value):
    """A value as an XLSX cell can hold it: each control character a workbook cannot hold shown as U+FFFD,
    then made inert (no formula from data)."""
    if isinstance(value, str):
        value = _NOT_IN_SHEETS.sub("\ufffd", value)
    return neutralise(value)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def role_of(request: Request) -> str:
    return getattr(request.state, "role", "anonymous")


def user_name(request: Request) -> str:
    user = getattr(request.state, "user", None)
    return user.user if user else "anonymous"


def address(request: Request) -> str:
    return request.client.host if request.client else "-"


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = getattr(request.state, "lang", "en")
    role = role_of(request)
    html = env.get_template(template).render(
        request=request, t=translator(lang), lang=lang, languages=LANGUAGES, unchecked=lang in UNCHECKED,
        role=role, can=lambda r: RANK[role] >= RANK[r], user=user_name(request),
        operator=RANK[role] >= RANK["operator"], csrf=getattr(request.state, "csrf", ""),
        path=request.url.path, **helpers(lang), **context)
    return HTMLResponse(html, status_code=status_code)


def error_response(request: Request, status: int, error: str, details: list | None = None, headers=None):
    details = [public_text(d) for d in (details or [])]
    error = public_text(error)
    if wants_json(request):
        return JSONResponse({"error": error, "details": details}, status_code=status, headers=headers)
    response = render(request, "error.html", status_code=status, status=status, error=error, details=details)
    response.headers.update(headers or {})
    return response


def config(request: Request) -> WebConfig:
    return request.app.state.config


def store(request: Request):
    return request.app.state.store


async def audit(request: Request, action: str, obj: str = "-", **details) -> None:
    """One entry in the audit chain: who, from where, what, on which object; never record contents.
    Written off the event loop (a database write may wait for a lock)."""
    from starlette.concurrency import run_in_threadpool
    await run_in_threadpool(store(request).audit.record, action, user_name(request), address(request), obj,
                            **details)


def require_role(request: Request, role: str) -> None:
    if RANK[role_of(request)] >= RANK[role]:
        return
    if role_of(request) == "anonymous" and request.method == "GET" and not wants_json(request):
        raise SignInFirst(request.url.path)
    raise ApiError(403, f"signing in as {ROLE_WORDS[role]} is required for this",
                   ["sign in at /login"] if role_of(request) == "anonymous" else
                   [f"you are signed in as {ROLE_WORDS.get(role_of(request), role_of(request))}"])


class SignInFirst(Exception):
    def __init__(self, path: str):
        self.path = path


def sign_in_redirect(request: Request, exc: SignInFirst):
    from urllib.parse import quote
    return RedirectResponse("/login?next=" + quote(exc.path, safe="/"), status_code=303)


def access(role: str):
    """The least role a route needs ('anonymous', 'viewer', 'operator', 'admin'). Every route declares one
    (create_app refuses a route without); the route x role table of the tests is read from it."""
    if role not in RANK:
        raise ValueError(role)

    def deco(fn):
        @functools.wraps(fn)
        async def wrapper(request: Request):
            require_role(request, role)
            return await fn(request)
        wrapper.min_role = role
        return wrapper
    return deco


def require_csrf(request: Request, form=None) -> None:
    given = request.headers.get("x-csrf-token") or (form.get("csrf") if form is not None else None)
    if not csrf_ok(getattr(request.state, "csrf", ""), given):
        raise ApiError(403, "missing or wrong CSRF token",
                       ["reload the page and try again; API clients send the token in X-CSRF-Token"])
