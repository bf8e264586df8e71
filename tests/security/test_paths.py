"""Path probing on every parameter that names something: acts, runs, files, persons, lists, versions,
reports. Nothing reads a path from a request; unknown ids get the same 404 whether or not a file of that name
exists; a FIFO or /dev/zero named in a request neither freezes nor grows the server."""

from __future__ import annotations

import time

import pytest

from tests.security.helpers import SECRET, signed_in

PROBES = ["../../../../etc/passwd", "/etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd",
          "....//....//etc/passwd", "/dev/zero", "/proc/self/environ", "..\\..\\etc\\passwd", "planted",
          "../planted.yaml", "../../planted", "clemency.db", "../clemency.db", "%00", "a" * 300, "fifo",
          "../fifo.yaml", "runs"]


def planted_paths(site) -> list[str]:
    d = site["data"]
    return [str(d / "planted.yaml"), str(d / "planted"), str(d / "fifo.yaml"), str(d / "fifo"), str(d / "clemency.db")]


def urls(site, probe: str) -> list[str]:
    run = site["run"]
    return [f"/check?act={probe}", f"/acts/{probe}", f"/api/acts/{probe}", f"/runs/{probe}",
            f"/runs/{run}/files/{probe}", f"/runs/{run}/person/{probe}", f"/runs/{probe}/files/decisions.csv",
            f"/api/runs/{probe}/status", f"/timeline/{probe}", f"/monitor/why/{probe}/2025-01-01",
            f"/monitor/why/demo/{probe}", f"/monitor/why/demo/2025-01-01?act={probe}",
            f"/monitor/status/{probe}/2025-01-01", f"/monitor/status/demo/{probe}",
            f"/monitor/status/demo/2025-01-01?act={probe}", f"/reports/{probe}/report.html",
            f"/reports/{run}/{probe}", f"/runs/{probe}/findings.csv", f"/static/{probe}"]


@pytest.fixture(scope="module")
def admin(site):
    return signed_in(site["server"], "admin", address="10.2.0.1")[0]


def test_probes_find_nothing(site, admin):
    tried = 0
    for probe in PROBES + planted_paths(site):
        for url in urls(site, probe):
            t0 = time.time()
            r = admin.get(url)
            tried += 1
            assert time.time() - t0 < 10, url
            assert r.status_code in (400, 404, 405), (url, r.status_code, r.text[:200])
            assert SECRET not in r.text and "root:" not in r.text and str(site["data"]) not in r.text, url
    assert tried > 300


def test_same_404_whether_or_not_the_file_exists(site, admin):
    """An act id that is a real file and one that is not: the same answer, byte for byte."""
    real, fake = str(site["data"] / "planted.yaml"), str(site["data"] / "nothing-here.yaml")
    for tpl in ("/check?act={}", "/acts/{}", "/api/acts/{}", "/monitor/why/demo/2025-01-01?act={}"):
        a, b = admin.get(tpl.format(real)), admin.get(tpl.format(fake))
        assert a.status_code == b.status_code == 404
        assert a.text.replace(real, "X") == b.text.replace(fake, "X") and real not in a.text
    a = admin.get("/monitor/why/demo/planted")        # a file that exists but is not a version
    b = admin.get("/monitor/why/demo/2030-01-01")
    assert a.status_code == b.status_code == 404 and a.text == b.text


def test_api_check_and_upload_take_act_ids_only(site):
    client, token = signed_in(site["server"], "operator", address="10.2.0.2")
    for probe in planted_paths(site) + ["/dev/zero", "../../etc/passwd"]:
        t0 = time.time()
        r = client.post(f"/api/check?act={probe}", json={"person_id": "P1"})
        assert r.status_code == 404 and SECRET not in r.text and time.time() - t0 < 10
        r = client.post("/runs", data={"csrf": token, "act": probe},
                        files={"registry": ("r.csv", b"person_id\nP1\n", "text/csv")},
                        headers={"accept": "application/json"})
        assert r.status_code == 404 and time.time() - t0 < 10
        r = client.post("/check", data={"act": probe, "person_id": "P1"})
        assert r.status_code == 404 and SECRET not in r.text


def test_upload_file_names_cannot_escape(site):
    client, token = signed_in(site["server"], "operator", address="10.2.0.3")
    for name in ["../../../evil.csv", "/tmp/evil.csv", "..\\..\\evil.csv", "a/../../b.csv", ".csv", "x.yaml"]:
        r = client.post("/runs", data={"csrf": token}, files={"registry": (name, b"person_id\nP1\n", "text/csv")},
                        follow_redirects=False)
        assert r.status_code in (303, 400), (name, r.status_code)
    assert not (site["data"].parent / "evil.csv").exists() and not (site["data"] / "evil.csv").exists()
    for d in (site["data"] / "runs").iterdir():
        assert all(p.parent.parent == site["data"] / "runs" for p in d.glob("*.csv"))
