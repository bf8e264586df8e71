"""Property-based fuzzing (hypothesis) of POST /api/check and of the upload route: no input gives a 5xx.

The numbers of inputs tried are printed (pytest -s) and asserted; FUZZ_EXAMPLES scales them."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from clemency.registry.schema import FIELDS
from tests.security.helpers import PASSWORDS

SCALE = int(os.environ.get("FUZZ_EXAMPLES") or 1)
COUNTS = {"api": 0, "upload": 0, "run": 0}
CHECK_EXAMPLES, UPLOAD_EXAMPLES, RUN_EXAMPLES = 1500 * SCALE, 400 * SCALE, 40 * SCALE

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-10 ** 30, max_value=10 ** 30),
                    st.floats(allow_nan=False), st.text(max_size=40),
                    st.sampled_from(["", "unknown", "M", "F", "convicted", "imprisonment", "177.2", "234.1;206.3.2",
                                     "2025-12-19", "2026-02-30", "9999-12-31", "0001-01-01", "1e400", "-0", "NaN",
                                     "=1+1", "1" * 50, "true", "yes", "life_imprisonment", "grave"]))
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
names = st.one_of(st.sampled_from(list(FIELDS)), st.text(max_size=20))
records = st.dictionaries(names, values, max_size=25)
bodies = st.one_of(records.map(lambda r: json.dumps(r).encode()), st.binary(max_size=300),
                   st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c,
                                                                                           max_size=3),
                                max_leaves=30).map(lambda v: json.dumps(v).encode()),
                   st.text(max_size=200).map(str.encode))
queries = st.fixed_dictionaries({}, optional={
    "act": st.sampled_from(["az-2025", "az-2021", "az-2009", "nope", "../az-2025", ""]),
    "on": st.one_of(st.sampled_from(["2026-01-01", "2025-02-29", "99999-01-01", "x"]), st.text(max_size=12)),
    "reading": st.one_of(st.sampled_from(["f2=abcde", "b3=application", "eif=2026-01-01", "zz=1", "f2", "eif=0000-00-00"]),
                         st.text(max_size=15))})


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from clemency.web.app import create_app
    from tests.test_web import add_users
    app = create_app(tmp_path_factory.mktemp("fuzz"), max_upload=200_000)
    add_users(app)
    return app


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@settings(max_examples=CHECK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=queries, body=bodies)
def test_api_check_never_5xx(client, query, body):
    COUNTS["api"] += 1
    params = {k: v for k, v in query.items()}
    r = client.post("/api/check", params=params, content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (query, body[:200], r.text[:300])
    assert "Traceback" not in r.text


def test_api_check_count():
    print(f"\nfuzz: {COUNTS['api']} inputs to POST /api/check")
    assert COUNTS["api"] >= CHECK_EXAMPLES * 0.9


@pytest.fixture(scope="module")
def operator(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)
        c.post("/login", data={"csrf": token, "username": "operator", "password": PASSWORDS["operator"]})
        token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/runs").text).group(1)
        yield c, token


filenames = st.one_of(st.sampled_from(["r.csv", "r.xlsx", "r.parquet", "r.pq", "R.CSV", "../r.csv", "r", ".csv",
                                       "r.csv.exe", "r.yaml", "", "a/b.csv"]), st.text(max_size=30))
csv_rows = st.lists(st.lists(st.one_of(scalars.map(lambda v: "" if v is None else str(v)), st.text(max_size=10)),
                             min_size=1, max_size=8), max_size=6)
contents = st.one_of(st.binary(max_size=2000), csv_rows.map(
    lambda rows: ("person_id,sex,status,articles,punishment,sentence_end,term_months\n" +
                  "\n".join(",".join(c.replace(",", ";").replace("\n", " ") for c in r) for r in rows)).encode()),
    st.sampled_from([b"PK\x03\x04" + b"\x00" * 100, b"PAR1" + b"\x00" * 100 + b"PAR1", b"\xef\xbb\xbf", b""]))
forms = st.fixed_dictionaries({}, optional={"act": st.sampled_from(["az-2025", "nope", "", "../x"]),
                                           "on": st.one_of(st.sampled_from(["2026-01-01", "x", ""]), st.text(max_size=10)),
                                           "readings": st.one_of(st.sampled_from(["f2=abcde", "zz", "f2=zz", "b3"]),
                                                                 st.text(max_size=20))})


@settings(max_examples=UPLOAD_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=filenames, content=contents, form=forms, with_file=st.booleans())
def test_upload_never_5xx(app, operator, monkeypatch_module, name, content, form, with_file):
    COUNTS["upload"] += 1
    c, token = operator
    files = {"registry": (name, content, "application/octet-stream")} if with_file else None
    r = c.post("/runs", data={"csrf": token, **form}, files=files, follow_redirects=False,
               headers={"accept": "application/json"})
    assert r.status_code < 500, (name, form, r.text[:300])


@pytest.fixture(scope="module")
def monkeypatch_module(app):
    """Uploads are accepted but not run here (runs are fuzzed below, synchronously)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(app.state.jobs, "start", lambda job: None)
    yield mp
    mp.undo()


@settings(max_examples=RUN_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=contents, suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_runs_of_fuzzed_files_end_cleanly(app, content, suffix):
    """The run itself: done, or failed with our own message; never an internal error."""
    COUNTS["run"] += 1
    jobs = app.state.jobs
    job = jobs.new("fuzz" + suffix, "az-2025", {}, None, "operator")
    job.input_path.write_bytes(content)
    jobs.run(job)
    state = app.state.store.runs.get(job.id)
    assert state["state"] in ("done", "failed")
    assert not (state["error"] or "").startswith("internal error"), state["error"]


def test_upload_counts():
    print(f"\nfuzz: {COUNTS['upload']} uploads to POST /runs, {COUNTS['run']} fuzzed registries run")
    assert COUNTS["upload"] >= UPLOAD_EXAMPLES * 0.9 and COUNTS["run"] >= RUN_EXAMPLES * 0.9
