"""The monitor's pages in Debian's Chromium: the review's buttons (same / different / unsure, previous / next,
undo) and keys, progress; uploading a list version from the page; every monitor page at 1366 px and 375 px with
no horizontal overflow of the page.

With CLEMENCY_SCREENSHOTS=DIR the pages are saved as PNGs into DIR (monitor-*, why-*, review-*; `make
screenshots` writes docs/screenshots/ this way)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))   # `tests.` imports, however pytest is started

from tests.browser.server import ARGS, CHROMIUM, MARKS, serving, sign_in  # noqa: E402
from tests.test_web import make_app  # noqa: E402
from tests.test_web_monitor import GOOD, seed  # noqa: E402

WIDTHS = (1366, 375)
SHOTS = os.environ.get("CLEMENCY_SCREENSHOTS")

pytestmark = MARKS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("monitor-pages")
    seed(data)
    from playwright.sync_api import sync_playwright
    with serving(make_app(data)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, url)
        yield {"url": url, "page": page, "data": data, "errors": errors}
        browser.close()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def shot(page, name: str, full: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


def judged(page) -> tuple[int, int]:
    el = page.locator("#progress-text")
    return int(el.get_attribute("data-judged")), int(page.locator("#progress-bar").get_attribute("max"))


def ledger_lines(site) -> list[dict]:
    path = site["data"] / "monitor" / "ledger.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_review_with_buttons_progress_and_undo(site):
    page, url = site["page"], site["url"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/monitor/review?lang=en")
    assert judged(page) == (0, 7)
    visible = page.locator("li.pair:visible")
    assert visible.count() == 1                                      # one pair at a time
    first = visible.first
    left, right = first.get_attribute("data-left"), first.get_attribute("data-right")
    assert first.locator("tr[data-field=surname]").count() == 1
    first.locator("button.j-same").click()
    page.wait_for_selector(f"li.pair[data-left='{left}'][data-right='{right}'][data-judgement='same']",
                           state="attached")
    page.wait_for_selector("#progress-text[data-judged='1']")
    assert "judged 1 of 7" in page.inner_text("#progress-text")
    judged_pair = page.locator(f"li.pair[data-left='{left}'][data-right='{right}']")
    assert "operator" in judged_pair.locator(".judged-by").text_content()
    assert "recorded" in page.inner_text("#review-message")
    current = page.locator("li.pair:visible").first              # a locator: found again at each use
    n = int(current.get_attribute("data-n"))
    assert n == 1                                                  # the next pair not judged yet
    current.locator("a.next").click()
    assert current.get_attribute("data-n") == str(n + 1)
    current.locator("a.prev").click()
    assert current.get_attribute("data-n") == str(n)
    page.keyboard.press("d")                                          # the keys still work
    page.wait_for_selector("#progress-text[data-judged='2']")
    assert ledger_lines(site)[-1]["judgement"] == "different"
    n_lines = len(ledger_lines(site))
    page.click("#undo")
    page.wait_for_selector("#progress-text[data-judged='1']")
    lines = ledger_lines(site)
    assert len(lines) == n_lines + 1 and lines[-1]["judgement"] == "undo"     # appended, nothing deleted
    assert "withdrawn" in page.inner_text("#review-message")
    page.reload()
    assert judged(page) == (1, 7)
    shot(page, "review-1366")
    assert not [e for e in site["errors"] if "Content Security Policy" in e or "Refused" in e]


def test_upload_a_list_version_from_the_page(site):
    page, url = site["page"], site["url"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/monitor?lang=en")
    page.click("#upload-list summary")
    page.fill("#list-name", "political-prisoners")
    page.fill("#list-date", "2026-01-15")
    path = site["data"] / "upload-me.csv"
    path.write_text(GOOD + "n4,Bad Date,activists,206.3.2,1985,12,2024-02-30\n", encoding="utf-8")
    page.set_input_files("#list-file", str(path))
    page.click("#list-upload")
    page.wait_for_selector("#upload-result")
    assert page.get_attribute("#upload-result", "data-stored") == "1"
    assert "arrest_date" in page.inner_text("#upload-findings") and "2024-02-30" in page.inner_text("#upload-findings")
    shot(page, "monitor-upload-1366")
    page.click("#upload-why")
    page.wait_for_selector("#why")
    assert "3 of 3 persons" in page.inner_text("#why-total")


@pytest.mark.parametrize("width", WIDTHS)
def test_monitor_pages_fit_the_window(site, width):
    page, url = site["page"], site["url"]
    page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for name, address in {"monitor": "/monitor", "why": "/monitor/why/e2e/2025-12-01",
                          "why-filtered": "/monitor/why/e2e/2025-12-01?group=religious&relief=none",
                          "review": "/monitor/review", "status": "/monitor/status/e2e/2025-12-01",
                          "why-az": "/monitor/why/e2e/2025-12-01?lang=az&group=journalists",
                          "review-az": "/monitor/review?lang=az"}.items():
        page.goto(url + address + ("&" if "?" in address else "?") + ("" if "lang=" in address else "lang=en"))
        page.wait_for_load_state()
        wide[name] = overflow(page)
        if name == "monitor":
            page.click("#upload-list summary")
        shot(page, f"{name}-{width}")
    assert {k: v for k, v in wide.items() if v > 0} == {}, f"pages wider than {width} px"
