"""The run page as a results browser: facets whose counts are the CLI's summary counts, sorting, search,
filters in the URL, page numbers, the filtered view exported (inert cells), the JSON API of a run's
decisions, the batch check, the newest act preselected and the window warning."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from starlette.testclient import TestClient
from test_web import RECORD, make_app, seed_monitor, sign_in, wait_done

from clemency.apply import apply_act
from clemency.registry.synth import synth
from clemency.web.app import create_app


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("browse")
    seed_monitor(data)
    path = synth(400, data / "synth.csv", seed=7)
    with TestClient(make_app(data, max_upload=2_000_000)) as client:
        token = sign_in(client)
        r = client.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                        data={"csrf": token, "readings": ""}, follow_redirects=False)
        assert r.status_code == 303
        run_id = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(client, run_id)["state"] == "done"
        yield {"client": client, "id": run_id, "path": path, "data": data}


def facet_counts(html: str, facet: str) -> dict:
    block = re.search(rf'id="facet-{facet}".*?</details>', html, re.S).group(0)
    return {v: int(n) for v, n in re.findall(r'data-value="([^"]*)".*?data-count="(\d+)"', block, re.S)}


def test_facet_counts_equal_the_cli_summary(run, tmp_path):
    client = run["client"]
    summary = apply_act("az-2025", run["path"], tmp_path / "out").summary     # what `clemency apply` prints
    page = client.get(f"/runs/{run['id']}").text
    for dim in ("relief", "clause", "crime_category", "sex"):
        expected = {("(none)" if k == "None" else k): v["rows"] for k, v in summary[f"by_{dim}"].items()}
        assert facet_counts(page, dim) == expected, dim
    assert sum(facet_counts(page, "institution").values()) <= summary["rows"]
    assert facet_counts(page, "excluded_by")   # the exclusion facet is there, with counts


def test_filters_in_the_url_narrow_the_facets_and_the_total(run):
    client, rid = run["client"], run["id"]
    page = client.get(f"/runs/{rid}").text
    by_relief = facet_counts(page, "relief")
    relief, n = max(by_relief.items(), key=lambda kv: kv[1])
    narrowed = client.get(f"/runs/{rid}?relief={relief}").text
    assert re.search(r'id="total">([\d,]+) rows', narrowed).group(1).replace(",", "") == str(n)
    assert sum(facet_counts(narrowed, "sex").values()) == n
    assert facet_counts(narrowed, "relief") == by_relief      # a facet is counted under the *other* filters
    both = client.get(f"/runs/{rid}?relief={relief}&sex=F").text
    assert int(re.search(r'id="total">([\d,]+)', both).group(1).replace(",", "")) == \
        facet_counts(narrowed, "sex").get("F", 0)
    assert 'id="active-filters"' in both and "?sex=F" in both    # removing the relief filter keeps the sex


def test_sort_search_and_page_numbers(run):
    client, rid = run["client"], run["id"]
    desc = client.get(f"/runs/{rid}?sort=-person_id").text
    ids = re.findall(rf'href="/runs/{rid}/person/[^"]+">([^<]+)</a>', desc)
    assert len(ids) == 50
    asc = client.get(f"/runs/{rid}?sort=person_id").text
    ids_asc = re.findall(rf'href="/runs/{rid}/person/[^"]+">([^<]+)</a>', asc)
    assert ids_asc == sorted(ids_asc) and ids_asc[0] < ids[0]
    one = ids[3]
    found = client.get(f"/runs/{rid}", params={"q": one}).text
    assert re.search(r'id="total">1 rows', found)
    name = next(csv.DictReader(run["path"].open(encoding="utf-8")))["full_name"]
    by_name = client.get(f"/runs/{rid}", params={"q": name.split()[0].lower()}).text
    assert int(re.search(r'id="total">(\d+)', by_name).group(1)) >= 1
    assert client.get(f"/runs/{rid}", params={"q": "%"}).status_code == 200
    assert re.search(r'id="total">0 rows', client.get(f"/runs/{rid}", params={"q": "' OR 1=1 --"}).text)
    pages = client.get(f"/runs/{rid}?page=4").text
    assert '<b aria-current="page">4</b>' in pages and 'href="?page=8"' in pages
    assert client.get(f"/runs/{rid}?sort=;drop").status_code == 200       # unknown columns are ignored
    assert client.get(f"/runs/{rid}?page=x").status_code == 400


def test_the_filtered_view_exports_as_csv_xlsx_json(run):
    client, rid = run["client"], run["id"]
    page = client.get(f"/runs/{rid}?sex=F").text
    n = int(re.search(r'id="total">(\d+)', page).group(1))
    rows = list(csv.reader(io.StringIO(client.get(f"/runs/{rid}/view.csv?sex=F").text)))
    assert rows[0][0] == "person_id" and len(rows) == n + 1
    assert {r[rows[0].index("sex")] for r in rows[1:]} == {"F"}
    body = client.get(f"/runs/{rid}/view.json?sex=F&sort=-person_id").json()
    assert body["total"] == n and body["rows"][0]["person_id"] >= body["rows"][-1]["person_id"]
    xlsx = client.get(f"/runs/{rid}/view.xlsx?sex=F")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/runs/{rid}/view.exe").status_code == 404


def test_exported_cells_are_inert(tmp_path):
    path = tmp_path / "evil.csv"
    rec = {k: str(v) for k, v in RECORD.items()} | {"person_id": "=HYPERLINK(\"http://x\")", "full_name": "@SUM(A1)"}
    path.write_text(",".join(rec) + "\n" + ",".join('"' + v.replace('"', '""') + '"' for v in rec.values()) + "\n")
    data = tmp_path / "d"
    data.mkdir()
    seed_monitor(data)
    with TestClient(make_app(data)) as client:
        token = sign_in(client)
        r = client.post("/runs", files={"registry": ("evil.csv", path.read_bytes(), "text/csv")},
                        data={"csrf": token}, follow_redirects=False)
        rid = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(client, rid)["state"] == "done"
        rows = list(csv.reader(io.StringIO(client.get(f"/runs/{rid}/view.csv").text)))
        cells = [c for r in rows[1:] for c in r]
        assert not any(c[:1] in ("=", "@", "+", "-") for c in cells if c), cells


def test_findings_in_the_page_raw_values_for_operators_only(tmp_path):
    path = tmp_path / "bad.csv"
    rec = {k: str(v) for k, v in RECORD.items()}
    bad = rec | {"person_id": "P2", "sex": "SECRET-VALUE"}
    path.write_text(",".join(rec) + "\n" + ",".join(rec.values()) + "\n" + ",".join(bad.values()) + "\n")
    data = tmp_path / "d"
    data.mkdir()
    seed_monitor(data)
    with TestClient(make_app(data)) as client:
        token = sign_in(client)
        r = client.post("/runs", files={"registry": ("bad.csv", path.read_bytes(), "text/csv")},
                        data={"csrf": token}, follow_redirects=False)
        rid = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(client, rid)["state"] == "done"
        page = client.get(f"/runs/{rid}").text
        assert 'id="findings"' in page and "SECRET-VALUE" in page
    with TestClient(create_app(data)) as client:
        sign_in(client, "viewer")
        page = client.get(f"/runs/{rid}").text
        assert 'id="findings"' in page and "SECRET-VALUE" not in page and "operators only" in page


def test_runs_listed_with_file_name_and_date_and_newest_act_preselected(run):
    client = run["client"]
    page = client.get("/runs").text
    assert run["path"].name in page and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", page)
    selected = re.search(r'<option value="([^"]+)" selected', page).group(1)
    assert selected == "az-2025"            # the newest by entry into force, not the first alphabetically
    assert page.index("az-2025") < page.index("az-2009")
    status = client.get(f"/api/runs/{run['id']}/status").json()
    assert status["file"] == run["path"].name


def test_a_run_outside_the_window_warns_with_the_window(run):
    client = run["client"]
    token = sign_in(client)
    r = client.post("/runs", files={"registry": ("one.csv", run["path"].read_bytes()[:2000].rsplit(b"\n", 1)[0]
                                                 + b"\n", "text/csv")},
                    data={"csrf": token, "act": "az-2025", "on": "2009-03-17"}, follow_redirects=False)
    rid = r.headers["location"].rsplit("/", 1)[1]
    assert wait_done(client, rid)["state"] == "done"
    page = client.get(f"/runs/{rid}").text
    assert 'id="window-warning"' in page and "2025-12-19" in page and "2026-04-19" in page
    assert 'id="window-warning"' not in client.get(f"/runs/{run['id']}").text


def test_api_decisions_paged_and_filtered(run):
    client, rid = run["client"], run["id"]
    body = client.get(f"/api/runs/{rid}/decisions?sex=F&size=10&page=2&sort=person_id").json()
    assert body["page"] == 2 and body["size"] == 10 and len(body["rows"]) <= 10
    assert all(r["sex"] == "F" for r in body["rows"])
    allf = client.get(f"/api/runs/{rid}/decisions?sex=F&size=1000").json()
    assert body["total"] == allf["total"] == len(allf["rows"])
    assert body["rows"] == allf["rows"][10:20]
    assert "facets" in client.get(f"/api/runs/{rid}/decisions?facets=1").json()
    assert client.get(f"/api/runs/{rid}/decisions?size=100000").status_code == 400
    assert client.get("/api/runs/nope/decisions").status_code == 404


def test_api_decisions_need_a_viewer(run):
    with TestClient(create_app(run["data"])) as anon:
        assert anon.get(f"/api/runs/{run['id']}/decisions").status_code == 403


def test_batch_check(run):
    client = run["client"]
    one = client.post("/api/check?act=az-2025", json=RECORD).json()
    bad = RECORD | {"person_id": "P2", "sex": "X"}
    r = client.post("/api/check/batch?act=az-2025", json=[RECORD, bad, RECORD | {"person_id": "P3"}])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["count"] == 3 and out["decisions"][0] == json.loads(json.dumps(one))
    assert out["decisions"][1]["error"].startswith("the record is not valid") and out["decisions"][1]["index"] == 1
    assert out["decisions"][2]["person_id"] == "P3"
    assert client.post("/api/check/batch?act=az-2025", json=RECORD).status_code == 400      # not a list
    many = [{"person_id": f"P{i}"} for i in range(101)]
    assert client.post("/api/check/batch?act=az-2025", json=many).status_code == 413


CLIENT = {"person_id": "P1", "case_id": "C1", "sex": "M", "birth_date": "1990-03-02", "status": "convicted",
          "articles": "234.1", "offense_date": "2024-05-01", "punishment": "imprisonment", "term_months": "24",
          "sentence_start": "2024-07-19", "sentence_end": "2026-07-19"}


def test_alternatives_show_relief_later_in_the_window(run):
    """The README's client: no relief on the entry into force, but under b3=application released from
    2026-01-19; the panel says so (the issue's finding 2)."""
    client = run["client"]
    r = client.post("/check", data=CLIENT | {"act": "az-2025"})
    assert r.status_code == 200
    panel = re.search(r'<table id="alternatives">.*?</table>', r.text, re.S).group(0)
    row = next(tr for tr in re.findall(r"<tr>.*?</tr>", panel, re.S) if ">b3<" in tr)
    assert "application" in row and "2026-01-19" in row and "release from imprisonment" in row.lower()
    assert "B3" in row


def test_check_page_preselects_the_newest_act_and_warns_outside_the_window(run):
    client = run["client"]
    page = client.get("/check").text
    assert re.search(r"<option selected>az-2025</option>", page) or 'value="az-2025" selected' in page
    r = client.post("/check", data=CLIENT | {"act": "az-2025", "on": "2009-03-17"})
    assert 'id="window-warning"' in r.text and "2025-12-19" in r.text and "2026-04-19" in r.text
    r = client.post("/check", data=CLIENT | {"act": "az-2025", "on": "2026-01-19"})
    assert 'id="window-warning"' not in r.text


def test_decision_letter_from_the_form_and_from_a_run(run):
    client, rid = run["client"], run["id"]
    r = client.post("/check/letter", data=CLIENT | {"act": "az-2025", "reading.b3": "application",
                                                     "on": "2026-01-19"})
    assert r.status_code == 200, r.text[:300]
    assert 'id="letter"' in r.text and "B3" in r.text and "release from imprisonment" in r.text.lower()
    assert 'id="letter-clause"' in r.text and "What the person may do next" in r.text
    assert "2026-04-19" in r.text                         # the end of the window
    none = client.post("/check/letter", data=CLIENT | {"act": "az-2025"})
    assert "No clause of the act gives this person relief" in re.search(r'id="letter-next">(.*?)</p>', none.text,
                                                                          re.S).group(1)
    az = client.post("/check/letter?lang=az", data=CLIENT | {"act": "az-2025", "reading.b3": "application",
                                                             "on": "2026-01-19"})
    assert az.status_code == 200 and '<html lang="az">' in az.text
    page = client.get(f"/runs/{rid}").text
    case = re.search(rf'href="/runs/{rid}/person/([^"]+)"', page).group(1)
    letter = client.get(f"/runs/{rid}/letter/{case}")
    assert letter.status_code == 200 and 'id="letter-relief"' in letter.text
    assert client.post("/check/letter", data={"act": "az-2025", "sex": "M"}).status_code == 400


def test_the_run_page_speaks_in_words(run):
    """Headings from the columns' words, filter chips as "Sex: male" (in the page's language), the run's
    state and counts in words, the act by its title and the readings by their meaning: no code, no path."""
    client, rid = run["client"], run["id"]
    page = client.get(f"/runs/{rid}?sex=M&sort=-relief&lang=en").text
    chip = re.search(r'data-filter="sex">([^<]*)<', page).group(1)
    assert chip.strip() == "Sex: male ×"
    heads = re.findall(r'<th data-column="([^"]+)"><a [^>]*title="([^"]+)">([^<▲▼]+)', page)
    assert {c: h.strip() for c, _, h in heads}["new_sentence_end"] == "New day of release"
    assert all(tip == "sort by this column" and "_" not in h for _, tip, h in heads)
    stamp = re.search(r'id="stamp">([^<]*)<', page).group(1)
    assert "Year of the Constitution and Sovereignty" in stamp and "the act&#39;s default readings" in stamp
    assert "=" not in stamp and "/" not in stamp                  # no flag, no path
    assert re.search(r'id="state">finished<', page)
    az = client.get(f"/runs/{rid}?sex=M&lang=az").text
    client.get(f"/runs/{rid}?lang=en")
    assert re.search(r'data-filter="sex">([^<]*)<', az).group(1).strip() == "Cins: kişi ×"
    assert re.search(r'id="state">([^<]*)<', az).group(1) not in ("finished", "uğursuz")   # not a condition's "failed"


def test_the_relief_chart_links_each_bar_to_its_rows(run):
    """Each bar of the run page's chart opens the results browser filtered on its relief, whose total is the
    bar's number (its tooltip) and the facet's count."""
    client, rid = run["client"], run["id"]
    page = client.get(f"/runs/{rid}?lang=en").text          # the language is remembered for the links below
    chart = re.search(r'<figure class="chart" id="relief-chart">(.*?)</figure>', page, re.S).group(1)
    links = dict(re.findall(r'<a xlink:href="([^"]*)"><path[^>]*><title>([^<]*)</title>', chart))
    relief = facet_counts(page, "relief")
    assert len(links) == len(relief)
    for href, title in links.items():
        assert href.startswith(f"/runs/{rid}?relief=")
        target = client.get(href.replace("&amp;", "&")).text
        value = re.search(r'data-filter="relief"', target) and href.split("relief=", 1)[1]
        assert value, href
        total = int(re.search(r'id="total">([\d,]+)', target).group(1).replace(",", ""))
        from urllib.parse import unquote
        assert total == relief[unquote(value)] == int(title.rsplit(": ", 1)[1].replace(",", "")), (href, title)


def test_the_report_names_no_path_and_no_flag(run):
    client, rid = run["client"], run["id"]
    report = client.get(f"/runs/{rid}/files/report.html?lang=en").text
    assert str(run["data"]) not in report and "act_path" not in report and "/tmp" not in report
    assert not re.search(r"\b(b3|f2|chapeau|e1)=", report)
    assert "the unserved part is measured on the day of entry into force" in report     # b3 in words
    figures = list(csv.DictReader(io.StringIO(client.get(f"/runs/{rid}/files/figures.csv").text)))
    assert figures and {f["readings_in_words"] for f in figures} == {"the act's default readings"}
    assert {f["act_title"] for f in figures} == {"On declaring an amnesty in connection with the Year of the "
                                                 "Constitution and Sovereignty"}
    az = client.get(f"/runs/{rid}/files/report.html?lang=az").text
    client.get(f"/runs/{rid}?lang=en")
    assert '<html lang="az">' in az and "Clemency: aktın reyestrə tətbiqi" in az
