"""The web application: `create_app(data_dir, db_url)` returns a Starlette app (routes per area in
routes_*.py; the middleware in middleware.py)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from clemency.errors import ClemencyError
from clemency.store import Throttled, UserError, open_store
from clemency.web import (
    api,
    api_runs,
    letter,
    routes_act,
    routes_admin,
    routes_check,
    routes_drafting,
    routes_monitor,
    routes_reports,
    routes_runs,
    routes_status,
    routes_timeline,
)
from clemency.web.auth import safe_next
from clemency.web.common import (
    DEFAULT_MAX_UPLOAD,
    HERE,
    ApiError,
    SignInFirst,
    WebConfig,
    access,
    address,
    audit,
    error_response,
    log,
    render,
    require_csrf,
    sign_in_redirect,
)
from clemency.web.middleware import Guard


async def api_error(request: Request, exc: ApiError):
    return error_response(request, exc.status, exc.error, exc.details, headers=exc.headers or None)


async def clemency_error(request: Request, exc: ClemencyError):
    lines = str(exc).splitlines() or ["bad request"]
    return error_response(request, 400, lines[0], lines[1:])


def route_name(request: Request) -> str:
    """The route of a request as the code names it (`person_page`), never its path (which may carry a case id)."""
    endpoint = request.scope.get("endpoint")
    return getattr(endpoint, "__name__", None) or "(no route)"


async def server_error(request: Request, exc: Exception):
    # no personal data: the method, the route and the kind of error only (the path may carry a case id, the
    # exception's message a value of a record)
    log.error("internal error on %s %s: %s", request.method, route_name(request), exc.__class__.__name__)
    return error_response(request, 500, "internal error", ["the error was logged; no data was changed"])


async def client_gone(request: Request, exc: ClientDisconnect):
    """The client went away before its request was whole: nobody reads an answer, and it is no error of ours."""
    log.info("client disconnected during %s %s", request.method, route_name(request))
    return Response(status_code=400)


async def not_found(request: Request, exc):
    status = getattr(exc, "status_code", 404)
    if status == 404:
        return error_response(request, 404, "not found", [])
    if status == 405:
        return error_response(request, 405, "method not allowed", [])
    return error_response(request, status, "bad request", [])


@access("anonymous")
async def home(request: Request):
    return RedirectResponse("/check", status_code=303)


@access("anonymous")
async def login_page(request: Request):
    return render(request, "login.html", failed=False, next=safe_next(request.query_params.get("next")))


def _tried(st, name: str) -> str:
    """The audit's object of a failed sign-in: the user's name when it is one, else no name at all (a name
    that is no user's is often a password typed in the wrong field)."""
    try:
        return "user:" + st.users.get(name[:64]).name
    except UserError:
        return "user:(not a user name)"


@access("anonymous")
async def login(request: Request):
    form = await request.form(max_files=0, max_fields=10)
    require_csrf(request, form)
    st = request.app.state.store
    name, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    nxt = safe_next(form.get("next"))
    try:
        user = await run_in_threadpool(st.users.authenticate, name, password, address(request))
    except Throttled as exc:
        await audit(request, "sign_in_throttled", await run_in_threadpool(_tried, st, name))
        raise ApiError(429, exc.message, ["wait, or ask an administrator to unlock the account"],
                       headers={"retry-after": str(exc.seconds)}) from None
    if user is None:
        await audit(request, "sign_in_failed", await run_in_threadpool(_tried, st, name))
        return render(request, "login.html", status_code=401, failed=True, next=nxt)
    token, session = await run_in_threadpool(st.sessions.create, user.id, address(request))
    request.state.user, request.state.role, request.state.csrf = session, session.role, session.csrf
    request.scope["state"]["set_session"] = token
    await audit(request, "sign_in", "user:" + user.name)
    return RedirectResponse(nxt, status_code=303)


@access("anonymous")
async def logout(request: Request):
    form = await request.form(max_files=0, max_fields=5)
    require_csrf(request, form)
    if request.state.user is not None:
        await audit(request, "sign_out", "user:" + request.state.user.user)
        request.app.state.store.sessions.end(request.cookies.get("clemency_session"))
    request.scope["state"]["set_session"] = ""
    return RedirectResponse("/check", status_code=303)


def check_access(routes) -> None:
    """Refuse to build an app with a route that does not say which role it needs."""
    for r in routes:
        if isinstance(r, Route) and not hasattr(r.endpoint, "min_role"):
            raise RuntimeError(f"route {r.path} declares no role (use clemency.web.common.access)")


def create_app(data_dir: str | Path = "clemency-data", db_url: str | None = None,
               max_upload: int = DEFAULT_MAX_UPLOAD, secure_cookies: bool = False, migrate: bool = True) -> Starlette:
    """The application over a data directory (run files, monitor lists) and a store (SQLite in the data
    directory unless `db_url` names another database)."""
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = open_store(data, db_url, do_migrate=migrate)
    config = WebConfig(data, max_upload=max_upload, secure_cookies=secure_cookies)
    routes = [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        *routes_drafting.routes,
        *routes_check.routes, *routes_runs.routes, *routes_act.routes, *routes_timeline.routes,
        *routes_monitor.routes, *routes_status.routes, *routes_reports.routes, *routes_admin.routes, *api_runs.routes, *letter.routes, *api.routes,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    check_access(routes)
    app = Starlette(routes=routes, middleware=[Middleware(Guard, config=config, store=st)],
                    exception_handlers={ApiError: api_error, ClemencyError: clemency_error, SignInFirst: sign_in_redirect,
                                        ClientDisconnect: client_gone,
                                        404: not_found, 405: not_found, 400: not_found, Exception: server_error})
    app.state.config, app.state.store = config, st
    app.state.jobs = routes_runs.Jobs(data / "runs", st)
    logging.getLogger("clemency.web").setLevel(logging.INFO)
    return app


def app_from_env() -> Starlette:
    """The application as `clemency serve` configures it through the environment (one per worker process;
    the store was migrated by the parent before the workers started)."""
    from clemency.web.server import quiet_tracebacks
    quiet_tracebacks()
    return create_app(os.environ["CLEMENCY_DATA"], os.environ.get("CLEMENCY_DB") or None,
                      max_upload=int(os.environ.get("CLEMENCY_MAX_UPLOAD", DEFAULT_MAX_UPLOAD)),
                      secure_cookies=os.environ.get("CLEMENCY_SECURE_COOKIES") == "1", migrate=False)
