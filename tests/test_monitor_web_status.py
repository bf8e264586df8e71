"""The status page of the web application: every person's status on a list version, amnesty and pardon
apart; viewers and above only; inputs from the monitor's data directory only."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clemency.web.app import create_app

E2E = Path(__file__).parent / "fixtures" / "monitor" / "e2e"
os.environ["CLEMENCY_TEST_FAST_HASH"] = "1"


@pytest.fixture()
def client(tmp_path):
    mon = tmp_path / "monitor"
    (mon / "lists" / "e2e").mkdir(parents=True)
    for d in ("2025-12-01", "2026-01-15", "2026-04-20"):
        shutil.copy(E2E / f"list_{d}.csv", mon / "lists" / "e2e" / f"{d}.csv")
    (mon / "decrees").mkdir()
    shutil.copy(E2E / "decree_2026-03-27.txt", mon / "decrees" / "decree_2026-03-27.txt")
    shutil.copy(E2E / "events.csv", mon / "events.csv")
    shutil.copy(E2E / "ledger.jsonl", mon / "ledger.jsonl")
    app = create_app(tmp_path)
    app.state.store.users.add("vera", "viewer", "viewer-password-1")
    with TestClient(app) as c:
        yield c


def _sign_in(client):
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"csrf": token, "username": "vera", "password": "viewer-password-1"},
                    follow_redirects=False)
    assert r.status_code == 303


def test_status_page_needs_a_viewer(client):
    r = client.get("/monitor/status/e2e/2025-12-01", follow_redirects=False)
    assert r.status_code in (302, 303, 401, 403)
    assert "Pardon decrees" not in r.text


def test_status_page(client):
    _sign_in(client)
    r = client.get("/monitor/status/e2e/2025-12-01")
    assert r.status_code == 200, r.text
    page = r.text
    assert "<h2>Amnesty</h2>" in page and "<h2>Pardon decrees</h2>" in page
    assert re.search(r'data-status="pardoned" data-id="e26"', page)
    assert re.search(r'data-status="term_reduced_pardon" data-id="e12"', page)
    assert re.search(r'data-status="died_in_custody" data-id="e17"', page)
    assert "pardon decree 2026-27 of 2026-03-27" in page
    assert "<table id=\"status\"" not in page                 # one card per person, the reason with the width
    assert client.get("/monitor/status/e2e/1999-01-01").status_code == 404
    assert client.get("/monitor/status/..%2F..%2Fetc/passwd").status_code == 404
    assert client.get("/monitor/status/e2e/2025-12-01?act=/etc/passwd").status_code == 404


def test_monitor_page_links_each_version_to_its_status(client):
    _sign_in(client)
    assert 'href="/monitor/status/e2e/2025-12-01"' in client.get("/monitor").text
