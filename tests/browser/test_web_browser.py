"""The web application in Debian's Chromium (headless) against a real uvicorn server on 127.0.0.1.

One browser and one server per module; each test gets a fresh browser context (its own cookies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.server import ARGS as SHARED_ARGS
from tests.browser.server import CHROMIUM, MARKS, serving, sign_in

ARGS = [*SHARED_ARGS, "--disable-quic"]

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.test_web import make_app, seed_monitor
    data = tmp_path_factory.mktemp("web-data")
    seed_monitor(data)
    with serving(make_app(data)) as url:
        yield {"url": url, "data": data}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_fill_the_check_form_and_read_the_decision(server, page):
    url = server["url"]
    page.goto(f"{url}/check")
    page.fill("#f-person_id", "P1")
    page.select_option("#f-sex", "M")
    page.fill("#f-birth_date", "1980-05-05")
    page.select_option("#f-status", "convicted")
    page.fill("#f-articles", "177.2")
    page.select_option("#f-punishment", "imprisonment")
    page.fill("#f-term_months", "36")
    page.fill("#f-offense_date", "2023-06-01")
    page.fill("#f-sentence_start", "2024-01-10")
    page.fill("#f-sentence_end", "2027-01-10")
    page.click("#decide")
    assert page.get_attribute("#relief", "class") == "relief-term_reduction"
    assert "_" not in page.inner_text("#relief")           # words, not the code
    assert page.inner_text("#clause") == "C1"
    assert "C1" in page.inner_text("#explanation")
    page.select_option("#f-war_participant", "true")
    page.click("#decide")
    assert page.get_attribute("#relief", "class") == "relief-release_from_imprisonment"
    assert page.inner_text("#relief").lower() == "release from imprisonment"


def test_sign_in_upload_and_download(server, page, tmp_path):
    from clemency.registry.synth import synth
    url = server["url"]
    path = synth(300, tmp_path / "synth-300.csv", seed=1)
    sign_in(page, url)
    page.goto(f"{url}/runs")
    page.set_input_files("#registry", str(path))
    page.click("#start-run")
    page.wait_for_selector("#dl-csv", timeout=60_000)
    assert "rows decided" in page.inner_text("main")
    with page.expect_download() as info:
        page.click("#dl-csv")
    target = tmp_path / "decisions.csv"
    info.value.save_as(target)
    lines = Path(target).read_text(encoding="utf-8").splitlines()
    decided = int(page.inner_text("main").split(" rows decided")[0].split()[-1].replace(",", ""))
    assert lines[0].startswith("person_id") and len(lines) == decided + 1


def test_review_a_match_from_the_keyboard(server, page):
    url = server["url"]
    sign_in(page, url)
    page.goto(f"{url}/monitor/review")
    first = page.locator("li.pair").first
    left, right = first.get_attribute("data-left"), first.get_attribute("data-right")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("s")
    page.wait_for_selector("li.pair[data-judgement='same']", state="attached")   # a selector: the CSP forbids eval; judged pairs are hidden
    assert "recorded" in page.inner_text("#review-message")
    ledger = (server["data"] / "monitor" / "ledger.jsonl").read_text(encoding="utf-8")
    assert f'"left_id": "{left}"' in ledger and f'"right_id": "{right}"' in ledger and '"same"' in ledger
