"""The drafting pages in Debian's Chromium at 1366 and 375 px: the form, a comparison of two readings on a
synthetic registry and on a run's registry, an overlay, bounds and attribution, in English and Azerbaijani;
no page wider than the window (tables and charts scroll inside their container). With CLEMENCY_SCREENSHOTS=DIR
the pages are saved as drafting-*.png (`make screenshots`)."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))   # `tests.` imports, however pytest is started

from tests.browser.server import ARGS, CHROMIUM, MARKS, serving, sign_in  # noqa: E402
from tests.browser.test_web_pages import WIDTHS, overflow, shot  # noqa: E402
from tests.test_web import make_app, seed_monitor  # noqa: E402

pytestmark = MARKS
ROWS = "5000"


@pytest.fixture(scope="module")
def site(tmp_path_factory):

    from clemency.registry.synth import synth
    data = tmp_path_factory.mktemp("drafting-pages")
    seed_monitor(data)
    registry = synth(800, data / "registry-2025.csv", seed=5)
    from playwright.sync_api import sync_playwright
    with serving(make_app(data)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.set_default_timeout(240_000)
        sign_in(page, url)
        page.goto(f"{url}/runs")
        page.set_input_files("#registry", str(registry))
        page.click("#start-run")
        page.wait_for_url(re.compile(r".*/runs/[0-9]{8}-.*"))
        run_id = page.url.split("?")[0].rsplit("/", 1)[1]
        while page.request.get(f"{url}/api/runs/{run_id}/status").json()["state"] not in ("done", "failed"):
            time.sleep(0.3)
        yield {"url": url, "page": page, "run": run_id, "jobs": {}}
        browser.close()


def submit(page, url, tool, alternative=None, registry="synthetic", done="#question"):
    """Fill the drafting form as a user would and wait for the result (the page reloads until it is there)."""
    page.goto(f"{url}/drafting?lang=en")
    if registry == "synthetic":
        page.select_option("#rows", ROWS)
    else:
        page.check(f'input[name="registry"][value="run:{registry}"]')
    if alternative:
        page.select_option("#alternative", alternative)
    page.click(f"#go-{tool}")
    page.wait_for_selector(done)
    return page.url.split("?")[0]


def jobs(site) -> dict:
    """The result pages, computed once for both widths."""
    if not site["jobs"]:
        page, url = site["page"], site["url"]
        site["jobs"] = {
            "compare": submit(page, url, "compare", "reading:b3=application", done="#kinds"),
            "compare-overlay": submit(page, url, "compare", "overlay:az-2025-journalists", done="#kinds"),
            "compare-run": submit(page, url, "compare", "reading:f2=abcde", registry=site["run"], done="#kinds"),
            "bounds": submit(page, url, "bounds", done="#bounds"),
            "attribution": submit(page, url, "attribution", done="#attribution"),
        }
    return site["jobs"]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_drafting_page_overflows(site, width):
    page, url = site["page"], site["url"]
    addresses = {"form": f"{url}/drafting", "overlay-act": f"{url}/acts/az-2025-journalists",
                 **jobs(site)}
    addresses["compare-az"] = addresses["compare"] + "?lang=az"
    page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for name, address in addresses.items():
        page.goto(address + ("" if "lang=" in address else "?lang=en"))
        page.wait_for_load_state()
        wide[name] = overflow(page)
        if name.startswith("compare"):
            page.locator("#flips-title").scroll_into_view_if_needed()
        shot(page, f"drafting-{name}-{width}")
    assert {k: v for k, v in wide.items() if v > 0} == {}, f"pages wider than {width} px"


def test_the_form_offers_the_runs_registry_to_an_operator_and_names_no_codes(site):
    page, url = site["page"], site["url"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/drafting?lang=en")
    assert page.locator(f'input[value="run:{site["run"]}"]').count() == 1
    options = page.locator("#alternative option").all_inner_texts()
    assert options and not any("=" in o or "_" in o for o in options)
    page.goto(jobs(site)["compare"] + "?lang=en")
    gains = int(page.locator('#kinds tr[data-kind="gains"]').get_attribute("data-persons"))
    rows = sum(int(r.get_attribute("data-rows")) for r in page.locator("#kinds tbody tr").all())
    assert gains > 0 and page.locator("#flips tbody tr").count() == min(rows, 50)
    assert "release_from" not in page.locator("main").inner_text()
