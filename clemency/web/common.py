"""What every route module shares: configuration, errors as JSON or pages, templates, sessions, CSRF."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from clemency.web.auth import csrf_ok
from clemency.web.i18n import LANGUAGES, UNCHECKED, translator

log = logging.getLogger("clemency.web")
HERE = Path(__file__).parent
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


@dataclass
class WebConfig:
    data_dir: Path
    password: str
    password_generated: bool = False
    max_upload: int = DEFAULT_MAX_UPLOAD
    extra: dict = field(default_factory=dict)


class ApiError(Exception):
    """A bad request: status, a short error and details; rendered as JSON for /api, as a page otherwise."""

    def __init__(self, status: int, error: str, details: list | None = None):
        super().__init__(error)
        self.status, self.error, self.details = status, error, list(details or [])


env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, default=str)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = getattr(request.state, "lang", "en")
    session = getattr(request.state, "session", {"operator": False, "csrf": ""})
    html = env.get_template(template).render(
        request=request, t=translator(lang), lang=lang, languages=LANGUAGES, unchecked=lang in UNCHECKED,
        operator=session.get("operator", False), csrf=session.get("csrf", ""), path=request.url.path,
        **context)
    return HTMLResponse(html, status_code=status_code)


def error_response(request: Request, status: int, error: str, details: list | None = None):
    if wants_json(request):
        return JSONResponse({"error": error, "details": list(details or [])}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, error=error, details=details or [])


def config(request: Request) -> WebConfig:
    return request.app.state.config


def actor(request: Request) -> str:
    return "operator" if request.state.session.get("operator") else "anonymous"


def require_operator(request: Request) -> None:
    if not request.state.session.get("operator"):
        raise ApiError(403, "signing in as an operator is required for this", ["POST /login with the password"])


def require_csrf(request: Request, form=None) -> None:
    given = request.headers.get("x-csrf-token") or (form.get("csrf") if form is not None else None)
    if not csrf_ok(request.state.session, given):
        raise ApiError(403, "missing or wrong CSRF token",
                       ["reload the page and try again; API clients send the token in X-CSRF-Token"])
