"""Administration in the browser: users (add, disable, enable, change role) and the audit log with its
chain verified. The same as `clemency users` and `clemency audit verify` on the command line."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from clemency.store import ROLES, UserError
from clemency.web.common import ApiError, access, audit, render, require_csrf, store


@access("admin")
async def users_page(request: Request):
    users = await run_in_threadpool(store(request).users.all)
    return render(request, "admin_users.html", users=users, roles=ROLES)


@access("admin")
async def users_change(request: Request):
    form = await request.form(max_files=0, max_fields=10)
    require_csrf(request, form)
    users = store(request).users
    action, name = str(form.get("action") or ""), str(form.get("name") or "")[:64]
    try:
        if action == "add":
            await run_in_threadpool(users.add, name, str(form.get("role") or ""), str(form.get("password") or ""))
        elif action in ("disable", "enable"):
            await run_in_threadpool(users.set_disabled, name, action == "disable")
        elif action == "role":
            await run_in_threadpool(users.set_role, name, str(form.get("role") or ""))
        elif action == "unlock":
            await run_in_threadpool(users.get, name)
            await run_in_threadpool(users.unlock, name)
        else:
            raise ApiError(400, "unknown action", ["add, disable, enable, role or unlock"])
    except UserError as exc:
        raise ApiError(400, exc.message, [exc.hint] if exc.hint else []) from None
    await audit(request, "user_" + action, "user:" + name, role=str(form.get("role") or "") if action in ("add", "role")
          else None)
    return RedirectResponse("/admin/users", status_code=303)


@access("admin")
async def audit_page(request: Request):
    st = store(request)
    verdict = await run_in_threadpool(st.audit.verify)
    entries = await run_in_threadpool(st.audit.entries, 500)
    return render(request, "admin_audit.html", verdict=verdict, entries=entries)


routes = [Route("/admin/users", users_page, methods=["GET"]), Route("/admin/users", users_change, methods=["POST"]),
          Route("/admin/audit", audit_page)]
