"""The audit chain (who, where, what, which object; tamper-evident; `clemency audit verify`), errors
without personal data or paths, owner-only data files, and deleting a run with its personal data."""

from __future__ import annotations

import os
import stat
import time

from click.testing import CliRunner
from sqlalchemy import delete, update

from clemency.cli import main
from clemency.store import open_store
from clemency.store.schema import audit, audit_head
from tests.security.helpers import MARKER, signed_in


def test_actions_are_audited_with_user_address_and_object(site):
    c, token = signed_in(site["server"], "viewer", address="10.7.0.1")
    c.get(f"/runs/{site['run']}/files/decisions.csv")
    c.get(f"/runs/{site['run']}/person/{site['case']}")
    entries = open_store(site["data"]).audit.entries()
    mine = [e for e in entries if e["address"] == "10.7.0.1"]
    assert {"sign_in", "export", "view_person"} <= {e["action"] for e in mine}
    assert all(e["user_name"] == "viewer" for e in mine)
    assert any(e["object"] == f"run:{site['run']}" for e in mine)
    assert MARKER not in repr(entries) and site["case"] not in repr(entries)


def test_audit_verify_finds_tampering(tmp_path):
    st = open_store(tmp_path)
    for i in range(5):
        st.audit.record("export", "amina", "10.0.0.1", f"run:{i}", file="decisions.csv")
    run = lambda: CliRunner().invoke(main, ["audit", "verify", "--data", str(tmp_path)])  # noqa: E731
    r = run()
    assert r.exit_code == 0 and "intact: 5 entries" in r.output
    with st.engine.begin() as conn:                 # an edit
        conn.execute(update(audit).where(audit.c.seq == 3).values(user_name="someone-else"))
    r = run()
    assert r.exit_code == 1 and "entry 3 was changed" in r.output
    with st.engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.seq == 3).values(user_name="amina"))
    assert run().exit_code == 0
    with st.engine.begin() as conn:                 # a deletion in the middle
        row = conn.execute(audit.select().where(audit.c.seq == 2)).first()
        conn.execute(delete(audit).where(audit.c.seq == 2))
    assert run().exit_code == 1
    with st.engine.begin() as conn:
        conn.execute(audit.insert().values(**row._mapping))
    with st.engine.begin() as conn:                 # the last entry removed, head rewound by hand: still found
        conn.execute(delete(audit).where(audit.c.seq == 5))
    r = run()
    assert r.exit_code == 1 and "ends at entry 4" in r.output
    with st.engine.begin() as conn:
        conn.execute(update(audit_head).values(seq=4))
    assert run().exit_code == 1       # the head hash no longer matches


def test_run_errors_carry_no_personal_data_or_paths(site):
    c, token = signed_in(site["server"], "operator", address="10.7.0.2")
    bad = f"person_id,full_name,sex\nP1,{MARKER},M\n".encode()      # required columns missing
    r = c.post("/runs", data={"csrf": token}, files={"registry": ("bad.csv", bad, "text/csv")})
    assert r.status_code == 303, r.text
    run_id = r.headers["location"].rsplit("/", 1)[1]
    for _ in range(200):
        s = c.get(f"/api/runs/{run_id}/status").json()
        if s["state"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert s["state"] == "failed" and s["error"]
    assert MARKER not in s["error"] and str(site["data"]) not in s["error"] and "/tmp" not in s["error"]
    anon = site["server"].client()
    assert anon.get(f"/api/runs/{run_id}/status").status_code == 403     # a viewer at least


def test_data_files_are_owner_only(site, tmp_path):
    from tests.security.helpers import formula_registry
    c, token = signed_in(site["server"], "operator", address="10.7.0.3")
    reg = formula_registry(tmp_path / "perm.csv", rows=20)
    r = c.post("/runs", data={"csrf": token}, files={"registry": ("perm.csv", reg.read_bytes(), "text/csv")})
    run_id = r.headers["location"].rsplit("/", 1)[1]
    for _ in range(300):
        if c.get(f"/api/runs/{run_id}/status").json()["state"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert c.get(f"/runs/{run_id}/files/decisions.xlsx").status_code == 200
    base = site["data"]
    assert (base / "runs" / run_id / "exports" / "decisions.xlsx").exists()
    db = base / "clemency.db"
    assert stat.S_IMODE(db.stat().st_mode) & 0o077 == 0
    for root, dirs, files in os.walk(base / "runs"):
        for name in dirs + files:
            mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
            assert mode & 0o077 == 0, (name, oct(mode))


def test_runs_delete_removes_the_personal_data(tmp_path):
    from tests.security.helpers import seed
    known = seed(tmp_path)
    folder = tmp_path / "runs" / known["run"]
    assert folder.is_dir()
    r = CliRunner().invoke(main, ["runs", "delete", known["run"], "--data", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert not folder.exists()
    st = open_store(tmp_path)
    assert st.runs.get(known["run"]) is None
    assert st.audit.entries()[-1]["action"] == "run_delete" and st.audit.verify().ok
    r = CliRunner().invoke(main, ["runs", "delete", known["run"], "--data", str(tmp_path)])
    assert r.exit_code == 1


def test_users_cli_never_takes_or_prints_a_password(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["users", "add", "amina", "--role", "operator", "--data", str(tmp_path)],
                      input="short\n")
    assert r.exit_code == 1 and "at least 12" in r.output
    r = runner.invoke(main, ["users", "add", "amina", "--role", "operator", "--data", str(tmp_path)],
                      input="a-good-long-password\n")
    assert r.exit_code == 0 and "a-good-long-password" not in r.output
    r = runner.invoke(main, ["users", "add", "amina", "--role", "operator", "--password", "x" * 12])
    assert r.exit_code == 2                              # no such option
    r = runner.invoke(main, ["users", "list", "--data", str(tmp_path)])
    assert "amina\toperator\tactive" in r.output
    r = runner.invoke(main, ["users", "disable", "amina", "--data", str(tmp_path)])
    st = open_store(tmp_path)
    assert r.exit_code == 0 and st.users.authenticate("amina", "a-good-long-password", "x") is None
