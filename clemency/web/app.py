"""The web application: `create_app(data_dir)` returns a Starlette app (routes per area in routes_*.py)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from clemency.errors import ClemencyError
from clemency.web import api, routes_act, routes_check, routes_monitor, routes_runs, routes_timeline
from clemency.web.audit import Audit
from clemency.web.auth import COOKIE, Sessions
from clemency.web.common import DEFAULT_MAX_UPLOAD, HERE, ApiError, WebConfig, error_response, log, render
from clemency.web.i18n import LANGUAGES, pick_language


class TooLarge(Exception):
    pass


class LimitAndSession:
    """ASGI middleware: the upload size limit (Content-Length and bytes actually received), the session
    cookie and the language of the page."""

    def __init__(self, app, config: WebConfig, sessions: Sessions):
        self.app, self.config, self.sessions = app, config, sessions

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        limit = self.config.max_upload
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            response = error_response(request, 413, "the upload is too large",
                                      [f"{int(length):,} bytes sent; the limit is {limit:,} bytes",
                                       "start the server with a larger --max-upload-mb"])
            return await response(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge()
            return message

        token, session = self.sessions.get(request.cookies.get(COOKIE))
        scope.setdefault("state", {})
        scope["state"]["session"], scope["state"]["token"] = session, token
        lang = pick_language(request.query_params.get("lang"), request.cookies.get("clemency_lang"),
                             request.headers.get("accept-language"))
        scope["state"]["lang"] = lang

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                current = scope["state"].get("token", token)
                if session.pop("new", False) or current != token:
                    headers.append((b"set-cookie", f"{COOKIE}={current}; Path=/; HttpOnly; SameSite=Strict"
                                    .encode()))
                if request.query_params.get("lang") in LANGUAGES:
                    headers.append((b"set-cookie", f"clemency_lang={lang}; Path=/; SameSite=Lax".encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_cookie)
        except TooLarge:
            response = error_response(request, 413, "the upload is too large",
                                      [f"more than {limit:,} bytes received; the limit is {limit:,} bytes"])
            await response(scope, receive, send)


async def api_error(request: Request, exc: ApiError):
    return error_response(request, exc.status, exc.error, exc.details)


async def clemency_error(request: Request, exc: ClemencyError):
    return error_response(request, 400, exc.message.splitlines()[0] if exc.message else "bad request",
                          str(exc).splitlines()[1:] or [str(exc)])


async def server_error(request: Request, exc: Exception):
    # no personal data: the path, the method and the kind of error only
    log.error("internal error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
    return error_response(request, 500, "internal error", ["the error was logged; no data was changed"])


async def not_found(request: Request, exc):
    status = getattr(exc, "status_code", 404)
    detail = getattr(exc, "detail", "") or ""
    return error_response(request, status, "not found" if status == 404 else detail or "error",
                          [f"{request.method} {request.url.path}"])


async def home(request: Request):
    return RedirectResponse("/check", status_code=303)


async def login_page(request: Request):
    return render(request, "login.html", failed=False)


async def login(request: Request):
    from clemency.web.common import require_csrf
    form = await request.form()
    require_csrf(request, form)
    sessions: Sessions = request.app.state.sessions
    if not sessions.check_password(str(form.get("password") or "")):
        request.app.state.audit.record("sign_in_failed", "anonymous")
        return render(request, "login.html", status_code=403, failed=True)
    request.scope["state"]["token"] = sessions.sign_in(request.state.token)
    request.app.state.audit.record("sign_in", "operator")
    return RedirectResponse(str(form.get("next") or "/runs"), status_code=303)


async def logout(request: Request):
    from clemency.web.common import require_csrf
    form = await request.form()
    require_csrf(request, form)
    request.app.state.sessions.sign_out(request.state.token)
    request.app.state.audit.record("sign_out", "operator")
    return RedirectResponse("/check", status_code=303)


def create_app(data_dir: str | Path = "clemency-data", password: str | None = None,
               max_upload: int = DEFAULT_MAX_UPLOAD) -> Starlette:
    """The application over a data directory (runs, monitor lists, the review ledger, the audit log).

    The operator password comes from `password`, else CLEMENCY_OPERATOR_PASSWORD, else it is generated
    (`app.state.config.password_generated`; `clemency serve` prints it)."""
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    env_pw = os.environ.get("CLEMENCY_OPERATOR_PASSWORD")
    pw = password or env_pw or secrets.token_urlsafe(12)
    config = WebConfig(data, pw, password_generated=not (password or env_pw), max_upload=max_upload)
    sessions = Sessions(pw)
    routes = [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        *routes_check.routes, *routes_runs.routes, *routes_act.routes, *routes_timeline.routes,
        *routes_monitor.routes, *api.routes,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(LimitAndSession, config=config, sessions=sessions)],
                    exception_handlers={ApiError: api_error, ClemencyError: clemency_error, 404: not_found,
                                        405: not_found, Exception: server_error})
    app.state.config, app.state.sessions = config, sessions
    app.state.audit = Audit(data / "audit.jsonl")
    app.state.jobs = routes_runs.Jobs(data / "runs", app.state.audit)
    logging.getLogger("clemency.web").setLevel(logging.INFO)
    return app
