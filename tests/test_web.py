"""The web application through Starlette's TestClient: pages, the JSON API, bad requests, access."""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from starlette.testclient import TestClient

from clemency.apply import Context
from clemency.explain import decide_records
from clemency.registry.synth import synth
from clemency.web.app import create_app

RECORD = {"person_id": "P1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted", "articles": "177.2",
          "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2027-01-10"}
LEFT = "id,full_name,birth_year\nL1,Əliyev Tofiq Rəşid oğlu,1985\nL2,Məmmədova Günel,1990\n"
RIGHT = "id,full_name,birth_year\nR1,Aliyev Tofig,1985\nR2,Mammadova Gunel Elshad qizi,1991\n"


def seed_monitor(data):
    (data / "monitor" / "review").mkdir(parents=True)
    (data / "monitor" / "review" / "left.csv").write_text(LEFT, encoding="utf-8")
    (data / "monitor" / "review" / "right.csv").write_text(RIGHT, encoding="utf-8")
    (data / "monitor" / "lists" / "demo").mkdir(parents=True)
    (data / "monitor" / "lists" / "demo" / "2025-01-01.csv").write_text(LEFT, encoding="utf-8")


os.environ["CLEMENCY_TEST_FAST_HASH"] = "1"   # Argon2 with the cheapest parameters, for the tests only
PASSWORDS = {"viewer": "viewer-password-1", "operator": "operator-password-1", "admin": "admin-password-12"}


def add_users(app_or_store):
    store = getattr(getattr(app_or_store, "state", None), "store", app_or_store)
    for role, pw in PASSWORDS.items():
        store.users.add(role, role, pw)


def make_app(data, **kw):
    app = create_app(data, **kw)
    add_users(app)
    return app


@pytest.fixture()
def data(tmp_path):
    seed_monitor(tmp_path)
    return tmp_path


@pytest.fixture()
def client(data):
    with TestClient(make_app(data, max_upload=2_000_000)) as c:
        yield c


def csrf(client, path="/check"):
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, role="operator"):
    token = csrf(client, "/login")
    r = client.post("/login", data={"csrf": token, "username": role, "password": PASSWORDS[role]},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf(client, "/check")


@pytest.mark.parametrize("path", ["/check", "/acts", "/acts/az-2025", "/timeline", "/monitor", "/monitor/review",
                                  "/runs", "/api/docs", "/login", "/reports", "/admin/users", "/admin/audit"])
def test_pages_render(client, path):
    sign_in(client, "admin")
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert "<!doctype html>" in r.text


def test_home_redirects_to_check(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/check"


def test_check_form_explains_clause_by_clause(client):
    form = {k: str(v) for k, v in RECORD.items()} | {"act": "az-2025", "war_participant": "true", "csrf": csrf(client)}
    r = client.post("/check", data=form)
    assert r.status_code == 200
    assert 'id="relief" class="relief-release_from_imprisonment"' in r.text
    assert "A1" in r.text and "reported" in r.text and "report-1912" in r.text
    assert "https://report.az/" in r.text  # sources link to the act's URLs
    assert 'id="alternatives"' in r.text


def test_check_form_shows_problems(client):
    r = client.post("/check", data={"act": "az-2025", "sex": "M", "status": "convicted", "articles": "177.2",
                                    "punishment": "imprisonment"})
    assert r.status_code == 400
    assert "sentence_end" in r.text


def test_languages_and_machine_translation_label(client):
    sign_in(client, "viewer")
    assert "Machine translation" not in client.get("/check").text
    az = client.get("/check?lang=az")
    assert "Maşın tərcüməsi" in az.text and "Şəxsi yoxla" in az.text
    assert "Машинный перевод" in client.get("/check?lang=ru").text
    assert "Машинный перевод" in client.get("/acts").text  # the cookie remembers the language


def test_api_check_is_exactly_check(client):
    r = client.post("/api/check?act=az-2025&reading=f2=abcde", json=RECORD)
    assert r.status_code == 200
    expected = decide_records(Context.make("az-2025", {"f2": "abcde"}), [RECORD])[0]
    assert r.json() == json.loads(json.dumps(expected, default=str))
    r = client.post("/api/check?act=az-2025&on=2026-03-01", json=RECORD)
    assert r.json()["on"] == "2026-03-01"


@pytest.mark.parametrize("query,body,status,error", [
    ("act=az-2025", b"{not json", 400, "malformed JSON"),
    ("act=az-2025", b"", 400, "malformed JSON"),
    ("act=az-2025", b"[1, 2]", 400, "the body must be one JSON object"),
    ("act=nope", json.dumps(RECORD).encode(), 404, "unknown act"),
    ("", json.dumps(RECORD).encode(), 400, "the query parameter 'act' is required"),
    ("act=az-2025&reading=zz=1", json.dumps(RECORD).encode(), 400, "unknown reading"),
    ("act=az-2025&reading=f2=zz", json.dumps(RECORD).encode(), 400, "bad reading"),
    ("act=az-2025&reading=f2", json.dumps(RECORD).encode(), 400, "bad reading"),
    ("act=az-2025&on=2025-13-40", json.dumps(RECORD).encode(), 400, "bad decision date"),
    ("act=az-2025", json.dumps(RECORD | {"sex": "X"}).encode(), 422, "the record is not valid"),
    ("act=az-2025", json.dumps(RECORD | {"term_months": "many"}).encode(), 422, "the record is not valid"),
    ("act=az-2025", json.dumps(RECORD | {"sex": {"a": 1}}).encode(), 422, "the record is not valid"),
])
def test_api_bad_requests(client, query, body, status, error):
    r = client.post(f"/api/check?{query}", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    j = r.json()
    assert j["error"].startswith(error), j
    assert isinstance(j["details"], list)


def test_api_acts_and_openapi(client):
    acts = client.get("/api/acts").json()
    assert "az-2025" in [a["id"] for a in acts]
    act = client.get("/api/acts/az-2025").json()
    a1 = next(c for c in act["clauses"] if c["id"] == "A1")
    assert a1["status"] == "reported" and a1["sources"][0]["url"].startswith("https://")
    assert any(r["name"] == "f2" for r in act["readings"])
    assert client.get("/api/acts/zz").status_code == 404
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/check" in spec["paths"]


def test_unknown_route_is_404_json_for_api(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not found"


def test_uploads_need_an_operator_and_csrf(client, tmp_path):
    files = {"registry": ("r.csv", b"person_id\n", "text/csv")}
    r = client.post("/runs", files=files, data={"csrf": csrf(client)})
    assert r.status_code == 403 and "operator" in r.text
    token = sign_in(client, "viewer")
    r = client.post("/runs", files=files, data={"csrf": token})
    assert r.status_code == 403 and "operator" in r.text
    token = sign_in(client)
    r = client.post("/runs", files=files, data={"csrf": "wrong"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/runs", files=files, data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    run_id = r.headers["location"].rsplit("/", 1)[1]
    status = wait_done(client, run_id)
    assert status["state"] == "failed", status
    assert "sex" in str(status) and "person_id\n" not in str(status)   # names the missing column, no contents


def test_wrong_password(client):
    r = client.post("/login", data={"csrf": csrf(client, "/login"), "username": "operator", "password": "nope"})
    assert r.status_code == 401
    r = client.post("/login", data={"csrf": csrf(client, "/login"), "username": "nobody", "password": "nope"})
    assert r.status_code == 401


def test_oversize_upload_is_413(client):
    token = sign_in(client)
    big = b"x" * 2_100_000
    r = client.post("/runs", files={"registry": ("r.csv", big, "text/csv")}, data={"csrf": token},
                    headers={"accept": "application/json"})
    assert r.status_code == 413
    assert "limit" in " ".join(r.json()["details"])


def wait_done(client, run_id, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        s = client.get(f"/api/runs/{run_id}/status").json()
        if s["state"] in ("done", "failed"):
            return s
        time.sleep(0.2)
    raise AssertionError("run did not finish")


def test_run_browse_explain_download_report(client, data, tmp_path):
    path = synth(300, tmp_path / "synth-registry.csv", seed=1)
    token = sign_in(client)
    r = client.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                    data={"csrf": token, "act": "az-2025", "readings": "f2=abcde"}, follow_redirects=False)
    assert r.status_code == 303
    run_id = r.headers["location"].rsplit("/", 1)[1]
    s = wait_done(client, run_id)
    assert s["state"] == "done", s
    page = client.get(f"/runs/{run_id}")
    assert "synthetic" in page.text.lower() and "the named articles also exclude from C" in page.text
    assert "f2=abcde" not in page.text            # the reading in words, never as a command-line flag
    filtered = client.get(f"/runs/{run_id}?relief=term_reduction&sex=F")
    assert filtered.status_code == 200
    case = re.search(rf'href="/runs/{run_id}/person/([^"]+)"', page.text).group(1)
    person = client.get(f"/runs/{run_id}/person/{case}")
    assert person.status_code == 200 and 'id="explanation"' in person.text
    csv_text = client.get(f"/runs/{run_id}/files/decisions.csv").text
    assert csv_text.splitlines()[0].startswith("person_id") and len(csv_text.splitlines()) == s["rows"]["decided"] + 1
    xlsx = client.get(f"/runs/{run_id}/files/decisions.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pq = client.get(f"/runs/{run_id}/files/decisions.parquet")
    assert pq.content[:4] == b"PAR1"
    figures = client.get(f"/runs/{run_id}/files/figures.csv").text
    assert "act_hash" in figures.splitlines()[0] and "synthetic" in figures
    report = client.get(f"/runs/{run_id}/files/report.html").text
    assert "<svg" in report and "As of 2025-12-19" in report and "synthetic" in report
    assert not re.search(r'(src|href)="https?://', report)  # works offline
    assert client.get(f"/runs/{run_id}/files/../../clemency.db").status_code == 404
    assert client.get(f"/runs/{run_id}/findings.csv").status_code == 200   # an operator
    entries = client.app.state.store.audit.entries()
    actions = [e["action"] for e in entries]
    assert "upload" in actions and actions.count("export") >= 5
    assert all(e["user_name"] == "operator" for e in entries if e["action"] in ("upload", "export"))
    audit = json.dumps(entries)
    assert "person_id" not in audit and case not in audit
    assert client.app.state.store.audit.verify().ok


def test_review_judgements_go_into_the_ledger(client, data):
    sign_in(client, "viewer")
    page = client.get("/monitor/review").text
    m = re.search(r'data-left="([^"]+)" data-right="([^"]+)"', page)
    assert m, page
    left, right = m.groups()
    body = {"left_id": left, "right_id": right, "judgement": "same"}
    assert client.post("/monitor/review", json=body).status_code == 403  # not an operator
    sign_in(client, "viewer")
    assert client.post("/monitor/review", json=body, headers={"x-csrf-token": csrf(client)}).status_code == 403
    token = sign_in(client)
    assert client.post("/monitor/review", json=body).status_code == 403  # no CSRF token
    r = client.post("/monitor/review", json=body, headers={"x-csrf-token": token})
    assert r.status_code == 200, r.text
    ledger = [json.loads(x) for x in (data / "monitor" / "ledger.jsonl").read_text().splitlines()]
    assert ledger[-1]["judgement"] == "same" and ledger[-1]["left_id"] == left
    r = client.post("/monitor/review", json=body | {"judgement": "maybe"}, headers={"x-csrf-token": token})
    assert r.status_code == 400
    assert 'data-judgement="same"' in client.get("/monitor/review").text


def test_monitor_page_lists_versions_and_past_acts(client):
    sign_in(client, "viewer")
    r = client.get("/monitor").text
    assert "demo" in r and "2025-01-01" in r and "pardon decree" in r


def test_server_errors_are_500_without_personal_data(data, caplog, monkeypatch):
    from clemency.web import api
    monkeypatch.setattr(api, "check_record", lambda *a: 1 / 0)
    with TestClient(create_app(data), raise_server_exceptions=False) as c:
        r = c.post("/api/check?act=az-2025", json=RECORD)
    assert r.status_code == 500 and r.json()["error"] == "internal error"
    assert "Tofiq" not in caplog.text and "1980-05-05" not in caplog.text


def test_serve_command_is_registered():
    from click.testing import CliRunner

    from clemency.cli import main
    r = CliRunner().invoke(main, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "--workers" in r.output and "--db" in r.output


def test_timeline_of_a_run(client, tmp_path):
    path = synth(300, tmp_path / "synth-t.csv", seed=2)
    token = sign_in(client)
    r = client.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                    data={"csrf": token}, follow_redirects=False)
    run_id = r.headers["location"].rsplit("/", 1)[1]
    assert wait_done(client, run_id)["state"] == "done"
    assert run_id in client.get("/timeline").text
    page = client.get(f"/timeline/{run_id}")
    assert page.status_code == 200 and "<svg" in page.text


WHY_LIST = ("id,full_name,group,articles,term_months,arrest_date,sentence_end\n"
            "J1,Həsənov Əli Vüqar oğlu,journalists,206.3.2,108,2023-11-20,\n"
            "B1,Quliyev Elvin Rəşad oğlu,religious,234.1,30,2024-10-01,2026-04-01\n")


def test_why_each_person_is_still_in(data, client):
    sign_in(client, "viewer")
    (data / "monitor" / "lists" / "pp").mkdir(parents=True)
    (data / "monitor" / "lists" / "pp" / "2025-10-07.csv").write_text(WHY_LIST, encoding="utf-8")
    assert "/monitor/why/pp/2025-10-07" in client.get("/monitor").text
    r = client.get("/monitor/why/pp/2025-10-07")
    assert r.status_code == 200
    page = r.text
    assert "Həsənov Əli" in page and "release_from_imprisonment" in page and "B3" in page
    assert "grave" in page   # what keeps the journalist in
    assert client.get("/monitor/why/pp/1999-01-01").status_code == 404
    assert client.get("/monitor/why/..%2F..%2Fetc/passwd").status_code == 404
    assert client.get("/monitor/why/demo/2025-01-01").status_code == 422   # a list without articles
    assert client.get("/monitor/why/pp/2025-10-07?act=/etc/passwd").status_code == 404


def test_an_interrupted_run_fails_with_the_reason_and_runs_again(client, tmp_path):
    path = synth(50, tmp_path / "synth-again.csv", seed=4)
    jobs = client.app.state.jobs
    job = jobs.new(path.name, "az-2025", {}, None, "operator")
    job.input_path.write_bytes(path.read_bytes())
    job.update(state="running", heartbeat=time.time() - 3600)      # its process went away
    token = sign_in(client)
    s = client.get(f"/api/runs/{job.id}/status").json()
    assert s["state"] == "failed" and "server stopped" in s["error"]
    assert 'id="run-again"' in client.get(f"/runs/{job.id}").text
    r = client.post(f"/runs/{job.id}/again", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    new_id = r.headers["location"].rsplit("/", 1)[1]
    assert new_id != job.id and wait_done(client, new_id)["state"] == "done"
    r = client.post(f"/runs/{new_id}/publish", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    anonymous = TestClient(client.app)
    assert new_id in anonymous.get("/reports").text
    assert anonymous.get(f"/reports/{new_id}/report.html").status_code == 200
    assert anonymous.get(f"/reports/{job.id}/report.html").status_code == 404     # not published
    assert anonymous.get(f"/runs/{new_id}/files/decisions.csv", follow_redirects=False).status_code == 303
