"""`clemency serve --workers N` on SQLite and on PostgreSQL: sessions and runs are in the store, so every
worker serves every user, and a restart signs nobody out and loses no run; a run cut off by a restart is
marked failed with the reason and can be run again."""

from __future__ import annotations

import time

import pytest

from clemency.store import open_store
from tests.security import pgcluster
from tests.security.helpers import Server, formula_registry, seed, signed_in


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = None
    if request.param == "postgresql":
        base = pgcluster.url()
        if base is None:
            pytest.skip(pgcluster.skip_reason())
        url = pgcluster.fresh_database(base)
    return data, url, seed(data, url)


def wait(c, run_id):
    for _ in range(400):
        s = c.get(f"/api/runs/{run_id}/status").json()
        if s["state"] in ("done", "failed"):
            return s
        time.sleep(0.3)
    raise AssertionError("the run did not finish")


def test_two_workers_then_a_restart(backend, tmp_path):
    data, url, known = backend
    server = Server(data, "--workers", "2", "--proxy", "127.0.0.1", url=url)
    try:
        c, token = signed_in(server, "operator", address="10.8.0.1")
        codes = {c.get("/runs").status_code for _ in range(30)}          # both workers answer
        assert codes == {200}
        reg = formula_registry(tmp_path / "w.csv", rows=20)
        r = c.post("/runs", data={"csrf": token}, files={"registry": ("w.csv", reg.read_bytes(), "text/csv")})
        run_id = r.headers["location"].rsplit("/", 1)[1]
        assert wait(c, run_id)["state"] == "done"
        st = open_store(data, url)
        st.runs.create("20250101-000000-cccccc", "w.csv", "az-2025", {}, None, "operator")
        (data / "runs" / "20250101-000000-cccccc").mkdir(mode=0o700)
        st.runs.update("20250101-000000-cccccc", state="running", heartbeat=time.time())
    finally:
        server.stop()
    server = Server(data, "--proxy", "127.0.0.1", url=url)
    try:
        c2 = server.client(headers={"x-forwarded-for": "10.8.0.1"})
        c2.cookies.update(c.cookies)
        assert c2.get("/runs").status_code == 200                          # still signed in
        assert c2.get(f"/api/runs/{run_id}/status").json()["state"] == "done"
        cut = c2.get("/api/runs/20250101-000000-cccccc/status").json()
        assert cut["state"] == "failed" and "stopped" in cut["error"]
        assert c2.get(f"/api/runs/{known['run']}/status").json()["state"] == "done"
    finally:
        server.stop()
