"""The drafting pages: compare two readings or an overlay person by person, bounds over every reading,
exclusion attribution. Who may see what (a run's flips are personal data), requests that name something
that is not the act's, and every count equal to the library function the CLI runs on the same registry."""

from __future__ import annotations

import csv
import html
import io
import re
import time

import pytest
from starlette.testclient import TestClient
from test_web import csrf, make_app, seed_monitor, sign_in, wait_done

from clemency.compare import compare
from clemency.compare.attribution import attribution
from clemency.compare.bounds import bounds
from clemency.registry.synth import synth
from clemency.web.app import create_app

ROWS = 1000


def wait(client, url, timeout=240):
    """The result page once the job is done (the page asks to be reloaded while it is computing)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        r = client.get(url)
        if "refresh" not in r.headers:
            return r
        time.sleep(0.3)
    raise AssertionError("the drafting job did not finish")


def start(client, tool, alternative="", registry="synthetic", rows=ROWS, **extra):
    token = csrf(client, "/drafting")
    data = {"csrf": token, "act": "az-2025", "tool": tool, "alternative": alternative, "registry": registry,
            "rows": str(rows), **extra}
    return client.post("/drafting", data=data, follow_redirects=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("drafting")
    seed_monitor(data)
    with TestClient(make_app(data, max_upload=2_000_000)) as client:
        yield {"client": client, "data": data, "registry": data / "drafting" / f"synthetic-{ROWS}.parquet"}


@pytest.fixture(scope="module")
def run_job(site, tmp_path_factory):
    """A finished run of an uploaded registry, and a comparison on its registry started by an operator."""
    data = site["data"]
    path = synth(300, tmp_path_factory.mktemp("upload") / "upload.csv", seed=3)
    with TestClient(create_app(data)) as op:
        token = sign_in(op, "operator")
        r = op.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                    data={"csrf": token}, follow_redirects=False)
        run_id = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(op, run_id)["state"] == "done"
        r = start(op, "compare", "reading:b3=application", registry=f"run:{run_id}")
        assert r.status_code == 303, r.text[:300]
        url = r.headers["location"]
        page = wait(op, url)
        assert page.status_code == 200 and 'id="flips"' in page.text
    return {"run": run_id, "url": url, "path": path}


# ---- attacks first -----------------------------------------------------------------------------------------

def test_anonymous_cannot_see_or_start_per_person_flips_of_a_run(site, run_job):
    data, url = site["data"], run_job["url"]
    with TestClient(create_app(data)) as anon:
        r = anon.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert "AZ-P" not in r.text
        for fmt in ("csv", "xlsx"):
            r = anon.get(f"{url}/flips.{fmt}", follow_redirects=False)
            assert r.status_code in (303, 403) and "AZ-P" not in r.text
        r = anon.get(url, headers={"accept": "application/json"})
        assert r.status_code == 403 and "signing in as a viewer" in r.text
        r = start(anon, "compare", "reading:b3=application", registry=f"run:{run_job['run']}")
        assert r.status_code in (303, 403) and "/drafting/r-" not in r.headers.get("location", "")
        form = anon.get("/drafting").text
        assert "run:" not in form and "/drafting/r-" not in form    # runs and their results are not even listed


def test_a_viewer_sees_a_runs_flips_but_cannot_start_one(site, run_job):
    with TestClient(create_app(site["data"])) as viewer:
        sign_in(viewer, "viewer")
        page = viewer.get(run_job["url"])
        assert page.status_code == 200 and 'id="flips"' in page.text
        assert f'href="/runs/{run_job["run"]}/person/' in page.text      # each flip links to the person's page
        assert f'href="{run_job["url"]}"' in viewer.get("/drafting").text     # listed among the latest results
        rows = list(csv.DictReader(io.StringIO(viewer.get(run_job["url"] + "/flips.csv").text)))
        assert rows and all(r["kind"] for r in rows)
        r = start(viewer, "compare", "reading:b3=application", registry=f"run:{run_job['run']}")
        assert r.status_code == 403 and "operator" in r.text


def test_a_guessed_or_malformed_job_is_not_found(site):
    client = site["client"]
    for job in ("s-0123456789abcdef0123", "..%2F..%2Fetc", "s-../../x", "r-20260101-000000-abcdef-0123456789ab"):
        r = client.get(f"/drafting/{job}", follow_redirects=False)
        assert r.status_code in (303, 404), (job, r.status_code)
        assert str(site["data"]) not in r.text


@pytest.mark.parametrize("field,value,error", [
    ("reading.../../etc/passwd", "x", "not one of this act"),
    ("reading.b3", "../../etc/passwd", "does not have"),
    ("alternative", "overlay:../../../etc/passwd", "not one of this act"),
    ("alternative", "overlay:/etc/passwd", "not one of this act"),
    ("alternative", "act:../acts/az-2025", "not one of this act"),
    ("alternative", "reading:eif=2020-01-01", "not one of this act"),
    ("alternative", "reading:b3=eif", "the baseline itself"),
    ("act", "../../data/acts/az-2025", "not shipped"),
    ("rows", "100000000", "bad number of rows"),
    ("on", "2025-13-45", "bad decision date"),
])
def test_names_that_are_not_the_acts_are_refused_in_words(site, field, value, error):
    client = site["client"]
    token = csrf(client, "/drafting")
    form = {"csrf": token, "act": "az-2025", "tool": "compare", "alternative": "reading:b3=application",
            "registry": "synthetic", "rows": str(ROWS), field: value}
    r = client.post("/drafting", data=form, follow_redirects=False)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    text = html.unescape(r.text)
    assert error in text
    assert "/etc/passwd" not in text and str(site["data"]) not in text and "Traceback" not in text


def test_an_overlay_of_another_act_is_refused(site):
    client = site["client"]
    token = csrf(client, "/drafting")
    r = client.post("/drafting", data={"csrf": token, "act": "az-2021", "tool": "compare",
                                       "alternative": "overlay:az-2025-no-f2", "rows": str(ROWS)})
    assert r.status_code == 400 and "overlays of az-2021: (none)" in html.unescape(r.text)


# ---- overlays served like acts -----------------------------------------------------------------------------

def test_overlays_are_served_like_acts(site):
    client = site["client"]
    page = client.get("/acts/az-2025-journalists")
    assert page.status_code == 200 and 'id="G1"' in page.text and 'id="F3"' in page.text
    assert "neutralised" in client.get("/acts/az-2025-no-f2").text
    assert client.get("/acts/..%2Foverlays%2Faz-2025-no-f2").status_code == 404
    form = client.get("/drafting").text
    assert 'value="overlay:az-2025-journalists"' in form and 'value="reading:b3=application"' in form


# ---- the counts are the library's --------------------------------------------------------------------------

def kind_of(row: dict) -> str:
    """An independent reading of a flip's kind from the library's flips.csv (the page computes it in SQL)."""
    later = row["flip_when"] != "on the day"

    def side(s):
        up = later and row[f"{s}_upcoming_relief"]
        return (row[f"{s}_upcoming_relief"] if up else row[f"{s}_relief"],
                row[f"{s}_upcoming_clause"] if up else row[f"{s}_clause"])
    (br, bc), (ar, ac) = side("base"), side("alt")
    ben = lambda r: (r or "none") not in ("none", "indeterminate")  # noqa: E731
    if not ben(br) and ben(ar):
        return "gains"
    if ben(br) and not ben(ar):
        return "loses"
    if br != ar:
        return "other_relief"
    return "other_clause" if bc != ac else "other_date"


def kinds_on_page(text: str) -> dict:
    return {k: (int(p), int(n)) for k, p, n in
            re.findall(r'<tr data-kind="(\w+)" data-persons="(\d+)" data-rows="(\d+)">', text)}


@pytest.mark.parametrize("alternative,alt,alt_readings", [
    ("reading:b3=application", "az-2025", {"b3": "application"}),
    ("overlay:az-2025-journalists", "az-2025-journalists", {}),
    ("reading:f2=abcde", "az-2025", {"f2": "abcde"}),
])
def test_flip_counts_equal_the_cli_librarys(site, tmp_path, alternative, alt, alt_readings):
    client = site["client"]
    r = start(client, "compare", alternative)
    assert r.status_code == 303
    page = wait(client, r.headers["location"]).text
    lib = compare(site["registry"], "az-2025", alt, tmp_path / "cmp", {}, alt_readings, html=False)
    flips = list(csv.DictReader((tmp_path / "cmp" / "flips.csv").open(encoding="utf-8")))
    assert len(flips) == lib.summary["flips"]["rows"] > 0
    expected = {}
    for f in flips:
        expected.setdefault(kind_of(f), set()).add(f["person_id"])
    shown = kinds_on_page(page)
    assert sum(n for _p, n in shown.values()) == lib.summary["flips"]["rows"]
    assert {k: p for k, (p, n) in shown.items() if n} == {k: len(v) for k, v in expected.items()}
    total = re.search(r'id="flip-total">([\d,]+) persons \(([\d,]+) rows\)', page)
    assert int(total.group(1).replace(",", "")) == lib.summary["flips"]["persons"]
    # the export is the library's flips with their kind
    exported = list(csv.DictReader(io.StringIO(client.get(r.headers["location"] + "/flips.csv").text)))
    assert [e["person_id"] for e in exported] == [f["person_id"] for f in flips]
    assert [e["kind"] for e in exported] == [kind_of(f) for f in flips]
    # on the decision date only: the library's flips that differ on that day
    day = kinds_on_page(client.get(r.headers["location"] + "?scope=day").text)
    assert sum(n for _p, n in day.values()) == sum(f["flip_when"] == "on the day" for f in flips)


def test_the_b3_reading_shows_relief_later_in_the_window_with_its_clause(site):
    client = site["client"]
    r = start(client, "compare", "reading:b3=application")
    page = wait(client, r.headers["location"]).text
    assert kinds_on_page(page)["gains"][0] > 0
    first = re.search(r'<tr data-kind="gains">(.*?)</tr>', page, re.S).group(1)
    assert "later in the window" in first and "clause B3" in first and "[inferred]" in first


def test_flips_are_paged_and_filtered_by_kind(site):
    client = site["client"]
    r = start(client, "compare", "overlay:az-2025-journalists")
    url = r.headers["location"]
    page = wait(client, url).text
    shown = kinds_on_page(page)
    kind, (persons, rows) = max(shown.items(), key=lambda kv: kv[1][1])
    only = client.get(f"{url}?kind={kind}").text
    kinds = re.findall(r'<tr data-kind="(\w+)">', only)
    assert kinds and set(kinds) == {kind} and len(kinds) == min(rows, 50)
    assert client.get(f"{url}?page=0").status_code == 400
    assert client.get(f"{url}?page=x").status_code == 400
    xlsx = client.get(f"{url}/flips.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"{url}/flips.exe").status_code == 404


def test_bounds_are_the_librarys_with_readings_in_words(site):
    client = site["client"]
    r = start(client, "bounds")
    page = wait(client, r.headers["location"]).text
    lib = bounds(site["registry"], "az-2025")
    got = {rel: (int(lo), int(hi)) for rel, lo, hi in
           re.findall(r'<tr data-relief="(\w+)" data-min="(\d+)" data-max="(\d+)">', page)}
    assert got == {rel: (b["min"], b["max"]) for rel, b in lib["reliefs"].items()}
    assert "<svg" in page and "range over the readings" in page
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", page, flags=re.S))
    assert not re.search(r"\b(b2|b3|f2|f3|chapeau|e1|d|f2-drugs)=", text)      # no reading codes
    assert "the unserved part is measured on the day the act is applied" in text
    assert "release_from" not in text


def test_attribution_is_the_librarys_with_overlap_explained(site):
    client = site["client"]
    r = start(client, "attribution")
    page = wait(client, r.headers["location"]).text
    lib = attribution(site["registry"], "az-2025")
    got = {x: (int(s), int(t)) for x, s, t in
           re.findall(r'<tr data-clause="(\w+)" data-sole="(\d+)" data-together="(\d+)">', page)}
    assert got == {x: (e["sole"]["persons"], e["together"]["persons"]) for x, e in lib["exclusions"].items()}
    assert 'id="overlap"' in page and "does not add up" in page and "<svg" in page
    assert f"relief to {lib['all_exclusions_dropped']['gain_persons']:,} persons" in page


def test_synthetic_results_are_labelled_and_reused(site):
    client = site["client"]
    a = start(client, "compare", "reading:b3=application").headers["location"]
    b = start(client, "compare", "reading:b3=application").headers["location"]
    assert a == b                                   # the same question on the same synthetic registry
    page = wait(client, a).text
    assert 'id="synthetic-note"' in page and "calibrated" in page


def main_texts(page: str) -> list[str]:
    """The text nodes of the page's <main>, charts left out (their labels are the same words as the tables)."""
    from test_i18n import page_texts
    body = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return page_texts("<body>" + re.sub(r"<svg.*?</svg>", "", body, flags=re.S))


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_drafting_pages_have_no_untranslated_english(site, lang):
    from test_i18n import english_in
    client = site["client"]
    urls = {"form": "/drafting"}
    for tool, alt in (("compare", "reading:b3=application"), ("compare", "overlay:az-2025-journalists"),
                      ("bounds", ""), ("attribution", "")):
        urls[f"{tool}-{alt}"] = start(client, tool, alt).headers["location"]
    try:
        for name, url in urls.items():
            page = wait(client, f"{url}?lang={lang}").text
            english = [t for t in main_texts(page) if english_in(t)]
            assert english == [], (name, english[:5])
            if "overlay" in name:      # the overlay's own title, not its base act's
                assert "jurnalist" in page.lower() or "журналист" in page.lower()
    finally:
        client.get("/drafting?lang=en")      # the language is remembered in a cookie


def test_a_busy_server_refuses_more_jobs_in_words(site, monkeypatch):
    import threading

    from clemency.web import drafting
    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(drafting, "_WAITING", full)
    r = start(site["client"], "compare", "reading:d=not-grave")
    assert r.status_code == 503 and "busy" in r.text and r.headers["retry-after"] == "60"


def test_the_waiting_page_reloads_and_an_interrupted_job_says_so(site):
    import json
    client, folder = site["client"], site["data"] / "drafting" / ("s-" + "a" * 20)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"tool": "bounds", "registry": {"synthetic": True, "rows": ROWS}, "state": "running", "step": "bounds",
            "progress": 0.25, "beat": time.time(),
            "params": {"act": "az-2025", "readings": {}, "on": None, "alt": None, "alt_readings": {}, "alt_kind": None}}
    (folder / "meta.json").write_text(json.dumps(meta))
    r = client.get(f"/drafting/{folder.name}")
    assert r.headers.get("refresh") == "2" and 'id="progress"' in r.text and "every combination" in r.text
    (folder / "meta.json").write_text(json.dumps({**meta, "beat": time.time() - 3600}))
    r = client.get(f"/drafting/{folder.name}")
    assert "refresh" not in r.headers and "interrupted" in r.text


def test_old_synthetic_results_are_pruned(tmp_path):
    import json
    import os

    from clemency.web.drafting import prune
    for i, state in enumerate(["done", "failed", "running", "done", "done"]):
        folder = tmp_path / f"s-{i:020x}"
        folder.mkdir()
        (folder / "meta.json").write_text(json.dumps({"state": state}))
        os.utime(folder / "meta.json", (1000 + i, 1000 + i))
    (tmp_path / "synthetic-1000.parquet").write_text("")
    assert prune(tmp_path, keep=2) == 2          # the two oldest finished; a running one stays
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"s-{i:020x}" for i in (2, 3, 4)] + ["synthetic-1000.parquet"]


def test_attribution_by_group_on_a_runs_registry(site, tmp_path):
    """A registry with a `group` column (journalists, ...): what keeps each group in, as the library says."""
    import csv as _csv
    path = synth(200, tmp_path / "grouped.csv", seed=9)
    rows = list(_csv.DictReader(path.open(encoding="utf-8")))
    for i, r in enumerate(rows):
        r["group"] = "journalist" if i % 3 == 0 else "other"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = _csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    with TestClient(create_app(site["data"])) as op:
        token = sign_in(op, "operator")
        r = op.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                    data={"csrf": token}, follow_redirects=False)
        run_id = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(op, run_id)["state"] == "done"
        r = start(op, "attribution", registry=f"run:{run_id}")
        page = wait(op, r.headers["location"]).text
    lib = attribution(path, "az-2025")
    assert set(re.findall(r'<tr data-group="(\w+)">', page)) == set(lib["groups"]) == {"journalist", "other"}
    for g, v in lib["groups"].items():
        row = re.search(rf'<tr data-group="{g}">(.*?)</tr>', page, re.S).group(1)
        for k in v["kept_in_by"]:
            assert f": {k['persons']:,}<br>" in row


def test_a_result_as_json_holds_aggregates_only(site, run_job):
    client = site["client"]
    url = start(client, "compare", "reading:b3=application").headers["location"]
    page = wait(client, url).text
    body = client.get(url, headers={"accept": "application/json"}).json()
    assert body["state"] == "done" and body["synthetic"] and body["question"]["alt_readings"] == {"b3": "application"}
    shown = kinds_on_page(page)
    assert {k: (v["persons"], v["rows"]) for k, v in body["result"]["flip_counts"]["window"]["kinds"].items()} == shown
    assert "AZ-P" not in json_text(body) and str(site["data"]) not in json_text(body)
    with TestClient(create_app(site["data"])) as viewer:
        sign_in(viewer, "viewer")
        run_body = viewer.get(run_job["url"], headers={"accept": "application/json"}).json()
        assert run_body["result"]["flips"]["rows"] > 0 and "AZ-P" not in json_text(run_body)


def json_text(body) -> str:
    import json
    return json.dumps(body, ensure_ascii=False)


def test_deleting_a_run_deletes_its_drafting_results(site, run_job):
    """Last in this file: the run's personal data goes, and the flips computed from it with it."""
    client = site["client"]
    jobs = client.app.state.jobs
    root = jobs.get(run_job["run"]).root
    assert any((root / "drafting").glob("*/compare/flips.csv"))
    assert jobs.delete(run_job["run"])
    assert not root.exists()
    sign_in(client, "viewer")
    try:
        assert client.get(run_job["url"]).status_code == 404
    finally:
        client.post("/logout", data={"csrf": csrf(client, "/check")})
