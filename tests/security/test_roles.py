"""Role checks on every route: the table route x role -> allowed is generated from the app's routes (each
route declares the least role it needs, and this file's table must name every route), then each cell is
tried against the real server."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from clemency.store import RANK
from tests.security.helpers import signed_in

# what each route needs; a route of the app missing here fails test_every_route_is_in_the_table
TABLE = {
    ("/", "GET"): "anonymous", ("/login", "GET"): "anonymous", ("/login", "POST"): "anonymous",
    ("/logout", "POST"): "anonymous", ("/check", "GET"): "anonymous", ("/check", "POST"): "anonymous",
    ("/acts", "GET"): "anonymous", ("/acts/{act_id}", "GET"): "anonymous",
    ("/api/check", "POST"): "anonymous", ("/api/acts", "GET"): "anonymous", ("/api/acts/{act_id}", "GET"): "anonymous",
    ("/api/openapi.json", "GET"): "anonymous", ("/api/docs", "GET"): "anonymous",
    ("/drafting", "GET"): "anonymous", ("/drafting", "POST"): "anonymous", ("/drafting/{job_id}", "GET"): "anonymous",
    ("/drafting/{job_id}/flips.{fmt}", "GET"): "anonymous",
    ("/reports", "GET"): "anonymous", ("/reports/{run_id}/{name}", "GET"): "anonymous",
    ("/runs", "GET"): "viewer", ("/runs/{run_id}", "GET"): "viewer",
    ("/runs/{run_id}/person/{case_id:path}", "GET"): "viewer", ("/runs/{run_id}/files/{name}", "GET"): "viewer",
    ("/api/runs/{run_id}/status", "GET"): "viewer", ("/timeline", "GET"): "viewer",
    ("/api/check/batch", "POST"): "anonymous", ("/api/runs/{run_id}/decisions", "GET"): "viewer",
    ("/runs/{run_id}/view.{fmt}", "GET"): "viewer", ("/check/letter", "POST"): "anonymous",
    ("/runs/{run_id}/letter/{case_id:path}", "GET"): "viewer",
    ("/timeline/{run_id}", "GET"): "viewer", ("/monitor", "GET"): "viewer",
    ("/monitor/why/{name}/{date}", "GET"): "viewer", ("/monitor/review", "GET"): "viewer",
    ("/monitor/status/{name}/{date}", "GET"): "viewer",
    ("/monitor/why/{name}/{date}/export.{fmt}", "GET"): "viewer",
    ("/runs", "POST"): "operator", ("/runs/{run_id}/again", "POST"): "operator",
    ("/runs/{run_id}/publish", "POST"): "operator", ("/runs/{run_id}/findings.csv", "GET"): "operator",
    ("/monitor/review", "POST"): "operator", ("/monitor/review/undo", "POST"): "operator",
    ("/monitor/lists", "POST"): "operator",
    ("/admin/users", "GET"): "admin", ("/admin/users", "POST"): "admin", ("/admin/audit", "GET"): "admin",
}
ROLES = ("anonymous", "viewer", "operator", "admin")


def app_routes():
    import tempfile

    from clemency.web.app import create_app
    app = create_app(tempfile.mkdtemp())
    out = {}
    for r in app.routes:
        if isinstance(r, Route):
            for m in sorted((r.methods or {"GET"}) - {"HEAD"}):
                out[(r.path, m)] = r.endpoint.min_role
    return out


def test_every_route_is_in_the_table():
    routes = app_routes()
    assert set(routes) == set(TABLE), {"missing from the table": set(routes) - set(TABLE),
                                       "no longer routes": set(TABLE) - set(routes)}
    assert routes == TABLE


def fill(path: str, site: dict) -> str:
    return (path.replace("{run_id}", site["run"]).replace("{case_id:path}", site["case"])
            .replace("{act_id}", "az-2025").replace("{name}/{date}", "demo/2025-01-01")
            .replace("{name}", "report.html" if path.startswith("/reports") else "decisions.csv"))


CELLS = [(path, method, role) for (path, method) in TABLE for role in ROLES]


@pytest.fixture(scope="module")
def clients(site):
    return {role: signed_in(site["server"], role, address=f"10.1.0.{i + 1}") for i, role in enumerate(ROLES)}


@pytest.mark.parametrize("path,method,role", CELLS, ids=[f"{m} {p} as {r}" for p, m, r in CELLS])
def test_route_role(site, clients, path, method, role):
    need = TABLE[(path, method)]
    if path == "/logout":   # would end the shared session: a session of its own
        client, token = signed_in(site["server"], role, address="10.1.1.1")
    else:
        client, token = clients[role]
    url = fill(path, site)
    if method == "GET":
        r = client.get(url)
    else:   # a valid CSRF token and an empty form: a refusal can only come from the role
        r = client.post(url, data={"csrf": token}, headers={"x-csrf-token": token})
    denied = (r.status_code == 403 and "signing in as" in r.text) or (
        r.status_code == 303 and r.headers["location"].startswith("/login"))
    if RANK[role] >= RANK[need]:
        assert not denied and r.status_code < 500, (r.status_code, r.text[:300])
    else:
        assert denied, (r.status_code, r.text[:300])


def test_a_route_without_a_role_is_refused_at_start():
    import pytest as _pytest

    from clemency.web.app import check_access

    async def endpoint(request):  # pragma: no cover - never called
        return None
    with _pytest.raises(RuntimeError, match="declares no role"):
        check_access([Route("/forgotten", endpoint)])
