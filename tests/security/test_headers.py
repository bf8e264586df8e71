"""Security headers, cookies behind TLS, and the sign-in `next` (local paths only)."""

from __future__ import annotations

import re

import pytest

from tests.security.helpers import PASSWORDS, csrf_of, signed_in

PAGES = ["/check", "/acts", "/login", "/reports", "/api/acts", "/nothing-here"]


@pytest.mark.parametrize("path", PAGES)
def test_headers_on_every_kind_of_answer(site, path):
    c = site["server"].client()
    r = c.get(path)
    h = r.headers
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    script = re.search(r"script-src ([^;]*)", csp)
    assert script is None or "unsafe-inline" not in script.group(1)   # no inline scripts anywhere
    assert "strict-transport-security" not in h     # plain HTTP: no HSTS
    assert h.get("cache-control") == "no-store"
    assert "server" not in h


def test_no_inline_script_in_pages(site):
    c, _ = signed_in(site["server"], "admin", address="10.3.0.9")
    for path in ["/check", "/runs", f"/runs/{site['run']}", "/monitor", "/admin/users", "/acts/az-2025"]:
        html = c.get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", html), path       # no inline event handlers


def test_reports_get_a_csp_without_scripts(site):
    c = site["server"].client()
    r = c.get(f"/reports/{site['run']}/report.html")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(site):
    c = site["server"].client(headers={"x-forwarded-proto": "https", "x-forwarded-for": "10.3.0.1"})
    r = c.get("/login")
    assert "max-age=" in r.headers["strict-transport-security"]
    assert all("Secure" in v for v in r.headers.get_list("set-cookie"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)
    anon = [v.split(";")[0] for v in r.headers.get_list("set-cookie") if v.startswith("clemency_anon=")][0]
    r = c.post("/login", data={"csrf": token, "username": "viewer", "password": PASSWORDS["viewer"]},
               headers={"cookie": anon})   # a Secure cookie is not sent over plain HTTP by the client itself
    cookie = [v for v in r.headers.get_list("set-cookie") if v.startswith("clemency_session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize("nxt", ["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                                 "javascript:alert(1)", "http:/evil.example", "/%0d%0aLocation: http://evil",
                                 "///evil.example", " //evil.example", "/\t/evil.example", "data:text/html,x"])
def test_next_is_local_only(site, nxt):
    c = site["server"].client(headers={"x-forwarded-for": "10.3.0.2"})
    r = c.post("/login", data={"csrf": csrf_of(c), "username": "viewer", "password": PASSWORDS["viewer"],
                               "next": nxt})
    assert r.status_code == 303
    loc = r.headers["location"]
    assert loc.startswith("/") and not loc.startswith("//") and not loc.startswith("/\\") and "evil" not in loc
    page = c.get("/login", params={"next": nxt}).text
    assert "evil" not in page


def test_next_keeps_local_paths(site):
    c = site["server"].client(headers={"x-forwarded-for": "10.3.0.3"})
    r = c.post("/login", data={"csrf": csrf_of(c), "username": "viewer", "password": PASSWORDS["viewer"],
                               "next": f"/runs/{site['run']}?page=2"})
    assert r.headers["location"] == f"/runs/{site['run']}?page=2"


def test_anonymous_visits_keep_no_state(site):
    """10,000 cookie-less requests store nothing and so cannot evict a signed-in session."""
    c, _ = signed_in(site["server"], "viewer", address="10.3.0.4")
    import httpx
    with httpx.Client(base_url=site["server"].url) as anon:
        for _ in range(300):
            anon.cookies.clear()
            anon.get("/api/acts")
    from clemency.store import open_store
    st = open_store(site["data"])
    from sqlalchemy import func, select

    from clemency.store.schema import sessions
    with st.engine.begin() as conn:
        n = conn.execute(select(func.count()).select_from(sessions)).scalar()
    assert n < 50      # only the signed-in sessions of this suite
    assert c.get("/runs").status_code == 200


def test_login_csrf_is_needed(site):
    c = site["server"].client(headers={"x-forwarded-for": "10.3.0.5"})
    r = c.post("/login", data={"csrf": "forged", "username": "viewer", "password": PASSWORDS["viewer"]})
    assert r.status_code == 403
