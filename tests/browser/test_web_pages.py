"""Every main page in Debian's Chromium at 1366 px (a laptop) and 375 px (a phone): no horizontal overflow of
the page (wide tables scroll inside their container); the run page's facet counts equal the CLI's summary
counts for the same registry; the alternatives panel shows the README client's release under b3=application.

With CLEMENCY_SCREENSHOTS=DIR the pages are also saved as PNGs into DIR (`make screenshots` writes
docs/screenshots/ this way)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))   # `tests.` imports, however pytest is started

from tests.browser.server import ARGS, CHROMIUM, MARKS, serving, sign_in  # noqa: E402
from tests.test_web import make_app, seed_monitor  # noqa: E402

WIDTHS = (1366, 375)
SHOTS = os.environ.get("CLEMENCY_SCREENSHOTS")
CLIENT = {"person_id": "P1", "sex": "M", "birth_date": "1990-03-02", "status": "convicted", "articles": "234.1",
          "offense_date": "2024-05-01", "punishment": "imprisonment", "term_months": "24",
          "sentence_start": "2024-07-19", "sentence_end": "2026-07-19"}

pytestmark = MARKS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from clemency.registry.synth import synth
    data = tmp_path_factory.mktemp("pages")
    seed_monitor(data)
    registry = synth(1500, data / "synthetic-registry-2025.csv", seed=11)
    from playwright.sync_api import sync_playwright
    with serving(make_app(data)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        sign_in(page, url)
        page.goto(f"{url}/runs")
        page.set_input_files("#registry", str(registry))
        page.click("#start-run")
        page.wait_for_selector("#decisions", timeout=180_000)     # the page reloads itself when done
        run = page.url.split("?")[0]
        yield {"url": url, "page": page, "run": run, "registry": registry}
        browser.close()


def decide(page, url, lang="en", **extra):
    page.goto(f"{url}/check?lang={lang}")
    for k, v in {**CLIENT, **extra}.items():
        el = page.locator(f'#check-form [name="{k}"]')
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(v)
        else:
            el.fill(v)
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#alternatives")


def pages(site) -> dict:
    url, run = site["url"], site["run"]
    return {"check": f"{url}/check", "runs": f"{url}/runs", "run": run,
            "run-filtered": f"{run}?relief=release_from_imprisonment&sort=-eligible_from",
            "run-az": f"{run}?sex=M&lang=az", "run-chart": run,
            "person": None, "acts": f"{url}/acts", "act": f"{url}/acts/az-2025", "monitor": f"{url}/monitor",
            "review": f"{url}/monitor/review", "implementation": f"{url}/timeline", "reports": f"{url}/reports",
            "api": f"{url}/api/docs"}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_overflows_horizontally(site, width):
    page = site["page"]
    page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for name, address in pages(site).items():
        if name == "person":
            page.goto(site["run"])
            page.click("#decisions tbody a")
        else:
            page.goto(address if "lang=" in address else address + ("&" if "?" in address else "?") + "lang=en")
        page.wait_for_load_state()
        wide[name] = overflow(page)
        if name == "run-chart":
            page.evaluate("document.getElementById('relief-chart').scrollIntoView()")
        elif name.startswith("run-") or name == "run":
            page.evaluate("document.getElementById('search').scrollIntoView()")
        shot(page, f"{name}-{width}")
    for lang in ("en", "az"):
        decide(page, site["url"], lang)
        wide[f"decision-{lang}"] = overflow(page)
        page.locator("#alternatives").scroll_into_view_if_needed()
        shot(page, f"decision-{lang}-{width}")
    decide(page, site["url"], "en", **{"reading.b3": "application", "on": "2026-01-19"})
    with page.expect_popup() as popup:
        page.click("#letter-button")
    letter = popup.value
    letter.set_viewport_size({"width": width, "height": 900})
    letter.wait_for_selector("#letter")
    wide["letter"] = overflow(letter)
    shot(letter, f"letter-{width}")
    letter.close()
    assert {k: v for k, v in wide.items() if v > 0} == {}, f"pages wider than {width} px"


def test_facet_counts_in_the_browser_equal_the_cli(site, tmp_path):
    from clemency.apply import apply_act
    summary = apply_act("az-2025", site["registry"], tmp_path / "out").summary
    page = site["page"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(site["run"])
    for dim in ("relief", "clause", "crime_category", "sex"):
        shown = {a.get_attribute("data-value"): int(c.get_attribute("data-count"))
                 for a, c in zip(page.locator(f"#facet-{dim} li a").all(),
                                 page.locator(f"#facet-{dim} li .count").all())}
        assert shown == {("(none)" if k == "None" else k): v["rows"] for k, v in summary[f"by_{dim}"].items()}


def test_alternatives_panel_shows_the_later_release(site):
    page = site["page"]
    decide(page, site["url"])
    row = page.locator("#alternatives tr", has_text="application").inner_text()
    assert "2026-01-19" in row and re.search(r"release from imprisonment", row, re.I)


def test_a_chart_bar_leads_to_its_rows(site):
    """The run page's relief chart: a bar says its number as a tooltip and a click opens the results browser
    filtered on that relief."""
    page = site["page"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(site["run"] + "?lang=en")
    bar = page.locator("#relief-chart a").first
    tip = bar.locator("title").first.text_content()
    assert re.fullmatch(r".+: [\d,]+", tip), tip
    bar.locator("path").click()
    page.wait_for_selector("#active-filters")
    assert "relief=" in page.url
    chip = page.locator('#active-filters [data-filter="relief"]').inner_text()
    assert chip.startswith("Relief: ") and tip.split(":")[0] in chip
