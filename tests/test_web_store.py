"""The web application's store on SQLite and on a real PostgreSQL server (CLEMENCY_TEST_PG_URL, or a
throwaway cluster started for the tests; skipped only when none can be started, an error in CI)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CLEMENCY_TEST_FAST_HASH"] = "1"

from clemency.store import Throttled, UserError, open_store  # noqa: E402
from clemency.store.users import LOCK_AFTER  # noqa: E402
from tests.security import pgcluster  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    base = pgcluster.url()
    if base is None:
        pytest.skip(pgcluster.skip_reason())
    return pgcluster.fresh_database(base)


def test_migrations_match_the_tables(url, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from clemency.store.schema import metadata
    st = open_store(tmp_path, url)
    with st.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    open_store(tmp_path, url)      # migrating again is harmless


def test_users_and_throttling(url, tmp_path):
    st = open_store(tmp_path, url)
    st.users.add("amina", "operator", "correct horse battery")
    with pytest.raises(UserError, match="exists"):
        st.users.add("amina", "viewer", "another long password")
    with pytest.raises(UserError):
        st.users.add("../x", "viewer", "another long password")
    with pytest.raises(UserError):
        st.users.add("bob", "root", "another long password")
    assert st.users.authenticate("amina", "correct horse battery", "1.1.1.1").role == "operator"
    for _ in range(LOCK_AFTER):
        assert st.users.authenticate("amina", "wrong", "1.1.1.2") is None
    with pytest.raises(Throttled):
        st.users.authenticate("amina", "correct horse battery", "1.1.1.3")
    st.users.unlock("amina")
    assert st.users.authenticate("amina", "correct horse battery", "1.1.1.3") is not None
    st.users.set_disabled("amina")
    assert st.users.authenticate("amina", "correct horse battery", "1.1.1.4") is None


def test_sessions_and_runs_survive_a_restart(url, tmp_path):
    st = open_store(tmp_path, url)
    user = st.users.add("amina", "viewer", "correct horse battery")
    token, session = st.sessions.create(user.id, "1.1.1.1")
    st.runs.create("20250101-000000-abcdef", "r.csv", "az-2025", {"b3": "eif"}, "2026-01-01", "amina")
    st.runs.create("20250101-000001-abcdef", "r.csv", "az-2025", {}, None, "amina")
    st.runs.update("20250101-000001-abcdef", state="done", rows={"decided": 3})
    st.close()
    again = open_store(tmp_path, url)
    assert again.sessions.get(token) == session and again.sessions.get("forged") is None
    assert again.runs.get("20250101-000001-abcdef")["rows"] == {"decided": 3}
    assert again.runs.mark_interrupted() == 1       # the queued one: no process is running it any more
    run = again.runs.get("20250101-000000-abcdef")
    assert run["state"] == "failed" and "stopped" in run["error"] and run["readings"] == {"b3": "eif"}
    again.users.set_disabled("amina")
    assert again.sessions.get(token) is None


def test_a_run_whose_heartbeat_stopped_is_failed(url, tmp_path):
    from clemency.store import runs as runs_mod
    st = open_store(tmp_path, url)
    st.runs.create("20250101-000000-aaaaaa", "r.csv", "az-2025", {}, None, "amina")
    st.runs.update("20250101-000000-aaaaaa", state="running", heartbeat=time.time() - runs_mod.STALE - 1)
    assert st.runs.get("20250101-000000-aaaaaa")["state"] == "failed"
    st.runs.create("20250101-000000-bbbbbb", "r.csv", "az-2025", {}, None, "amina")
    st.runs.beat("20250101-000000-bbbbbb")
    assert st.runs.get("20250101-000000-bbbbbb")["state"] == "queued"


def test_audit_chain_under_concurrent_writers(url, tmp_path):
    st = open_store(tmp_path, url)
    errors = []

    def write(k):
        try:
            other = open_store(tmp_path, url, do_migrate=False)   # as another server process would
            for i in range(15):
                other.audit.record("export", f"user{k}", "10.0.0.1", f"run:{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = st.audit.verify()
    assert verdict.ok and verdict.entries == 60
    assert [e["seq"] for e in st.audit.entries()] == list(range(1, 61))


def test_judgements(url, tmp_path):
    st = open_store(tmp_path, url)
    st.judgements.record("L1", "R1", "same", "amina")
    st.judgements.record("R1", "L1", "different", "bob")
    assert st.judgements.latest() == {frozenset(("L1", "R1")): "different"}


def test_the_app_on_each_store_keeps_sessions_across_restarts(url, tmp_path):
    import re

    from starlette.testclient import TestClient

    from clemency.web.app import create_app
    app = create_app(tmp_path / "data", db_url=url)
    app.state.store.users.add("amina", "viewer", "correct horse battery")
    c = TestClient(app)
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"csrf": token, "username": "amina", "password": "correct horse battery"},
               follow_redirects=False)
    assert r.status_code == 303
    cookie = c.cookies.get("clemency_session")
    restarted = TestClient(create_app(tmp_path / "data", db_url=url))
    restarted.cookies.set("clemency_session", cookie)
    assert restarted.get("/runs", follow_redirects=False).status_code == 200
    assert restarted.app.state.store.audit.verify().ok
